"""Saved searches and alerts: an alert fires exactly once when a profile enters a saved list's top k (across
processes too), never for one below the cut, and leaves nothing behind when the person is erased."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matching.service import Matcher
from matching.store.storage import Storage
from tests import mini_esco as m
from tests.conftest import auth, key_for
from tests.factories import seeker, vacancy

FAR = {"place": "Halle (Saale)", "postcode": "06108", "lat": 51.482, "lon": 11.970}


@pytest.fixture
def saved(client: TestClient, matcher: Matcher) -> dict[str, Any]:
    people = [
        seeker(f"js-{i}", [m.NURSE, m.FORKLIFT, m.ELECTRICIAN][i % 3], [m.MEDICATION] if i % 3 == 0 else [])
        for i in range(9)
    ]
    matcher.bulk_load(people, [vacancy("vac-1", m.NURSE, [m.MEDICATION, m.HYGIENE])])
    matcher.alerts.evaluate()  # the evaluation position starts here
    response = client.post(
        "/api/v1/saved-searches", json={"kind": "candidates", "subject_id": "vac-1", "k": 3}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _evaluate(matcher: Matcher) -> int:
    matcher.indexes.catch_up()
    return matcher.alerts.evaluate()


def _alerts(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_alert_fires_once_when_a_profile_enters_the_top_k(
    client: TestClient, matcher: Matcher, saved: dict[str, Any]
) -> None:
    assert saved["in_top"] == 3
    strong = seeker("js-strong", m.NURSE, [m.MEDICATION, m.HYGIENE], max_commute_km=40)
    assert client.post("/api/v1/jobseekers", json=strong.model_dump(mode="json")).status_code == 201
    _evaluate(matcher)
    _evaluate(matcher)  # evaluating again raises nothing new
    page = _alerts(client)
    assert page["total"] == page["unread"] == 1
    alert = page["items"][0]
    assert alert["entity_id"] == "js-strong" and alert["search_id"] == saved["id"]
    assert alert["match"]["jobseeker_id"] == "js-strong" and alert["match"]["explanation"]["factors"]
    assert alert["match"]["rank"] <= 3

    # Changing a profile that is already in the top k, or adding one below the cut, raises nothing.
    changed = strong.model_copy(update={"max_commute_km": 45})
    assert client.put("/api/v1/jobseekers/js-strong", json=changed.model_dump(mode="json")).status_code == 200
    weak = seeker("js-weak", m.ELECTRICIAN, [m.WIRING], home=FAR, max_commute_km=5)
    assert client.post("/api/v1/jobseekers", json=weak.model_dump(mode="json")).status_code == 201
    _evaluate(matcher)
    assert _alerts(client)["total"] == 1

    assert client.post(f"/api/v1/alerts/{alert['id']}/read").status_code == 204
    assert _alerts(client)["unread"] == 0 and _alerts(client, unread=True)["items"] == []


def test_two_processes_raise_each_alert_once(
    client: TestClient, matcher: Matcher, saved: dict[str, Any], database_url: str
) -> None:
    other = Matcher(
        matcher.taxonomy, matcher.encoder.embedder, Storage(database_url), None, rules=matcher.rules
    )
    other.open()
    strong = seeker("js-strong", m.NURSE, [m.MEDICATION, m.HYGIENE])
    matcher.create_jobseeker(strong)
    # The app's own change follower evaluates in the background too (the database is a shared file), so it
    # may be the one that raises the alert: together, all of them raise it exactly once.
    raised = _evaluate(other) + _evaluate(matcher) + _evaluate(other)
    assert raised <= 1 and _alerts(client)["total"] == 1


def test_alerts_are_the_owners_and_erasure_leaves_nothing(
    client: TestClient, matcher: Matcher, saved: dict[str, Any]
) -> None:
    matcher.create_jobseeker(seeker("js-strong", m.NURSE, [m.MEDICATION, m.HYGIENE]))
    _evaluate(matcher)
    other_advisor = auth(key_for(matcher, "advisor"))
    assert client.get("/api/v1/alerts", headers=other_advisor).json()["total"] == 0
    assert client.get("/api/v1/saved-searches", headers=other_advisor).json() == []
    assert client.delete(f"/api/v1/saved-searches/{saved['id']}", headers=other_advisor).status_code == 404

    assert client.delete("/api/v1/jobseekers/js-strong").status_code == 204  # erasure
    assert _alerts(client)["total"] == 0
    (search,) = matcher.storage.searches.all()
    assert all(entry[0] != "js-strong" for entry in search.top)

    assert client.delete(f"/api/v1/saved-searches/{saved['id']}").status_code == 204
    assert client.get("/api/v1/saved-searches").json() == []


def test_bad_saved_searches_are_refused(client: TestClient, saved: dict[str, Any]) -> None:
    post = client.post
    assert post("/api/v1/saved-searches", json={"kind": "friends", "subject_id": "vac-1"}).status_code == 422
    assert (
        post("/api/v1/saved-searches", json={"kind": "candidates", "subject_id": "vac-none"}).status_code
        == 404
    )
    unknown = post(
        "/api/v1/saved-searches",
        json={"kind": "candidates", "subject_id": "vac-1", "filters": {"skills": ["http://example.org/x"]}},
    )
    assert unknown.status_code == 422 and "skill" in unknown.text
