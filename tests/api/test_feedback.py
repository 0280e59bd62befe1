"""Advisor feedback: recording and listing decisions, validation messages, roles, organisations (404, never a
hint of existence), the audit trail, the analysts' pseudonymised export, and erasure of the job seeker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from matching.access import Actor, Role
from matching.evaluation.feedback_labels import feedback_qrels
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym, erased_id
from matching.service import Matcher
from matching.service.feedback import record_feedback
from matching.store.feedback import FeedbackStore
from matching.store.tables import Base
from models.feedback import Decision, FeedbackRequest
from tests import factories
from tests import mini_esco as m
from tests.conftest import auth, key_for

API = "/api/v1"
OTHER = Actor(Role.ADVISOR, "other")
# Another organisation's data, stored as its administrator would (ids without the organisation prefix).
OTHER_DATA = Actor(Role.ADMIN, "other")
NOTE = "Kam gut an, Rückfragen an Station 4711"
REASONS = (
    "'skills_mismatch', 'language', 'recognition_pending', 'commute', 'working_time', "
    "'candidate_declined', 'position_filled', 'other'"
)


@dataclass
class World:
    client: TestClient
    matcher: Matcher
    keys: dict[str, str]

    def post(self, role: str, vacancy: str, seeker: str, body: Any) -> Any:
        return self.client.post(
            f"{API}/vacancies/{vacancy}/candidates/{seeker}/feedback",
            json=body,
            headers=auth(self.keys[role]),
        )

    def get(self, role: str, path: str) -> Any:
        return self.client.get(f"{API}{path}", headers=auth(self.keys[role]))


@pytest.fixture
def world(matcher: Matcher) -> Iterator[World]:
    """Organisation 'default': js-a, js-b, vac-a. Organisation 'other': js-x, vac-x."""
    matcher.create_jobseeker(factories.seeker("js-a", m.NURSE, [m.MEDICATION]))
    matcher.create_jobseeker(factories.seeker("js-b", m.FORKLIFT, [m.FORKLIFT_DRIVING]))
    matcher.create_vacancy(factories.vacancy("vac-a", m.NURSE, [m.MEDICATION, m.VITALS], employer_id="emp-1"))
    matcher.create_jobseeker(factories.seeker("js-x", m.NURSE, [m.MEDICATION]), OTHER_DATA)
    matcher.create_vacancy(factories.vacancy("vac-x"), OTHER_DATA)
    keys = {
        "admin": key_for(matcher, "admin"),
        "advisor": key_for(matcher, "advisor"),
        "other-advisor": key_for(matcher, "advisor", "other"),
        "jobseeker": key_for(matcher, "jobseeker", subject="js-a"),
        "employer": key_for(matcher, "employer", subject="emp-1"),
        "analyst": key_for(matcher, "analyst"),
    }
    with TestClient(create_app(matcher=matcher)) as client:
        yield World(client, matcher, keys)


def _stored(matcher: Matcher) -> list[tuple[str, str, str]]:
    return [(f.vacancy_id, f.jobseeker_id, f.decision.value) for f in FeedbackStore(matcher.storage).list()]


def test_an_advisor_records_decisions_with_the_match_as_it_was(world: World) -> None:
    response = world.post("advisor", "vac-a", "js-a", {"decision": "proposed", "note": NOTE})
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == "/api/v1/vacancies/vac-a/feedback"
    body = response.json()
    expected = world.matcher.what_if(world.matcher.get_jobseeker("js-a"), world.matcher.get_vacancy("vac-a"))
    key_id = world.matcher.storage.keys.authenticate(world.keys["advisor"]).key_id  # type: ignore[union-attr]
    assert body["id"] > 0 and body["created_at"]
    assert {k: v for k, v in body.items() if k not in ("id", "created_at")} == {
        "vacancy_id": "vac-a",
        "jobseeker_id": "js-a",
        "decision": "proposed",
        "reason": None,
        "note": NOTE,
        "score": round(expected.score, 4),
        "eligibility": expected.eligibility.value,
        "advisor_key_id": key_id,
        "organisation": "default",
    }
    rejected = world.post(
        "advisor", "vac-a", "js-b", {"decision": "rejected", "reason": "skills_mismatch"}
    ).json()
    assert (rejected["decision"], rejected["reason"]) == ("rejected", "skills_mismatch")
    assert world.post("admin", "vac-a", "js-a", {"decision": "interview"}).status_code == 201

    listed = world.get("advisor", "/vacancies/vac-a/feedback")
    assert listed.status_code == 200
    assert [(f["jobseeker_id"], f["decision"], f["reason"]) for f in listed.json()] == [
        ("js-a", "proposed", None),
        ("js-b", "rejected", "skills_mismatch"),
        ("js-a", "interview", None),
    ]
    assert listed.json()[0] == body


def test_recording_and_reading_feedback_is_audited(world: World) -> None:
    world.post("advisor", "vac-a", "js-a", {"decision": "contacted"})
    world.post("advisor", "vac-a", "js-b", {"decision": "rejected", "reason": "commute"})
    world.get("advisor", "/vacancies/vac-a/feedback")
    events, _ = world.matcher.storage.audit.query(entity_kind="jobseeker")
    assert [(e.action, e.entity_id, e.context, e.purpose) for e in reversed(events) if e.key_id] == [
        ("feedback", "js-a", "vacancy:vac-a:contacted", "placement"),
        ("feedback", "js-b", "vacancy:vac-a:rejected", "placement"),
        ("read", "js-a", "vacancy:vac-a", "placement"),
        ("read", "js-b", "vacancy:vac-a", "placement"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"decision": "rejected"},
            "reason",
            f"required when the decision is 'rejected'; one of {REASONS}",
        ),
        (
            {"decision": "hired", "reason": "commute"},
            "reason",
            "only a 'rejected' decision takes a reason; this decision is 'hired'",
        ),
        (
            {"decision": "rejected", "reason": "too_old"},
            "reason",
            "Input should be 'skills_mismatch', 'language', 'recognition_pending', 'commute', "
            "'working_time', 'candidate_declined', 'position_filled' or 'other'",
        ),
        (
            {"decision": "maybe"},
            "decision",
            "Input should be 'proposed', 'contacted', 'interview', 'hired' or 'rejected'",
        ),
        ({}, "decision", "Field required"),
        (
            {"decision": "hired", "rating": 5},
            "rating",
            "unknown field; check the spelling against the API schema at /docs",
        ),
        ({"decision": "hired", "note": "x" * 1001}, "note", "String should have at most 1000 characters"),
    ],
)
def test_invalid_feedback_is_refused_naming_the_field_and_what_is_allowed(
    world: World, body: dict, field: str, message: str
) -> None:
    response = world.post("advisor", "vac-a", "js-a", body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"Invalid request: {field}: {message}",
        "errors": [{"field": field, "message": message}],
    }
    assert _stored(world.matcher) == []


def test_only_advisors_and_admins_record_and_read_feedback(world: World) -> None:
    for role in ("jobseeker", "employer", "analyst"):
        response = world.post(role, "vac-a", "js-a", {"decision": "hired"})
        assert response.status_code == 403, role
        assert response.json()["detail"] == f"This endpoint is for advisor, admin keys; this is a {role} key."
        assert world.get(role, "/vacancies/vac-a/feedback").status_code == 403
    no_key = world.client.post(f"{API}/vacancies/vac-a/candidates/js-a/feedback", json={"decision": "hired"})
    assert no_key.status_code == 401
    assert _stored(world.matcher) == []


def test_other_organisations_entities_are_missing(world: World) -> None:
    cases = [
        ("other-advisor", "vac-a", "js-a", "No vacancy with id 'vac-a'."),
        ("advisor", "vac-x", "js-a", "No vacancy with id 'vac-x'."),
        ("advisor", "vac-a", "js-x", "No job seeker with id 'js-x'."),
        # An admin sees every organisation, but candidates come from the vacancy's organisation.
        ("admin", "vac-a", "js-x", "No job seeker with id 'js-x'."),
        ("advisor", "vac-nothing", "js-a", "No vacancy with id 'vac-nothing'."),
        ("advisor", "vac-a", "js-nobody", "No job seeker with id 'js-nobody'."),
    ]
    for role, vacancy, seeker, detail in cases:
        response = world.post(role, vacancy, seeker, {"decision": "hired"})
        assert (response.status_code, response.json()["detail"]) == (404, detail), (role, vacancy, seeker)
    assert _stored(world.matcher) == []
    world.post("advisor", "vac-a", "js-a", {"decision": "hired"})
    response = world.get("other-advisor", "/vacancies/vac-a/feedback")
    assert (response.status_code, response.json()["detail"]) == (404, "No vacancy with id 'vac-a'.")
    assert world.get("advisor", "/vacancies/vac-x/feedback").status_code == 404
    assert [f["jobseeker_id"] for f in world.get("admin", "/vacancies/vac-a/feedback").json()] == ["js-a"]


def test_analysts_get_feedback_pseudonymised_and_joinable(world: World) -> None:
    world.post("advisor", "vac-a", "js-a", {"decision": "interview", "note": NOTE})
    world.post("advisor", "vac-a", "js-b", {"decision": "rejected", "reason": "language"})
    record_feedback(world.matcher, "vac-x", "js-x", FeedbackRequest(decision=Decision.HIRED), OTHER)
    response = world.get("analyst", "/analytics/feedback")
    assert response.status_code == 200
    rows = response.json()
    secret = world.matcher.storage.secret(SECRET_NAME)
    assert [(r["vacancy_id"], r["jobseeker_id"], r["decision"], r["reason"], r["grade"]) for r in rows] == [
        (analytics_pseudonym(secret, "vacancy", "vac-a"), analytics_pseudonym(secret, "jobseeker", "js-a"),
         "interview", None, 2),
        (analytics_pseudonym(secret, "vacancy", "vac-a"), analytics_pseudonym(secret, "jobseeker", "js-b"),
         "rejected", "language", 0),
    ]  # fmt: skip
    assert set(rows[0]) == {
        "vacancy_id", "jobseeker_id", "organisation", "decision", "reason", "grade", "score", "eligibility",
        "month",
    }  # fmt: skip
    assert (
        "js-a" not in response.text and "vac-a" not in response.text and "Station 4711" not in response.text
    )
    seekers = world.get("analyst", "/analytics/jobseekers").json()
    assert rows[0]["jobseeker_id"] in {s["id"] for s in seekers}
    assert len(world.get("admin", "/analytics/feedback").json()) == 3  # every organisation
    assert world.get("advisor", "/analytics/feedback").status_code == 403


def test_deleting_a_vacancy_deletes_its_feedback(world: World) -> None:
    world.post("advisor", "vac-a", "js-a", {"decision": "hired"})
    record_feedback(world.matcher, "vac-x", "js-x", FeedbackRequest(decision=Decision.HIRED))
    assert (
        world.client.delete(f"{API}/vacancies/vac-a", headers=auth(world.keys["advisor"])).status_code == 204
    )
    assert _stored(world.matcher) == [("vac-x", "js-x", "hired")]


def _database_dump(matcher: Matcher) -> str:
    dump = []
    with matcher.storage.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            dump += [repr(tuple(row)) for row in conn.execute(select(table))]
    return "\n".join(dump)


def test_the_persons_export_holds_their_feedback_and_erasure_pseudonymises_it(world: World) -> None:
    world.post("advisor", "vac-a", "js-a", {"decision": "interview", "note": NOTE})
    world.post("advisor", "vac-a", "js-a", {"decision": "rejected", "reason": "candidate_declined"})
    world.post("advisor", "vac-a", "js-b", {"decision": "hired"})
    export = world.get("jobseeker", "/jobseekers/js-a/export").json()
    assert [(f["decision"], f["note"]) for f in export["feedback"]] == [
        ("interview", NOTE),
        ("rejected", None),
    ]
    assert ("advisor", "feedback", "js-a") in {
        (e["role"], e["action"], e["entity_id"]) for e in export["audit_events"]
    }

    response = world.client.delete(f"{API}/jobseekers/js-a", headers=auth(world.keys["advisor"]))
    assert response.status_code == 204
    dump = _database_dump(world.matcher)
    assert "js-a" not in dump and "Station 4711" not in dump
    hashed = erased_id(world.matcher.storage.secret(SECRET_NAME), "js-a")
    # The labels stay, without the person and without the note.
    assert _stored(world.matcher) == [
        ("vac-a", hashed, "interview"),
        ("vac-a", hashed, "rejected"),
        ("vac-a", "js-b", "hired"),
    ]
    assert all(f.note is None for f in FeedbackStore(world.matcher.storage).list(jobseeker_id=hashed))
    assert feedback_qrels(FeedbackStore(world.matcher.storage).list()) == {"vac-a": {hashed: 2, "js-b": 3}}
    listed = world.get("advisor", "/vacancies/vac-a/feedback").json()
    assert [f["jobseeker_id"] for f in listed] == [hashed, hashed, "js-b"]
    # Feedback about someone else keeps its real id, and a later person with a new id is unaffected.
    assert world.get("advisor", "/jobseekers/js-b/export").json()["feedback"][0]["decision"] == "hired"
