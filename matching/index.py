"""A FAISS inner-product index with stable string ids, updates, removal and safe save/load.

FAISS itself knows only int64 ids, pads missing results with -1, silently accepts float64 and aborts on
wrong dimensions. This wrapper checks all of that once: callers get clear errors and never see -1.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

from matching.errors import VectorIndexError

_FORMAT = 1


class VectorIndex:
    def __init__(self, dim: int):
        if not isinstance(dim, int) or dim < 1:
            raise VectorIndexError(f"The 'dim' parameter must be a positive int. Got {dim!r} instead.")
        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._ids: dict[str, int] = {}
        self._names: dict[int, str] = {}
        self._next = 0
        # Searches may run concurrently; mutations take the lock so readers never see half an update.
        self._lock = threading.RLock()
        self.fingerprint = ""

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._ids

    def ids(self) -> list[str]:
        return list(self._ids)

    def _check(self, vectors: np.ndarray, what: str) -> np.ndarray:
        array = np.asarray(vectors)
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2 or array.shape[1] != self.dim:
            raise VectorIndexError(f"{what} must have shape (n, {self.dim}); got {array.shape}.")
        if not np.issubdtype(array.dtype, np.floating):
            raise VectorIndexError(f"{what} must be floating point; got dtype {array.dtype}.")
        if not np.isfinite(array).all():
            raise VectorIndexError(f"{what} contain NaN or infinite values.")
        return np.ascontiguousarray(array, dtype=np.float32)

    def upsert(self, entity_ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add vectors; an id already present is replaced (its old vector removed)."""
        array = self._check(vectors, "vectors")
        if len(entity_ids) != array.shape[0]:
            raise VectorIndexError(f"Got {len(entity_ids)} ids for {array.shape[0]} vectors.")
        if len(set(entity_ids)) != len(entity_ids):
            raise VectorIndexError("ids must be unique within one call.")
        with self._lock:
            existing = [self._ids[e] for e in entity_ids if e in self._ids]
            if existing:
                self._index.remove_ids(np.asarray(existing, dtype=np.int64))  # type: ignore[arg-type]
            numeric = []
            for entity_id in entity_ids:
                number = self._ids.get(entity_id)
                if number is None:
                    number = self._next
                    self._next += 1
                    self._ids[entity_id] = number
                    self._names[number] = entity_id
                numeric.append(number)
            self._index.add_with_ids(array, np.asarray(numeric, dtype=np.int64))

    def remove(self, entity_ids: Sequence[str]) -> int:
        with self._lock:
            numbers = [self._ids.pop(e) for e in entity_ids if e in self._ids]
            for number in numbers:
                del self._names[number]
            if numbers:
                self._index.remove_ids(np.asarray(numbers, dtype=np.int64))  # type: ignore[arg-type]
            return len(numbers)

    def vector(self, entity_id: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._index.reconstruct(self._ids[entity_id]), dtype=np.float32)

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Top-k (id, inner product) for one query, best first, ties broken by id; fewer if the index is small."""
        if not isinstance(k, int) or k < 1:
            raise VectorIndexError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")
        array = self._check(query, "query")
        if array.shape[0] != 1:
            raise VectorIndexError(f"search takes one query vector; got {array.shape[0]}.")
        with self._lock:
            n = len(self._ids)
            if n == 0:
                return []
            # FAISS breaks ties by insertion order; to break them by id, widen the search until the
            # k-th score is strictly above the last one retrieved (or everything was retrieved).
            fetch = min(n, k + 16)
            while True:
                scores, numbers = self._index.search(array, fetch)
                hits = [
                    (self._names[int(num)], float(score))
                    for score, num in zip(scores[0], numbers[0], strict=True)
                    if num != -1 and int(num) in self._names
                ]
                if fetch >= n or len(hits) <= k or hits[k - 1][1] > hits[-1][1]:
                    break
                fetch = min(n, fetch * 4)
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits[:k]

    # -- persistence -----------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index, its id map and metadata as one file, atomically (temp file + rename).

        One file means a crash leaves either the old or the new index, never a mix of the two.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            blob = faiss.serialize_index(self._index)
            names = np.asarray(list(self._ids), dtype=str)
            numbers = np.fromiter(self._ids.values(), dtype=np.int64, count=len(self._ids))
            meta = {"format": _FORMAT, "dim": self.dim, "next": self._next, "fingerprint": self.fingerprint}
        buffer = io.BytesIO()
        np.savez(buffer, index=blob, names=names, numbers=numbers, meta=np.asarray(json.dumps(meta)))
        _atomic_write(path, buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> VectorIndex:
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                index = faiss.deserialize_index(np.ascontiguousarray(data["index"]))
                names = [str(n) for n in data["names"]]
                numbers = [int(n) for n in data["numbers"]]
        except (OSError, EOFError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile) as exc:
            raise VectorIndexError(f"Cannot load index {path}: {exc}. Rebuild it from the database.") from exc
        if meta.get("format") != _FORMAT or index.d != meta.get("dim"):
            raise VectorIndexError(f"Index {path} has format/dimension {meta} that this version cannot read.")
        if (
            not isinstance(index, faiss.IndexIDMap2)
            or index.ntotal != len(names)
            or len(names) != len(numbers)
        ):
            raise VectorIndexError(
                f"Index {path} holds {index.ntotal} vectors but {len(names)} ids; rebuild it."
            )
        out = cls(int(meta["dim"]))
        out._index = index
        out._ids = dict(zip(names, numbers, strict=True))
        out._names = {v: k for k, v in out._ids.items()}
        out._next = int(meta["next"])
        out.fingerprint = str(meta.get("fingerprint", ""))
        return out


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
