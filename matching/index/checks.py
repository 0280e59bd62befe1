"""The checks FAISS does not do itself: dtype, dimension, finite values, one id per vector.

FAISS accepts float64 silently and aborts the process on a wrong dimension; every index checks its input here
once, so callers get an error that names the problem instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from matching.errors import VectorIndexError


def check_vectors(vectors: np.ndarray, dim: int, what: str) -> np.ndarray:
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


def check_batch(
    ids: Sequence[str], array: np.ndarray, attrs: Mapping[str, Sequence[float] | np.ndarray] | None
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


def check_query(query: np.ndarray, dim: int) -> np.ndarray:
    """One query vector, as a (1, dim) float32 row."""
    array = check_vectors(query, dim, "query")
    if array.shape[0] != 1:
        raise VectorIndexError(f"search takes one query vector; got {array.shape[0]}.")
    return array


def check_k(k: object) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise VectorIndexError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")
    return k
