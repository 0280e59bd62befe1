"""Realistic cases from the Leipzig one-stop shop, checked against the project's German regulation table.

Occupations use real ESCO URIs so the rules are tested with the shipped ``data/regulated_professions.csv``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from matching.ranking.eligibility import EligibilityRules
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import RegulationTable
from matching.taxonomy import Concept, Taxonomy
from models import Eligibility, JobSeeker, Severity, Vacancy

TODAY = dt.date(2026, 11, 25)
OCC = "http://data.europa.eu/esco/occupation/"
NURSE = OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"
HEALTHCARE_ASSISTANT = OCC + "d38c2107-98f2-47b7-8bb4-f69750d51082"
NURSE_ASSISTANT = OCC + "87d0795a-d41f-47ee-979f-0ab7d73836e7"
GP = OCC + "71f09c8b-a172-408c-b9e7-32e580e39ff6"
CLINICAL_CODER = OCC + "6219f0ef-6414-4d01-9221-41ac25dcb409"
ELECTRICIAN = OCC + "33960bab-4423-4808-af6c-ec2b485dba41"
TEACHER = OCC + "03d79393-7b30-4159-945b-01963eddd302"
TEACHING_ASSISTANT = OCC + "00674f21-2f8f-4a41-9896-133f7cbe2a6e"
ENGINEER = OCC + "579254cf-6d69-4889-9000-9c79dc568644"
WAREHOUSE = OCC + "bea705fe-06ac-4147-b8e0-6e8ac1208d8f"
SOCIAL_WORKER = "http://data.europa.eu/esco/occupation/4b05bef2-ded4-4b09-ab94-f4c6a555a775"
SOLDIER = OCC + "armed-forces-test"  # ISCO 0110: not in the table, so not checked
ISCO = {NURSE: "2221", HEALTHCARE_ASSISTANT: "5321", NURSE_ASSISTANT: "5321", GP: "2211", CLINICAL_CODER: "3252",
        ELECTRICIAN: "7411", TEACHER: "2341", TEACHING_ASSISTANT: "5312", ENGINEER: "2144", WAREHOUSE: "9333",
        SOCIAL_WORKER: "2635", SOLDIER: "0110"}  # fmt: skip


@pytest.fixture(scope="module")
def rules() -> EligibilityRules:
    occupations = {
        uri: Concept(uri=uri, kind="occupation", labels={"en": uri[-8:], "de": uri[-8:]}, alt_labels={},
                     descriptions={}, isco_code=isco)
        for uri, isco in ISCO.items()
    }  # fmt: skip
    taxonomy = Taxonomy(("en", "de"), occupations, {}, {}, {}, {})
    return EligibilityRules(taxonomy, RegulationTable.load(), Gazetteer())


def person(
    occupation: str, recognition: str = "not_required", german: str | None = "B2", **extra: Any
) -> JobSeeker:
    qualification = {
        "occupation_uri": occupation,
        "country": extra.pop("country", "UA"),
        "recognition": recognition,
    }
    qualification.update(extra.pop("qualification", {}))
    data: dict[str, Any] = {
        "id": "p-1",
        "qualifications": [qualification],
        "languages": [{"language": "uk", "level": "C2"}]
        + ([{"language": "de", "level": german}] if german else []),
        "home": {"place": "Leipzig-Grünau-Mitte"},
        "max_commute_km": 30,
        "work_authorisation": {"status": "permitted", "basis": "§ 24 AufenthG"},
    }
    data.update(extra)
    return JobSeeker.model_validate(data)


def job(occupation: str, german: str | None = "B1", **extra: Any) -> Vacancy:
    data: dict[str, Any] = {
        "id": "v-1",
        "employer": "Klinikum Leipzig-Süd",
        "title": "Stelle (m/w/d)",
        "occupation_uri": occupation,
        "min_german_level": german,
        "location": {"place": "Leipzig-Zentrum"},
        "start_date": "2027-01-01",
    }
    data.update(extra)
    return Vacancy.model_validate(data)


def codes(assessment) -> set[str]:
    return {r.code for r in assessment.reasons}


def steps(assessment) -> dict[str, str]:
    return {s.code: s.text.en for s in assessment.next_steps}


# -- a Ukrainian nurse with partial recognition --------------------------------------------------------

PARTIAL = {"compensation_measure": "adaptation_course", "compensation_state": "in_progress"}


def test_nurse_with_partial_recognition_is_blocked_as_nurse_with_what_is_missing(rules):
    olena = person(NURSE, "partial_equivalence", german="B1", qualification=PARTIAL)
    result = rules.assess(olena, job(NURSE, german="B2"), TODAY)
    assert result.eligibility == Eligibility.BLOCKED
    partial = next(r for r in result.reasons if r.code == "recognition_partial")
    assert partial.severity == Severity.BLOCKING
    assert "adaptation course" in partial.text.en and "Anpassungslehrgang" in partial.text.de
    assert "Kommunaler Sozialverband Sachsen" in steps(result)["step_compensation"]
    assert next(r for r in result.reasons if r.code == "german_gap").text.en == "B2 German needed, has B1."


def test_nurse_with_partial_recognition_gets_nursing_assistant_jobs_as_bridge(rules):
    olena = person(NURSE, "partial_equivalence", german="B1", qualification=PARTIAL)
    for bridge_job in (HEALTHCARE_ASSISTANT, NURSE_ASSISTANT):
        result = rules.assess(olena, job(bridge_job), TODAY)
        assert result.eligibility == Eligibility.BRIDGE
        assert result.bridge
        assert {"bridge_job", "recognition_partial"} <= codes(result)
        assert all(r.severity != Severity.BLOCKING for r in result.reasons)
        assert "step_compensation" in steps(result)  # keep working on the recognition


def test_adaptation_placement_turns_the_nurse_job_into_a_bridge(rules):
    olena = person(NURSE, "partial_equivalence", qualification=PARTIAL)
    result = rules.assess(olena, job(NURSE, recognition_support=True), TODAY)
    assert result.eligibility == Eligibility.BRIDGE
    assert "recognition_placement" in codes(result)


def test_what_if_recognition_came_through(rules):
    olena = person(NURSE, "full_equivalence", german="B2")
    result = rules.assess(olena, job(NURSE, german="B2"), TODAY)
    assert result.eligibility == Eligibility.ELIGIBLE
    assert result.reasons == []
    assert result.factors["german"] == 1.0


def test_nurse_trained_in_germany_needs_no_recognition(rules):
    assert rules.assess(person(NURSE, country="DE"), job(NURSE), TODAY).eligibility == Eligibility.ELIGIBLE


def test_without_a_nursing_qualification_the_nurse_job_is_blocked(rules):
    result = rules.assess(person(HEALTHCARE_ASSISTANT), job(NURSE), TODAY)
    assert result.eligibility == Eligibility.BLOCKED
    assert codes(result) == {"reserved_no_qualification"}


# -- a physician with a pending procedure ----------------------------------------------------------------


def test_physician_with_pending_procedure(rules):
    doctor = person(GP, "pending", german="C1", qualification={"recognition_filed_on": "2026-06-02"})
    result = rules.assess(doctor, job(GP, german="C1"), TODAY)
    assert result.eligibility == Eligibility.BLOCKED
    pending = next(r for r in result.reasons if r.code == "recognition_pending")
    assert "2026-06-02" in pending.text.en and "2026-06-02" in pending.text.de
    assert "Landesdirektion Sachsen" in steps(result)["step_wait_recognition"]
    bridge = rules.assess(doctor, job(CLINICAL_CODER), TODAY)
    assert bridge.eligibility == Eligibility.BRIDGE


def test_physician_with_a_temporary_permit(rules):
    valid = person(GP, "temporary_permit", german="C1", qualification={"permit_valid_until": "2027-12-31"})
    result = rules.assess(valid, job(GP), TODAY)
    assert result.eligibility == Eligibility.ELIGIBLE
    assert codes(result) == {"permit_valid"}
    expired = person(GP, "temporary_permit", german="C1", qualification={"permit_valid_until": "2026-12-01"})
    result = rules.assess(expired, job(GP), TODAY)  # the job starts 2027-01-01
    assert result.eligibility == Eligibility.BLOCKED
    assert "permit_expired" in codes(result)
    assert "step_renew_permit" in steps(result)


# -- trades, teachers, engineers -------------------------------------------------------------------------


def test_electrician_is_not_regulated_as_an_employee(rules):
    result = rules.assess(person(ELECTRICIAN, country="SY"), job(ELECTRICIAN, german="A2"), TODAY)
    assert result.eligibility == Eligibility.ELIGIBLE
    assert codes(result) == {"self_employment_restricted"}
    assert all(r.severity == Severity.INFO for r in result.reasons)


def test_teacher_without_recognition(rules):
    teacher = person(TEACHER, "not_applied", german="C1")
    result = rules.assess(teacher, job(TEACHER, german="C1"), TODAY)
    assert result.eligibility == Eligibility.BLOCKED
    assert "Landesamt für Schule und Bildung" in steps(result)["step_apply_recognition"]
    assert rules.assess(teacher, job(TEACHING_ASSISTANT), TODAY).eligibility == Eligibility.BRIDGE


def test_engineer_may_work_but_not_use_the_title(rules):
    result = rules.assess(person(ENGINEER, "not_applied"), job(ENGINEER), TODAY)
    assert result.eligibility == Eligibility.ELIGIBLE
    assert codes(result) == {"title_protected"}
    assert "Ingenieurkammer Sachsen" in steps(result)["step_use_title"]


# -- language, authorisation, commute, availability ------------------------------------------------------


def test_b1_german_for_a_b2_job_is_a_soft_gap(rules):
    result = rules.assess(person(WAREHOUSE, german="B1"), job(WAREHOUSE, german="B2"), TODAY)
    assert result.eligibility == Eligibility.ELIGIBLE
    assert result.factors["german"] == pytest.approx(0.65)
    assert steps(result)["step_german_course"].endswith("up to B2.")
    no_german = rules.assess(person(WAREHOUSE, german=None), job(WAREHOUSE, german="A2"), TODAY)
    assert no_german.factors["german"] == pytest.approx(1 - 0.35 * 2)


@pytest.mark.parametrize(
    ("permit", "expected"),
    [
        ({"status": "not_permitted"}, "work_not_permitted"),
        ({"status": "unknown"}, "work_unknown"),
        ({"status": "restricted", "max_hours_per_week": 20}, "work_hours_restricted"),
        (
            {"status": "restricted", "allowed_occupation_uris": [NURSE_ASSISTANT]},
            "work_occupation_restricted",
        ),
        ({"status": "permitted", "valid_until": "2026-11-24"}, "work_expired"),
    ],
)
def test_no_job_without_work_authorisation(rules, permit, expected):
    result = rules.assess(person(WAREHOUSE, work_authorisation=permit), job(WAREHOUSE), TODAY)
    assert result.eligibility == Eligibility.BLOCKED
    assert expected in codes(result)
    assert "step_clarify_work_permit" in steps(result) or "step_record_work_permit" in steps(result)


def test_restricted_permit_within_its_limits_needs_approval_only(rules):
    seeker = person(WAREHOUSE, work_authorisation={"status": "restricted", "max_hours_per_week": 20})
    result = rules.assess(seeker, job(WAREHOUSE, working_time="part_time", hours_per_week=20), TODAY)
    assert result.eligibility == Eligibility.ELIGIBLE
    assert next(r for r in result.reasons if r.code == "work_needs_approval").severity == Severity.WARNING


def test_authorisation_beats_a_bridge(rules):
    olena = person(NURSE, "pending", work_authorisation={"status": "not_permitted"})
    assert rules.assess(olena, job(HEALTHCARE_ASSISTANT), TODAY).eligibility == Eligibility.BLOCKED


def test_commute_is_measured_offline_between_named_places(rules):
    near = rules.assess(
        person(WAREHOUSE, max_commute_km=15), job(WAREHOUSE, location={"place": "Taucha"}), TODAY
    )
    far = rules.assess(
        person(WAREHOUSE, max_commute_km=15), job(WAREHOUSE, location={"place": "Wurzen"}), TODAY
    )
    assert 10 < near.distance_km < 20 and near.factors["commute"] > far.factors["commute"]
    assert 25 < far.distance_km < 40
    assert "commute_too_far" in codes(far)
    unknown = rules.assess(person(WAREHOUSE), job(WAREHOUSE, location={"place": "Atlantis"}), TODAY)
    assert unknown.distance_km is None and "commute_unknown" in codes(unknown)


def test_late_availability_and_working_time(rules):
    seeker = person(WAREHOUSE, available_from="2027-03-01", working_time="part_time")
    result = rules.assess(seeker, job(WAREHOUSE, working_time="full_time"), TODAY)
    assert {"available_late", "working_time_mismatch"} <= codes(result)
    assert result.factors["availability"] == pytest.approx(1 - 59 / 90)
    assert result.factors["working_time"] == 0.2


def test_every_reason_and_step_is_written_in_three_languages(rules):
    olena = person(NURSE, "partial_equivalence", german="A2", qualification=PARTIAL, max_commute_km=5)
    result = rules.assess(olena, job(NURSE, german="B2", location={"place": "Grimma"}), TODAY)
    for item in [*result.reasons, *result.next_steps]:
        assert item.text.de and item.text.en and item.text.uk
        assert "{" not in item.text.de + item.text.en + item.text.uk  # every placeholder filled


# -- what nobody checked, titles a post requires, permits ending before the start ---------------------


def test_an_occupation_nobody_checked_says_so_with_the_next_step(rules):
    result = rules.assess(person(WAREHOUSE), job(SOLDIER), TODAY)
    note = next(r for r in result.reasons if r.code == "regulation_not_checked")
    assert note.severity == Severity.INFO
    assert "IQ Netzwerk Sachsen" in steps(result)["step_check_regulation"]
    assert result.eligibility == Eligibility.ELIGIBLE
    assert rules.regulation.state_for(SOLDIER, "0110") == "not_checked"


def test_a_checked_open_occupation_yields_no_regulation_reason(rules):
    result = rules.assess(person(WAREHOUSE), job(WAREHOUSE), TODAY)
    assert rules.regulation.state_for(WAREHOUSE, "9333") == "not_regulated"
    assert not {r.code for r in result.reasons if r.topic == "recognition"}
    assert "regulation_not_checked" not in codes(result)


def test_a_post_requiring_the_recognised_title_blocks_without_recognition(rules):
    requires = job(SOCIAL_WORKER, requires_recognised_title=True)
    unrecognised = rules.assess(person(SOCIAL_WORKER, "not_applied"), requires, TODAY)
    assert unrecognised.eligibility == Eligibility.BLOCKED
    assert "recognition_not_applied" in codes(unrecognised)
    assert "step_apply_recognition" in steps(unrecognised)
    recognised = rules.assess(person(SOCIAL_WORKER, "full_equivalence"), requires, TODAY)
    assert recognised.eligibility == Eligibility.ELIGIBLE
    nobody = rules.assess(person(WAREHOUSE), requires, TODAY)
    assert nobody.eligibility == Eligibility.BLOCKED and "title_required" in codes(nobody)
    open_post = rules.assess(person(SOCIAL_WORKER, "not_applied"), job(SOCIAL_WORKER), TODAY)
    assert open_post.eligibility == Eligibility.ELIGIBLE and "title_protected" in codes(open_post)


def test_authorisation_ending_before_the_start_warns_and_one_already_expired_blocks(rules):
    ends = {"status": "permitted", "basis": "§ 24 AufenthG", "valid_until": "2026-12-31"}
    result = rules.assess(person(WAREHOUSE, work_authorisation=ends), job(WAREHOUSE), TODAY)
    assert result.eligibility == Eligibility.ELIGIBLE
    warning = next(r for r in result.reasons if r.code == "work_ends_before_start")
    assert warning.severity == Severity.WARNING
    assert "§ 81(4) AufenthG" in steps(result)["step_extend_permit"]
    expired = {**ends, "valid_until": "2026-11-24"}
    blocked = rules.assess(person(WAREHOUSE, work_authorisation=expired), job(WAREHOUSE), TODAY)
    assert blocked.eligibility == Eligibility.BLOCKED and "work_expired" in codes(blocked)
