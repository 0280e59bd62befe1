"""Following the change log in the background: what keeps every serving process's view equal to the database.

Each process (uvicorn worker, replica on another machine) runs one :class:`ChangeFollower`. It polls the log
a few times a second (one indexed query, plus two tiny ones), applies what other processes committed, and every
few seconds reports its position, so ``/health`` can say how far behind each process is. While it runs, the
documents cached for matching are trusted without asking the database for their digest: the follower drops
exactly the ones that changed. Writes of the process itself are visible to it at once (written through).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from matching.service.indexes import IndexKeeper

log = logging.getLogger(__name__)

FOLLOW_INTERVAL = 0.25  # seconds between polls: changes reach every process well within a second
REPORT_INTERVAL = 5.0  # seconds between position reports
PRUNE_INTERVAL = 3600.0
LOG_RETENTION = dt.timedelta(days=7)  # an index saved longer ago than this is rebuilt, not caught up


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ChangeFollower:
    def __init__(
        self,
        keeper: IndexKeeper,
        interval: float = FOLLOW_INTERVAL,
        name: str | None = None,
        after: Callable[[], object] | None = None,
    ):
        self.keeper = keeper
        self.after = after  # run after each catch-up (alerts on saved searches)
        self.interval = interval
        self.name = name or process_name()
        self.last_caught_up: float | None = None  # time.monotonic() of the last successful poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reported = 0.0
        self._pruned = time.monotonic()

    def start(self) -> ChangeFollower:
        for side in self.keeper.sides:
            side.repo.cache_followed = True
        self._thread = threading.Thread(target=self._run, name="follow-changes", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for side in self.keeper.sides:
            side.repo.cache_followed = False

    def poll(self) -> None:
        """One round: catch up, and report or prune when it is time."""
        self.keeper.catch_up()
        if self.after is not None:
            self.after()
        now = time.monotonic()
        self.last_caught_up = now
        if now - self._reported >= REPORT_INTERVAL:
            self.keeper.changes.report(self.name, min(s.position for s in self.keeper.sides))
            self._reported = now
        if now - self._pruned >= PRUNE_INTERVAL:
            self._pruned = now
            cutoff = dt.datetime.now(dt.UTC) - LOG_RETENTION
            self.keeper.changes.prune(cutoff)
            self.keeper.changes.forget_followers(cutoff)

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                self.poll()
                if failing:
                    log.info("Following the change log again.")
                failing = False
            except Exception as exc:
                if not failing:  # once per outage, without the statement (it could quote personal data)
                    log.warning("Cannot follow the change log (%s); retrying.", type(exc).__name__)
                failing = True
            self._stop.wait(self.interval)
