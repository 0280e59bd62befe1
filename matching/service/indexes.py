"""The life cycle of both vector indexes: open (load or rebuild), rebuild, save with a fingerprint.

The database is the source of truth. Indexes are saved with a fingerprint of the rows they were built from; on
start-up an index whose fingerprint no longer matches the database is rebuilt, so a crash can never leave
matching on stale data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matching.errors import VectorIndexError
from matching.index.saved import load_saved_index, saved_index_exists
from matching.index.vector_index import VectorIndex
from matching.service.sides import Side

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
STALE_TEMP_SECONDS = 600
REBUILD_BATCH = 2000


class IndexKeeper:
    """Keeps each side's index in step with its rows; ``index_dir=None`` keeps indexes in memory only."""

    def __init__(self, sides: Sequence[Side[Any]], index_dir: Path | None, model_id: str):
        self.sides = list(sides)
        self.index_dir = index_dir
        self.model_id = model_id

    def open(self, progress: Progress | None = None) -> dict[str, str]:
        """Load each saved index if it matches the database, else rebuild it. Returns what happened."""
        return {side.name: self._load_or_rebuild(side, progress) for side in self.sides}

    def path(self, side: Side[Any]) -> Path | None:
        return self.index_dir / f"{side.name}.npz" if self.index_dir else None

    def _load_or_rebuild(self, side: Side[Any], progress: Progress | None) -> str:
        path = self.path(side)
        if path is not None:
            remove_stale_temp_files(path)
        if path is not None and saved_index_exists(path):
            fingerprint = side.repo.fingerprint()
            try:
                loaded = load_saved_index(path, fingerprint, self.model_id)
            except VectorIndexError as exc:
                log.warning("Index %s is unreadable (%s); rebuilding from the database.", side.name, exc)
            else:
                if loaded.dim == side.index.dim and loaded.fingerprint == fingerprint:
                    side.index = loaded
                    return "loaded"
                log.info("Index %s does not match the database; rebuilding.", side.name)
        self.rebuild(side, progress)
        return "rebuilt"

    def rebuild_all(self, progress: Progress | None = None) -> None:
        for side in self.sides:
            self.rebuild(side, progress)

    def rebuild(self, side: Side[Any], progress: Progress | None = None) -> None:
        """A fresh index from every row, swapped in whole and saved."""
        with side.write_lock:
            fresh = VectorIndex(side.index.dim)
            total = side.repo.count()
            done = 0
            chunk: list[Any] = []
            for item in side.repo.iter_all():
                chunk.append(item)
                if len(chunk) == REBUILD_BATCH:
                    fresh.upsert([i.id for i in chunk], side.encode(chunk))
                    done += len(chunk)
                    chunk = []
                    if progress:
                        progress(done, total)
            if chunk:
                fresh.upsert([i.id for i in chunk], side.encode(chunk))
                done += len(chunk)
            if progress:
                progress(done, total)
            fresh.fingerprint = side.repo.fingerprint()
            side.index = fresh
            self.save(side)

    def save(self, side: Side[Any]) -> None:
        """Write the side's index as it is (callers hold the side's write lock)."""
        path = self.path(side)
        if path is not None:
            side.index.save(path)

    def save_with_fingerprint(self, side: Side[Any]) -> None:
        """Record the rows the index now matches, then save it (callers hold the side's write lock)."""
        side.index.fingerprint = side.repo.fingerprint()
        self.save(side)

    def save_all(self) -> None:
        """Persist both indexes with a fresh fingerprint (callers: shutdown, CLI)."""
        for side in self.sides:
            with side.write_lock:
                self.save_with_fingerprint(side)


def remove_stale_temp_files(path: Path) -> None:
    """Index saves write a temp file and rename it; a process killed in between leaves the temp file behind.

    Only old ones go: a fresh one may belong to another process saving right now."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                log.info("Removed %s, left by an interrupted index save.", leftover.name)
        except FileNotFoundError:  # removed by someone else meanwhile
            pass
