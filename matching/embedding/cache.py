"""A content-hash cache in front of any embedder: the same text is never embedded twice."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import numpy as np

from matching.embedding.base import Embedder, embed_queries, is_asymmetric, is_multilingual, similarity_floor


class CachedEmbedder:
    """Wraps an embedder with a content-hash cache: the same text is never embedded twice.

    The cache lives in memory (the ``memory_size`` most recently used vectors) and, when ``path`` is given,
    in a SQLite file that survives restarts. Keys hash the model id and the role (passage or query) with the
    text, so switching models never returns stale vectors.
    """

    def __init__(self, inner: Embedder, path: str | Path | None = None, memory_size: int = 100_000):
        self._inner = inner
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memory_size = memory_size
        self._lock = threading.Lock()
        self._local = threading.local()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")  # forgotten vectors are overwritten, not left behind
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )
        self.hits = 0
        self.misses = 0

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dim(self) -> int:
        return self._inner.dim

    @property
    def asymmetric(self) -> bool:
        return is_asymmetric(self._inner)

    @property
    def multilingual(self) -> bool:
        return is_multilingual(self._inner)

    @property
    def similarity_floor(self) -> float:
        return similarity_floor(self._inner)

    def known_words(self) -> frozenset[str]:
        words = getattr(self._inner, "known_words", None)
        return words() if words is not None else frozenset()

    def _key(self, text: str, query: bool = False) -> str:
        # Passages keep the key they always had; queries of models that tell them apart get their own.
        role = "\0query" if query and self.asymmetric else ""
        return hashlib.sha256(f"{self._inner.model_id}{role}\0{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passages (concept labels and descriptions), cached."""
        return self._cached(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Queries (titles, free text), cached: for stored profiles, whose texts erasure forgets. Inside
        :meth:`transient` (a what-if of data that is not stored), nothing new is written."""
        return self._cached(texts, query=True)

    @contextmanager
    def transient(self) -> Iterator[None]:
        """In this thread, texts are embedded without being cached (what is cached already is used)."""
        previous = getattr(self._local, "transient", False)
        self._local.transient = True
        try:
            yield
        finally:
            self._local.transient = previous

    def _cached(self, texts: Sequence[str], query: bool) -> np.ndarray:
        keys = [self._key(t, query) for t in texts]
        result: dict[str, np.ndarray] = {}
        with self._lock:
            for key in keys:
                if key in self._memory:
                    result[key] = self._memory[key]
                    self._memory.move_to_end(key)
            wanted = [k for k in dict.fromkeys(keys) if k not in result]
            if wanted and self._db is not None:
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk
                    )
                    for key, blob in rows:
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (self.dim,):
                            result[key] = self._memory[key] = vector
        todo_keys = [k for k in dict.fromkeys(keys) if k not in result]
        self.hits += len(keys) - len(todo_keys)
        self.misses += len(todo_keys)
        if todo_keys:
            text_of = dict(zip(keys, texts, strict=True))
            todo = [text_of[k] for k in todo_keys]
            vectors = embed_queries(self._inner, todo) if query else self._inner.embed(todo)
            keep = not getattr(self._local, "transient", False)  # what-if data: used, never kept
            with self._lock:
                for key, vector in zip(todo_keys, vectors, strict=True):
                    result[key] = vector
                    if keep:
                        self._memory[key] = vector
                if keep and self._db is not None:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                        [(k, result[k].astype(np.float32).tobytes()) for k in todo_keys],
                    )
        with self._lock:
            while len(self._memory) > self._memory_size:
                self._memory.popitem(last=False)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([result[k] for k in keys]).astype(np.float32, copy=False)

    def embed_transient(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries that must not be kept (free text sent for linking): no cache is written."""
        return embed_queries(self._inner, list(texts)) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def forget(self, texts: Sequence[str]) -> int:
        """Delete the cached vectors of these texts from memory and disk (erasure); returns how many there were.

        The write-ahead log is checkpointed and emptied, so no copy of a forgotten vector stays in the files.
        """
        keys = list(dict.fromkeys(self._key(t, query) for t in texts for query in (False, True)))
        removed: set[str] = set()
        with self._lock:
            removed.update(k for k in keys if self._memory.pop(k, None) is not None)
            if self._db is not None and keys:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    found = self._db.execute(f"SELECT key FROM embeddings WHERE key IN ({marks})", chunk)
                    removed.update(key for (key,) in found)
                    self._db.execute(f"DELETE FROM embeddings WHERE key IN ({marks})", chunk)
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(removed)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def transient(embedder: object) -> AbstractContextManager[None]:
    """Free text embedded within is not cached (what-if data that is never stored); any embedder."""
    enter = getattr(embedder, "transient", None)
    return enter() if enter is not None else nullcontext()
