"""Free text to ESCO concepts: the label matrix, the lexical index, the linkers and skill extraction."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.embedding.sbert import SentenceTransformerEmbedder
from matching.linking import linker as linker_module
from matching.linking.lexical import LabelMatrix, WordCoverage
from matching.linking.linker import ConceptLinker
from matching.linking.normalize import content_stems, normalise_label, stem
from matching.linking.routing import LanguageRouted
from matching.linking.taxonomy_linker import TaxonomyLinker, service_linker
from matching.linking.text import MAX_SPAN_CHARS, split_sentences, word_spans
from matching.linking.weights import (
    LEXICAL_FLOOR,
    OCCUPATION_WEIGHTS,
    SKILL_SPANS,
    SKILL_THRESHOLD,
    SKILL_WEIGHTS,
)
from matching.paths import DEMO_ESCO_DIR
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco
from tests import mini_esco

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
NURSE = OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"
FORKLIFT_DRIVER = OCC + "eeac6251-1974-42f5-91ed-513c6c883755"
LOGISTICS = OCC + "d7a9f9e0-e2f5-4804-a0e0-b21ebb1403ee"
FORKLIFT_OPERATION = SKILL + "28cb374e-6261-4133-8371-f9a5470145da"
FORKLIFT_CHECK = SKILL + "3c84f7d9-7a3e-4343-814f-31de0aa61651"
VACANCY = (
    "We are looking for a warehouse worker.\n"
    "- forklift operation in the warehouse\n"
    "- forklift safety check before each shift\n"
    "- team player"
)


@pytest.fixture(scope="module")
def demo() -> Taxonomy:
    return load_esco(DEMO_ESCO_DIR)


@pytest.fixture(scope="module")
def lexical_occupations(demo: Taxonomy) -> ConceptLinker:
    return ConceptLinker(list(demo.occupations.values()), None, OCCUPATION_WEIGHTS, title_mode=True)


@pytest.fixture(scope="module")
def demo_linker(demo: Taxonomy) -> TaxonomyLinker:
    return TaxonomyLinker(demo, CachedEmbedder(HashingEmbedder(64)))


# -- LabelMatrix and LexicalIndex ----------------------------------------------------------------


def test_per_concept_max_equals_a_brute_force_loop() -> None:
    rng = np.random.default_rng(7)
    concepts = [(f"c{i}", [f"label {i}.{j}" for j in range(rng.integers(1, 6))]) for i in range(40)]
    concepts.insert(5, ("no-labels", ["", ""]))  # dropped: nothing to match
    concepts.insert(9, ("dupes", ["same", "same", "other"]))  # duplicates kept once
    matrix = LabelMatrix(concepts)
    assert "no-labels" not in matrix.ids
    assert len(matrix.ids) == 41
    scores = rng.standard_normal((7, len(matrix.labels))).astype(np.float32)

    expected = np.full((7, len(matrix.ids)), -np.inf, dtype=np.float32)
    for column, label in enumerate(matrix.labels):
        owner = matrix.ids.index(next(cid for cid, labels in concepts if label in labels))
        expected[:, owner] = np.maximum(expected[:, owner], scores[:, column])
    np.testing.assert_array_equal(matrix.per_concept_max(scores), expected)


def test_per_concept_max_with_one_label_each_is_the_scores_themselves() -> None:
    matrix = LabelMatrix([("a", ["nurse"]), ("b", ["welder", "", "welder"]), ("c", ["cook"])])
    scores = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(matrix.per_concept_max(scores), scores)


def test_per_concept_max_without_concepts_has_zero_columns() -> None:
    assert LabelMatrix([("x", [""])]).per_concept_max(np.zeros((3, 0))).shape == (3, 0)


@pytest.mark.parametrize(
    ("title", "uri", "within"),
    [
        ("Pflegefachkraft (m/w/d)", NURSE, 3),
        ("Krankenschwester", NURSE, 3),
        ("Krankenschwster", NURSE, 3),  # typo
        ("Staplerfahrer/in", FORKLIFT_DRIVER, 1),
        ("Gabelstaplerfahrer (w/m/d)", FORKLIFT_DRIVER, 1),  # compound of an alternative label
        ("медсестра", NURSE, 3),
        ("Fachkraft für Lagerlogistik", LOGISTICS, 1),
        ("Lagerlogistik", LOGISTICS, 1),  # part of a compound
    ],
)
def test_lexical_linking_finds_german_and_ukrainian_titles(
    lexical_occupations: ConceptLinker, title: str, uri: str, within: int
) -> None:
    ranked = [c.uri for c in lexical_occupations.link([title], k=within)[0]]
    assert uri in ranked


def test_lexical_scores_are_cosines_in_unit_range(lexical_occupations: ConceptLinker) -> None:
    scores = lexical_occupations.lexical.scores(["Krankenschwester", "qqqq"])
    assert scores.shape == (2, 70)
    assert scores.min() >= 0.0 and scores.max() <= 1.0 + 1e-6
    assert scores[0].max() == pytest.approx(1.0)  # an exact label
    assert scores[1].max() == 0.0  # no shared n-gram


# -- ConceptLinker.link --------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, -1, 2.5, "3", None])
def test_link_rejects_bad_k(lexical_occupations: ConceptLinker, k: object) -> None:
    with pytest.raises(ValueError, match=r"The 'k' parameter must be an int >= 1\. Got .* instead"):
        lexical_occupations.link(["nurse"], k=k)  # type: ignore[arg-type]


def test_link_of_nothing_is_empty(lexical_occupations: ConceptLinker) -> None:
    assert lexical_occupations.link([], k=5) == []


@pytest.mark.parametrize(("k", "expected"), [(1, 1), (3, 3), (6, 6), (50, 6)])
def test_link_returns_min_of_k_and_concepts(
    taxonomy: Taxonomy, embedder: CachedEmbedder, k: int, expected: int
) -> None:
    linker = TaxonomyLinker(taxonomy, embedder)
    [ranked] = linker.occupations.link(["nurse"], k=k)
    assert len(ranked) == expected
    assert len({c.uri for c in ranked}) == expected


def test_link_answers_each_text_in_order(taxonomy: Taxonomy, embedder: CachedEmbedder) -> None:
    linker = TaxonomyLinker(taxonomy, embedder)
    out = linker.occupations.link(["electrician", "forklift operator", "nurse"], k=2, language="de")
    assert [r[0].uri for r in out] == [mini_esco.ELECTRICIAN, mini_esco.FORKLIFT, mini_esco.NURSE]
    assert out[2][0].label == "Pflegefachmann/Pflegefachfrau"  # labels in the requested language


def test_score_is_the_weighted_mean_of_lexical_and_semantic_with_a_lexical_floor(
    taxonomy: Taxonomy, embedder: CachedEmbedder
) -> None:
    linker = TaxonomyLinker(taxonomy, embedder).occupations
    w = linker.weights
    ranked = linker.link(["registered nurse for a hospital"], k=6)[0]
    assert any(abs(c.lexical - c.semantic) > 0.05 for c in ranked)  # so the weights matter
    floored = 0
    for c in ranked:
        mean = (w.lexical * c.lexical + w.semantic * c.semantic) / (w.lexical + w.semantic)
        assert c.score == pytest.approx(max(mean, LEXICAL_FLOOR * c.lexical), abs=2e-4)
        floored += LEXICAL_FLOOR * c.lexical > mean
    assert 0 < floored < len(ranked)  # both branches are exercised


def test_lexical_only_linker_scores_are_the_lexical_scores(lexical_occupations: ConceptLinker) -> None:
    for c in lexical_occupations.link(["Pflegefachkraft"], k=5)[0]:
        assert c.semantic == 0.0
        assert c.score == c.lexical


def test_link_is_sorted_by_score_then_uri(demo_linker: TaxonomyLinker) -> None:
    ranked = demo_linker.occupations.link(["Fahrer für Lager und Logistik"], k=20)[0]
    keys = [(-c.score, c.uri) for c in ranked]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("query", "k"), [("Fahrer Lager", 10), ("qqqq", 3), ("qqqq", 69)])
def test_link_equals_the_brute_force_ranking(lexical_occupations: ConceptLinker, query: str, k: int) -> None:
    # "qqqq" shares no n-gram with any label: every score ties at 0 and the cut must go by uri.
    combined, _, _ = lexical_occupations.score_matrix([query])
    ids = lexical_occupations.ids
    expected = sorted(range(len(ids)), key=lambda i: (-combined[0, i], ids[i]))[:k]
    assert [c.uri for c in lexical_occupations.link([query], k=k)[0]] == [ids[i] for i in expected]


# -- split_sentences and extract_skills -----------------------------------------------------------


def test_split_sentences_on_bullets_and_sentence_ends() -> None:
    text = "Wir bieten:\n- Gabelstapler fahren\n• Lager verwalten\n* Teamarbeit\n\nok"
    assert split_sentences(text) == ["Wir bieten:", "Gabelstapler fahren", "Lager verwalten", "Teamarbeit"]
    assert split_sentences("You drive forklifts. You load trucks! Do you like teams? Yes.") == [
        "You drive forklifts.", "You load trucks!", "Do you like teams?", "Yes.",
    ]  # fmt: skip
    assert split_sentences("Aufgaben • Kommissionierung • Verladung - Inventur") == [
        "Aufgaben", "Kommissionierung", "Verladung", "Inventur",
    ]  # fmt: skip


def test_split_sentences_keeps_hyphens_and_decimals_inside_words() -> None:
    assert split_sentences("Kfz-Mechatroniker für 3.5 t Fahrzeuge") == [
        "Kfz-Mechatroniker für 3.5 t Fahrzeuge"
    ]
    assert split_sentences("  \n ") == []


def test_extract_skills_finds_the_forklift_skills(demo_linker: TaxonomyLinker) -> None:
    found = demo_linker.extract_skills(VACANCY)
    uris = [c.uri for c in found]
    assert {FORKLIFT_OPERATION, FORKLIFT_CHECK} <= set(uris)
    assert all(c.score >= SKILL_THRESHOLD for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert len(uris) == len(set(uris))


def test_extract_skills_respects_limit_and_threshold(demo_linker: TaxonomyLinker) -> None:
    everything = demo_linker.extract_skills(VACANCY, threshold=0.0, limit=200)
    assert len(everything) > 3
    assert [c.uri for c in demo_linker.extract_skills(VACANCY, threshold=0.0, limit=2)] == [
        c.uri for c in everything[:2]
    ]
    cut = (everything[1].score + everything[2].score) / 2
    assert everything[1].score > everything[2].score
    assert [c.uri for c in demo_linker.extract_skills(VACANCY, threshold=cut)] == [
        c.uri for c in everything[:2]
    ]
    assert demo_linker.extract_skills(VACANCY, threshold=1.5) == []


def test_occupation_profile_boosts_its_skills_by_005(demo: Taxonomy, demo_linker: TaxonomyLinker) -> None:
    profile = set(demo.essential_skills(FORKLIFT_DRIVER)) | set(demo.optional_skills(FORKLIFT_DRIVER))
    every = {"threshold": -2.0, "limit": len(demo.skills)}  # hashing cosines can be negative
    plain = {c.uri: c.score for c in demo_linker.extract_skills(VACANCY, **every)}
    boosted = {c.uri: c.score for c in demo_linker.extract_skills(VACANCY, FORKLIFT_DRIVER, **every)}
    assert FORKLIFT_OPERATION in profile
    assert set(plain) == set(boosted) == set(demo.skills)
    for uri, score in plain.items():
        assert boosted[uri] == pytest.approx(score + (0.05 if uri in profile else 0.0), abs=2e-4), uri


# -- word spans -----------------------------------------------------------------------------------


def test_word_spans_are_every_run_of_one_to_four_words_once() -> None:
    assert word_spans("x y x y", sizes=(1, 2)) == ["x", "y", "x y", "y x"]  # repeats kept once
    assert len(word_spans(" ".join(f"w{i}" for i in range(20)))) == 20 + 19 + 18 + 17
    assert word_spans("", sizes=(1, 2)) == word_spans(" ,;( ) ") == []


def test_word_spans_neither_start_nor_end_with_a_function_word() -> None:
    assert word_spans("Experience with Java and SQL", sizes=(1, 2, 3)) == [
        "Experience", "Java", "SQL", "Experience with Java", "Java and SQL",
    ]  # fmt: skip
    assert word_spans("Erfahrung mit SAP und der Lagerlogistik", sizes=(1, 2)) == [
        "Erfahrung", "SAP", "Lagerlogistik",
    ]  # fmt: skip
    assert word_spans("THE AND Of", sizes=(1, 2, 3)) == []  # case does not matter


def test_one_word_list_items_share_the_words_of_the_first_or_last_item() -> None:
    # German puts the shared object first, English after the verbs
    assert word_spans("Haare schneiden, färben und föhnen", sizes=(2,)) == [
        "Haare schneiden", "Haare färben", "Haare föhnen",
    ]  # fmt: skip
    assert {"design software", "build software"} <= set(word_spans("design, build and test software"))
    assert {"Ware kontrollieren", "Ware einlagern"} <= set(
        word_spans("Ware annehmen, kontrollieren und einlagern")
    )
    # nothing shared: one-word items only, several long items, or function words to share or be shared
    for text in (
        "Java, Python and C++",
        "Python und SQL, Versionsverwaltung mit Git",
        "Experience with Java and SQL",
        "the, a and test software",
    ):
        assert all(span in text for span in word_spans(text))  # runs of the text's own words only
    assert word_spans("Haare schneiden, färben", sizes=(1,)) == ["Haare", "schneiden", "färben"]


def test_word_spans_keep_technical_words_whole() -> None:
    spans = word_spans("C#, C++ or Node.js; e-learning (Kfz-Mechatroniker/-in).", sizes=(1,))
    assert spans == ["C#", "C++", "Node.js", "e-learning", "Kfz-Mechatroniker"]
    assert word_spans("медсестра з досвідом роботи", sizes=(1, 3)) == [
        "медсестра", "досвідом", "роботи", "медсестра з досвідом",
    ]  # fmt: skip


def _coverage_by_hand(texts: list[str], labels_of: list[set[str]]) -> np.ndarray:
    """Σ idf(label stems in the text) / Σ idf(label stems), idf = ln((N + 1) / (df + 1)) + 1 over all N labels,
    best label per concept; a label none of whose words (numbers aside) is in the text is not covered."""
    stems_of = [[set(content_stems(label)) for label in labels] for labels in labels_of]
    every = [stems for labels in stems_of for stems in labels]
    idf = {s: math.log((len(every) + 1) / (sum(s in x for x in every) + 1)) + 1 for x in every for s in x}
    out = np.zeros((len(texts), len(labels_of)))
    for row, text in enumerate(texts):
        present = set(content_stems(normalise_label(text)))
        for column, labels in enumerate(stems_of):
            out[row, column] = max(
                (
                    sum(idf[s] for s in stems & present) / sum(idf[s] for s in stems)
                    for stems in labels
                    if stems and any(not s.isdigit() for s in stems & present)
                ),
                default=0.0,
            )
    return out


def test_span_score_mixes_the_whole_text_with_its_best_span(demo: Taxonomy) -> None:
    """score = (1 − share) · whole text + share · best span, where a span's lexical evidence is 1 when it is
    one of the concept's labels (after normalisation), else coverage × the label's word coverage, and its
    semantic part the span weights' mean of the embedding channels."""
    embedder = CachedEmbedder(HashingEmbedder(64))
    skills = list(demo.skills.values())
    with_spans = ConceptLinker(skills, embedder, SKILL_WEIGHTS, title_mode=False, spans=SKILL_SPANS)
    whole = ConceptLinker(skills, embedder, SKILL_WEIGHTS, title_mode=False)
    semantic_only = replace(SKILL_SPANS.weights, lexical=0.0)
    per_span = ConceptLinker(skills, embedder, semantic_only, title_mode=False)
    w = SKILL_SPANS.weights
    labels_of = [{normalise_label(label) for _, label in c.all_labels()} for c in skills]
    # "forklift operation" is a label verbatim, so one span has exact lexical evidence.
    texts = ["We need soldering, forklift operation and spreadsheets every day.", "forklift", "!!!"]
    combined, lexical, semantic = with_spans.score_matrix(texts)
    share = SKILL_SPANS.share
    exact_seen = 0
    for row, text in enumerate(texts):
        expected = whole.score_matrix([text])
        spans = word_spans(text)
        if not spans:  # nothing but punctuation: the whole text's scores
            for got, want in zip((combined, lexical, semantic), expected, strict=True):
                np.testing.assert_allclose(got[row], want[0], atol=1e-6)
            continue
        span_semantic = per_span.score_matrix(spans)[2]
        exact = np.asarray([[normalise_label(s) in labels for labels in labels_of] for s in spans], float)
        exact_seen += int(exact.sum())
        exact = np.maximum(exact, SKILL_SPANS.coverage * _coverage_by_hand(spans, labels_of))
        span_combined = np.maximum(
            (w.lexical * exact + w.semantic * span_semantic) / (w.lexical + w.semantic), LEXICAL_FLOOR * exact
        )
        best = span_combined.argmax(axis=0)
        columns = np.arange(len(skills))
        for got, whole_part, span_part in zip(
            (combined, lexical, semantic), expected, (span_combined, exact, span_semantic), strict=True
        ):
            np.testing.assert_allclose(
                got[row], (1 - share) * whole_part[0] + share * span_part[best, columns], atol=1e-5
            )
    assert exact_seen >= 2  # "forklift operation" in the first text, at least


def test_span_scores_do_not_depend_on_batching(demo: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    linker = ConceptLinker(
        list(demo.skills.values()), CachedEmbedder(HashingEmbedder(64)), SKILL_WEIGHTS, title_mode=False,
        spans=SKILL_SPANS,
    )  # fmt: skip
    texts = [
        "Forklift operation and forklift safety checks in the warehouse, every shift.",
        "forklift operation",  # shares spans with the first text
        "...",
        "Soldering of electronics, debugging, spreadsheets and customer service for our clients in Leipzig.",
    ]
    expected = linker.score_matrix(texts)
    monkeypatch.setattr(linker_module, "SPAN_BATCH", 5)  # a text's spans straddle several batches
    monkeypatch.setattr(linker_module, "TEXT_GROUP", 2)
    for got, want in zip(linker.score_matrix(texts), expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)
    one_by_one = [linker.score_matrix([t]) for t in texts]
    for j in range(3):
        np.testing.assert_allclose(np.vstack([m[j] for m in one_by_one]), expected[j], atol=1e-6)


def test_spans_find_each_of_several_skills_named_in_one_sentence(demo_linker: TaxonomyLinker) -> None:
    text = "Our warehouse team is looking for someone who enjoys soldering, debugging and spreadsheets."
    found = [c.label for c in demo_linker.extract_skills(text)]
    assert {"soldering", "debugging", "spreadsheets"} <= set(found)
    plain = ConceptLinker(
        list(demo_linker.taxonomy.skills.values()),
        demo_linker.skills.embedder,
        SKILL_WEIGHTS,
        title_mode=False,
    )
    # The whole sentence alone leaves each of them far below the extraction threshold.
    assert max(c.score for c in plain.link([text], k=3)[0]) < 0.45


# -- the real model ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_linker(demo: Taxonomy) -> TaxonomyLinker:
    return TaxonomyLinker(demo, CachedEmbedder(SentenceTransformerEmbedder()))


@pytest.mark.slow
def test_real_model_links_english_titles_and_skill_phrases(real_linker: TaxonomyLinker) -> None:
    assert real_linker.link_occupation("registered nurse", k=3)[0].uri == NURSE
    ranked = [
        c.uri for c in real_linker.skills.link(["experience operating forklifts in a warehouse"], k=3)[0]
    ]
    assert {FORKLIFT_OPERATION, FORKLIFT_CHECK} & set(ranked)


@pytest.mark.slow
def test_real_model_links_every_skill_of_a_job_ad_sentence(real_linker: TaxonomyLinker) -> None:
    text = "Strong knowledge of HTML and JavaScript; you enjoy debugging and working with spreadsheets."
    top = [c.label for c in real_linker.skills.link([text], k=6)[0]]
    assert {"HTML and markup", "JavaScript", "debugging", "spreadsheets"} <= set(top)


@pytest.mark.slow
def test_real_model_extracts_skills_from_a_german_vacancy(real_linker: TaxonomyLinker) -> None:
    # "Gabelstapler fahren" is the skill's German preferred label, verbatim.
    text = "Wir suchen Lagerhelfer (m/w/d).\n• Gabelstapler fahren\n• Stapler-Sichtprüfung vor Schichtbeginn"
    assert FORKLIFT_OPERATION in [c.uri for c in real_linker.extract_skills(text, language="de")]


# -- word coverage ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "shared"),
    [
        (["gabelstapler", "gabelstaplern"], "gabelstapl"),
        (["погрузчик", "погрузчика", "погрузчиком", "погрузчике"], "погрузчик"),
        (["навантажувач", "навантажувачем", "навантажувача"], "навантажувач"),
        (["forklift", "forklifts"], "forklift"),
        (["operate", "operating", "operated"], "operat"),
    ],
)
def test_inflected_forms_share_a_stem(words: list[str], shared: str) -> None:
    assert {stem(w) for w in words} == {shared}


