"""An embedder that is loaded on its first use.

The English model beside the multilingual one only links English free text, and the service builds its
linkers beside serving anyway. Loading it (sentence-transformers and torch: 4–6 s on two cores) therefore
need not hold up indexing and the first answers: it loads with the linkers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from matching.embedding.base import Embedder


class DeferredEmbedder:
    """Builds its embedder once, on first use, in whichever thread gets there first; every attribute waits for
    the build.

    A failed build (a model name that does not resolve, say) is raised by :meth:`wait` and by every use, so it
    is never silently lost."""

    def __init__(self, build: Callable[[], Embedder], name: str):
        self._name = name
        self._build = build
        self._embedder: Embedder | None = None
        self._error: BaseException | None = None
        self._loaded = threading.Event()
        self._lock = threading.Lock()  # one build; other threads wait for it

    def _load(self) -> None:
        with self._lock:
            if self._loaded.is_set():
                return
            try:
                self._embedder = self._build()
            except BaseException as exc:  # re-raised by wait(), in every thread that asks
                self._error = exc
            finally:
                self._loaded.set()

    def wait(self) -> Embedder:
        """The embedder, built now unless it is built or being built (the build's error, if it failed)."""
        if not self._loaded.is_set():
            self._load()
        if self._error is not None:
            raise self._error
        assert self._embedder is not None
        return self._embedder

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def __getattr__(self, name: str) -> Any:
        # Only reached for what this class does not define: everything an embedder offers (none of it private).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.wait(), name)

    def __repr__(self) -> str:
        return f"DeferredEmbedder({self._name!r}, {'loaded' if self.loaded else 'not loaded'})"
