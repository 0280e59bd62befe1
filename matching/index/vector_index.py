"""A FAISS inner-product index with stable string ids, updates, removal, filters and safe save/load.

FAISS itself knows only int64 ids, pads missing results with -1, silently accepts float64 and aborts on
wrong dimensions. This wrapper checks all of that once: callers get clear errors and never see -1.

Two layouts, chosen by collection size (:func:`choose_spec`):
- ``flat``: exact search, for up to :data:`EXACT_MAX` vectors (a few milliseconds per query);
- ``ivf``: inverted lists with 8-bit scalar quantisation (~450 bytes per vector), for larger collections;
  recall against exact search is measured in benchmarks/scale.py.

Filters known before the search (``where``: a boolean mask over the index's internal numbers) are applied
inside FAISS with an ID selector, so filtered-out vectors never take a place in the top k.
"""

from __future__ import annotations

import io
import json
import math
import os
import threading
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np

from matching.errors import VectorIndexError
from matching.index.checks import check_batch, check_k, check_query, check_vectors
from matching.index.files import atomic_write

# faiss's generated stubs lack keyword arguments and subclass methods; it is used here as untyped.
faiss: Any = _faiss

_FORMAT = 2
EXACT_MAX = 50_000
# One query at a time is fastest on one thread, and a server runs several queries side by side:
# OpenMP threads per query would only fight over the cores. Bulk work (training) uses them all.
SEARCH_THREADS = int(os.environ.get("SKILLBRIDGE_FAISS_THREADS", "1"))
faiss.omp_set_num_threads(SEARCH_THREADS)


def _search_threads_here() -> None:
    """OpenMP keeps the thread count per thread: the value set at import binds only the importing thread, and
    a server calls FAISS from its request threads, where the default is every core. There each search opened
    a team whose idle helper then spun on the other core, doubling a search's CPU and taking it from the
    other worker."""
    if faiss.omp_get_max_threads() != SEARCH_THREADS:
        faiss.omp_set_num_threads(SEARCH_THREADS)


