"""Free text to ESCO concepts: the label matrix, the lexical index, the linkers and skill extraction."""

from __future__ import annotations

import numpy as np
import pytest

from matching.embedding import CachedEmbedder, HashingEmbedder, SentenceTransformerEmbedder
from matching.esco import load_esco
from matching.linking.lexical import LabelMatrix
from matching.linking.linker import (
    LEXICAL_FLOOR,
    OCCUPATION_WEIGHTS,
    ConceptLinker,
    TaxonomyLinker,
    split_sentences,
)
from matching.paths import DEMO_ESCO_DIR
from matching.taxonomy import Taxonomy
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
    assert all(c.score >= 0.55 for c in found)
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
def test_real_model_extracts_skills_from_a_german_vacancy(real_linker: TaxonomyLinker) -> None:
    # "Gabelstapler fahren" is the skill's German preferred label, verbatim.
    text = "Wir suchen Lagerhelfer (m/w/d).\n• Gabelstapler fahren\n• Stapler-Sichtprüfung vor Schichtbeginn"
    assert FORKLIFT_OPERATION in [c.uri for c in real_linker.extract_skills(text, language="de")]
