"""Consistency under faults: kill -9 in the middle of a bulk import and of an index save, then restart.

The database is the source of truth: after a restart either all rows of the import exist or none, every
write acknowledged before the crash is there, and the index holds exactly the database's rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.index.vector_index import VectorIndex
from matching.service import Matcher
from matching.store.storage import Storage
from matching.taxonomy import Taxonomy
from tests import mini_esco as m
from tests.factories import seeker

ROOT = Path(__file__).resolve().parents[1]
ROWS = 5000


def _big_csv(path: Path) -> Path:
    lines = ["id,qualifications,skill_uris,skills_text,languages,home_place,work_authorisation_status"]
    occupations = [m.NURSE, m.FORKLIFT, m.ELECTRICIAN, m.NURSING_ASSISTANT]
    skills = [m.MEDICATION, m.FORKLIFT_DRIVING, m.WIRING, m.HYGIENE]
    for i in range(ROWS):
        lines.append(
            f"imp-{i:05d},{occupations[i % 4]}|UA,{skills[i % 4]},Erfahrung {i % 97},de:B1;uk:C2,Leipzig,permitted"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _run_until(args: list[str], marker: Path, timeout: float = 60) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "tests.crash_worker", *args], cwd=ROOT)
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"worker exited with {process.returncode} before reaching the marker")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("worker never reached the marker")
        time.sleep(0.02)
    return process


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


@pytest.mark.parametrize(("stage", "imported"), [("store", 0), ("committed", ROWS)])
def test_kill_during_bulk_import_then_restart(
    database_url: str, mini_esco_dir: Path, taxonomy: Taxonomy, tmp_path: Path, stage: str, imported: int
) -> None:
    index_dir = tmp_path / "indexes"
    storage = Storage(database_url)
    storage.clear()
    before = Matcher(taxonomy, CachedEmbedder(HashingEmbedder(64)), storage, index_dir)
    before.open()
    before.create_jobseeker(seeker("js-before"))
    before.close()

    marker = tmp_path / "marker"
    args = [
        "import",
        database_url,
        str(mini_esco_dir),
        str(index_dir),
        str(_big_csv(tmp_path / "people.csv")),
    ]
    process = _run_until([*args, str(marker), stage], marker)
    _kill(process)

    storage = Storage(database_url)
    try:
        after = Matcher(taxonomy, CachedEmbedder(HashingEmbedder(64)), storage, index_dir)
        # The saved index is caught up from the change log to exactly the database's rows.
        assert after.open()["jobseekers"] == "loaded"
        ids = {s.id for s in storage.jobseekers.iter_all()}
        assert len([i for i in ids if i.startswith("imp-")]) == imported  # all or nothing
        assert {"js-before", "js-ack"} <= ids  # acknowledged writes survive
        assert set(after.seekers.index.ids()) == ids
        fresh = Matcher(taxonomy, CachedEmbedder(HashingEmbedder(64)), storage, None)
        fresh.open()
        for entity_id in ids:
            assert after.seekers.index.vector(entity_id) == pytest.approx(
                fresh.seekers.index.vector(entity_id)
            )
        assert len(after.seekers.index) == storage.jobseekers.count() == imported + 2
        assert storage.audit.query(action="create")[1] == imported  # the import's audit entries went with it
        assert after.rank_vacancies(seeker("probe"), k=1).items == []  # the service works (no vacancies)
    finally:
        storage.clear()
        storage.dispose()


def test_kill_during_index_save_leaves_a_loadable_index(tmp_path: Path) -> None:
    path = tmp_path / "indexes" / "jobseekers.npz"
    path.parent.mkdir()
    marker = tmp_path / "marker"
    process = _run_until(["save", str(path), str(marker)], marker)
    time.sleep(0.4)  # somewhere in the next saves (each writes a few MB)
    _kill(process)
    loaded = VectorIndex.load(path)
    assert len(loaded) > 0 and len(loaded) % 2000 == 0  # one complete save, never a mix
    assert all(name.startswith("e-") for name in loaded.ids())


def test_restart_removes_temp_files_of_interrupted_saves(matcher: Matcher, tmp_path: Path) -> None:
    index_dir = tmp_path / "indexes"
    old, fresh = index_dir / ".jobseekers.npz.abc123", index_dir / ".jobseekers.npz.def456"
    for leftover in (old, fresh):
        leftover.write_bytes(b"half an index")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    Matcher(matcher.taxonomy, matcher.encoder.embedder, matcher.storage, index_dir).open()
    assert not old.exists() and fresh.exists()  # a fresh one may be another process's save in progress
