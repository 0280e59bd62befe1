"""The load test script runs end to end on loopback and reports its table (a smoke test, not a benchmark)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_load_script_reports_throughput_latency_and_errors() -> None:
    command = [sys.executable, "benchmarks/load.py", "--jobseekers", "40", "--vacancies", "8", "--requests", "60",
               "--clients", "2", "--workers", "1", "--warmup", "0", "--seconds", "60"]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| endpoint | requests | requests/s | p50 ms | p99 ms | errors |" in result.stdout
    total = re.search(
        r"\| \*\*total\*\* \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \|", result.stdout
    )
    assert total is not None, result.stdout
    requests, per_second, p50, p99, errors = total.groups()
    assert (int(requests), int(errors)) == (60, 0)
    assert float(per_second) > 0 and 0 < float(p50) <= float(p99)