def test_short_words_keep_their_ending() -> None:
    assert [stem(w) for w in ("sql", "excel", "bed", "кухня", "уход")] == [
        "sql",
        "excel",
        "bed",
        "кухн",
        "уход",
    ]


def test_word_coverage_weighs_rare_words_more() -> None:
    """Labels: A "operate forklift", B "operate crane", C "forklift". idf = ln(4 / (df + 1)) + 1:
    operat (df 2) 1.2877, forklift (df 2) 1.2877, crane (df 1) 1.6931."""
    matrix = LabelMatrix([("A", ["operate forklift"]), ("B", ["operate crane"]), ("C", ["forklift"])])
    coverage = WordCoverage(matrix, normalise_label)
    got = coverage.scores(["Experience with forklifts", "Cranes!", "nothing here", ""])
    operat = forklift = math.log(4 / 3) + 1
    crane = math.log(4 / 2) + 1
    np.testing.assert_allclose(
        got,
        [
            [forklift / (operat + forklift), 0.0, 1.0],
            [0.0, crane / (operat + crane), 0.0],
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
        ],
        rtol=1e-6,
    )


def test_numbers_cover_a_label_only_beside_its_words() -> None:
    """A count in a sentence ("children aged 1 to 6") is no evidence for a label that holds the same numbers
    ("JavaScript 1.6"); beside the label's words a number still tells one label from another."""
    matrix = LabelMatrix(
        [("js", ["JavaScript 1.6"]), ("iso9001", ["ISO 9001"]), ("iso14001", ["ISO 14001"])], normalise_label
    )
    coverage = WordCoverage(matrix, normalise_label)
    got = coverage.scores(["children aged 1 to 6", "ISO 9001 audits", "9001", "JavaScript"])
    assert got[0].tolist() == [0.0, 0.0, 0.0]
    assert got[1, 1] == pytest.approx(1.0) and 0.0 < got[1, 2] < 1.0  # "iso" alone covers only part of 14001
    assert got[2].tolist() == [0.0, 0.0, 0.0]
    assert 0.0 < got[3, 0] < 1.0


