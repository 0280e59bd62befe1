"""What every embedder is: texts in, unit-length float32 rows out, so inner product equals cosine.

Some models (the e5 family) embed a query differently from the passage it should find. ``embed`` is for
passages: the labels and descriptions of concepts. Queries (job titles, sentences, a person's own words) go
through :func:`embed_queries`, which uses the embedder's ``embed_queries`` where it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class QueryEmbedder(Embedder, Protocol):
    """An embedder that may tell queries from passages: it does when ``asymmetric`` is true."""

    @property
    def asymmetric(self) -> bool: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def is_asymmetric(embedder: Embedder) -> bool:
    return isinstance(embedder, QueryEmbedder) and embedder.asymmetric


def is_multilingual(embedder: Embedder) -> bool:
    """Whether the model reads text in many languages (then labels in every language are worth embedding)."""
    return bool(getattr(embedder, "multilingual", False))


def similarity_floor(embedder: Embedder) -> float:
    """The cosine of unrelated texts under this model: linking rescales cosines so that it maps to 0.

    Models differ a lot here (all-MiniLM-L6-v2 about 0.1, e5 about 0.8), and scores from several channels and
    models are combined with fixed weights and thresholds."""
    return float(getattr(embedder, "similarity_floor", 0.0))


def above_floor(similarity, floor: float):
    """Cosines rescaled so that the ``floor`` (:func:`similarity_floor`) maps to 0 and 1 stays 1; a float or an
    array, returned as such."""
    return (similarity - floor) / (1.0 - floor) if floor else similarity


def embed_queries(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Queries as ``embedder`` embeds them: apart from passages where the model asks for it."""
    if isinstance(embedder, QueryEmbedder) and embedder.asymmetric:
        return embedder.embed_queries(texts)
    return embedder.embed(texts)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms
