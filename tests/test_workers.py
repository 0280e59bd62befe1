"""Several server processes, one view of the database.

A real ``skillbridge serve --workers 2`` on SQLite and PostgreSQL. Job seekers and vacancies are created,
changed and deleted through randomly chosen connections (so through either worker) and imported by the command
line; after each change, every worker's candidate and vacancy lists must equal those of a matcher freshly built
from the database, within one second. Then a worker is killed with SIGKILL in the middle of writes: uvicorn
starts a new one, no acknowledged write is lost and every worker converges to the database again.
"""

from __future__ import annotations

import functools
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.ranking.eligibility import EligibilityRules
from matching.store.storage import Storage
from matching.taxonomy.esco import load_esco
from tests import factories
from tests import mini_esco as m

ROUNDS = 30
CONVERGE_SECONDS = 1.0
WORKERS = 2
OCCUPATIONS = [m.NURSE, m.NURSING_ASSISTANT, m.FORKLIFT, m.ELECTRICIAN]
SKILLS = [m.MEDICATION, m.HYGIENE, m.FORKLIFT_DRIVING, m.WIRING]
ROOT = Path(__file__).resolve().parents[1]
SKILLBRIDGE = str(Path(sys.executable).parent / "skillbridge")


@dataclass
class Cluster:
    base: str
    headers: dict[str, str]
    settings: Settings
    env: dict[str, str]
    process: subprocess.Popen
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(database_url: str, esco: Path, data_dir: Path) -> tuple[Settings, dict[str, str]]:
    env = {
        "SKILLBRIDGE_ESCO_PATH": str(esco),
        "SKILLBRIDGE_VOCABULARY": "",
        "SKILLBRIDGE_DATA_DIR": str(data_dir),
        "SKILLBRIDGE_DATABASE_URL": database_url,
        "SKILLBRIDGE_EMBEDDING_MODEL": "hashing-64",
        "SKILLBRIDGE_ENGLISH_EMBEDDING_MODEL": "none",
    }
    settings = Settings(
        esco_path=esco,
        vocabulary=[],
        data_dir=data_dir,
        database_url=database_url,
        embedding_model="hashing-64",
        english_embedding_model="none",
    )  # type: ignore[call-arg]
    return settings, env


