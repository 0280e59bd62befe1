"""Index shards: several :class:`VectorIndex` files searched as one, for collections built on a cluster.

An id always lives in the shard picked by a stable hash of the id (:func:`~matching.index.manifest.shard_of`),
so updates and removals reach one shard, and shards can be built independently (the Ray builder in
:mod:`matching.service.distributed`). A search asks every shard for its top k in threads (FAISS releases the
GIL) and merges them: with exact shards the result is exactly the one a single exact index gives, ties broken
by id. Files and their manifest: :mod:`matching.index.manifest`.
"""

from __future__ import annotations

import heapq
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from matching.errors import VectorIndexError
from matching.index.checks import check_batch, check_k, check_query, check_vectors
from matching.index.files import file_sha256
from matching.index.manifest import (
    Manifest,
    ShardFile,
    check_n_shards,
    manifest_path,
    manifest_stem,
    remove_stale_shards,
    shard_of,
    write_shard,
)
from matching.index.vector_index import IndexSpec, VectorIndex

# A mask over one shard's internal numbers, or a function of the shard that returns one.
Where = Callable[[VectorIndex], np.ndarray] | Sequence[np.ndarray]


class ShardedIndex:
    """Shards of :class:`VectorIndex` behind the interface the Matcher uses from one VectorIndex."""

    def __init__(
        self, dim: int, n_shards: int, model_id: str = "", shards: Sequence[VectorIndex] | None = None
    ):
        check_n_shards(n_shards)
        self.shards = list(shards) if shards is not None else [VectorIndex(dim) for _ in range(n_shards)]
        if len(self.shards) != n_shards:
            raise VectorIndexError(f"Got {len(self.shards)} shards for n_shards={n_shards}.")
        for number, shard in enumerate(self.shards):
            if shard.dim != dim:
                raise VectorIndexError(f"Shard {number} has dimension {shard.dim}; the index has {dim}.")
        self.dim = dim
        self.n_shards = n_shards
        self.model_id = model_id
        self.fingerprint = ""
        self._lock = threading.RLock()
        self._files: list[ShardFile | None] = [None] * n_shards  # what each shard was last saved as
        self._saved_to: Path | None = None  # the manifest those files belong to
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def build(
        cls,
        dim: int,
        entity_ids: Sequence[str],
        vectors: np.ndarray,
        n_shards: int,
        attrs: Mapping[str, Sequence[float] | np.ndarray] | None = None,
        model_id: str = "",
        seed: int = 0,
    ) -> ShardedIndex:
        """One process's build: each shard in the layout chosen for its own size (VectorIndex.build)."""
        check_n_shards(n_shards)
        ids = list(entity_ids)
        array = check_vectors(vectors, dim, "vectors")
        check_batch(ids, array, attrs)
        routes = np.fromiter((shard_of(e, n_shards) for e in ids), dtype=np.int64, count=len(ids))
        shards = []
        for number in range(n_shards):
            rows = np.flatnonzero(routes == number)
            if len(rows) == 0:
                shards.append(VectorIndex(dim))
                continue
            part = {k: np.asarray(v)[rows] for k, v in (attrs or {}).items()}
            shards.append(VectorIndex.build(dim, [ids[i] for i in rows], array[rows], attrs=part, seed=seed))
        return cls(dim, n_shards, model_id, shards)

    # -- the VectorIndex interface -----------------------------------------------------------------

    @property
    def specs(self) -> list[IndexSpec]:
        """The layout of each shard (each chosen by its own size)."""
        return [shard.spec for shard in self.shards]

    def __len__(self) -> int:
        return sum(len(shard) for shard in self.shards)

    def __contains__(self, entity_id: object) -> bool:
        return isinstance(entity_id, str) and entity_id in self.shards[shard_of(entity_id, self.n_shards)]

    def ids(self) -> list[str]:
        return [entity_id for shard in self.shards for entity_id in shard.ids()]

    def shard_for(self, entity_id: str) -> VectorIndex:
        return self.shards[shard_of(entity_id, self.n_shards)]

    def vector(self, entity_id: str) -> np.ndarray:
        return self.shard_for(entity_id).vector(entity_id)

    def attribute(self, name: str) -> list[np.ndarray]:
        """The attribute per shard, over each shard's internal numbers (NaN where unset): build a ``where``
        from it, e.g. ``[values == 1 for values in index.attribute("authorised")]``."""
        out: list[np.ndarray] = []
        known = False
        for shard in self.shards:
            try:
                out.append(shard.attribute(name))
                known = True
            except VectorIndexError:  # this shard never received the attribute
                out.append(np.full(shard.capacity, np.nan, dtype=np.float32))
        if not known:
            raise VectorIndexError(f"No attribute {name!r} in any shard.")
        return out

    def upsert(
        self,
        entity_ids: Sequence[str],
        vectors: np.ndarray,
        attrs: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    ) -> None:
        """Add vectors, each to its id's shard; an id already present is replaced.

        Everything is checked before any shard changes, so a rejected call changes nothing.
        """
        ids = list(entity_ids)
        array = check_vectors(vectors, self.dim, "vectors")
        check_batch(ids, array, attrs)
        groups: dict[int, list[int]] = {}
        for row, entity_id in enumerate(ids):
            groups.setdefault(shard_of(entity_id, self.n_shards), []).append(row)
        with self._lock:
            for number, rows in groups.items():
                part = {k: np.asarray(v)[rows] for k, v in (attrs or {}).items()}
                self.shards[number].upsert([ids[i] for i in rows], array[rows], part)
                self._files[number] = None

    def remove(self, entity_ids: Sequence[str]) -> int:
        groups: dict[int, list[str]] = {}
        for entity_id in entity_ids:
            groups.setdefault(shard_of(entity_id, self.n_shards), []).append(entity_id)
        removed = 0
        with self._lock:
            for number, ids in groups.items():
                gone = self.shards[number].remove(ids)
                if gone:
                    self._files[number] = None
                removed += gone
        return removed

    def search(self, query: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        """Top-k (id, inner product) over all shards, best first, ties broken by id.

        ``where``: one boolean mask per shard (over that shard's internal numbers, see :meth:`attribute`)
        or a function called with each shard that returns its mask.
        """
        check_k(k)
        array = check_query(query, self.dim)
        masks = self._masks(where)
        jobs = [n for n, shard in enumerate(self.shards) if len(shard)]

        def one(number: int) -> list[tuple[str, float]]:
            mask = masks[number] if masks is not None else None
            if callable(mask):
                mask = mask(self.shards[number])
            return self.shards[number].search(array, k, mask)

        parts = [one(n) for n in jobs] if len(jobs) <= 1 else list(self._executor().map(one, jobs))
        # Each shard's list is exact and tie-broken by id, so the global top k is among their union.
        return heapq.nsmallest(k, (hit for part in parts for hit in part), key=lambda h: (-h[1], h[0]))

    def _masks(self, where: Where | None) -> list[Any] | None:
        if where is None:
            return None
        if callable(where):
            return [where] * self.n_shards
        masks = list(where)
        if len(masks) != self.n_shards:
            raise VectorIndexError(
                f"'where' must hold one mask per shard ({self.n_shards}); got {len(masks)}. "
                "Or pass a function of the shard that returns its mask."
            )
        return masks

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                workers = min(self.n_shards, os.cpu_count() or 1)
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="shard-search")
            return self._pool

    def close(self) -> None:
        """Stop the search threads (they also stop with the process)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False)
                self._pool = None

    # -- persistence -------------------------------------------------------------------------------

    def save(self, path: str | Path) -> Manifest:
        """Write changed shards under new names, then the manifest atomically, then delete unused files.

        ``path`` is the manifest or the single-file index path it stands for (``<dir>/<name>.npz``).
        Shards unchanged since they were saved to the same manifest are not written again.
        """
        target = manifest_path(path).resolve()
        with self._lock:
            if self._saved_to != target:
                self._files = [None] * self.n_shards
            files = []
            for number, shard in enumerate(self.shards):
                saved = self._files[number]
                if saved is None or not (target.parent / saved.file).exists():
                    shard.fingerprint = self.fingerprint
                    saved = write_shard(shard, target.parent, manifest_stem(target), number, self.n_shards)
                files.append(saved)
            manifest = Manifest(self.n_shards, self.dim, self.model_id, self.fingerprint, files)
            manifest.write(target)
            remove_stale_shards(target, [f.file for f in files])
            self._files, self._saved_to = list(files), target
        return manifest

    @classmethod
    def load(cls, path: str | Path, verify: bool = True) -> ShardedIndex:
        """Load the shards a manifest names, each checked against its SHA-256 (``verify``) and its count."""
        target = manifest_path(path).resolve()
        manifest = Manifest.read(target)

        def one(number: int) -> VectorIndex:
            info = manifest.shards[number]
            file = target.parent / info.file
            if not file.is_file():
                raise VectorIndexError(
                    f"Shard file {file} named by {target.name} is missing; rebuild the shards."
                )
            if verify and file_sha256(file) != info.sha256:
                raise VectorIndexError(
                    f"Shard file {file} does not match its SHA-256 in {target.name}: it was changed or "
                    "half-written. Rebuild the shards."
                )
            shard = VectorIndex.load(file)
            if shard.dim != manifest.dim or len(shard) != info.count:
                raise VectorIndexError(
                    f"Shard file {file} holds {len(shard)} vectors of dimension {shard.dim}; the manifest "
                    f"says {info.count} of dimension {manifest.dim}. Rebuild the shards."
                )
            return shard

        workers = min(manifest.n_shards, os.cpu_count() or 1)
        with ThreadPoolExecutor(workers, thread_name_prefix="shard-load") as pool:
            shards = list(pool.map(one, range(manifest.n_shards)))
        out = cls(manifest.dim, manifest.n_shards, manifest.model, shards)
        out.fingerprint = manifest.fingerprint
        out._files, out._saved_to = list(manifest.shards), target
        return out
