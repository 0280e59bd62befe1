"""Subprocesses for the crash tests (tests/test_crash.py): work, say where they are, then wait to be killed.

python -m tests.crash_worker import URL ESCO INDEX_DIR FILE MARKER STAGE
    acknowledges one write (js-ack), then imports FILE; STAGE "store" stops halfway through the database
    transaction, "committed" after the commit but before the index is saved.
python -m tests.crash_worker save INDEX_FILE MARKER
    saves a growing index to INDEX_FILE over and over.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np


def _wait(marker: Path, text: str) -> None:
    marker.write_text(text)
    time.sleep(120)  # the test kills us long before
    raise SystemExit("not killed")


def run_import(url: str, esco: str, index_dir: str, file: str, marker: str, stage: str) -> None:
    from matching.access import command_line_actor
    from matching.embedding.cache import CachedEmbedder
    from matching.embedding.hashing import HashingEmbedder
    from matching.service import Matcher
    from matching.store.storage import Storage
    from matching.taxonomy.esco import load_esco
    from tests.factories import seeker

    matcher = Matcher(
        load_esco(Path(esco)), CachedEmbedder(HashingEmbedder(64)), Storage(url), Path(index_dir)
    )
    matcher.open()
    matcher.create_jobseeker(seeker("js-ack"))  # returned: acknowledged

    def progress(done: int, total: int) -> None:
        if stage == "store" and done >= total // 2:
            _wait(Path(marker), f"inside the transaction after {done} of {total} rows")

    actor = command_line_actor("default", "bulk import")
    matcher.import_file("jobseeker", Path(file).read_bytes(), Path(file).name, actor, progress=progress)
    _wait(Path(marker), "committed, index not saved")


def run_saves(path: str, marker: str) -> None:
    from matching.index.vector_index import VectorIndex

    rng = np.random.default_rng(0)
    index = VectorIndex(64)
    for round_ in range(1_000_000):
        vectors = rng.normal(size=(2000, 64)).astype(np.float32)
        index.upsert([f"e-{round_}-{i}" for i in range(2000)], vectors)
        index.save(path)
        if round_ == 0:
            Path(marker).write_text("saved once")


if __name__ == "__main__":
    if sys.argv[1] == "import":
        run_import(*sys.argv[2:8])
    else:
        run_saves(*sys.argv[2:4])
