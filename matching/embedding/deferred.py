"""An embedder that loads in a background thread while the process goes on with other work.

The English model beside the multilingual one only links English free text, which the service builds beside
serving anyway. Loading it (sentence-transformers and torch: 4–6 s on two cores) need not hold up indexing:
it loads while the multilingual model embeds the profiles, and the first use waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from matching.embedding.base import Embedder


class DeferredEmbedder:
    """Starts building its embedder at once, in a daemon thread; every attribute waits for it.

    A failed load (a model name that does not resolve, say) is raised, as it was raised in the thread, by
    :meth:`wait` and by every use, so it is never silently lost."""

    def __init__(self, build: Callable[[], Embedder], name: str):
        self._name = name
        self._embedder: Embedder | None = None
        self._error: BaseException | None = None
        self._loaded = threading.Event()
        self._thread = threading.Thread(target=self._load, args=(build,), name=f"load {name}", daemon=True)
        self._thread.start()

    def _load(self, build: Callable[[], Embedder]) -> None:
        try:
            self._embedder = build()
        except BaseException as exc:  # re-raised in the caller's thread by wait()
            self._error = exc
        finally:
            self._loaded.set()

    def wait(self) -> Embedder:
        """The embedder, once loaded (the load's error, if it failed)."""
        self._loaded.wait()
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
        state = "loaded" if self.loaded else "loading"
        return f"DeferredEmbedder({self._name!r}, {state})"
