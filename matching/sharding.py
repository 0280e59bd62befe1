"""Index shards: several :class:`VectorIndex` files searched as one, for collections built on a cluster.

An id always lives in the shard picked by a stable hash of the id (:func:`shard_of`), so updates and removals
reach one shard, and shards can be built independently (matching/distributed.py builds them on Ray). A search
asks every shard for its top k in threads (FAISS releases the GIL) and merges them: with exact shards the
result is exactly the one a single exact index gives, ties broken by id.

On disk, next to where the single-file index ``<name>.npz`` would be::

    <name>.manifest.json                          what the set holds: written last, atomically
    <name>.shard-0003-of-0008.<sha256[:16]>.npz   one VectorIndex per shard, named by its content

The manifest names every shard file with its SHA-256, the model that embedded the vectors and the
fingerprint of the database rows they were built from. Shard files are never overwritten: a save writes
new files, then the manifest, then deletes the files no manifest names any more. A crash at any point
leaves a manifest whose files are all complete; a file that does not match its checksum is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matching.errors import VectorIndexError
from matching.index import IndexSpec, VectorIndex, _atomic_write

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
MANIFEST_SUFFIX = ".manifest.json"
ROUTING = "blake2b-64-mod"  # shard = first 8 bytes of blake2b(id), little-endian, modulo n_shards
MAX_SHARDS = 4096
_HASH_CHUNK = 8 << 20
STALE_TEMP_SECONDS = 600

# A mask over one shard's internal numbers, or a function of the shard that returns one.
Where = Callable[[VectorIndex], np.ndarray] | Sequence[np.ndarray]


def shard_of(entity_id: str, n_shards: int) -> int:
    """The shard an id lives in: the same on every machine and in every process (unlike ``hash()``)."""
    digest = hashlib.blake2b(entity_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % n_shards


def check_n_shards(n_shards: object) -> int:
    if not isinstance(n_shards, int) or isinstance(n_shards, bool) or not 1 <= n_shards <= MAX_SHARDS:
        raise VectorIndexError(
            f"The 'n_shards' parameter must be an int in [1, {MAX_SHARDS}]. Got {n_shards!r} instead."
        )
    return n_shards


def manifest_path(path: str | Path) -> Path:
    """The manifest for an index path: ``<dir>/<name>.npz`` (the single-file name) or the manifest itself."""
    path = Path(path)
    if path.name.endswith(MANIFEST_SUFFIX):
        return path
    if path.suffix == ".npz":
        return path.with_name(path.name.removesuffix(".npz") + MANIFEST_SUFFIX)
    raise VectorIndexError(f"An index path must end in '.npz' or '{MANIFEST_SUFFIX}'; got {path.name!r}.")


def _stem(manifest: Path) -> str:
    return manifest.name.removesuffix(MANIFEST_SUFFIX)


def _shard_pattern(stem: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(stem)}\.shard-(\d{{4}})-of-(\d{{4}})\.[0-9a-f]{{16}}\.npz")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ShardFile:
    """One shard as the manifest lists it."""

    file: str
    sha256: str
    bytes: int
    count: int
    spec: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Manifest:
    n_shards: int
    dim: int
    model: str
    fingerprint: str
    shards: list[ShardFile]
    routing: str = ROUTING
    format: int = MANIFEST_FORMAT
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def count(self) -> int:
        return sum(s.count for s in self.shards)

    def write(self, path: Path) -> None:
        data = {**asdict(self), "count": self.count}
        _atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())

    @classmethod
    def read(cls, path: str | Path) -> Manifest:
        """Parse and check a manifest; VectorIndexError naming the problem otherwise."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VectorIndexError(f"Cannot read shard manifest {path}: {exc}. Rebuild the shards.") from exc
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise VectorIndexError(
                f"Shard manifest {path} has format {found!r}; this version reads format "
                f"{MANIFEST_FORMAT} only. Rebuild the shards."
            )
        if data.get("routing") != ROUTING:
            raise VectorIndexError(
                f"Shard manifest {path} routes ids by {data.get('routing')!r}; this version routes by "
                f"{ROUTING!r}. Rebuild the shards."
            )
        try:
            shards = [ShardFile(**s) for s in data["shards"]]
            manifest = cls(
                n_shards=int(data["n_shards"]),
                dim=int(data["dim"]),
                model=str(data["model"]),
                fingerprint=str(data["fingerprint"]),
                shards=shards,
                created_at=str(data.get("created_at", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VectorIndexError(
                f"Shard manifest {path} is malformed ({exc!r}); rebuild the shards."
            ) from exc
        if len(shards) != manifest.n_shards:
            raise VectorIndexError(
                f"Shard manifest {path} declares {manifest.n_shards} shards but lists {len(shards)}; "
                "rebuild the shards."
            )
        pattern = _shard_pattern(_stem(path))
        for number, shard in enumerate(shards):
            match = pattern.fullmatch(shard.file)
            # Only plain names of this set's own files: a manifest can never point outside its folder.
            if match is None or (int(match[1]), int(match[2])) != (number, manifest.n_shards):
                raise VectorIndexError(
                    f"Shard manifest {path} lists {shard.file!r} as shard {number}; expected a file named "
                    f"'{_stem(path)}.shard-{number:04d}-of-{manifest.n_shards:04d}.<hash>.npz' in the same "
                    "folder. Rebuild the shards."
                )
        return manifest


def write_shard(index: VectorIndex, directory: Path, stem: str, shard: int, n_shards: int) -> ShardFile:
    """Save one shard under a name derived from its content; never overwrites a file another manifest uses."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{stem}.shard-{shard:04d}.", suffix=".npz")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        index.save(tmp)
        sha = file_sha256(tmp)
        name = f"{stem}.shard-{shard:04d}-of-{n_shards:04d}.{sha[:16]}.npz"
        size = tmp.stat().st_size
        os.replace(tmp, directory / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ShardFile(file=name, sha256=sha, bytes=size, count=len(index), spec=asdict(index.spec))


def remove_stale_shards(manifest: Path, keep: Sequence[str]) -> list[str]:
    """Delete this set's shard files that the manifest no longer names (left by earlier saves), and temp
    files of interrupted saves once they are old enough not to belong to a save still running."""
    stem = _stem(manifest)
    pattern, kept, removed = _shard_pattern(stem), set(keep), []
    cutoff = time.time() - STALE_TEMP_SECONDS
    for candidate in manifest.parent.iterdir():
        try:
            stale = (pattern.fullmatch(candidate.name) is not None and candidate.name not in kept) or (
                candidate.name.startswith(f".{stem}.shard-") and candidate.stat().st_mtime < cutoff
            )
            if stale:
                candidate.unlink()
                removed.append(candidate.name)
        except FileNotFoundError:  # removed by another process meanwhile
            continue
    return removed


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
        array = _check_vectors(vectors, dim, "vectors")
        _check_batch(ids, array, attrs)
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
        array = _check_vectors(vectors, self.dim, "vectors")
        _check_batch(ids, array, attrs)
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
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise VectorIndexError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")
        array = _check_vectors(query, self.dim, "query")
        if array.shape[0] != 1:
            raise VectorIndexError(f"search takes one query vector; got {array.shape[0]}.")
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
                    saved = write_shard(shard, target.parent, _stem(target), number, self.n_shards)
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


AnyIndex = VectorIndex | ShardedIndex


def saved_index_exists(path: Path) -> bool:
    """Whether a single-file index or a shard manifest is saved for ``<dir>/<name>.npz``."""
    return path.exists() or manifest_path(path).exists()


def load_saved_index(path: Path, fingerprint: str, model_id: str | None = None) -> AnyIndex:
    """The saved index for ``<dir>/<name>.npz``: its shard set when ``<dir>/<name>.manifest.json`` exists and
    was built from the rows with ``fingerprint`` (and by ``model_id``), else the single file.

    Raises VectorIndexError when nothing usable is there; the caller rebuilds from the database.
    """
    manifest = manifest_path(path)
    if manifest.exists():
        info = Manifest.read(manifest)
        if info.fingerprint == fingerprint:
            if model_id is not None and info.model != model_id:
                raise VectorIndexError(
                    f"The shards in {manifest} were embedded with model {info.model!r}, but this service "
                    f"uses {model_id!r}; rebuild them with this model (skillbridge build-shards)."
                )
            return ShardedIndex.load(manifest)
        if not path.exists():
            raise VectorIndexError(
                f"The shards in {manifest} were built from other rows than the database holds now, and "
                f"there is no single-file index {path.name}; rebuild the shards (skillbridge build-shards)."
            )
        log.info("Shards in %s do not match the database; trying the single-file index.", manifest)
    return VectorIndex.load(path)


def _check_vectors(vectors: np.ndarray, dim: int, what: str) -> np.ndarray:
    array = np.asarray(vectors)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != dim:
        raise VectorIndexError(f"{what} must have shape (n, {dim}); got {array.shape}.")
    if not np.issubdtype(array.dtype, np.floating):
        raise VectorIndexError(f"{what} must be floating point; got dtype {array.dtype}.")
    if not np.isfinite(array).all():
        raise VectorIndexError(f"{what} contain NaN or infinite values.")
    return np.ascontiguousarray(array, dtype=np.float32)


def _check_batch(
    ids: list[str], array: np.ndarray, attrs: Mapping[str, Sequence[float] | np.ndarray] | None
) -> None:
    if len(ids) != array.shape[0]:
        raise VectorIndexError(f"Got {len(ids)} ids for {array.shape[0]} vectors.")
    if len(set(ids)) != len(ids):
        raise VectorIndexError("ids must be unique within one call.")
    if not all(isinstance(e, str) for e in ids):
        raise VectorIndexError("ids must be strings.")
    for name, values in (attrs or {}).items():
        if len(values) != len(ids):
            raise VectorIndexError(f"Attribute {name!r} has {len(values)} values for {len(ids)} ids.")
