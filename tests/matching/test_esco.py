"""Import of ESCO CSV folders: the mini taxonomy, hand-made edge cases, the real download and the demo data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matching.errors import TaxonomyError, UnknownConceptError
from matching.paths import DEMO_ESCO_DIR
from matching.taxonomy import Taxonomy
from matching.taxonomy.esco import load_esco
from tests import mini_esco as m
from tests.conftest import SHARED_ESCO

OCC_COLUMNS = ["conceptUri", "iscoGroup", "preferredLabel", "altLabels"]
SKILL_COLUMNS = ["conceptUri", "preferredLabel", "altLabels"]
REL_COLUMNS = ["occupationUri", "relationType", "skillUri"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def small_folder(
    folder: Path, occupations: list[list[str]] | None = None, relations: list[list[str]] | None = None
) -> Path:
    """A minimal valid folder: two occupations, two skills, one relation file."""
    folder.mkdir(parents=True, exist_ok=True)
    if occupations is None:
        occupations = [[m.NURSE, "2221", "nurse", ""], [m.ELECTRICIAN, "7411", "electrician", ""]]
    if relations is None:
        relations = [[m.NURSE, "essential", m.MEDICATION]]
    write_csv(folder / "occupations_en.csv", OCC_COLUMNS, occupations)
    write_csv(folder / "skills_en.csv", SKILL_COLUMNS, [[m.MEDICATION, "administer medication", ""],
                                                        [m.WIRING, "install wiring", ""]])  # fmt: skip
    write_csv(folder / "occupationSkillRelations.csv", REL_COLUMNS, relations)
    return folder


# -- the mini taxonomy -------------------------------------------------------------------------


def test_languages_come_from_file_names(taxonomy: Taxonomy) -> None:
    assert taxonomy.languages == ("en", "de", "uk")
    assert len(taxonomy.occupations) == len(m.OCCUPATIONS)
    assert len(taxonomy.skills) == len(m.SKILLS)


def test_labels_per_language(taxonomy: Taxonomy) -> None:
    nurse = taxonomy.occupation(m.NURSE)
    assert nurse.labels == {"en": "nurse", "de": "Pflegefachmann/Pflegefachfrau", "uk": "медична сестра"}
    assert nurse.label("uk") == "медична сестра"
    assert nurse.label("ar") == "nurse"  # falls back to English
    assert taxonomy.skill(m.VITALS).labels["de"] == "Vitalzeichen überwachen"
    assert nurse.descriptions["de"] == "nurse (de)"


def test_alt_labels_are_split_on_newlines(taxonomy: Taxonomy) -> None:
    nurse = taxonomy.occupation(m.NURSE)
    assert nurse.alt_labels == {"en": ("registered nurse", "general nurse")}
    assert ("en", "general nurse") in set(nurse.all_labels())
    assert taxonomy.occupation(m.ELECTRICIAN).alt_labels == {}


def test_essential_and_optional_relations(taxonomy: Taxonomy) -> None:
    assert taxonomy.essential_skills(m.NURSE) == (
        m.MEDICATION,
        m.HYGIENE,
        m.VITALS,
        m.CARE_PLAN,
        m.DOCUMENTATION,
    )
    assert taxonomy.optional_skills(m.NURSE) == (m.TEAMWORK,)
    assert taxonomy.essential_skills(m.FORKLIFT) == (m.FORKLIFT_DRIVING, m.LOADING)
    assert taxonomy.optional_skills(m.SPECIALIST_NURSE) == ()


def test_isco_codes_and_paths(taxonomy: Taxonomy) -> None:
    assert taxonomy.isco_path(m.NURSE) == ("2", "22", "222", "2221")
    assert taxonomy.occupation(m.WAREHOUSE).isco_code == "9333"
    assert taxonomy.occupation(m.NURSE).code == "2221.1"
    assert taxonomy.isco_groups["2221"].labels == {"en": "Nursing professionals [en]",
                                                   "de": "Nursing professionals [de]",
                                                   "uk": "Nursing professionals [uk]"}  # fmt: skip


def test_broader_relations(taxonomy: Taxonomy) -> None:
    assert taxonomy.broader[m.SPECIALIST_NURSE] == m.NURSE
    assert taxonomy.broader[m.NURSE] == m.ISCO + "2221"
    assert all(uri in taxonomy.occupations for uri in taxonomy.broader)  # ISCO-to-ISCO rows are left out


def test_occupation_proximity_on_mini_taxonomy(taxonomy: Taxonomy) -> None:
    assert taxonomy.occupation_proximity(m.NURSE, m.NURSE) == 1.0
    assert taxonomy.occupation_proximity(m.SPECIALIST_NURSE, m.NURSE) == 0.9
    assert taxonomy.occupation_proximity(m.NURSE, m.SPECIALIST_NURSE) == 0.9
    assert taxonomy.occupation_proximity(m.NURSE, m.ELECTRICIAN) == 0.0
    assert taxonomy.occupation_proximity(m.NURSE, m.NURSING_ASSISTANT) == 0.0  # 2221 vs 5321


def test_occupation_proximity_by_isco_levels(tmp_path: Path) -> None:
    occ = m.OCC
    rows = [[occ + "a", "2221", "a", ""], [occ + "b", "2221", "b", ""], [occ + "c", "2222", "c", ""],
            [occ + "d", "2211", "d", ""], [occ + "e", "7411", "e", ""]]  # fmt: skip
    taxonomy = load_esco(small_folder(tmp_path, occupations=rows, relations=[]))
    assert taxonomy.occupation_proximity(occ + "a", occ + "b") == 0.75  # same unit group
    assert taxonomy.occupation_proximity(occ + "a", occ + "c") == pytest.approx(0.75 * 3 / 4)
    assert taxonomy.occupation_proximity(occ + "a", occ + "d") == pytest.approx(0.75 * 2 / 4)
    assert taxonomy.occupation_proximity(occ + "a", occ + "e") == 0.0


def test_unknown_concepts_raise_naming_the_field(taxonomy: Taxonomy) -> None:
    with pytest.raises(UnknownConceptError, match="in field 'occupation_uri'") as caught:
        taxonomy.occupation(m.OCC + "astronaut", field_name="occupation_uri")
    assert caught.value.field == "occupation_uri"
    assert caught.value.uri == m.OCC + "astronaut"
    assert isinstance(caught.value, KeyError)
    with pytest.raises(
        UnknownConceptError, match=r"Unknown skill URI .*juggling.* in field 'skill_uris\[2\]'"
    ):
        taxonomy.skill(m.SKILL + "juggling", field_name="skill_uris[2]")
    with pytest.raises(UnknownConceptError, match="Unknown concept URI"):
        taxonomy.concept(m.SKILL + "juggling")


# -- hand-made folders -------------------------------------------------------------------------


def test_relations_to_unknown_concepts_are_skipped(tmp_path: Path) -> None:
    relations = [[m.NURSE, "essential", m.MEDICATION], [m.NURSE, "essential", m.SKILL + "not-here"],
                 [m.OCC + "not-here", "essential", m.WIRING], [m.ELECTRICIAN, "optional", m.WIRING]]  # fmt: skip
    taxonomy = load_esco(small_folder(tmp_path, relations=relations))
    assert taxonomy.essential == {m.NURSE: (m.MEDICATION,)}
    assert taxonomy.optional == {m.ELECTRICIAN: (m.WIRING,)}


def test_isco_code_that_lost_its_leading_zero_is_restored(tmp_path: Path) -> None:
    officer = m.OCC + "army-officer"
    taxonomy = load_esco(
        small_folder(tmp_path, occupations=[[officer, "110", "commissioned armed forces officer", ""]])
    )
    assert taxonomy.occupation(officer).isco_code == "0110"
    assert taxonomy.isco_path(officer) == ("0", "01", "011", "0110")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match=r"does not exist\. Set SKILLBRIDGE_ESCO_PATH"):
        load_esco(tmp_path / "nowhere")


def test_folder_without_occupations(tmp_path: Path) -> None:
    folder = small_folder(tmp_path)
    (folder / "occupations_en.csv").unlink()
    with pytest.raises(TaxonomyError, match=r"has no occupations_<lang>\.csv"):
        load_esco(folder)


def test_folder_without_relations(tmp_path: Path) -> None:
    folder = small_folder(tmp_path)
    (folder / "occupationSkillRelations.csv").unlink()
    with pytest.raises(TaxonomyError, match=r"has no occupationSkillRelations\.csv"):
        load_esco(folder)


@pytest.mark.parametrize(
    ("file_name", "header", "missing"),
    [
        ("occupations_en.csv", ["conceptUri", "preferredLabel", "altLabels"], "iscoGroup"),
        ("skills_en.csv", ["conceptUri", "altLabels"], "preferredLabel"),
        ("occupationSkillRelations.csv", ["occupationUri", "skillUri"], "relationType"),
    ],
)
def test_missing_column_is_named(tmp_path: Path, file_name: str, header: list[str], missing: str) -> None:
    folder = small_folder(tmp_path)
    write_csv(folder / file_name, header, [["x"] * len(header)])
    with pytest.raises(TaxonomyError, match=rf"{file_name} lacks the column\(s\) \['{missing}'\]"):
        load_esco(folder)


def test_non_utf8_file(tmp_path: Path) -> None:
    folder = small_folder(tmp_path)
    text = f"conceptUri,iscoGroup,preferredLabel,altLabels\n{m.NURSE},2221,Krankenpfleger für Ältere,\n"
    (folder / "occupations_de.csv").write_bytes(text.encode("latin-1"))
    with pytest.raises(TaxonomyError, match=r"occupations_de\.csv.*Expected UTF-8 CSV"):
        load_esco(folder)


# -- the real ESCO download and the project's demo taxonomy ------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_ESCO.is_dir(), reason=f"no ESCO download at {SHARED_ESCO}")
def test_real_esco_download() -> None:
    taxonomy = load_esco(SHARED_ESCO)
    assert len(taxonomy.occupations) == 3039
    assert len(taxonomy.skills) == 13939
    assert taxonomy.languages == ("en", "de")
    assert all(len(c.isco_code) == 4 and c.isco_code.isdigit() for c in taxonomy.occupations.values())
    nurse = next(
        c for c in taxonomy.occupations.values() if c.labels["en"] == "nurse responsible for general care"
    )
    assert nurse.isco_code == "2221"
    assert "pflege" in nurse.labels["de"].lower()  # "Krankenpfleger Allgemeine Krankenpflege/…"
    assert len(taxonomy.essential_skills(nurse.uri)) >= 10


def test_demo_taxonomy() -> None:
    if not DEMO_ESCO_DIR.is_dir():
        pytest.skip(f"the demo taxonomy {DEMO_ESCO_DIR} has not been written yet")
    taxonomy = load_esco(DEMO_ESCO_DIR)
    assert set(taxonomy.languages) == {"de", "en", "uk"}
    assert 40 <= len(taxonomy.occupations) <= 80
    for occupation in taxonomy.occupations.values():
        assert set(occupation.labels) >= {"de", "en", "uk"}, occupation.uri
        assert len(taxonomy.essential_skills(occupation.uri)) >= 3, occupation.uri
    # load_esco drops dangling relations, so check the file itself.
    relations = sorted(DEMO_ESCO_DIR.glob("occupationSkillRelations*.csv"))
    assert relations, f"no relations file in {DEMO_ESCO_DIR}"
    for path in relations:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                assert row["skillUri"] in taxonomy.skills, f"{path.name}: unknown skill {row['skillUri']}"
                assert row["occupationUri"] in taxonomy.occupations, f"{path.name}: {row['occupationUri']}"
