"""The embedder that configuration names: the packaged model, any sentence-transformers model, or the test fake."""

from __future__ import annotations

from pathlib import Path

from matching.embedding.base import Embedder
from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder
from matching.embedding.sbert import PACKAGED_MINILM, SentenceTransformerEmbedder

DEFAULT_MODEL = PACKAGED_MINILM


def make_embedder(model: str, cache_path: str | Path | None = None, backend: str = "auto") -> CachedEmbedder:
    """The embedder named by configuration: ``hashing-<dim>`` for the test fake, else sentence-transformers."""
    inner: Embedder
    if model.startswith("hashing-"):
        inner = HashingEmbedder(int(model.split("-", 1)[1]))
    else:
        inner = SentenceTransformerEmbedder(model, backend=backend)
    return CachedEmbedder(inner, cache_path)
