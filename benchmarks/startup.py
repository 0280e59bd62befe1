"""How long `skillbridge demo` takes on a first start: to its "Ready" line and to the first answered request.

    .venv/bin/python benchmarks/startup.py              # 3 starts, each in a new data folder
    .venv/bin/python benchmarks/startup.py --runs 5 --port 8765

Each run starts the demo as a user does (the installed ``skillbridge`` command, default data set and models) in
a new temporary data folder, so the embedding cache is empty as on a fresh install; it measures the seconds
from the command to the "Ready in" line, the demo's own count (which starts after the command has been
imported), to the first answered ``GET /health``, and to "Free-text linking ready" (the linkers built beside
serving), then stops the server. Prints a markdown table with every run and the median. The server listens on
127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
READY = re.compile(r"Ready in ([0-9.]+) s")


def one_start(port: int, timeout: float) -> dict[str, float]:
    """Seconds from the command to: its own "Ready" count, "Ready" seen, first /health answer, linking ready."""
    command = [str(Path(sys.executable).parent / "skillbridge"), "demo", "--host", HOST, "--port", str(port)]
    with tempfile.TemporaryDirectory(prefix="skillbridge-startup-") as folder:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "--data-dir", folder],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        times: dict[str, float] = {}

        def read_output() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                now = time.perf_counter() - started
                if (match := READY.search(line)) and "ready" not in times:
                    times["ready (own count)"], times["ready"] = float(match.group(1)), now
                if "Free-text linking ready" in line:
                    times["linking ready"] = now

        reader = threading.Thread(target=read_output, daemon=True)
        reader.start()
        try:
            while "first answer" not in times:
                if process.poll() is not None:
                    raise RuntimeError(f"the demo exited with status {process.returncode}")
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"no answer within {timeout:.0f} s")
                try:
                    with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=1) as reply:
                        if reply.status == 200:
                            times["first answer"] = time.perf_counter() - started
                except OSError:
                    time.sleep(0.05)
            while "linking ready" not in times and time.perf_counter() - started < timeout:
                time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
            reader.join(5)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per start before giving up")
    args = parser.parse_args()
    columns = ("ready (own count)", "ready", "first answer", "linking ready")
    runs = [one_start(args.port, args.timeout) for _ in range(args.runs)]
    print("| run | " + " | ".join(f"{c}, s" for c in columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for i, run in enumerate(runs, 1):
        print(f"| {i} | " + " | ".join(_cell([run[c]] if c in run else []) for c in columns) + " |")
    print("| median | " + " | ".join(_cell([r[c] for r in runs if c in r]) for c in columns) + " |")


def _cell(seconds: list[float]) -> str:
    return f"{statistics.median(seconds):.1f}" if seconds else "–"


if __name__ == "__main__":
    main()
