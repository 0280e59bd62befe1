"""Validation of the domain models: every rejection names the field and, where there is a list, the options."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from models import (
    CEFRLevel,
    JobSeeker,
    LanguageSkill,
    Location,
    Qualification,
    Vacancy,
    WorkExperience,
    WorkingTime,
)
from tests import factories
from tests import mini_esco as m


def _only_error(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    errors = exc.value.errors()
    assert len(errors) == 1, errors
    return errors[0]


# -- value types ---------------------------------------------------------------------------------


def test_bad_cefr_level_names_field_and_lists_all_levels() -> None:
    with pytest.raises(ValidationError) as exc:
        factories.seeker(languages=[{"language": "de", "level": "B5"}])
    error = _only_error(exc)
    assert error["loc"] == ("languages", 0, "level")
    assert error["msg"] == "Input should be 'A1', 'A2', 'B1', 'B2', 'C1' or 'C2'"


def test_bad_working_time_lists_the_options() -> None:
    with pytest.raises(ValidationError) as exc:
        factories.seeker(working_time="sometimes")
    error = _only_error(exc)
    assert error["loc"] == ("working_time",)
    assert error["msg"] == "Input should be 'full_time', 'part_time' or 'any'"


def test_cefr_levels_are_ordered_from_a1_to_c2() -> None:
    assert CEFRLevel.A1 < CEFRLevel.B2 < CEFRLevel.C2
    assert not CEFRLevel.C1 < CEFRLevel.B2
    assert CEFRLevel.B1 <= CEFRLevel.B1
    assert CEFRLevel.C1 > CEFRLevel.A2
    shuffled = [CEFRLevel.C2, CEFRLevel.A2, CEFRLevel.B1, CEFRLevel.A1, CEFRLevel.C1, CEFRLevel.B2]
    assert [level.value for level in sorted(shuffled)] == ["A1", "A2", "B1", "B2", "C1", "C2"]
    assert max(shuffled) is CEFRLevel.C2
    assert [level.rank for level in (CEFRLevel.A1, CEFRLevel.B2, CEFRLevel.C2)] == [0, 3, 5]


# -- identifiers and unknown fields -----------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["has space", "x" * 65, "-starts-with-dash", "", "ümlaut"])
def test_ids_outside_the_pattern_are_rejected(bad_id: str) -> None:
    with pytest.raises(ValidationError, match="String should match pattern") as exc:
        factories.seeker(id=bad_id)
    assert _only_error(exc)["loc"] == ("id",)


@pytest.mark.parametrize("good_id", ["a", "x" * 64, "JS-2024.01:abc_9"])
def test_ids_inside_the_pattern_are_accepted(good_id: str) -> None:
    assert factories.seeker(id=good_id).id == good_id


@pytest.mark.parametrize("build", [factories.seeker, factories.vacancy])
def test_unknown_extra_field_is_rejected(build: Any) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted") as exc:
        build(name="Olena Petrenko")
    error = _only_error(exc)
    assert error["loc"] == ("name",)
    assert error["type"] == "extra_forbidden"


def test_unknown_field_in_nested_model_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        factories.seeker(home={"place": "Leipzig", "street": "Hauptstr. 1"})
    assert _only_error(exc)["loc"] == ("home", "street")


# -- Location ------------------------------------------------------------------------------------


def test_location_needs_place_postcode_or_coordinates() -> None:
    with pytest.raises(ValidationError, match="a location needs a place, a postcode or lat/lon"):
        Location()
    assert Location(place="Leipzig-Grünau").place == "Leipzig-Grünau"
    assert Location(postcode="04109").postcode == "04109"
    assert Location(lat=51.34, lon=12.37).has_coordinates


@pytest.mark.parametrize("coords", [{"lat": 51.3}, {"lon": 12.3}])
def test_location_rejects_half_a_coordinate(coords: dict[str, float]) -> None:
    with pytest.raises(ValidationError, match="lat and lon must be given together"):
        Location(place="Leipzig", **coords)


@pytest.mark.parametrize("postcode", ["0410", "041090", "O4109", "04 09"])
def test_postcode_must_be_five_digits(postcode: str) -> None:
    with pytest.raises(ValidationError, match=r"String should match pattern") as exc:
        Location(postcode=postcode)
    assert _only_error(exc)["loc"] == ("postcode",)


@pytest.mark.parametrize(("field", "value"), [("lat", 90.5), ("lon", -180.5)])
def test_coordinates_must_be_on_the_globe(field: str, value: float) -> None:
    coords = {"lat": 51.0, "lon": 12.0} | {field: value}
    with pytest.raises(ValidationError) as exc:
        Location(**coords)
    assert _only_error(exc)["loc"] == (field,)


def test_location_inside_job_seeker_reports_the_home_field() -> None:
    with pytest.raises(ValidationError, match="lat and lon must be given together") as exc:
        factories.seeker(home={"lat": 51.3})
    assert _only_error(exc)["loc"] == ("home",)


# -- Qualification -------------------------------------------------------------------------------


def test_partial_equivalence_needs_a_compensation_measure_and_names_them() -> None:
    with pytest.raises(ValidationError) as exc:
        Qualification(occupation_uri=m.NURSE, country="UA", recognition="partial_equivalence")
    message = _only_error(exc)["msg"]
    assert "recognition 'partial_equivalence' needs compensation_measure" in message
    for measure in ("adaptation_course", "knowledge_test", "aptitude_test"):
        assert measure in message


def test_partial_equivalence_with_a_measure_is_accepted() -> None:
    q = Qualification(
        occupation_uri=m.NURSE,
        country="UA",
        recognition="partial_equivalence",
        compensation_measure="knowledge_test",
        compensation_state="in_progress",
    )
    assert q.compensation_measure == "knowledge_test"
    assert q.compensation_state == "in_progress"


def test_compensation_state_without_measure_is_rejected() -> None:
    with pytest.raises(ValidationError, match="compensation_state needs compensation_measure"):
        Qualification(occupation_uri=m.NURSE, country="UA", compensation_state="passed")


def test_qualification_country_and_uri_shape_are_checked() -> None:
    with pytest.raises(ValidationError) as exc:
        Qualification(occupation_uri=m.NURSE, country="ua")
    assert _only_error(exc)["loc"] == ("country",)
    with pytest.raises(ValidationError, match=r"String should match pattern '\^https\?://\\S\+\$'") as exc:
        Qualification(occupation_uri="nurse", country="UA")
    assert _only_error(exc)["loc"] == ("occupation_uri",)


# -- JobSeeker -----------------------------------------------------------------------------------


def test_same_language_twice_is_rejected() -> None:
    with pytest.raises(ValidationError, match="language 'de' is listed twice; give one level per language"):
        factories.seeker(languages=[{"language": "de", "level": "B1"}, {"language": "de", "level": "C1"}])


def test_skill_uris_are_deduplicated_keeping_first_order() -> None:
    seeker = factories.seeker(
        skills=[m.VITALS, m.MEDICATION, m.VITALS, f"  {m.HYGIENE}  ", m.MEDICATION, m.HYGIENE]
    )
    assert seeker.skill_uris == [m.VITALS, m.MEDICATION, m.HYGIENE]


def test_occupation_uris_puts_qualifications_first_without_repeats() -> None:
    seeker = factories.seeker(
        qualifications=[
            {"occupation_uri": m.NURSE, "country": "UA"},
            {"occupation_uri": m.ELECTRICIAN, "country": "PL"},
        ],
        experience=[
            {"occupation_uri": m.WAREHOUSE, "years": 2},
            {"occupation_uri": m.NURSE, "years": 5},
            {"occupation_uri": m.FORKLIFT, "years": 1},
            {"occupation_uri": m.WAREHOUSE, "years": 3},
        ],
    )
    assert seeker.occupation_uris() == [m.NURSE, m.ELECTRICIAN, m.WAREHOUSE, m.FORKLIFT]


def test_occupation_uris_is_empty_without_qualifications_or_experience() -> None:
    assert factories.seeker(qualifications=[]).occupation_uris() == []


def test_language_level_returns_level_or_none() -> None:
    seeker = factories.seeker(
        languages=[{"language": "uk", "level": "C2"}, {"language": "de", "level": "A2"}]
    )
    assert seeker.language_level("de") is CEFRLevel.A2
    assert seeker.language_level("uk") is CEFRLevel.C2
    assert seeker.language_level("en") is None


def test_language_code_must_be_iso_lowercase() -> None:
    with pytest.raises(ValidationError) as exc:
        LanguageSkill(language="German", level="B1")
    assert _only_error(exc)["loc"] == ("language",)


def test_experience_years_are_bounded() -> None:
    with pytest.raises(ValidationError) as exc:
        WorkExperience(occupation_uri=m.NURSE, years=-1)
    assert _only_error(exc)["loc"] == ("years",)


def test_defaults_of_a_minimal_job_seeker() -> None:
    seeker = JobSeeker(id="js-min", home={"postcode": "04109"})
    assert seeker.working_time is WorkingTime.ANY
    assert seeker.max_commute_km == 30
    assert seeker.work_authorisation.status == "unknown"
    assert seeker.skill_uris == [] and seeker.languages == []


def test_missing_home_is_reported() -> None:
    with pytest.raises(ValidationError) as exc:
        JobSeeker(id="js-x")
    error = _only_error(exc)
    assert error["loc"] == ("home",)
    assert error["type"] == "missing"


# -- Vacancy -------------------------------------------------------------------------------------


def test_skill_both_essential_and_optional_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        factories.vacancy(essential=[m.MEDICATION, m.VITALS], optional=[m.TEAMWORK, m.VITALS])
    message = _only_error(exc)["msg"]
    assert f"skills listed as both essential and optional: {[m.VITALS]}; list each skill once" in message


def test_vacancy_skill_lists_are_deduplicated_in_order() -> None:
    vacancy = factories.vacancy(
        essential=[m.VITALS, m.MEDICATION, m.VITALS], optional=[m.TEAMWORK, m.TEAMWORK]
    )
    assert vacancy.essential_skill_uris == [m.VITALS, m.MEDICATION]
    assert vacancy.optional_skill_uris == [m.TEAMWORK]


@pytest.mark.parametrize("positions", [0, -3])
def test_positions_must_be_at_least_one(positions: int) -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 1") as exc:
        factories.vacancy(positions=positions)
    assert _only_error(exc)["loc"] == ("positions",)


def test_vacancy_defaults_and_empty_title() -> None:
    vacancy = factories.vacancy()
    assert vacancy.positions == 1
    assert vacancy.working_time is WorkingTime.FULL_TIME
    assert vacancy.min_german_level is CEFRLevel.B2
    with pytest.raises(ValidationError) as exc:
        factories.vacancy(title="   ")  # stripped to empty
    assert _only_error(exc)["loc"] == ("title",)


def test_vacancy_round_trips_through_json() -> None:
    vacancy = factories.vacancy(essential=[m.MEDICATION], optional=[m.TEAMWORK], start_date="2025-03-01")
    assert Vacancy.model_validate_json(vacancy.model_dump_json()) == vacancy
