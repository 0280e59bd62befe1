"""One suite for every embedder: what the rest of skillbridge relies on, whichever model is configured."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from matching.embedding.base import Embedder, embed_queries, is_asymmetric
from matching.embedding.cache import CachedEmbedder
from matching.embedding.e5 import E5Embedder
from matching.embedding.hashing import HashingEmbedder
from matching.embedding.sbert import SentenceTransformerEmbedder

TEXTS = ["Pflegefachkraft (m/w/d)", "registered nurse", "медсестра", "forklift operator", "", "x" * 3000]

EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "hashing": lambda: HashingEmbedder(64),
    "cached hashing": lambda: CachedEmbedder(HashingEmbedder(32)),
    "packaged MiniLM": lambda: SentenceTransformerEmbedder(),
    "packaged multilingual e5": lambda: E5Embedder(threads=2),
    "cached e5": lambda: CachedEmbedder(E5Embedder(threads=1)),
}
SLOW = {"packaged MiniLM"}


@pytest.fixture(
    scope="module",
    params=[pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in EMBEDDERS],
)
def embedder(request: pytest.FixtureRequest) -> Embedder:
    return EMBEDDERS[request.param]()


def test_it_is_an_embedder_with_a_model_id_and_a_dimension(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    assert isinstance(embedder.model_id, str) and embedder.model_id
    assert isinstance(embedder.dim, int) and embedder.dim > 0


def test_rows_are_unit_length_float32_in_input_order(embedder: Embedder) -> None:
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), embedder.dim) and vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    norms = np.linalg.norm(vectors[[0, 1, 2, 3, 5]], axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-4)
    one_by_one = np.vstack([embedder.embed([t]) for t in TEXTS])
    np.testing.assert_allclose(vectors, one_by_one, atol=2e-3)


def test_nothing_in_nothing_out(embedder: Embedder) -> None:
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_the_same_text_gets_the_same_vector(embedder: Embedder) -> None:
    first, second = embedder.embed(["Elektroniker für Energie- und Gebäudetechnik"] * 2)
    np.testing.assert_allclose(first, second, atol=1e-6)


def test_queries_are_embedded_as_queries_where_the_model_tells_them_apart(embedder: Embedder) -> None:
    texts = ["Krankenschwester", "forklift driver"]
    queries, passages = embed_queries(embedder, texts), embedder.embed(texts)
    assert queries.shape == passages.shape == (2, embedder.dim)
    if is_asymmetric(embedder):
        assert (
            float(np.min(np.sum(queries * passages, axis=1))) < 0.999
        )  # the query prefix changes the vector
    else:
        np.testing.assert_allclose(queries, passages, atol=1e-6)