def test_a_skill_named_inside_a_german_or_russian_sentence_is_found(demo: Taxonomy) -> None:
    """The span "Gabelstapler" holds the rarer word of "Gabelstapler fahren"; Russian reaches the same skill
    through the project's Russian names, inflected ("на погрузчике" against "работа на погрузчике")."""
    from matching.paths import VOCABULARY_DIR
    from matching.taxonomy.vocabulary import with_vocabulary

    merged, _ = with_vocabulary(demo, [VOCABULARY_DIR])
    linker = TaxonomyLinker(merged, CachedEmbedder(HashingEmbedder(64)))
    for text in ("Erfahrung mit Gabelstapler und SAP", "Опыт работы на погрузчике"):
        found = [c.uri for c in linker.extract_skills(text)]
        assert found[:1] == [FORKLIFT_OPERATION], text


# -- bounded work per text ---------------------------------------------------------------------------


def test_a_long_text_embeds_a_bounded_amount(demo: Taxonomy) -> None:
    """Thousands of distinct words (a text no advisor writes) cost what a page costs, not minutes."""
    embedded: list[str] = []

    class Counting(HashingEmbedder):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            embedded.extend(texts)
            return super().embed(texts)

    linker = TaxonomyLinker(demo, CachedEmbedder(Counting(64)))
    rng = np.random.default_rng(1)
    words = ["".join(rng.choice(list("abcdefghijklmnop"), size=rng.integers(3, 10))) for _ in range(3000)]
    assert len(set(words)) > 2500
    linker.extract_skills("Grundpflege", language="de")  # the labels' vectors, once
    embedded.clear()
    linker.extract_skills(" ".join(words), language="de")
    spans = [t for t in embedded if t.count(" ") < 4]
    assert len(embedded) < 150 and sum(len(s) for s in spans) <= MAX_SPAN_CHARS
    assert max(len(t.split()) for t in embedded) <= 30
    # An ordinary sentence still gets its spans.
    embedded.clear()
    linker.extract_skills("Erfahrung in der Grundpflege und Medikamentengabe.", language="de")
    assert "Grundpflege" in embedded and "Medikamentengabe" in embedded


