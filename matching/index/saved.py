"""The saved index of one side, whichever form it has: a single file or a set of shards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from matching.errors import VectorIndexError
from matching.index.manifest import Manifest, manifest_path
from matching.index.shards import ShardedIndex
from matching.index.vector_index import VectorIndex

log = logging.getLogger(__name__)

AnyIndex = VectorIndex | ShardedIndex


def saved_index_exists(path: Path) -> bool:
    """Whether a single-file index or a shard manifest is saved for ``<dir>/<name>.npz``."""
    return path.exists() or manifest_path(path).exists()


def load_saved_index(
    path: Path, fingerprint: str | Callable[[str], bool], model_id: str | None = None
) -> AnyIndex:
    """The saved index for ``<dir>/<name>.npz``: its shard set when ``<dir>/<name>.manifest.json`` exists and
    its fingerprint is ``fingerprint`` (or one that ``fingerprint`` accepts) and it was built by ``model_id``,
    else the single file (the caller checks that one's fingerprint).

    Raises VectorIndexError when nothing usable is there; the caller rebuilds from the database.
    """
    accept = fingerprint if callable(fingerprint) else fingerprint.__eq__
    manifest = manifest_path(path)
    if manifest.exists():
        info = Manifest.read(manifest)
        if accept(info.fingerprint):
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