@pytest.fixture
def cluster(database_url: str, mini_esco_dir: Path, tmp_path: Path) -> Iterator[Cluster]:
    settings, env = _settings(database_url, mini_esco_dir, tmp_path / "data")
    storage = Storage(database_url)
    storage.clear()
    seed = build_matcher(settings, storage=storage)
    seed.bulk_load(
        [factories.seeker(f"js-{i:03d}", OCCUPATIONS[i % 4], [SKILLS[i % 4]]) for i in range(24)],
        [factories.vacancy(f"vac-{i}", OCCUPATIONS[i % 4], [SKILLS[i % 4]]) for i in range(4)],
    )
    key = storage.keys.create("advisor", "default", label="workers test")[1]
    seed.close()
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")  # a pipe nobody reads would stall the server once full
    process = subprocess.Popen(
        [SKILLBRIDGE, "serve", "--workers", str(WORKERS), "--port", str(port)],
        env=os.environ | env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not come up"
            try:
                if len(_workers(base, {})) == WORKERS:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        yield Cluster(
            base, {"Authorization": f"Bearer {key}"}, settings, env, process, tmp_path / "server.log"
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        cleanup = Storage(database_url)
        cleanup.clear()
        cleanup.dispose()


def _server_events(cluster: Cluster, lines: int = 40) -> str:
    """The server log without its request lines: starts, deaths and errors, for a failure's message."""
    text = cluster.log.read_text(errors="replace")
    return "\n".join([x for x in text.splitlines() if "HTTP/1.1" not in x][-lines:])


def _workers(base: str, headers: dict[str, str], attempts: int = 40) -> dict[str, httpx.Client]:
    """One open connection to each worker, found by opening connections at once and asking who answers."""
    found: dict[str, httpx.Client] = {}

    def connect(_: int) -> tuple[str, httpx.Client]:
        client = httpx.Client(base_url=base, headers=headers, timeout=10)
        return client.get("/health").json()["change_log"]["process"], client

    for _ in range(attempts):
        with ThreadPoolExecutor(8) as pool:
            for name, client in pool.map(connect, range(8)):
                if name in found:
                    client.close()
                else:
                    found[name] = client
        if len(found) >= WORKERS:
            break
    return found


@functools.cache
def _rules(esco: Path) -> EligibilityRules:
    rules = EligibilityRules.standard(load_esco(esco))
    rules.gazetteer.warm()
    return rules


def _expected(cluster: Cluster) -> dict[str, Any]:
    """Every list as a matcher built afresh from the database's rows gives it."""
    storage = Storage(cluster.settings.resolved_database_url)
    oracle = build_matcher(cluster.settings, storage=storage, keep_indexes=False)
    oracle.rules = _rules(cluster.settings.esco_path)
    oracle.open()
    lists: dict[str, Any] = {}
    for vacancy in storage.vacancies.iter_all():
        page = oracle.candidates_for_vacancy(vacancy.id, k=100)
        lists[f"/api/v1/vacancies/{vacancy.id}/candidates?k=100"] = _shape(
            [x.jobseeker_id for x in page.items], [x.jobseeker_id for x in page.blocked]
        )
    for seeker in list(storage.jobseekers.iter_all())[:4]:
        page = oracle.vacancies_for_jobseeker(seeker.id, k=100)
        lists[f"/api/v1/jobseekers/{seeker.id}/vacancies?k=100"] = _shape(
            [x.vacancy_id for x in page.items], [x.vacancy_id for x in page.blocked]
        )
    storage.dispose()
    return lists


def _shape(items: list[str], blocked: list[str]) -> dict[str, Any]:
    return {"items": items, "blocked": sorted(blocked)}


def _answer(client: httpx.Client, path: str) -> dict[str, Any]:
    body = client.get(path).json()
    key = "jobseeker_id" if "/candidates" in path else "vacancy_id"
    return _shape([x[key] for x in body["items"]], [x[key] for x in body["blocked"]])


def _check_converges(cluster: Cluster, written_at: float, what: str) -> None:
    """Each worker shows exactly the database's lists within CONVERGE_SECONDS of the write returning."""
    expected = _expected(cluster)
    pending = set()
    while True:
        workers = _workers(cluster.base, cluster.headers)
        assert len(workers) == WORKERS, f"reached only {sorted(workers)}\n{_server_events(cluster)}"
        pending = {
            name
            for name, client in workers.items()
            if any(_answer(client, path) != lists for path, lists in expected.items())
        }
        for client in workers.values():
            client.close()
        if not pending:
            return
        late = time.monotonic() - written_at
        assert late <= CONVERGE_SECONDS, f"after {what}: {sorted(pending)} still differ after {late:.2f} s"
        time.sleep(0.05)


def _random_client(cluster: Cluster) -> httpx.Client:
    return httpx.Client(base_url=f"{cluster.base}/api/v1", headers=cluster.headers, timeout=30)


def _write(cluster: Cluster, rng: random.Random, counter: list[int]) -> str:
    """One random create, update or delete of a job seeker or vacancy through a fresh connection."""
    with _random_client(cluster) as http:
        seekers = [x["id"] for x in http.get("/jobseekers?limit=200").json()["items"]]
        vacancies = [x["id"] for x in http.get("/vacancies?limit=200").json()["items"]]
        operation = rng.choice(["create", "update", "delete"])
        if rng.random() < 0.7:
            counter[0] += 1
            occupation = rng.choice(OCCUPATIONS)
            if operation == "create" or not seekers:
                new = factories.seeker(f"js-new-{counter[0]}", occupation, [rng.choice(SKILLS)])
                response = http.post("/jobseekers", json=new.model_dump(mode="json"))
            elif operation == "update":
                changed = factories.seeker(rng.choice(seekers), occupation, [rng.choice(SKILLS)])
                response = http.put(f"/jobseekers/{changed.id}", json=changed.model_dump(mode="json"))
            else:
                response = http.delete(f"/jobseekers/{rng.choice(seekers)}")
            what = f"{operation} job seeker"
        else:
            counter[0] += 1
            occupation = rng.choice(OCCUPATIONS)
            if operation == "create" or len(vacancies) < 2:
                new_vacancy = factories.vacancy(f"vac-new-{counter[0]}", occupation, [rng.choice(SKILLS)])
                response = http.post("/vacancies", json=new_vacancy.model_dump(mode="json"))
            elif operation == "update":
                changed_vacancy = factories.vacancy(rng.choice(vacancies), occupation, [rng.choice(SKILLS)])
                response = http.put(
                    f"/vacancies/{changed_vacancy.id}", json=changed_vacancy.model_dump(mode="json")
                )
            else:
                response = http.delete(f"/vacancies/{rng.choice(vacancies)}")
            what = f"{operation} vacancy"
        assert response.status_code < 300, (what, response.status_code, response.text)
        return what


def _import_by_command_line(cluster: Cluster, tmp_path: Path, round_number: int) -> None:
    path = tmp_path / f"import-{round_number}.csv"
    rows = ["id,qualifications,skill_uris,languages,home_place,work_authorisation_status"]
    for i in range(5):
        rows.append(
            f"js-cli-{round_number}-{i},{OCCUPATIONS[i % 4]}|UA,{SKILLS[i % 4]},de:B1;uk:C2,Leipzig,permitted"
        )
    path.write_text("\n".join(rows) + "\n")
    subprocess.run(
        [SKILLBRIDGE, "import", str(path), "--kind", "jobseekers"],
        env=os.environ | cluster.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def test_every_worker_shows_the_databases_state_within_a_second(cluster: Cluster, tmp_path: Path) -> None:
    rng = random.Random(16)
    counter = [0]
    for round_number in range(ROUNDS):
        if round_number == ROUNDS // 2:
            _import_by_command_line(cluster, tmp_path, round_number)
            what = "a command-line import"
        else:
            what = _write(cluster, rng, counter)
        _check_converges(cluster, time.monotonic(), what)


def test_a_worker_killed_mid_write_loses_nothing_and_converges(cluster: Cluster) -> None:
    acknowledged: dict[str, str] = {}  # id -> "stored" | "deleted", as the server confirmed
    stop = threading.Event()
    lock = threading.Lock()

    def writer(number: int) -> None:
        rng = random.Random(number)
        with _random_client(cluster) as http:
            count = 0
            while not stop.is_set():
                count += 1
                entity_id = f"js-w{number}-{count}"
                body = factories.seeker(entity_id, rng.choice(OCCUPATIONS)).model_dump(mode="json")
                try:
                    response = http.post("/jobseekers", json=body)
                except httpx.HTTPError:  # the connection's worker was killed: unknown outcome
                    continue
                if response.status_code == 201:
                    with lock:
                        acknowledged[entity_id] = "stored"
                    if count % 3 == 0:
                        try:
                            if http.delete(f"/jobseekers/{entity_id}").status_code == 204:
                                with lock:
                                    acknowledged[entity_id] = "deleted"
                        except httpx.HTTPError:  # killed before answering: the delete may have committed
                            with lock:
                                acknowledged.pop(entity_id)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    victims = _workers(cluster.base, {})
    victim = sorted(victims)[0]
    for client in victims.values():
        client.close()
    os.kill(int(victim.rsplit(":", 1)[1]), signal.SIGKILL)
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    storage = Storage(cluster.settings.resolved_database_url)
    stored = {s.id for s in storage.jobseekers.iter_all()}
    storage.dispose()
    assert acknowledged, "no write was acknowledged"
    assert all((entity_id in stored) == (state == "stored") for entity_id, state in acknowledged.items())

    deadline = time.monotonic() + 60  # uvicorn starts a new worker; it loads the saved index and catches up
    while True:
        workers = _workers(cluster.base, {}, attempts=5)  # light polling: the new worker is starting
        names = set(workers)
        for client in workers.values():
            client.close()
        if len(names) == WORKERS and victim not in names:
            break
        assert time.monotonic() < deadline, (
            f"no new worker replaced {victim}: {sorted(names)}; supervisor running: "
            f"{cluster.process.poll() is None}\n{_server_events(cluster)}"
        )
        time.sleep(0.5)
    _check_converges(cluster, time.monotonic(), "a worker killed mid-write and replaced")