def test_bounded_sentences_cut_long_ones_and_stop_at_twenty() -> None:
    from matching.linking.text import bounded_sentences

    assert bounded_sentences("Erste Zeile. Zweite Zeile.") == ["Erste Zeile.", "Zweite Zeile."]
    parts = bounded_sentences(" ".join(f"w{i}" for i in range(1000)))
    assert len(parts) == 20 and all(len(p.split()) == 30 for p in parts)


def test_word_spans_stop_at_list_separators_and_brackets() -> None:
    assert word_spans("Java, Python (Django) and CI/CD – Docker; Git", sizes=(1, 2)) == [
        "Java", "Python", "Django", "CI", "CD", "Docker", "Git", "CI CD",
    ]  # fmt: skip


def _counting_skill_linker(demo: Taxonomy, embedded: int | None) -> tuple[ConceptLinker, list[str]]:
    seen: list[str] = []

    class Counting(HashingEmbedder):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            seen.extend(texts)
            return super().embed(texts)

    spans = replace(SKILL_SPANS, embedded=embedded)
    linker = ConceptLinker(
        list(demo.skills.values()), CachedEmbedder(Counting(64)), SKILL_WEIGHTS, title_mode=False, spans=spans
    )
    seen.clear()  # the labels' vectors
    return linker, seen


