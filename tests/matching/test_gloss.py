"""Ukrainian and Russian job titles glossed word by word into English, and titles linked through their gloss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.config import Settings
from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.linking.confidence import Calibration
from matching.linking.gloss import Glossary, GlossaryError
from matching.linking.glossed import GlossedTexts
from matching.linking.taxonomy_linker import TaxonomyLinker
from matching.linking.weights import LEXICAL_FLOOR
from matching.paths import DEMO_ESCO_DIR, GLOSSARY_DIR
from matching.taxonomy.esco import load_esco

WORDS = [
    ("оператор", "operator"),
    ("котельн", "boiler"),
    ("старш", "senior"),
    ("кран", "crane"),
    ("кранівник", "crane operator"),
    ("зварник", "welder"),
    ("інженер", "engineer"),
    ("технолог", "technologist"),
    ("слюсар-ремонтник", "maintenance fitter"),
    ("охорони праці", "occupational health and safety"),
    ("м'ясник", "butcher"),
    ("шахтер", "miner"),
]


@pytest.fixture
def glossary() -> Glossary:
    return Glossary(WORDS)


def test_a_word_is_glossed_by_its_stem_with_an_ending(glossary: Glossary) -> None:
    gloss = glossary.gloss("Старший оператор котельні")
    assert gloss is not None
    assert (gloss.english, gloss.covered) == ("senior operator boiler", 1.0)


def test_the_longest_stem_wins_and_a_long_remainder_is_no_ending(glossary: Glossary) -> None:
    assert glossary.word("кранівника") == "crane operator"  # not "crane"
    assert glossary.word("крана") == "crane"
    assert glossary.word("кранобудування") is None  # "обудування" is no inflection
    assert glossary.word("кр") is None


def test_feminine_forms_are_derived_from_the_masculine_stems() -> None:
    glossary = Glossary([("пакувальник", "packer"), ("упаковщик", "packer"), ("учител", "teacher"),
                         ("працівниц", "female worker"), ("працівник", "worker")])  # fmt: skip
    assert glossary.word("пакувальниця") == glossary.word("упаковщица") == "packer"
    assert glossary.word("учительница") == glossary.word("учителька") == "teacher"
    assert glossary.word("працівниця") == "female worker"  # a stem given in the file wins over a derived one


def test_phrases_hyphenated_words_and_other_scripts(glossary: Glossary) -> None:
    gloss = glossary.gloss("Інженер з охорони праці")
    assert gloss is not None and gloss.english == "engineer occupational health and safety"
    assert glossary.gloss("слюсар-ремонтник").english == "maintenance fitter"  # type: ignore[union-attr]
    # A hyphenated word the glossary does not hold whole counts as its parts; Latin words are kept.
    assert glossary.gloss("інженер-технолог").english == "engineer technologist"  # type: ignore[union-attr]
    # Prepositions are left out of a title and of a phrase alike ("майстер з ремонту", "мастер по ремонту").
    phrase = Glossary([("майстер з ремонту", "repairer"), ("взутт", "shoe")]).gloss(
        "Майстер з ремонту взуття"
    )
    assert phrase is not None and phrase.english == "repairer shoe"
    java = glossary.gloss("Java-зварник")
    assert java is not None and (java.english, java.covered) == ("java welder", 1.0)


def test_coverage_counts_the_cyrillic_words_the_glossary_knows(glossary: Glossary) -> None:
    gloss = glossary.gloss("досвідчений зварник на виробництво")  # "на" is a preposition: not counted
    assert gloss is not None
    assert gloss.english == "welder" and gloss.covered == pytest.approx(1 / 3)
    unknown = glossary.gloss("бариста")
    assert unknown is not None and (unknown.english, unknown.covered) == ("", 0.0)


def test_apostrophes_and_yo_are_read_alike(glossary: Glossary) -> None:
    for spelling in ("м'ясник", "м’ясник", "мʼясник"):
        assert glossary.gloss(spelling).english == "butcher"  # type: ignore[union-attr]
    assert glossary.gloss("шахтёр").english == "miner"  # type: ignore[union-attr]


def test_latin_look_alikes_in_a_cyrillic_word_are_read_as_cyrillic() -> None:
    glossary = Glossary([("лікар", "medical doctor"), ("педіатр", "paediatrician")])
    typed = glossary.gloss("лiкар-педiaтр")  # Latin i and a, as typed on a keyboard without Ukrainian letters
    assert typed is not None and (typed.english, typed.covered) == ("medical doctor paediatrician", 1.0)
    assert glossary.gloss("SAP-лікар").english == "sap medical doctor"  # type: ignore[union-attr]


def test_text_without_cyrillic_is_not_glossed(glossary: Glossary) -> None:
    assert glossary.gloss("Schweißer (m/w/d)") is None
    assert glossary.gloss("welder") is None
    assert glossary.gloss("") is None


def test_the_shipped_glossary_reads_and_knows_the_common_titles() -> None:
    glossary = Glossary.read([GLOSSARY_DIR])
    assert len(glossary) > 900
    expected = {
        "агроном": "agronomist",
        "кравчиня": "dressmaker",
        "крановщик": "crane operator",
        "економіст": "economist",
        "водій навантажувача": "driver forklift",
        "слесарь по ремонту автомобилей": "fitter mechanic repair vehicle car",
    }
    for title, english in expected.items():
        gloss = glossary.gloss(title)
        assert gloss is not None and gloss.english == english, title


def test_every_shipped_glossary_row_is_a_stem_and_its_meaning() -> None:
    for path in sorted(GLOSSARY_DIR.glob("*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "stem,english", path.name
        stems = [line.split(",", 1)[0] for line in lines[1:]]
        assert len(stems) == len(set(stems)), f"{path.name}: a stem is given twice"
        assert all(len(line.split(",")) == 2 for line in lines[1:]), (
            f"{path.name}: a row with a comma too many"
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("stem,meaning\nзварник,welder\n", "lacks the column(s) ['english']"),
        ("stem,english\nзварник,welder\nкухар,\n", "line 3: stem and english must both be given"),
    ],
)
def test_a_malformed_glossary_is_refused_with_its_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "words.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(
        GlossaryError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
    ):
        Glossary.read([path])


def test_a_missing_or_unreadable_glossary_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="neither a CSV file nor a folder"):
        Glossary.read([tmp_path / "missing.csv"])
    with pytest.raises(GlossaryError, match="neither a CSV file nor a folder"):
        Glossary.read([tmp_path])  # a folder without CSV files
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("stem,english\nmaçon,mason\n".encode("latin-1"))
    with pytest.raises(GlossaryError, match="not UTF-8"):
        Glossary.read([latin1])


def test_the_glossary_is_configured_like_the_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    from matching.cli.serve import worker_environment

    assert Settings().glossary == [GLOSSARY_DIR]
    # Worker processes of `skillbridge serve --workers N` read the same glossary; "none" travels as empty.
    assert worker_environment(Settings(glossary=[Path("a.csv")]), 2)["SKILLBRIDGE_GLOSSARY"] == "a.csv"
    assert worker_environment(Settings(glossary=[]), 2)["SKILLBRIDGE_GLOSSARY"] == ""
    monkeypatch.setenv("SKILLBRIDGE_GLOSSARY", "")
    assert Settings().glossary == []
    monkeypatch.setenv("SKILLBRIDGE_GLOSSARY", "a.csv, b")
    assert Settings().glossary == [Path("a.csv"), Path("b")]


# -- titles linked through their gloss ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def linkers() -> tuple[TaxonomyLinker, TaxonomyLinker]:
    demo = load_esco(DEMO_ESCO_DIR)
    model, english = CachedEmbedder(HashingEmbedder(64)), CachedEmbedder(HashingEmbedder(64))
    calibration = Calibration(0.05, 1.0, 0.0)
    plain = TaxonomyLinker(demo, model, english_embedder=english, calibration=calibration)
    glossed = TaxonomyLinker(
        demo, model, english_embedder=english, calibration=calibration, glossary=Glossary.read([GLOSSARY_DIR])
    )
    return plain, glossed


@pytest.mark.parametrize(
    ("title", "meant"),
    [("электрогазосварщик", "welder"), ("старший двірник", "cleaner"), ("переводчик", "translator")],
)
def test_a_title_no_label_holds_is_found_through_its_gloss(
    linkers: tuple[TaxonomyLinker, TaxonomyLinker], title: str, meant: str
) -> None:
    plain, glossed = linkers
    assert isinstance(glossed.occupations, GlossedTexts)
    uri = next(uri for uri, c in glossed.taxonomy.occupations.items() if c.label("en") == meant)
    linked = glossed.link_occupation(title, k=3, language="uk")
    assert linked[0].uri == uri
    assert linked[0].label == glossed.taxonomy.label(uri, "uk")
    assert linked[0].confidence is not None and 0 < linked[0].confidence <= 1
    assert plain.link_occupation(title, k=1)[0].uri != uri  # as written the title alone does not find it


@pytest.mark.parametrize(
    ("kind", "text", "gloss"),
    [
        ("occupations", "старший оператор котельні", "senior operator boiler"),
        ("skills", "Досвід роботи з навантажувачем", "experience work forklift"),
    ],
)
def test_the_gloss_is_read_whole_by_the_english_linker_and_mixed_in_equal_parts(
    linkers: tuple[TaxonomyLinker, TaxonomyLinker], kind: str, text: str, gloss: str
) -> None:
    plain, glossed = linkers
    linker = getattr(glossed, kind)
    assert isinstance(linker, GlossedTexts)
    assert linker.glosses([text]) == {0: gloss}
    own, own_lexical, _ = (part[0] for part in getattr(plain, kind).score_matrix([text]))
    read = linker.reader.score_matrix([gloss], spans=False)[0][0]  # a sentence's gloss too: no spans
    # A label close to the text as written keeps the strength it had (LEXICAL_FLOOR).
    expected = np.maximum((own + read) / 2, LEXICAL_FLOOR * own_lexical)
    np.testing.assert_allclose(linker.score_matrix([text])[0][0], expected, rtol=1e-6)
    assert not np.allclose(expected, own)


def test_titles_a_gloss_does_not_reach_score_as_before(
    linkers: tuple[TaxonomyLinker, TaxonomyLinker],
) -> None:
    plain, glossed = linkers
    # English and German text, Cyrillic words the glossary lacks, and a title that is a label as written.
    # A title with less than half of its Cyrillic words in the glossary is read as written too.
    titles = [
        "welder",
        "Schweißer (m/w/d)",
        "сомельє-дегустатор",
        "зварник",
        "досвідчений кваліфікований зварник",
    ]
    np.testing.assert_allclose(
        glossed.occupations.score_matrix(titles)[0], plain.occupations.score_matrix(titles)[0]
    )
    assert [c.uri for c in glossed.link_occupation("зварник", k=3)] == [
        c.uri for c in plain.link_occupation("зварник", k=3)
    ]


@pytest.mark.parametrize(
    ("sentence", "meant"),
    [
        ("Опыт вождения погрузчика", "forklift operation"),
        ("Оказание первой помощи пострадавшим", "giving first aid"),
    ],
)
def test_a_skill_sentence_no_label_holds_is_found_through_its_gloss(
    linkers: tuple[TaxonomyLinker, TaxonomyLinker], sentence: str, meant: str
) -> None:
    """Russian sentences (the demo taxonomy has no Russian names) whose words the glossary knows."""
    plain, glossed = linkers
    assert isinstance(glossed.skills, GlossedTexts)
    uri = next(uri for uri, c in glossed.taxonomy.skills.items() if c.label("en") == meant)
    found = glossed.extract_skills(sentence, threshold=0.0, limit=3)
    assert found[0].uri == uri
    assert found[0].confidence is not None and 0 < found[0].confidence <= 1
    assert uri not in [c.uri for c in plain.extract_skills(sentence, threshold=0.0, limit=3)]


def test_sentences_a_gloss_does_not_reach_score_as_before(
    linkers: tuple[TaxonomyLinker, TaxonomyLinker],
) -> None:
    plain, glossed = linkers
    texts = ["Experience with forklifts", "Erfahrung mit Gabelstapler", "Сомельє-дегустація вин"]
    np.testing.assert_allclose(glossed.skills.score_matrix(texts)[0], plain.skills.score_matrix(texts)[0])
    text = texts[2]
    assert glossed.extract_skills(text, limit=5) == plain.extract_skills(text, limit=5)


def test_the_service_links_through_the_configured_glossary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From settings to /normalize: a Russian title that no label or vocabulary name holds, on the demo
    taxonomy, found through the default glossary; without a glossary it is not."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from matching.bootstrap import build_matcher
    from tests.conftest import auth, key_for

    def top(settings: Settings) -> dict:
        matcher = build_matcher(settings)
        matcher.open()
        try:
            client = TestClient(create_app(matcher=matcher))
            body = {"title": "дворник", "k": 3}  # a Russian name for a cleaner, in no label or vocabulary
            headers = auth(key_for(matcher, "advisor"))
            response = client.post("/api/v1/normalize", json=body, params={"lang": "en"}, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()["occupations"][0]
        finally:
            matcher.close()

    cleaner = top(Settings(data_dir=tmp_path / "a", embedding_model="hashing-64"))
    assert cleaner["label"] == "cleaner"
    monkeypatch.setenv("SKILLBRIDGE_GLOSSARY", "")
    assert top(Settings(data_dir=tmp_path / "b", embedding_model="hashing-64"))["uri"] != cleaner["uri"]


def test_a_configured_glossary_that_cannot_be_read_stops_the_start(tmp_path: Path) -> None:
    from matching.bootstrap import build_matcher

    settings = Settings(data_dir=tmp_path, embedding_model="hashing-64", glossary=[tmp_path / "words.csv"])
    with pytest.raises(GlossaryError, match=r"words\.csv"):
        build_matcher(settings)
