"""Sharing a case between organisations and handing it over: another organisation's advisors see a shared
person only while the share lasts, can match but never change them, and every step is in the audit log; the
person sees who has access and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from matching.service import Matcher
from matching.store.tables import ShareRow
from tests import mini_esco as m
from tests.conftest import auth, key_for
from tests.factories import seeker, vacancy


def _today() -> dt.date:
    """Read at each use, not at import: a run that crosses midnight UTC must not send yesterday's date."""
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def world(client: TestClient, matcher: Matcher) -> dict[str, Any]:
    matcher.bulk_load(
        [seeker("js-1", m.NURSE, [m.MEDICATION]), seeker("js-2", m.NURSE), seeker("js-3", m.NURSE)],
        [vacancy("vac-a", m.NURSE)],
    )
    matcher.bulk_load([], [vacancy("vac-b", m.NURSE)], organisation="b")
    return {
        "a": client.headers,
        "b": auth(key_for(matcher, "advisor", "b")),
        "admin": auth(key_for(matcher, "admin")),
        "person": auth(key_for(matcher, "jobseeker", "default", "js-1")),
    }


def _candidates(client: TestClient, headers: dict[str, str]) -> list[str]:
    body = client.get("/api/v1/vacancies/vac-b/candidates", params={"k": 50}, headers=headers).json()
    return [x["jobseeker_id"] for x in body["items"] + body["blocked"]]


def _share(client: TestClient, until: dt.date) -> dict[str, Any]:
    response = client.post(
        "/api/v1/jobseekers/js-1/shares",
        json={
            "organisation": "b",
            "purpose": "Vermittlung in Pflege (Agentur für Arbeit)",
            "until": until.isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_shared_person_is_seen_and_matched_by_the_other_organisation_only_while_shared(
    client: TestClient, matcher: Matcher, world: dict[str, Any]
) -> None:
    b = world["b"]
    assert client.get("/api/v1/jobseekers/js-1", headers=b).status_code == 404
    assert _candidates(client, b) == []

    share = _share(client, _today() + dt.timedelta(days=30))
    assert share["active"] and share["organisation"] == "b"
    assert client.get("/api/v1/jobseekers/js-1", headers=b).status_code == 200
    assert _candidates(client, b) == ["js-1"]  # the shared person only, none of the others
    own = client.get("/api/v1/jobseekers/js-1/vacancies", params={"k": 50}, headers=b).json()
    assert {x["vacancy_id"] for x in own["items"] + own["blocked"]} == {"vac-b"}  # b's vacancies
    changed = seeker("js-1", m.NURSE, max_commute_km=3).model_dump(mode="json")
    assert client.put("/api/v1/jobseekers/js-1", json=changed, headers=b).status_code == 404
    assert client.delete("/api/v1/jobseekers/js-1", headers=b).status_code == 404
    assert client.post(
        "/api/v1/jobseekers/js-1/shares", json={"organisation": "c", "purpose": "x", "until": _today().isoformat()},
        headers=b,
    ).status_code == 404  # only the owner shares  # fmt: skip

    # The person sees who has access and why, on their page's API and in their export.
    seen = client.get("/api/v1/jobseekers/js-1/shares", headers=world["person"]).json()
    assert [(s["organisation"], s["purpose"], s["active"]) for s in seen] == [
        ("b", "Vermittlung in Pflege (Agentur für Arbeit)", True)
    ]
    export = client.get("/api/v1/jobseekers/js-1/export", headers=world["person"]).json()
    assert export["access"][0]["organisation"] == "b" and export["access"][0]["revoked_at"] is None

    # Revoked: gone for b at once.
    assert client.delete(f"/api/v1/jobseekers/js-1/shares/{share['id']}").status_code == 204
    assert client.get("/api/v1/jobseekers/js-1", headers=b).status_code == 404
    assert _candidates(client, b) == []

    # Expired: a share whose last day has passed reaches nothing either.
    again = _share(client, _today())
    assert client.get("/api/v1/jobseekers/js-1", headers=b).status_code == 200
    with matcher.storage.writes.begin() as session:
        session.execute(
            update(ShareRow).where(ShareRow.id == again["id"]).values(until=_today() - dt.timedelta(days=1))
        )
    assert client.get("/api/v1/jobseekers/js-1", headers=b).status_code == 404
    assert _candidates(client, b) == []

    # Every step is in the audit log: shares, the other organisation's reads and matches, the revocation.
    events = client.get(
        "/api/v1/audit", params={"entity_id": "js-1", "limit": 200}, headers=world["admin"]
    ).json()
    actions = [e["action"] for e in reversed(events["items"])]
    assert actions.count("share") == 2 and "revoke" in actions and "read" in actions and "match" in actions
    shared = [e for e in events["items"] if e["action"] == "share"]
    assert all("to:b" in (e["context"] or "") for e in shared)


def test_a_case_handed_over_moves_with_the_persons_keys(
    client: TestClient, matcher: Matcher, world: dict[str, Any]
) -> None:
    person = auth(key_for(matcher, "jobseeker", "default", "js-2"))
    response = client.post(
        "/api/v1/jobseekers/js-2/handover", json={"organisation": "b", "purpose": "Rechtskreiswechsel SGB II"}
    )
    assert response.status_code == 204, response.text
    assert client.get("/api/v1/jobseekers/js-2").status_code == 404  # no longer ours
    assert client.get("/api/v1/jobseekers/js-2", headers=world["b"]).status_code == 200
    assert "js-2" in _candidates(client, world["b"])
    assert client.get("/api/v1/jobseekers/js-2", headers=person).status_code == 200  # their key moved along
    events = client.get("/api/v1/audit", params={"entity_id": "js-2"}, headers=world["admin"]).json()["items"]
    assert any(e["action"] == "handover" and e["context"] == "from:default to:b" for e in events)


def test_bad_shares_are_refused(client: TestClient, world: dict[str, Any]) -> None:
    def share(**body: Any) -> int:
        payload = {"organisation": "b", "purpose": "Beratung", "until": _today().isoformat()} | body
        return client.post("/api/v1/jobseekers/js-1/shares", json=payload).status_code

    assert share(until=(_today() - dt.timedelta(days=1)).isoformat()) == 422
    assert share(until=(_today() + dt.timedelta(days=800)).isoformat()) == 422
    assert share(organisation="Not An Org!") == 422
    assert share(organisation="default") == 422  # its own
    assert share(purpose="") == 422
    assert client.post("/api/v1/jobseekers/js-none/shares", json={
        "organisation": "b", "purpose": "x", "until": _today().isoformat()}).status_code == 404  # fmt: skip
