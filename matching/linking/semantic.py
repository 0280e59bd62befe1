"""Embedding similarity between free text and concept labels (and, for skills, their descriptions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from threadpoolctl import ThreadpoolController

from matching.embedding.base import Embedder, above_floor, embed_queries, similarity_floor
from matching.linking.lexical import LabelMatrix

# OpenBLAS worker threads spin for a while after each product and then compete with the model's threads
# for the cores: the next embedding ran 2–10× slower (occupation linking p50 26 → 15 ms, p99 125 → 20 ms
# with one BLAS thread here).
_BLAS = ThreadpoolController()
SCORE_DECIMALS = 6


class SemanticIndex:
    """Each concept scores as its best-matching text (preferred label, alternative label or description)."""

    def __init__(
        self,
        concepts: Sequence[tuple[str, Sequence[str]]],
        embedder: Embedder,
        batch: int = 4096,
        vectors: np.ndarray | None = None,
    ):
        """``vectors``: the texts' vectors when they are already at hand (one row per distinct text of a
        concept, in order); otherwise ``embedder`` embeds them."""
        self.matrix = LabelMatrix(concepts)
        self.embedder = embedder
        if vectors is None:
            parts = [
                embedder.embed(self.matrix.labels[i : i + batch])
                for i in range(0, len(self.matrix.labels), batch)
            ]
            vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
        # Stored dimension-major: a few queries × this contiguous matrix runs ~1.8× faster than q @ vectors.T
        # (the product is bound by reading the matrix once).
        self.vectors_by_dim = np.ascontiguousarray(vectors.T)
        self.floor = similarity_floor(embedder)

    @classmethod
    def pooled(cls, parts: Sequence[SemanticIndex]) -> SemanticIndex:
        """One vector per concept: the normalised sum of its text vectors in ``parts`` (same concepts, same
        order, same embedder). Built from vectors already embedded, so it costs no model time."""
        first = parts[0]
        total = np.zeros((len(first.ids), first.vectors_by_dim.shape[0]), dtype=np.float32)
        for part in parts:
            if part.ids != first.ids:
                raise RuntimeError("pooled semantic indexes disagree on concept order")
            total += np.add.reduceat(part.vectors_by_dim.T, part.matrix.starts_array, axis=0)
        total /= np.maximum(np.linalg.norm(total, axis=1, keepdims=True), 1e-12)
        return cls([(concept_id, [concept_id]) for concept_id in first.ids], first.embedder, vectors=total)

    @property
    def ids(self) -> list[str]:
        return self.matrix.ids

    def scores(self, queries: Sequence[str] | np.ndarray) -> np.ndarray:
        q = queries if isinstance(queries, np.ndarray) else embed_queries(self.embedder, list(queries))
        with _BLAS.limit(limits=1, user_api="blas"):
            products = q @ self.vectors_by_dim
        best = self.matrix.per_concept_max(products)
        best = above_floor(best, self.floor)  # cosines of unrelated texts at 0, whichever model
        # BLAS sums in an order that depends on how many queries are multiplied at once, so a cosine of 0 comes
        # out as ±1e-9 in one batch and exactly 0 in another. Linking compares and clips scores (the best span,
        # the lexical floor): at 1e-6 precision, a text gets the same links in any batch.
        return np.round(best, SCORE_DECIMALS, out=best)
