"""Bounded load test of the API on loopback: demo data, a real uvicorn, N concurrent advisor clients.

    .venv/bin/python benchmarks/load.py                       # 3,000 job seekers, 300 vacancies, hashing embedder
    .venv/bin/python benchmarks/load.py --embedder model      # the packaged MiniLM model instead
    .venv/bin/python benchmarks/load.py --workers 1 --clients 4 --requests 500

Builds the synthetic Leipzig data set in a temporary folder (as ``skillbridge demo`` does), starts uvicorn on
127.0.0.1 (several workers run on uvloop: uvicorn's default loop adds ~44 ms per keep-alive request with more
than one worker), sends at most ``--requests`` requests or runs for at most ``--seconds``, whichever comes
first, prints a markdown table (requests/s, p50/p99 latency, errors) and stops the server. Every request
carries an advisor key, so authentication and the audit log are part of what is measured. Nothing leaves
the machine: the server listens on 127.0.0.1 and the clients only talk to it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

HOST = "127.0.0.1"  # loopback only, never configurable
ENDPOINTS = (  # (name, share of requests)
    ("GET /vacancies/{id}/candidates", 0.4),
    ("GET /jobseekers/{id}/vacancies", 0.3),
    ("GET /jobseekers/{id}", 0.2),
    ("GET /vacancies?limit=20", 0.1),
)


def build_data(
    data_dir: Path, jobseekers: int, vacancies: int, embedder: str
) -> tuple[str, list[str], list[str]]:
    """The demo's building blocks: generate, store, index, save; returns an advisor key and the ids."""
    from matching.bootstrap import build_matcher
    from matching.cli.demo import DEMO_ORGANISATION, employer_id
    from matching.config import Settings
    from matching.ingest.synthetic import LeipzigGenerator

    settings = Settings(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'load.db'}", embedding_model=embedder
    )  # type: ignore[call-arg]
    matcher = build_matcher(settings)
    dataset = LeipzigGenerator(matcher.taxonomy, seed=7).generate(jobseekers, vacancies)
    offers = [v.model_copy(update={"employer_id": employer_id(v.employer)}) for v in dataset.vacancies]
    matcher.bulk_load(dataset.jobseekers, offers, organisation=DEMO_ORGANISATION)
    key = matcher.storage.keys.create("advisor", DEMO_ORGANISATION, label="load test")[1]
    matcher.close()
    return key, [s.id for s in dataset.jobseekers], [v.id for v in offers]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, embedder: str, workers: int, port: int) -> subprocess.Popen:
    env = os.environ | {
        "SKILLBRIDGE_DATA_DIR": str(data_dir),
        "SKILLBRIDGE_DATABASE_URL": f"sqlite:///{data_dir / 'load.db'}",
        "SKILLBRIDGE_EMBEDDING_MODEL": embedder,
    }
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", HOST]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if workers > 1:
        command += ["--loop", "uvloop"]
    return subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[1])


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up")


def run_clients(
    base: str, key: str, seekers: list[str], vacancies: list[str], clients: int, budget: int, seconds: float
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    remaining = [budget]
    deadline = time.monotonic() + seconds
    names = [name for name, _ in ENDPOINTS]
    weights = [share for _, share in ENDPOINTS]

    def client(number: int) -> None:
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {key}", "X-Purpose": "load test"}
        with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as http:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                name = rng.choices(names, weights)[0]
                path = {
                    names[0]: lambda: f"/vacancies/{rng.choice(vacancies)}/candidates?k=20",
                    names[1]: lambda: f"/jobseekers/{rng.choice(seekers)}/vacancies?k=20",
                    names[2]: lambda: f"/jobseekers/{rng.choice(seekers)}",
                    names[3]: lambda: (
                        f"/vacancies?limit=20&offset={rng.randrange(max(1, len(vacancies) - 20))}"
                    ),
                }[name]()
                started = time.perf_counter()
                try:
                    ok = http.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    latencies[name].append(elapsed)
                    if not ok:
                        errors[name] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def server_cpu_seconds(root: int) -> float:
    """User + system CPU time of the server and its worker processes so far (Linux /proc; NaN elsewhere).

    The host is shared, so requests/s swing with the neighbours' load; CPU seconds per request barely do,
    which makes it the figure to compare two versions by."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    if not stats:
        return float("nan")
    tree, total = {root}, 0.0
    for pid in sorted(stats):  # children have larger pids than their parents here
        parent, cpu = stats[pid]
        if pid == root or parent in tree:
            tree.add(pid)
            total += cpu
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else float("nan")
    )


def report(latencies: dict[str, list[float]], errors: dict[str, int], elapsed: float, title: str) -> str:
    rows = [
        f"**{title}**",
        "",
        "| endpoint | requests | requests/s | p50 ms | p99 ms | errors |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    everything: list[float] = []
    for name, _ in ENDPOINTS:
        values = latencies.get(name, [])
        everything += values
        rows.append(
            f"| {name} | {len(values)} | {len(values) / elapsed:.1f} | {1000 * percentile(values, 50):.1f} "
            f"| {1000 * percentile(values, 99):.1f} | {errors.get(name, 0)} |"
        )
    rows.append(
        f"| **total** | {len(everything)} | {len(everything) / elapsed:.1f} | {1000 * percentile(everything, 50):.1f} "
        f"| {1000 * percentile(everything, 99):.1f} | {sum(errors.values())} |"
    )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobseekers", type=int, default=3000)
    parser.add_argument("--vacancies", type=int, default=300)
    parser.add_argument("--embedder", choices=["hashing", "model"], default="hashing")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (uvloop when more than one)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=2000, help="stop after this many requests")
    parser.add_argument("--seconds", type=float, default=30, help="or after this long")
    parser.add_argument("--warmup", type=int, default=50, help="requests sent first and not counted")
    args = parser.parse_args()

    embedder = "hashing-384" if args.embedder == "hashing" else "packaged:all-MiniLM-L6-v2"
    data_dir = Path(tempfile.mkdtemp(prefix="skillbridge-load-"))
    server: subprocess.Popen | None = None
    try:
        started = time.perf_counter()
        key, seekers, vacancies = build_data(data_dir, args.jobseekers, args.vacancies, embedder)
        print(
            f"Data: {len(seekers)} job seekers, {len(vacancies)} vacancies ({time.perf_counter() - started:.1f} s)"
        )
        port = free_port()
        base = f"http://{HOST}:{port}"
        server = start_server(data_dir, embedder, args.workers, port)
        wait_until_up(base, server)
        if args.warmup:
            run_clients(base, key, seekers, vacancies, args.clients, args.warmup, args.seconds)
        cpu_before = server_cpu_seconds(server.pid)
        latencies, errors, elapsed = run_clients(
            base, key, seekers, vacancies, args.clients, args.requests, args.seconds
        )
        cpu = server_cpu_seconds(server.pid) - cpu_before
        title = (
            f"{args.workers} worker(s){' on uvloop' if args.workers > 1 else ''}, {args.clients} clients, "
            f"{args.embedder} embedder, {len(seekers)} job seekers / {len(vacancies)} vacancies, "
            f"{elapsed:.1f} s"
        )
        print(report(latencies, errors, elapsed, title))
        served = sum(len(v) for v in latencies.values())
        print(
            f"\nServer CPU: {1000 * cpu / max(served, 1):.2f} ms per request ({cpu:.1f} s for {served} requests)"
        )
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
