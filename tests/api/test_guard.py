"""Before a route runs: bodies bounded and never read without a valid key, wrong keys throttled, refusals audited."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.guard import Throttle
from matching.access import Actor, Role
from matching.config import Settings
from matching.service import Matcher
from tests import factories
from tests.conftest import auth, key_for

API = "/api/v1"
MB = 1024 * 1024


def _send_raw(
    matcher: Matcher, path: str, headers: dict[str, str], chunks: int, chunk: bytes = b"x" * MB
) -> tuple[int, int]:
    """POST a body of ``chunks`` chunks straight into the ASGI app; (status, chunks the app pulled)."""
    app = create_app(matcher=matcher)
    pulled = 0
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {
        "type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"content-type", b"application/json"), *raw], "client": ("10.0.0.1", 1234),
        "server": ("testserver", 80), "scheme": "http", "root_path": "", "http_version": "1.1", "app": app,
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    return status[0], pulled


def test_a_body_without_a_valid_key_is_refused_unread(matcher: Matcher) -> None:
    huge = {"content-length": str(200 * MB)}
    assert _send_raw(matcher, f"{API}/jobseekers", huge, chunks=200) == (401, 0)
    wrong = huge | {"authorization": "Bearer sbk_not-a-key"}
    assert _send_raw(matcher, f"{API}/jobseekers", wrong, chunks=200) == (401, 0)
    upload = huge | {"authorization": "Bearer sbk_wrong"}
    assert _send_raw(matcher, f"{API}/import/jobseekers", upload, chunks=200) == (401, 0)


def test_bodies_over_the_route_limit_get_413_without_being_read_in_full(matcher: Matcher) -> None:
    key = {"authorization": f"Bearer {key_for(matcher, 'advisor')}"}
    declared = key | {"content-length": str(30 * MB)}
    assert _send_raw(matcher, f"{API}/jobseekers", declared, chunks=30) == (413, 0)
    # Chunked, length unknown: cut off once the limit (1 MB for JSON) is passed.
    status, pulled = _send_raw(matcher, f"{API}/jobseekers", key, chunks=200, chunk=b"x" * (256 * 1024))
    assert status == 413 and pulled <= 5
    # An import may carry 20 MB; more is refused before parsing.
    upload = key | {"content-length": str(25 * MB)}
    assert _send_raw(matcher, f"{API}/import/jobseekers", upload, chunks=25) == (413, 0)
    assert matcher.seekers.repo.count() == 0
    events = [e.context for e in matcher.storage.audit.query(action="refuse")[0]]
    assert sorted(events) == ["POST (no route) -> 413", "POST (no route) -> 413", "POST /jobseekers -> 413"]


def test_wrong_keys_are_throttled_with_retry_after_and_audited(matcher: Matcher) -> None:
    app = create_app(Settings(auth_failures=5), matcher=matcher)  # type: ignore[call-arg]
    good = key_for(matcher, "advisor")
    with TestClient(app) as client:
        codes = [client.get(f"{API}/jobseekers", headers=auth(f"sbk_guess{i}")).status_code for i in range(8)]
        assert codes == [401] * 5 + [429] * 3
        blocked = client.get(f"{API}/jobseekers")
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
        upload = client.post(f"{API}/jobseekers", json={}, headers=auth("sbk_guess-again"))
        assert upload.status_code == 429
        # Colleagues behind the same address keep working: a valid key is served while the address is throttled.
        assert client.get(f"{API}/jobseekers", headers=auth(good)).status_code == 200
        body = factories.seeker("js-1").model_dump(mode="json")
        assert client.post(f"{API}/jobseekers", json=body, headers=auth(good)).status_code == 201
        assert client.get(f"{API}/jobseekers", headers=auth("sbk_guess-more")).status_code == 429
    refused, total = matcher.storage.audit.query(action="refuse")
    # Every 401 is an event; a lock is one event however many requests it turns away.
    assert total == 6
    assert sorted(e.context for e in refused) == ["GET (no route) -> 429"] + ["GET /jobseekers -> 401"] * 5
    assert {(e.role, e.key_id) for e in refused} == {("none", None)}


def test_a_lock_ends_after_its_window_and_a_new_one_is_audited_again() -> None:
    throttle = Throttle(failures=2, window=10.0)
    throttle.fail("10.0.0.1", 0.0)
    throttle.fail("10.0.0.1", 1.0)
    assert throttle.retry_after("10.0.0.1", 2.0) == 8
    assert throttle.first_of_lock("10.0.0.1") and not throttle.first_of_lock("10.0.0.1")
    assert throttle.retry_after("10.0.0.2", 2.0) == 0  # another address is not affected
    assert throttle.retry_after("10.0.0.1", 10.5) == 0  # the first failure has left the window
    throttle.fail("10.0.0.1", 11.0)
    throttle.fail("10.0.0.1", 12.0)
    assert throttle.retry_after("10.0.0.1", 12.0) == 9
    assert throttle.first_of_lock("10.0.0.1")


def test_refusals_of_known_keys_are_audited_without_ids(matcher: Matcher) -> None:
    matcher.create_jobseeker(factories.seeker("js-theirs"), Actor(Role.ADMIN, "other"))
    analyst = key_for(matcher, "analyst")
    advisor = key_for(matcher, "advisor")
    with TestClient(create_app(matcher=matcher)) as client:
        assert client.get(f"{API}/jobseekers/js-theirs", headers=auth(advisor)).status_code == 404
        assert client.get(f"{API}/jobseekers/js-theirs", headers=auth(analyst)).status_code == 403
    refused = matcher.storage.audit.query(action="refuse")[0]
    assert sorted((e.role, e.context) for e in refused) == [
        ("advisor", "GET /jobseekers/{seeker_id} -> 404"),
        ("analyst", "GET /jobseekers/{seeker_id} -> 403"),
    ]
    assert all(e.key_id for e in refused) and "js-theirs" not in str([e.model_dump() for e in refused])
