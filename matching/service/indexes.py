"""The life cycle of both vector indexes: open (load or rebuild), follow the change log, save.

The database is the source of truth; its change log (:mod:`matching.store.changes`) says which rows changed.
A saved index records the log position it reflects (its stamp, ``log:<log identity>:<position>``). On start a
saved index is loaded and caught up from that position; it is rebuilt only when the log no longer reaches back
that far (pruned), belongs to another database, or the index is unreadable. So a crash, a kill or missed
wake-ups can never leave matching on stale rows. Indexes built elsewhere (shards from the cluster) carry a
fingerprint of the rows they were built from instead; such an index is loaded when it matches the database.

Catching up is state-based: for each row a log entry names, the row as it is *now* decides (stored → its
vector is upserted, gone → removed). Applying an entry twice, or entries of one's own writes, changes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matching.errors import VectorIndexError
from matching.index.saved import load_saved_index, saved_index_exists
from matching.index.vector_index import VectorIndex
from matching.pseudonyms import SECRET_NAME, erased_id
from matching.service.sides import Side
from matching.store.changes import Change, ChangeLog
from matching.store.storage import Storage

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
STALE_TEMP_SECONDS = 600
REBUILD_BATCH = 2000
CATCH_UP_BATCH = 5000
STAMP_PREFIX = "log:"


def log_stamp(identity: str, position: int) -> str:
    return f"{STAMP_PREFIX}{identity}:{position}"


def parse_log_stamp(stamp: str) -> tuple[str, int] | None:
    if not stamp.startswith(STAMP_PREFIX):
        return None
    identity, _, position = stamp.removeprefix(STAMP_PREFIX).rpartition(":")
    return (identity, int(position)) if identity and position.isdigit() else None


class IndexKeeper:
    """Keeps each side's index in step with its rows; ``index_dir=None`` keeps indexes in memory only."""

    def __init__(
        self,
        sides: Sequence[Side[Any]],
        index_dir: Path | None,
        model_id: str,
        storage: Storage,
    ):
        self.sides = list(sides)
        self.index_dir = index_dir
        self.model_id = model_id
        self.changes: ChangeLog = storage.changes
        self.erasure_secret: Callable[[], bytes] = lambda: storage.secret(SECRET_NAME)
        self.shares_changed: Callable[[], None] = storage.shares.invalidate
        self._catching_up = threading.Lock()

    def open(self, progress: Progress | None = None) -> dict[str, str]:
        """Load each saved index that the log can bring up to date, else rebuild it; then catch up."""
        outcome = {side.name: self._load_or_rebuild(side, progress) for side in self.sides}
        self.catch_up()
        return outcome

    def path(self, side: Side[Any]) -> Path | None:
        return self.index_dir / f"{side.name}.npz" if self.index_dir else None

    def _load_or_rebuild(self, side: Side[Any], progress: Progress | None) -> str:
        path = self.path(side)
        if path is not None:
            remove_stale_temp_files(path)
        if path is not None and saved_index_exists(path):
            identity = self.changes.identity()
            _, horizon, head = self.changes.state()
            fingerprints: list[str] = []

            def position_of(stamp: str) -> int | None:
                parsed = parse_log_stamp(stamp)
                if parsed is not None:
                    same_log = parsed[0] == identity and horizon <= parsed[1] <= head
                    return parsed[1] if same_log else None
                if (
                    not fingerprints
                ):  # a fingerprint of rows: read after the head, so catching up covers the rest
                    fingerprints.append(side.repo.fingerprint())
                return head if stamp == fingerprints[0] else None

            try:
                loaded = load_saved_index(path, lambda stamp: position_of(stamp) is not None, self.model_id)
            except VectorIndexError as exc:
                log.warning("Index %s is unreadable (%s); rebuilding from the database.", side.name, exc)
            else:
                position = position_of(loaded.fingerprint)
                if loaded.dim == side.index.dim and position is not None:
                    side.index, side.position, side.identity = loaded, position, identity
                    return "loaded"
                log.info("Index %s cannot be brought up to date from the change log; rebuilding.", side.name)
        self.rebuild(side, progress)
        return "rebuilt"

    def rebuild_all(self, progress: Progress | None = None) -> None:
        for side in self.sides:
            self.rebuild(side, progress)

    def rebuild(self, side: Side[Any], progress: Progress | None = None) -> None:
        """A fresh index from every row, swapped in whole and saved."""
        with side.write_lock:
            identity = self.changes.identity()
            _, _, head = self.changes.state()  # before reading: later changes are caught up (idempotently)
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
            side.index, side.position, side.identity = fresh, head, identity
            side.own_writes.clear()
            side.repo.clear_cache()
            self.save(side)

    # -- following the change log -----------------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply every committed change after each side's position; returns how many entries were read."""
        with self._catching_up:
            return self._catch_up()

    def _catch_up(self) -> int:
        identity, horizon, head = self.changes.state()
        for side in self.sides:
            if side.identity != identity or side.position < horizon or side.position > head:
                log.warning("The change log no longer covers index %s; rebuilding it.", side.name)
                self.rebuild(side)
        read = 0
        while True:
            start = min(side.position for side in self.sides)
            batch = self.changes.since(start, CATCH_UP_BATCH)
            if not batch:
                return read
            read += len(batch)
            for side in self.sides:
                self._apply(side, [c for c in batch if c.kind == side.kind and c.seq > side.position])
                side.position = max(side.position, batch[-1].seq)
            if len(batch) < CATCH_UP_BATCH:
                return read

    def _apply(self, side: Side[Any], changes: list[Change]) -> None:
        """Bring the rows ``changes`` name into the index as they are now (held under the write lock, so a
        concurrent write of this process lands after it, never under it)."""
        if not changes:
            return
        written = list(dict.fromkeys(c.entity_id for c in changes if c.op == "write"))
        erased = {c.entity_id for c in changes if c.op == "erase"}
        if side.kind == "jobseeker":  # a share, revocation or hand-over is logged as a write of the person
            self.shares_changed()
        with side.write_lock:
            if erased:
                secret = self.erasure_secret()
                gone = [i for i in side.index.ids() if erased_id(secret, i) in erased]
                side.index.remove(gone)
                side.repo.forget_cached(gone)
            digests = side.repo.digests(written)
            absent = [i for i in written if i not in digests]
            for entity_id in absent:
                side.own_writes.pop(entity_id, None)
            stale = [i for i, d in digests.items() if side.own_writes.pop(i, None) != d]
            side.repo.forget_cached(stale + absent)
            fresh = side.repo.get_many(stale)
            if fresh:
                side.index.upsert(list(fresh), side.encode(list(fresh.values())))
            side.index.remove(absent + [i for i in stale if i not in fresh])

    # -- saving -----------------------------------------------------------------------------------------

    def save(self, side: Side[Any]) -> None:
        """Write the side's index with the log position it reflects (callers hold the side's write lock)."""
        path = self.path(side)
        if path is not None:
            side.index.fingerprint = log_stamp(side.identity or "", side.position)
            side.index.save(path)

    def save_all(self) -> None:
        """Catch up, then persist both indexes (callers: shutdown, CLI)."""
        try:
            self.catch_up()
        except Exception as exc:
            log.warning("Could not catch up before saving the indexes: %s", type(exc).__name__)
        for side in self.sides:
            with side.write_lock:
                self.save(side)


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