def test_only_the_budget_of_spans_is_embedded_the_strongest_lexically(demo: Taxonomy) -> None:
    text = "Daily tasks include forklift operation in the hall, soldering at the bench and much paperwork"
    assert len(word_spans(text)) > 10
    linker, seen = _counting_skill_linker(demo, embedded=2)
    linker.score_matrix([text])
    spans = [t for t in seen if t != text]
    assert len(spans) == 2 and set(spans) == {"forklift operation", "soldering"}  # labels verbatim


def test_spans_beyond_the_budget_still_count_lexically(demo: Taxonomy) -> None:
    text = "forklift operation and soldering"
    full, _ = _counting_skill_linker(demo, embedded=None)
    one, seen = _counting_skill_linker(demo, embedded=1)
    combined, lexical, semantic = one.score_matrix([text])
    assert len([t for t in seen if t != text]) == 1
    whole = ConceptLinker(list(demo.skills.values()), one.embedder, SKILL_WEIGHTS, title_mode=False)
    whole_combined = whole.score_matrix([text])[0][0]
    share = SKILL_SPANS.share
    for label in ("forklift operation", "soldering"):
        column = next(i for i, uri in enumerate(one.ids) if demo.skills[uri].label("en") == label)
        # Embedded or not, a span that is the label gives at least the exact-label floor.
        floor = (1 - share) * whole_combined[column] + share * LEXICAL_FLOOR
        assert combined[0, column] >= floor - 1e-6
        assert lexical[0, column] >= SKILL_SPANS.coverage * share - 1e-6
    # A budget no text reaches changes nothing.
    roomy, _ = _counting_skill_linker(demo, embedded=len(word_spans(text)))
    for got, want in zip(roomy.score_matrix([text]), full.score_matrix([text]), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert not np.allclose(semantic, full.score_matrix([text])[2])  # the other span was not read


def test_the_service_embeds_at_most_the_budget_of_spans_per_sentence(demo_linker: TaxonomyLinker) -> None:
    assert SKILL_SPANS.embedded is not None
    sentence = " ".join(f"word{i} skill{i}" for i in range(40))
    assert len(word_spans(sentence)) > 3 * SKILL_SPANS.embedded
    linker = demo_linker.skills
    assert isinstance(linker, ConceptLinker)
    kept, unread = linker._within_budget(word_spans(sentence))
    assert len(kept) == SKILL_SPANS.embedded and unread is not None


# -- one lexical index for both models -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["occupations", "skills"])
def test_the_english_and_multilingual_linkers_share_one_lexical_index(demo: Taxonomy, kind: str) -> None:
    concepts = list(getattr(demo, kind).values())
    weights, spans = (OCCUPATION_WEIGHTS, None) if kind == "occupations" else (SKILL_WEIGHTS, SKILL_SPANS)
    english = CachedEmbedder(HashingEmbedder(64))
    routed = service_linker(concepts, weights, spans, embedder=CachedEmbedder(HashingEmbedder(32)),
                            english_embedder=english)  # fmt: skip
    assert isinstance(routed, LanguageRouted)
    shared, main = routed.english, routed.other
    assert isinstance(shared, ConceptLinker) and isinstance(main, ConceptLinker)
    assert shared.lexical is main.lexical and shared.coverage is main.coverage
    assert (shared.coverage is not None) == (kind == "skills")
    # Scores are those of a linker that built its own index.
    own = ConceptLinker(concepts, english, weights, title_mode=spans is None, spans=spans)
    texts = ["forklift operation in the warehouse", "Pflegefachkraft", "водій навантажувача"]
    for got, want in zip(shared.score_matrix(texts), own.score_matrix(texts), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_a_lexical_index_is_shared_only_by_linkers_that_would_build_the_same(demo: Taxonomy) -> None:
    occupations = list(demo.occupations.values())
    titles = ConceptLinker(occupations, None, OCCUPATION_WEIGHTS, title_mode=True)
    with pytest.raises(ValueError, match="same concepts"):
        ConceptLinker(occupations[:-1], None, OCCUPATION_WEIGHTS, title_mode=True, lexical_of=titles)
    with pytest.raises(ValueError, match="same mode"):
        ConceptLinker(occupations, None, OCCUPATION_WEIGHTS, title_mode=False, lexical_of=titles)
    skills = list(demo.skills.values())
    spanned = ConceptLinker(skills, None, SKILL_WEIGHTS, title_mode=False, spans=SKILL_SPANS)
    with pytest.raises(ValueError, match="word coverage"):
        ConceptLinker(skills, None, SKILL_WEIGHTS, title_mode=False, lexical_of=spanned)
    # Given lexical scores stand for whole texts: a linker scoring spans computes its own.
    with pytest.raises(ValueError, match="whole texts only"):
        spanned.score_matrix(["forklift"], lexical=np.zeros((1, len(spanned.ids)), dtype=np.float32))
