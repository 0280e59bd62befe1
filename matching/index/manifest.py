"""Shard sets on disk: which file holds which shard, checked by SHA-256, and how ids are routed to shards.

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
import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from matching.errors import VectorIndexError
from matching.index.files import atomic_write, file_sha256
from matching.index.vector_index import VectorIndex

MANIFEST_FORMAT = 1
MANIFEST_SUFFIX = ".manifest.json"
ROUTING = "blake2b-64-mod"  # shard = first 8 bytes of blake2b(id), little-endian, modulo n_shards
MAX_SHARDS = 4096
STALE_TEMP_SECONDS = 600


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


def manifest_stem(manifest: Path) -> str:
    return manifest.name.removesuffix(MANIFEST_SUFFIX)


def _shard_pattern(stem: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(stem)}\.shard-(\d{{4}})-of-(\d{{4}})\.[0-9a-f]{{16}}\.npz")


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
        atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())

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
        pattern = _shard_pattern(manifest_stem(path))
        for number, shard in enumerate(shards):
            match = pattern.fullmatch(shard.file)
            # Only plain names of this set's own files: a manifest can never point outside its folder.
            if match is None or (int(match[1]), int(match[2])) != (number, manifest.n_shards):
                raise VectorIndexError(
                    f"Shard manifest {path} lists {shard.file!r} as shard {number}; expected a file named "
                    f"'{manifest_stem(path)}.shard-{number:04d}-of-{manifest.n_shards:04d}.<hash>.npz' in the same "
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
    stem = manifest_stem(manifest)
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
