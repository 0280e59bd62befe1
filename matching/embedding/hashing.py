"""A deterministic stand-in embedder for tests: no model, no randomness."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from matching.embedding.base import unit_rows


class HashingEmbedder:
    """Deterministic stand-in for tests: bag of character trigrams hashed into ``dim`` buckets.

    Texts sharing words get similar vectors, so ranking tests remain meaningful without a model.
    """

    def __init__(self, dim: int = 64):
        self._dim = dim

    @property
    def model_id(self) -> str:
        return f"hashing-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for i in range(len(padded) - 2):
                digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self._dim
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, bucket] += sign
        return unit_rows(out)
