"""Local vocabulary: extra names merged into the taxonomy by concept URI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matching.config import Settings
from matching.embedding.cache import CachedEmbedder
from matching.errors import TaxonomyError
from matching.linking.taxonomy_linker import TaxonomyLinker
from matching.paths import DEMO_ESCO_DIR, VOCABULARY_DIR
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco
from matching.taxonomy.vocabulary import load_vocabulary, merge_vocabulary, with_vocabulary
from tests import mini_esco as m
from tests.conftest import SHARED_ESCO

WELDER = m.OCC + "welder"  # not in the mini taxonomy


def _write_csv(path: Path, rows: list[list[str]], header: tuple[str, ...] = ("conceptUri", "language", "label", "note")) -> Path:  # fmt: skip
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_names_become_alternative_labels_and_fill_missing_languages(
    taxonomy: Taxonomy, tmp_path: Path
) -> None:
    source = _write_csv(
        tmp_path / "names.csv",
        [
            [m.FORKLIFT, "de", "Gabelstaplerfahrer", "forklift"],
            [m.FORKLIFT, "de", "STAPLERFAHRER/STAPLERFAHRERIN", "same as the label, other case: skipped"],
            [m.FORKLIFT, "ru", "водитель погрузчика", ""],
            [m.FORKLIFT, "ru", "оператор погрузчика", ""],
            [WELDER, "ru", "сварщик", "a URI the taxonomy lacks"],
        ],
    )
    merged, report = with_vocabulary(taxonomy, [source])
    forklift = merged.occupations[m.FORKLIFT]
    assert forklift.alt_labels["de"] == ("Gabelstaplerfahrer",)
    assert forklift.labels["ru"] == "водитель погрузчика"  # no Russian label before: the first name is it
    assert forklift.alt_labels["ru"] == ("оператор погрузчика",)
    assert forklift.labels["de"] == "Staplerfahrer/Staplerfahrerin"  # existing labels are kept
    assert (report.labels_added, report.concepts_touched, report.unknown_uris) == (3, 1, 1)
    assert m.FORKLIFT not in {
        u for u, c in taxonomy.occupations.items() if "ru" in c.labels
    }  # input unchanged


def test_an_esco_layout_folder_lends_its_labels(
    taxonomy: Taxonomy, mini_esco_dir: Path, tmp_path: Path
) -> None:
    vocabulary = load_vocabulary([mini_esco_dir])
    assert vocabulary.labels[m.NURSE]["uk"] == ["медична сестра"]
    assert vocabulary.labels[m.NURSE]["en"] == ["nurse", "registered nurse", "general nurse"]
    merged, report = merge_vocabulary(taxonomy, vocabulary)
    assert report.labels_added == 0  # a taxonomy's own labels add nothing to it
    assert merged.occupations == taxonomy.occupations


def test_a_folder_of_csv_files_is_read_file_by_file(taxonomy: Taxonomy, tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    _write_csv(folder / "a.csv", [[m.NURSE, "ru", "медсестра", ""]])
    _write_csv(folder / "b.csv", [[m.NURSE, "ru", "медбрат", ""]])
    merged, _ = with_vocabulary(taxonomy, [folder])
    assert merged.occupations[m.NURSE].labels["ru"] == "медсестра"
    assert merged.occupations[m.NURSE].alt_labels["ru"] == ("медбрат",)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["not-a-uri", "ru", "x", ""], "bad.csv line 3: conceptUri must be a concept URI"),
        ([m.NURSE, "RU", "x", ""], "bad.csv line 3: language must be an ISO 639 code in lower case"),
        ([m.NURSE, "ru", "   ", ""], "bad.csv line 3: label must hold 1 to 300 characters"),
    ],
)
def test_a_bad_row_names_file_line_and_field_and_adds_nothing(
    tmp_path: Path, row: list[str], message: str
) -> None:
    source = _write_csv(tmp_path / "bad.csv", [[m.NURSE, "ru", "медсестра", ""], row])
    with pytest.raises(TaxonomyError, match=message):
        load_vocabulary([source])


def test_missing_columns_and_missing_sources_are_explained(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "cols.csv", [[m.NURSE, "ru"]], header=("conceptUri", "language"))
    with pytest.raises(TaxonomyError, match=r"cols.csv lacks the column\(s\) \['label'\]"):
        load_vocabulary([source])
    with pytest.raises(TaxonomyError, match="does not exist"):
        load_vocabulary([tmp_path / "nowhere.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        TaxonomyError,
        match=r"holds neither the ESCO CSV layout \(occupations_<lang>.csv, skills_<lang>.csv\) nor vocabulary CSV files",
    ):
        load_vocabulary([tmp_path / "empty"])


def test_hidden_labels_of_an_esco_download_are_searchable(tmp_path: Path) -> None:
    folder = m.write_mini_esco(tmp_path / "esco")
    path = folder / "occupations_de.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["conceptUri"] == m.ELECTRICIAN:
            row["hiddenLabels"] = "Elektrikerin\nElektroinstallateur"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    electrician = load_esco(folder).occupations[m.ELECTRICIAN]
    assert electrician.alt_labels["de"] == ("Elektrikerin", "Elektroinstallateur")


def test_settings_read_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert Settings().vocabulary == [DEMO_ESCO_DIR, VOCABULARY_DIR]
    monkeypatch.setenv("SKILLBRIDGE_VOCABULARY", f"{tmp_path / 'a.csv'}, {tmp_path / 'b'}")
    assert Settings().vocabulary == [tmp_path / "a.csv", tmp_path / "b"]
    monkeypatch.setenv("SKILLBRIDGE_VOCABULARY", "")
    assert Settings().vocabulary == []


def test_a_russian_name_from_the_vocabulary_links_to_its_occupation(
    taxonomy: Taxonomy, embedder: CachedEmbedder, tmp_path: Path
) -> None:
    source = _write_csv(tmp_path / "ru.csv", [[m.FORKLIFT, "ru", "водитель погрузчика", ""]])
    before = TaxonomyLinker(taxonomy, embedder).link_occupation("водитель погрузчика", k=1)
    merged, _ = with_vocabulary(taxonomy, [source])
    after = TaxonomyLinker(merged, embedder).link_occupation("Водитель погрузчика", k=1, language="ru")
    assert before[0].lexical < 0.9
    assert (after[0].uri, after[0].label, after[0].lexical) == (m.FORKLIFT, "водитель погрузчика", 1.0)


def _further_occupations() -> set[str]:
    """Occupations the shipped vocabulary names beyond the demo taxonomy (Ukrainian names: the demo holds its own)."""
    with (VOCABULARY_DIR / "names_uk.csv").open(encoding="utf-8") as f:
        return {row["conceptUri"] for row in csv.DictReader(f)}


def test_the_shipped_vocabulary_names_the_demo_concepts_and_further_esco_occupations() -> None:
    demo = load_esco(DEMO_ESCO_DIR)
    merged, report = with_vocabulary(demo, [VOCABULARY_DIR])
    further = _further_occupations()
    assert len(further) >= 60 and further.isdisjoint(demo.occupations)
    assert report.unknown_uris == len(further) and report.labels_added > 400  # the rest is demo concepts
    assert all(
        "ru" in c.labels for c in merged.occupations.values()
    )  # every demo occupation has a Russian name


@pytest.mark.skipif(not SHARED_ESCO.is_dir(), reason=f"no ESCO download at {SHARED_ESCO}")
def test_on_a_full_esco_download_every_name_reaches_its_occupation() -> None:
    esco = load_esco(SHARED_ESCO)
    merged, report = with_vocabulary(esco, [DEMO_ESCO_DIR, VOCABULARY_DIR])
    assert report.unknown_uris == 0
    for uri in _further_occupations():
        occupation = merged.occupations[uri]
        assert {"uk", "ru"} <= set(occupation.labels), occupation.label("en")
    plasterer = merged.occupations[
        "http://data.europa.eu/esco/occupation/f4a22809-c00c-4dd0-8b09-c7251f8dcd1c"
    ]
    assert plasterer.label("uk") == plasterer.label("ru") == "штукатур"


def test_the_service_links_russian_through_the_configured_vocabulary(tmp_path: Path) -> None:
    """From settings to the endpoints: the default vocabulary reaches /normalize and the autocomplete."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from matching.bootstrap import build_matcher, load_taxonomy
    from tests.conftest import auth, key_for

    forklift_driver = m.OCC + "eeac6251-1974-42f5-91ed-513c6c883755"
    forklift_operation = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"
    settings = Settings(data_dir=tmp_path, embedding_model="hashing-32")
    matcher = build_matcher(settings)
    matcher.open()
    try:
        client = TestClient(create_app(matcher=matcher))
        headers = auth(key_for(matcher, "advisor"))
        body = {"title": "Водитель погрузчика", "text": "Опыт работы на погрузчике."}
        linked = client.post("/api/v1/normalize", json=body, params={"lang": "de"}, headers=headers).json()
        assert linked["occupations"][0]["uri"] == forklift_driver
        assert linked["occupations"][0]["label"] == "Gabelstaplerfahrer/Gabelstaplerfahrerin"
        assert linked["skills"][0]["uri"] == forklift_operation
        typed = client.get(
            "/api/v1/taxonomy/autocomplete", params={"q": "погруз", "lang": "uk"}, headers=headers
        )
        assert typed.json()[0]["uri"] == forklift_driver
        assert "погрузчика" in typed.json()[0]["matched_label"]

        plain = load_taxonomy(Settings(vocabulary=[]))
        assert "ru" not in plain.occupations[forklift_driver].labels
    finally:
        matcher.close()
