"""Alerts to webhooks: only to addresses the administrator allows, from a durable outbox, signed, retried."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matching.service import Matcher
from matching.service.webhooks import SECRET_NAME, WebhookSender
from matching.store.searches import WEBHOOK_ATTEMPTS
from matching.store.tables import AlertRow
from tests import mini_esco as m
from tests.factories import seeker, vacancy

HOOK = "https://hooks.jobcenter.example/skillbridge"


@pytest.fixture
def allowed(client: TestClient) -> TestClient:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    client.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"webhook_allowed": ["https://hooks.jobcenter.example/"]}
    )
    return client


def _save(client: TestClient, matcher: Matcher, webhook: str | None) -> Any:
    people = [seeker(f"js-{i}", m.FORKLIFT) for i in range(4)]
    matcher.bulk_load(people, [vacancy("vac-1", m.NURSE, [m.MEDICATION, m.HYGIENE])])
    matcher.alerts.evaluate()
    body = {"kind": "candidates", "subject_id": "vac-1", "k": 3, "webhook": webhook}
    return client.post("/api/v1/saved-searches", json=body)


def _strong_candidate(client: TestClient, matcher: Matcher) -> None:
    strong = seeker("js-strong", m.NURSE, [m.MEDICATION, m.HYGIENE], max_commute_km=40)
    assert client.post("/api/v1/jobseekers", json=strong.model_dump(mode="json")).status_code == 201
    matcher.indexes.catch_up()
    matcher.alerts.evaluate()  # on a shared database the app's change follower may have evaluated first
    with matcher.storage.sessions() as session:
        assert session.query(AlertRow).count() == 1


def test_only_addresses_the_administrator_allows(client: TestClient, matcher: Matcher) -> None:
    refused = _save(client, matcher, HOOK)  # nothing allowed by default
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "webhook" and "SKILLBRIDGE_WEBHOOK_ALLOWED" in refused.text
    settings = client.app.state.settings  # type: ignore[attr-defined]
    client.app.state.settings = settings.model_copy(
        update={"webhook_allowed": ["https://hooks.other.example/"]}
    )  # type: ignore[attr-defined]
    elsewhere = client.post(
        "/api/v1/saved-searches", json={"kind": "candidates", "subject_id": "vac-1", "webhook": HOOK}
    )
    assert elsewhere.status_code == 422 and "https://hooks.other.example/" in elsewhere.text


def test_an_alert_is_posted_once_signed_and_without_profile_data(
    allowed: TestClient, matcher: Matcher
) -> None:
    saved = _save(allowed, matcher, HOOK)
    assert saved.status_code == 201 and saved.json()["webhook"] == HOOK
    _strong_candidate(allowed, matcher)
    posted: list[tuple[str, bytes, dict[str, str]]] = []
    sender = WebhookSender(
        matcher.storage, ["https://hooks.jobcenter.example/"], lambda *a: posted.append(a) or 204
    )
    assert sender.deliver() == 1
    assert sender.deliver() == 0  # sent: never again
    url, body, headers = posted[0]
    payload = json.loads(body)
    assert (
        url == HOOK
        and payload["entity_id"] == "js-strong"
        and payload["saved_search_id"] == saved.json()["id"]
    )
    assert set(payload) == {
        "alert_id", "saved_search_id", "kind", "subject_id", "entity_id", "rank", "eligibility", "score",
        "created_at",
    }  # fmt: skip
    secret = matcher.storage.secret(SECRET_NAME)
    assert (
        headers["X-Skillbridge-Signature"] == "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    )
    exported = matcher.storage.audit.query(action="export", entity_kind="alert")[0]
    assert [e.context for e in exported] == ["webhook:hooks.jobcenter.example"]


def test_failed_posts_are_retried_then_given_up(allowed: TestClient, matcher: Matcher) -> None:
    _save(allowed, matcher, HOOK)
    _strong_candidate(allowed, matcher)
    calls: list[str] = []
    sender = WebhookSender(
        matcher.storage, ["https://hooks.jobcenter.example/"], lambda *a: calls.append(a[0]) or 503
    )
    for _ in range(WEBHOOK_ATTEMPTS):
        assert sender.deliver() == 0
        with matcher.storage.writes.begin() as session:  # the retry is due now rather than in seconds
            for row in session.query(AlertRow):
                row.webhook_due = row.created_at
    assert len(calls) == WEBHOOK_ATTEMPTS and sender.deliver() == 0
    with matcher.storage.sessions() as session:
        row = session.query(AlertRow).one()
        assert (row.webhook_state, row.webhook_attempts) == ("failed", WEBHOOK_ATTEMPTS)
    # The inbox still has the alert.
    assert allowed.get("/api/v1/alerts").json()["total"] == 1


def test_an_address_no_longer_allowed_is_not_called(allowed: TestClient, matcher: Matcher) -> None:
    _save(allowed, matcher, HOOK)
    _strong_candidate(allowed, matcher)
    calls: list[str] = []
    sender = WebhookSender(
        matcher.storage, ["https://elsewhere.example/"], lambda *a: calls.append(a[0]) or 204
    )
    assert sender.deliver() == 0 and calls == []
    with matcher.storage.sessions() as session:
        assert session.query(AlertRow).one().webhook_state == "failed"