@dataclass(frozen=True, slots=True)
class IndexSpec:
    kind: str = "flat"  # "flat" | "ivf"
    nlist: int = 0
    nprobe: int = 0

    @classmethod
    def flat(cls) -> IndexSpec:
        return cls("flat")

    @classmethod
    def ivf(cls, n: int) -> IndexSpec:
        # ~4·√n lists (a power of two), and enough of them probed for recall@20 ≥ 0.95 (benchmarks/scale.py).
        nlist = int(min(16384, max(256, 2 ** round(math.log2(4 * math.sqrt(max(n, 1)))))))
        return cls("ivf", nlist=nlist, nprobe=max(16, nlist // 32))


def choose_spec(n: int) -> IndexSpec:
    return IndexSpec.flat() if n <= EXACT_MAX else IndexSpec.ivf(n)


def _empty_index(dim: int, spec: IndexSpec) -> Any:
    if spec.kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if spec.kind == "ivf":
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, spec.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.own_fields = True
        quantizer.this.disown()  # the IVF index owns its quantizer from here on
        index.nprobe = spec.nprobe
        return index
    raise VectorIndexError(f"Unknown index kind {spec.kind!r}; allowed: 'flat', 'ivf'.")


class VectorIndex:
    def __init__(self, dim: int, spec: IndexSpec | None = None):
        if not isinstance(dim, int) or dim < 1:
            raise VectorIndexError(f"The 'dim' parameter must be a positive int. Got {dim!r} instead.")
        self.dim = dim
        self.spec = spec or IndexSpec.flat()
        self._index = _empty_index(dim, self.spec)
        self._ids: dict[str, int] = {}
        self._names: list[str | None] = []  # internal number -> id (None once removed)
        self._attrs: dict[str, np.ndarray] = {}  # per-number numeric attributes for filters
        # Searches may run concurrently; mutations take the lock so readers never see half an update.
        self._lock = threading.RLock()
        self.fingerprint = ""

    @classmethod
    def build(
        cls,
        dim: int,
        entity_ids: Sequence[str],
        vectors: np.ndarray,
        spec: IndexSpec | None = None,
        attrs: Mapping[str, Sequence[float] | np.ndarray] | None = None,
        seed: int = 0,
    ) -> VectorIndex:
        """A new index over these vectors, in the layout chosen for their number (or ``spec``)."""
        out = cls(dim, spec or choose_spec(len(entity_ids)))
        array = check_vectors(vectors, dim, "vectors")
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            if out.spec.kind == "ivf":
                rng = np.random.default_rng(seed)
                sample = min(len(array), max(50 * out.spec.nlist, 100_000))
                out._index.train(array[np.sort(rng.choice(len(array), size=sample, replace=False))])
            out.upsert(entity_ids, array, attrs)
            if out.spec.kind == "ivf":
                out.calibrate(array, rng)
        finally:
            faiss.omp_set_num_threads(SEARCH_THREADS)
        return out

    def calibrate(
        self,
        vectors: np.ndarray,
        rng: np.random.Generator,
        target: float = 0.97,
        k: int = 20,
        queries: int = 100,
    ) -> float:
        """Pick the smallest ``nprobe`` whose recall@k against exact search reaches ``target``.

        Queries are stored vectors with noise added (a profile is never identical to its best match).
        Recall counts a result as correct when its exact score reaches the exact k-th score: profiles are
        often identical, and any of a group of tied vectors is an equally right answer.
        Returns the recall reached; the choice is kept in :attr:`spec` and saved with the index.
        """
        picks = vectors[rng.choice(len(vectors), size=min(queries, len(vectors)), replace=False)]
        probes = picks + rng.normal(0, 0.05, picks.shape).astype(np.float32)
        probes /= np.linalg.norm(probes, axis=1, keepdims=True)
        exact = faiss.IndexFlatIP(self.dim)
        exact.add(vectors)
        truth_scores, _ = exact.search(probes, k)
        kth = truth_scores[:, k - 1] - 1e-5
        ivf = faiss.extract_index_ivf(self._index)
        recall = 0.0
        for nprobe in (8, 16, 32, 64, 128, 256, 512, 1024):
            if nprobe > ivf.nlist:
                break
            ivf.nprobe = nprobe
            _, found = self._index.search(probes, k)
            # Build order equals vector order, so internal numbers index ``vectors`` directly.
            hits = [
                np.count_nonzero(vectors[row[row >= 0]] @ probes[i] >= kth[i]) / k
                for i, row in enumerate(found)
            ]
            recall = float(np.mean(hits))
            if recall >= target:
                break
        self.spec = IndexSpec("ivf", nlist=ivf.nlist, nprobe=ivf.nprobe)
        return recall

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._ids

    @property
    def capacity(self) -> int:
        """One more than the largest internal number handed out: the length masks must have."""
        return len(self._names)

    def ids(self) -> list[str]:
        return list(self._ids)

    def numbers(self, entity_ids: Sequence[str]) -> np.ndarray:
        return np.asarray([self._ids[e] for e in entity_ids], dtype=np.int64)

    def attribute(self, name: str) -> np.ndarray:
        """The attribute per internal number (NaN where unset); index it with a mask or ``numbers``."""
        with self._lock:
            values = self._attrs.get(name)
            if values is None:
                raise VectorIndexError(f"No attribute {name!r}; known: {sorted(self._attrs)}.")
            return values[: self.capacity]

    def alive(self) -> np.ndarray:
        with self._lock:
            return np.fromiter((n is not None for n in self._names), dtype=bool, count=len(self._names))

    def upsert(
        self,
        entity_ids: Sequence[str],
        vectors: np.ndarray,
        attrs: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    ) -> None:
        """Add vectors; an id already present is replaced (its old vector removed)."""
        array = check_vectors(vectors, self.dim, "vectors")
        check_batch(entity_ids, array, attrs)
        with self._lock:
            if not self._index.is_trained:
                raise VectorIndexError(
                    "This index layout must be trained first: create it with VectorIndex.build."
                )
            existing = [self._ids[e] for e in entity_ids if e in self._ids]
            if existing:
                self._index.remove_ids(np.asarray(existing, dtype=np.int64))
            numeric = np.empty(len(entity_ids), dtype=np.int64)
            for i, entity_id in enumerate(entity_ids):
                number = self._ids.get(entity_id)
                if number is None:
                    number = len(self._names)
                    self._ids[entity_id] = number
                    self._names.append(entity_id)
                numeric[i] = number
            self._grow_attrs()
            for name, values in (attrs or {}).items():
                if name not in self._attrs:
                    self._attrs[name] = np.full(max(len(self._names), 1024), np.nan, dtype=np.float32)
                    self._grow_attrs()
                self._attrs[name][numeric] = np.asarray(values, dtype=np.float32)
            self._index.add_with_ids(array, numeric)

    def _grow_attrs(self) -> None:
        for name, values in self._attrs.items():
            if len(values) < len(self._names):
                grown = np.full(max(len(self._names), 2 * len(values)), np.nan, dtype=np.float32)
                grown[: len(values)] = values
                self._attrs[name] = grown

    def remove(self, entity_ids: Sequence[str]) -> int:
        with self._lock:
            numbers = [self._ids.pop(e) for e in entity_ids if e in self._ids]
            for number in numbers:
                self._names[number] = None
                for values in self._attrs.values():
                    values[number] = np.nan
            if numbers:
                self._index.remove_ids(np.asarray(numbers, dtype=np.int64))
            return len(numbers)

    def vector(self, entity_id: str) -> np.ndarray:
        """The stored vector (approximate in the quantised ``ivf`` layout)."""
        with self._lock:
            number = self._ids[entity_id]
            if self.spec.kind == "ivf":
                self._index.set_direct_map_type(faiss.DirectMap.Hashtable)
                try:
                    return np.asarray(self._index.reconstruct(number), dtype=np.float32)
                finally:
                    self._index.set_direct_map_type(faiss.DirectMap.NoMap)
            return np.asarray(self._index.reconstruct(number), dtype=np.float32)

    def search(self, query: np.ndarray, k: int, where: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (id, inner product) for one query, best first, ties broken by id; fewer if there are fewer.

        ``where``: boolean mask over internal numbers (see :attr:`capacity`); only those may be returned.
        """
        check_k(k)
        array = check_query(query, self.dim)
        _search_threads_here()
        with self._lock:
            n = len(self._ids) if where is None else int(np.count_nonzero(where[: self.capacity]))
            if n == 0:
                return []
            params, _bitmap = self._params(where)  # the bitmap must outlive the FAISS call
            # FAISS breaks ties by insertion order; to break them by id, widen the search until the
            # k-th score is strictly above the last one retrieved (or everything was retrieved).
            fetch = min(n, k + 16)
            while True:
                scores, numbers = self._index.search(array, fetch, params=params)
                hits = [
                    (name, float(score))
                    for score, num in zip(scores[0], numbers[0], strict=True)
                    if num != -1 and (name := self._names[int(num)]) is not None
                ]
                if fetch >= n or len(hits) <= k or hits[k - 1][1] > hits[-1][1]:
                    break
                fetch = min(n, fetch * 4)
        hits.sort(key=lambda hit: (-hit[1], hit[0]))
        return hits[:k]

    def _params(self, where: np.ndarray | None) -> tuple[Any, np.ndarray | None]:
        if where is None:
            return None, None
        mask = np.zeros(self.capacity, dtype=bool)
        mask[: min(len(where), self.capacity)] = where[: self.capacity]
        bitmap = np.packbits(mask, bitorder="little")
        selector = faiss.IDSelectorBitmap(self.capacity, faiss.swig_ptr(bitmap))
        if self.spec.kind == "ivf":
            return faiss.SearchParametersIVF(sel=selector, nprobe=self.spec.nprobe), bitmap
        return faiss.SearchParameters(sel=selector), bitmap

    # -- persistence -----------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index, its id map, attributes and metadata as one file, atomically (temp file + rename).

        One file means a crash leaves either the old or the new index, never a mix of the two.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            blob = faiss.serialize_index(self._index)
            names = np.asarray(list(self._ids), dtype=str)
            numbers = np.fromiter(self._ids.values(), dtype=np.int64, count=len(self._ids))
            attrs = {f"attr_{k}": v[: self.capacity].copy() for k, v in self._attrs.items()}
            meta = {
                "format": _FORMAT,
                "dim": self.dim,
                "capacity": self.capacity,
                "spec": asdict(self.spec),
                "fingerprint": self.fingerprint,
            }
        buffer = io.BytesIO()
        arrays: dict[str, np.ndarray] = {
            "index": blob, "names": names, "numbers": numbers, "meta": np.asarray(json.dumps(meta)), **attrs
        }  # fmt: skip
        np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types the first keyword
        atomic_write(path, buffer.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> VectorIndex:
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                index = faiss.deserialize_index(np.ascontiguousarray(data["index"]))
                names = [str(n) for n in data["names"]]
                numbers = [int(n) for n in data["numbers"]]
                attrs = {
                    k.removeprefix("attr_"): np.array(data[k]) for k in data.files if k.startswith("attr_")
                }
        except (OSError, EOFError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile) as exc:
            raise VectorIndexError(f"Cannot load index {path}: {exc}. Rebuild it from the database.") from exc
        if meta.get("format") != _FORMAT or index.d != meta.get("dim"):
            raise VectorIndexError(
                f"Index {path} has format/dimension {meta} that this version cannot read; rebuild it."
            )
        if (
            index.ntotal != len(names)
            or len(names) != len(numbers)
            or (numbers and max(numbers) >= meta["capacity"])
        ):
            raise VectorIndexError(
                f"Index {path} holds {index.ntotal} vectors but {len(names)} ids; rebuild it."
            )
        out = cls(int(meta["dim"]), IndexSpec(**meta["spec"]))
        out._index = index
        if out.spec.kind == "ivf":
            faiss.extract_index_ivf(index).nprobe = out.spec.nprobe
        out._ids = dict(zip(names, numbers, strict=True))
        out._names = [None] * int(meta["capacity"])
        for name, number in out._ids.items():
            out._names[number] = name
        out._attrs = attrs
        out.fingerprint = str(meta.get("fingerprint", ""))
        return out
