"""Callers never learn where the server keeps its files: paths stay in the operator's log."""

from __future__ import annotations

from fastapi.testclient import TestClient

from matching.service import Matcher
from tests import factories
from tests import mini_esco as m

API = "/api/v1"


def test_health_and_errors_show_no_server_paths(client: TestClient, matcher: Matcher) -> None:
    folder = matcher.taxonomy.source
    assert folder.startswith("/")
    health = client.get("/health")
    assert health.status_code == 200 and folder not in health.text
    assert health.json()["taxonomy"]["source"] == folder.rstrip("/").rsplit("/", 1)[-1]
    body = factories.seeker("js-1", skills=[m.SKILL + "nope"]).model_dump(mode="json")
    refused = client.post(f"{API}/jobseekers", json=body)
    assert refused.status_code == 422 and "not in the loaded taxonomy" in refused.text
    assert folder not in refused.text and "/tmp" not in refused.text
