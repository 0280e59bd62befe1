"""Hard filters on match lists: a filtered list holds exactly the items of the unfiltered full list that pass the
filter, in the same order, and is complete (a short page is filled from further down, not cut)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matching.ranking.eligibility import EligibilityRules
from matching.ranking.geo import Gazetteer
from matching.ranking.regulation import RegulationTable
from matching.service import Matcher
from matching.taxonomy.profiles import seeker_skills
from models import CEFRLevel, JobSeeker
from tests import mini_esco as m
from tests.api.test_eligibility_api import NURSE_RULE
from tests.conftest import auth, key_for
from tests.factories import seeker, vacancy

HOMES = [
    ("Leipzig-Grünau-Mitte", "04209", 51.318, 12.288),
    ("Leipzig-Connewitz", "04277", 51.308, 12.381),
    ("Leipzig-Zentrum", "04109", 51.340, 12.374),
    ("Markkleeberg", "04416", 51.277, 12.370),
    ("Halle (Saale)", "06108", 51.482, 11.970),
]
OCCUPATIONS = [m.NURSE, m.NURSING_ASSISTANT, m.FORKLIFT, m.ELECTRICIAN]
SKILLS = [m.MEDICATION, m.HYGIENE, m.FORKLIFT_DRIVING, m.WIRING]
LEVELS = ["A2", "B1", "B2", "C1", "C2"]
RECOGNITION = ["not_required", "pending", "full_equivalence", "not_applied"]


def _population(rng: random.Random) -> list[JobSeeker]:
    people = []
    for i in range(40):
        place, postcode, lat, lon = rng.choice(HOMES)
        occupation = rng.choice(OCCUPATIONS)
        people.append(
            seeker(
                f"js-{i:02d}",
                occupation,
                rng.sample(SKILLS, rng.randint(0, 2)),
                languages=[
                    {"language": "uk", "level": "C2"},
                    {"language": "de", "level": rng.choice(LEVELS)},
                ],
                home={"place": place, "postcode": postcode, "lat": lat, "lon": lon},
                max_commute_km=rng.choice([10, 30, 80]),
                working_time=rng.choice(["full_time", "part_time", "any"]),
                available_from=rng.choice([None, "2026-12-01", "2027-02-01", "2027-06-01"]),
                qualifications=[
                    {"occupation_uri": occupation, "country": "UA", "recognition": rng.choice(RECOGNITION)}
                ],
            )
        )
    return people


@pytest.fixture
def listed(matcher: Matcher, gazetteer: Gazetteer) -> dict[str, JobSeeker]:
    # Nursing is reserved: nurses without full recognition are blocked as nurses and bridged to assistants.
    matcher.rules = EligibilityRules(matcher.taxonomy, RegulationTable([NURSE_RULE]), gazetteer)
    people = _population(random.Random(17))
    matcher.bulk_load(
        people,
        [
            vacancy("vac-nurse", m.NURSE, [m.MEDICATION], min_german_level="B1"),
            vacancy("vac-assist", m.NURSING_ASSISTANT, min_german_level="B1"),
            vacancy("vac-part", m.NURSE, working_time="part_time", location={"place": "Markkleeberg"}),
        ],
    )
    return {p.id: p for p in people}


def _ids(client: TestClient, path: str, **params: Any) -> list[str]:
    response = client.get(path, params={"k": 100, **params})
    assert response.status_code == 200, response.text
    return [x["jobseeker_id"] for x in response.json()["items"]]


def _german(person: JobSeeker) -> int:
    level = person.language_level("de")
    return -1 if level is None else level.rank


CASES: list[tuple[dict[str, Any], Callable[[JobSeeker, dict[str, Any]], bool]]] = [
    ({"min_german": "C1"}, lambda p, _: _german(p) >= CEFRLevel.C1.rank),
    ({"place": ["grünau-mitte", "04416"]}, lambda p, _: p.home.postcode in ("04209", "04416")),
    (
        {"max_distance_km": 8},
        lambda _, item: item["distance_km"] is not None and item["distance_km"] <= 8,
    ),
    ({"working_time": "part_time"}, lambda p, _: p.working_time in ("part_time", "any")),
    (
        {"available_by": "2027-01-15"},
        lambda p, _: p.available_from is None or p.available_from <= dt.date(2027, 1, 15),
    ),
    (
        {"recognition": ["pending", "not_applied"]},
        lambda p, _: p.qualifications[0].recognition in ("pending", "not_applied"),
    ),
]


@pytest.mark.parametrize(("params", "passes"), CASES, ids=[str(c[0]) for c in CASES])
def test_a_filtered_list_is_the_full_list_filtered(
    client: TestClient, listed: dict[str, JobSeeker], params: dict[str, Any], passes: Callable
) -> None:
    full = client.get("/api/v1/vacancies/vac-assist/candidates", params={"k": 100}).json()["items"]
    expected = [x["jobseeker_id"] for x in full if passes(listed[x["jobseeker_id"]], x)]
    assert 0 < len(expected) < len(full), "the case must keep some and drop some"
    assert _ids(client, "/api/v1/vacancies/vac-assist/candidates", **params) == expected


@pytest.mark.parametrize("wanted", ["eligible", "bridge"])
def test_eligibility_filters_and_drops_the_blocked_list(
    client: TestClient, listed: dict[str, JobSeeker], wanted: str
) -> None:
    full = client.get("/api/v1/vacancies/vac-assist/candidates", params={"k": 100}).json()
    expected = [x["jobseeker_id"] for x in full["items"] if x["eligibility"] == wanted]
    assert 0 < len(expected) < len(full["items"])
    filtered = client.get("/api/v1/vacancies/vac-assist/candidates", params={"k": 100, "eligibility": wanted})
    assert [x["jobseeker_id"] for x in filtered.json()["items"]] == expected
    nurses = client.get("/api/v1/vacancies/vac-nurse/candidates", params={"k": 100}).json()
    assert nurses["blocked"]  # without the filter, unrecognised nurses are listed as blocked …
    assert (
        client.get(  # … and with it they are not
            "/api/v1/vacancies/vac-nurse/candidates", params={"k": 100, "eligibility": "eligible"}
        ).json()["blocked"]
        == []
    )


def test_skills_and_combinations(client: TestClient, matcher: Matcher, listed: dict[str, JobSeeker]) -> None:
    full = client.get("/api/v1/vacancies/vac-assist/candidates", params={"k": 100}).json()["items"]
    has = {i: seeker_skills(p, matcher.taxonomy) for i, p in listed.items()}
    expected = [
        x["jobseeker_id"]
        for x in full
        if m.HYGIENE in has[x["jobseeker_id"]] and _german(listed[x["jobseeker_id"]]) >= CEFRLevel.B2.rank
    ]
    assert expected
    assert (
        _ids(client, "/api/v1/vacancies/vac-assist/candidates", skill=m.HYGIENE, min_german="B2") == expected
    )


def test_a_filtered_page_is_filled_from_further_down(
    client: TestClient, listed: dict[str, JobSeeker]
) -> None:
    full = _ids(client, "/api/v1/vacancies/vac-assist/candidates")
    wanted = [i for i in full if _german(listed[i]) >= CEFRLevel.C2.rank]
    assert len(wanted) >= 3 and wanted[:3] != full[:3]
    page = client.get("/api/v1/vacancies/vac-assist/candidates", params={"k": 3, "min_german": "C2"}).json()
    assert [x["jobseeker_id"] for x in page["items"]] == wanted[:3]
    assert page["has_more"] is (len(wanted) > 3)
    assert all(_german(listed[x["jobseeker_id"]]) >= CEFRLevel.C2.rank for x in page["blocked"])


def test_a_job_seekers_vacancies_can_be_filtered(client: TestClient, listed: dict[str, JobSeeker]) -> None:
    person = next(i for i, p in listed.items() if p.working_time == "any")
    everything = [
        x["vacancy_id"]
        for x in client.get(f"/api/v1/jobseekers/{person}/vacancies", params={"k": 100}).json()["items"]
    ]
    part = client.get(
        f"/api/v1/jobseekers/{person}/vacancies", params={"k": 100, "working_time": "part_time"}
    ).json()["items"]
    assert [x["vacancy_id"] for x in part] == [v for v in everything if v == "vac-part"]


def test_the_export_holds_the_filtered_list(client: TestClient, listed: dict[str, JobSeeker]) -> None:
    expected = _ids(client, "/api/v1/vacancies/vac-assist/candidates", min_german="C1")
    response = client.get(
        "/api/v1/vacancies/vac-assist/candidates/export",
        params={"format": "csv", "min_german": "C1", "k": 100},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    ranked = [r for r in rows[1:] if r[0].strip()]  # blocked pairs have no rank
    assert [r[1] for r in ranked] == expected


def test_bad_filters_are_refused_with_the_field(client: TestClient, matcher: Matcher, listed: dict) -> None:
    path = "/api/v1/vacancies/vac-assist/candidates"
    unknown = client.get(path, params={"skill": "http://example.org/not-a-skill"})
    assert unknown.status_code == 422 and "skill" in unknown.text and "not-a-skill" in unknown.text
    assert client.get(path, params={"min_german": "Z9"}).status_code == 422
    assert client.get(path, params={"max_distance_km": 0}).status_code == 422
    assert client.get(path, params={"eligibility": "blocked"}).status_code == 422
    matcher.replace_vacancy(matcher.get_vacancy("vac-assist").model_copy(update={"employer_id": "emp-x"}))
    employer = auth(key_for(matcher, "employer", subject="emp-x"))
    assert client.get(path, headers=employer).status_code == 200  # their vacancy …
    refused = client.get(path, params={"place": "Connewitz"}, headers=employer)
    assert refused.status_code == 422 and "filters" in refused.text  # … but not filtered by place, skill, …
