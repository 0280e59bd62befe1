"""The audit log: every read and change of personal data, in the same transaction as the change, append-only
in the database itself, queryable by admins only."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.app import create_app
from matching.access import Actor, Role
from matching.service import Matcher
from matching.store.audit import Action, AuditEntry, pseudonymise_events
from matching.store.storage import Storage
from tests import factories
from tests import mini_esco as m
from tests.conftest import auth, key_for

API = "/api/v1"


def events(matcher: Matcher, **filters: object) -> list[tuple]:
    items, _ = matcher.storage.audit.query(limit=500, **filters)  # type: ignore[arg-type]
    return [(e.role, e.action, e.entity_kind, e.entity_id, e.context, e.purpose) for e in reversed(items)]


def test_writes_and_reads_are_logged_with_key_role_and_purpose(client: TestClient, matcher: Matcher) -> None:
    key_id = matcher.storage.keys.authenticate(client.headers["authorization"].split()[1]).key_id  # type: ignore[union-attr]
    body = factories.seeker("js-1").model_dump(mode="json")
    assert (
        client.post(f"{API}/jobseekers", json=body, headers={"X-Purpose": "first interview"}).status_code
        == 201
    )
    client.get(f"{API}/jobseekers/js-1")
    client.put(f"{API}/jobseekers/js-1", json=body | {"max_commute_km": 10})
    client.post(f"{API}/vacancies", json=factories.vacancy("vac-1").model_dump(mode="json"))
    client.get(f"{API}/vacancies/vac-1")  # vacancies are not personal data: not logged
    client.get(f"{API}/vacancies/vac-1/candidates")
    client.get(f"{API}/jobseekers/js-1/vacancies")
    assert events(matcher) == [
        ("advisor", "create", "jobseeker", "js-1", None, "first interview"),
        ("advisor", "read", "jobseeker", "js-1", None, "profile maintenance"),
        ("advisor", "update", "jobseeker", "js-1", None, "profile maintenance"),
        ("advisor", "create", "vacancy", "vac-1", None, "vacancy maintenance"),
        ("advisor", "match", "vacancy", "vac-1", None, "matching"),
        ("advisor", "match", "jobseeker", "js-1", None, "matching"),
    ]
    items, total = matcher.storage.audit.query()
    assert total == 6 and all(e.key_id == key_id for e in items)
    assert all(dt.timedelta(0) <= dt.datetime.now(dt.UTC) - e.at < dt.timedelta(minutes=1) for e in items)


def test_a_match_list_is_one_event_and_a_listing_one_per_person(client: TestClient, matcher: Matcher) -> None:
    matcher.bulk_load([factories.seeker(f"js-{i}") for i in range(5)], [factories.vacancy("vac-1")])
    assert len(client.get(f"{API}/vacancies/vac-1/candidates").json()["items"]) == 5
    assert events(matcher) == [("advisor", "match", "vacancy", "vac-1", None, "matching")]
    client.get(f"{API}/jobseekers", params={"limit": 3, "offset": 1})
    assert [e[3] for e in events(matcher, action="read")] == ["js-1", "js-2", "js-3"]


def test_a_person_sees_every_list_that_showed_them_in_their_export(
    client: TestClient, matcher: Matcher
) -> None:
    matcher.bulk_load(
        [factories.seeker(f"js-{i}") for i in range(3)],
        [factories.vacancy(f"vac-{n}", employer_id="emp-1") for n in range(3)],
    )
    employer = auth(key_for(matcher, "employer", subject="emp-1"))
    for n in range(3):
        assert client.get(f"{API}/vacancies/vac-{n}/candidates").status_code == 200
    assert client.get(f"{API}/vacancies/vac-0/candidates/export").status_code == 200
    assert client.get(f"{API}/vacancies/vac-1/candidates", headers=employer).status_code == 200
    client.post(f"{API}/vacancies/vac-2/releases", json={"jobseeker_id": "js-1"})
    assert client.get(f"{API}/vacancies/vac-2/releases").status_code == 200
    export = client.get(f"{API}/jobseekers/js-1/export").json()
    seen = [(e["role"], e["action"], e["entity_id"], e["context"]) for e in export["audit_events"]]
    lists = [s for s in seen if s[1] in ("match", "read") and s[2] and s[2].startswith("vac-")]
    assert lists == [
        ("advisor", "match", "vac-0", None),
        ("advisor", "match", "vac-1", None),
        ("advisor", "match", "vac-2", None),
        ("advisor", "match", "vac-0", None),  # the export
        ("employer", "match", "vac-1", None),
        ("advisor", "read", "vac-2", "releases"),
    ]
    # Still one event per list; erasure replaces the person's id in what the lists named.
    assert len(events(matcher, action="match")) == 5
    assert client.delete(f"{API}/jobseekers/js-1").status_code == 204
    other = client.get(f"{API}/jobseekers/js-0/export").json()
    assert "js-1" not in str(other) and len([e for e in other["audit_events"] if e["action"] == "match"]) == 5
    from sqlalchemy import select

    from matching.store.tables import AuditListedRow

    with matcher.storage.sessions() as session:
        assert "js-1" not in set(session.scalars(select(AuditListedRow.jobseeker_id)))


def test_rejected_writes_change_nothing_and_only_refusals_are_logged(
    client: TestClient, matcher: Matcher
) -> None:
    body = factories.seeker("js-1").model_dump(mode="json")
    client.post(f"{API}/jobseekers", json=body)
    assert client.post(f"{API}/jobseekers", json=body).status_code == 409
    unknown = body | {"id": "js-2", "skill_uris": [m.SKILL + "nope"]}
    assert client.post(f"{API}/jobseekers", json=unknown).status_code == 422
    assert client.put(f"{API}/jobseekers/js-9", json=body | {"id": "js-9"}).status_code == 404
    assert events(matcher) == [
        ("advisor", "create", "jobseeker", "js-1", None, "profile maintenance"),
        ("advisor", "refuse", "request", None, "PUT /jobseekers/{seeker_id} -> 404", "profile maintenance"),
    ]


def test_purpose_header_is_checked(client: TestClient) -> None:
    response = client.get(f"{API}/jobseekers", headers={"X-Purpose": "<script>"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "X-Purpose"
    assert response.json()["detail"].startswith("Invalid request: X-Purpose: String should match pattern")


def test_admins_query_the_log_with_filters_and_paging(matcher: Matcher) -> None:
    admin, advisor = key_for(matcher, "admin"), key_for(matcher, "advisor")
    with TestClient(create_app(matcher=matcher)) as client:
        for i in range(4):
            body = factories.seeker(f"js-{i}").model_dump(mode="json")
            client.post(f"{API}/jobseekers", json=body, headers=auth(advisor))
        client.get(f"{API}/jobseekers/js-2", headers=auth(advisor))
        advisor_id = matcher.storage.keys.authenticate(advisor).key_id  # type: ignore[union-attr]

        page = client.get(f"{API}/audit", params={"limit": 2, "offset": 1}, headers=auth(admin)).json()
        assert (page["total"], page["offset"], page["limit"]) == (5, 1, 2)
        assert [(e["action"], e["entity_id"]) for e in page["items"]] == [
            ("create", "js-3"),
            ("create", "js-2"),
        ]

        about = client.get(f"{API}/audit", params={"entity_id": "js-2"}, headers=auth(admin)).json()
        assert [e["action"] for e in about["items"]] == ["read", "create"]  # newest first
        by_key = client.get(
            f"{API}/audit", params={"key_id": advisor_id, "action": "read"}, headers=auth(admin)
        )
        assert [e["entity_id"] for e in by_key.json()["items"]] == ["js-2"]

        now = dt.datetime.now(dt.UTC)
        future = client.get(
            f"{API}/audit", params={"since": (now + dt.timedelta(hours=1)).isoformat()}, headers=auth(admin)
        )
        assert future.json()["total"] == 0
        past = client.get(
            f"{API}/audit", params={"until": (now - dt.timedelta(hours=1)).isoformat()}, headers=auth(admin)
        )
        assert past.json()["total"] == 0
        # Reading the log is itself logged.
        assert events(matcher, entity_kind="audit")[0][:3] == ("admin", "read", "audit")
        bad = client.get(f"{API}/audit", params={"action": "steal"}, headers=auth(admin))
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "action"


def _one_event(storage: Storage) -> None:
    storage.audit.record(
        [AuditEntry(Actor(Role.ADMIN, "default", "key-1"), Action.READ, "jobseeker", "js-1")]
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET purpose = 'x'",
        "UPDATE audit_events SET key_id = NULL",
        "DELETE FROM audit_events",
    ],
)
def test_the_database_refuses_to_rewrite_the_log(storage: Storage, statement: str) -> None:
    _one_event(storage)
    with pytest.raises(DBAPIError, match="audit_events is append-only"), storage.engine.begin() as conn:
        conn.execute(text(statement))
    assert storage.audit.query()[1] == 1


def test_only_erasure_may_replace_an_entity_id(storage: Storage) -> None:
    _one_event(storage)
    if storage.dialect == "postgresql":  # without the erasure setting, even entity_id is refused
        with pytest.raises(DBAPIError, match="append-only: UPDATE refused"), storage.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET entity_id = 'x'"))
    with storage.writes.begin() as session:
        assert pseudonymise_events(session, "jobseeker", "js-1", "erased-abc") == 1
    assert [e.entity_id for e in storage.audit.query()[0]] == ["erased-abc"]
    storage.clear()  # the demo's and the tests' reset still works, and the triggers are back afterwards
    _one_event(storage)
    with pytest.raises(DBAPIError, match="append-only"), storage.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
