"""Concurrent writers and readers against a real server on 127.0.0.1: no server errors, no deleted person in
a list requested after their deletion returned, and the index equal to the database at the end."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from api.app import create_app
from matching.service import Matcher
from tests import factories
from tests import mini_esco as m
from tests.conftest import auth, key_for

WRITERS, READERS, ROUNDS = 3, 3, 25
OCCUPATIONS = [m.NURSE, m.NURSING_ASSISTANT, m.FORKLIFT, m.ELECTRICIAN]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(matcher: Matcher) -> Iterator[tuple[str, dict[str, str]]]:
    port = _free_port()
    config = uvicorn.Config(create_app(matcher=matcher), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/api/v1", auth(key_for(matcher, "advisor"))
    instance.should_exit = True
    thread.join(timeout=20)


def test_concurrent_writers_and_readers(matcher: Matcher, server: tuple[str, dict[str, str]]) -> None:
    base, headers = server
    matcher.bulk_load(
        [factories.seeker(f"js-seed-{i}", OCCUPATIONS[i % 4]) for i in range(20)],
        [factories.vacancy(f"vac-{i}", OCCUPATIONS[i % 4]) for i in range(4)],
    )
    statuses: list[int] = []
    deleted_at: dict[str, float] = {}  # id -> when its DELETE returned
    seen: list[tuple[float, set[str]]] = []  # (when the request started, ids in the answer)
    errors: list[str] = []
    writers_done = threading.Event()
    lock = threading.Lock()

    def writer(number: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for i in range(ROUNDS):
                sid = f"js-w{number}-{i}"
                body = factories.seeker(sid, OCCUPATIONS[i % 4]).model_dump(mode="json")
                results = {"create": client.post("/jobseekers", json=body).status_code}
                body["max_commute_km"] = 5 + i
                results["update"] = client.put(f"/jobseekers/{sid}", json=body).status_code
                if i % 2 == 0:
                    results["delete"] = client.delete(f"/jobseekers/{sid}").status_code
                    with lock:
                        deleted_at[sid] = time.monotonic()
                if i % 5 == 0:  # vacancies change too
                    vacancy = factories.vacancy(f"vac-w{number}-{i}", OCCUPATIONS[i % 4]).model_dump(
                        mode="json"
                    )
                    results["vacancy"] = client.post("/vacancies", json=vacancy).status_code
                with lock:
                    statuses.extend(results.values())
                expected = {"create": 201, "update": 200, "delete": 204, "vacancy": 201}
                if any(expected[op] != status for op, status in results.items()):
                    errors.append(f"{sid}: {results}")

    def reader(number: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            i = 0
            while not writers_done.is_set() or i < 5:
                started = time.monotonic()
                if i % 3 == 2:
                    response = client.get(f"/jobseekers/js-seed-{i % 20}/vacancies", params={"k": 10})
                    ids: set[str] = set()
                else:
                    response = client.get(f"/vacancies/vac-{(number + i) % 4}/candidates", params={"k": 50})
                    data = response.json()
                    ids = {x["jobseeker_id"] for x in data["items"] + data["blocked"]}
                with lock:
                    statuses.append(response.status_code)
                    seen.append((started, ids))
                i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    readers = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    for thread in threads + readers:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    writers_done.set()
    for thread in readers:
        thread.join(timeout=120)

    assert [s for s in statuses if s >= 500] == []
    assert errors == []
    assert len(seen) >= 3 * READERS
    stale = [
        (sid, started)
        for started, ids in seen
        for sid in ids
        if sid in deleted_at and deleted_at[sid] < started
    ]
    assert stale == []
    database = {s.id for s in matcher.storage.jobseekers.iter_all()}
    assert len(database) == 20 + WRITERS * (ROUNDS // 2)  # odd rounds are kept
    assert set(matcher.seekers.index.ids()) == database
    assert set(matcher.vacancies.index.ids()) == {v.id for v in matcher.storage.vacancies.iter_all()}
    matcher.save_indexes()  # saved at the log's head: a restart has nothing to catch up
    _, _, head = matcher.storage.changes.state()
    assert matcher.seekers.index.fingerprint.endswith(f":{head}")
