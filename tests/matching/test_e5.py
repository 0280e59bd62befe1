"""The packaged multilingual e5: the engine, its model file read and written, and the trainable port."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.embedding.cache import CachedEmbedder
from matching.embedding.e5 import PACKAGED_E5, TOKENS_PER_CALL, E5Embedder, E5Engine, is_model_file
from matching.embedding.e5_format import dequantise, quantise, read_model, write_model
from matching.embedding.factory import make_embedder

TEXTS = ["Krankenschwester", "programista", "водитель погрузчика", "Fachkraft für Lagerlogistik (m/w/d)",
         "  two   spaces ", "ünïcödé ß ÆØ 中文 العربية", "", "Кметски наместник, община"]  # fmt: skip


@pytest.fixture(scope="module")
def packaged() -> Path:
    return E5Engine.shared().weights


def test_the_configured_name_gives_the_packaged_engine_behind_the_cache() -> None:
    embedder = make_embedder(PACKAGED_E5, threads=1)
    assert isinstance(embedder, CachedEmbedder) and embedder.model_id == PACKAGED_E5
    assert embedder.asymmetric and embedder.multilingual and embedder.dim == 384


def test_a_title_finds_its_occupation_across_languages() -> None:
    embedder = E5Embedder(threads=2)
    labels = embedder.embed(
        ["nurse", "tailor", "agronomist", "economist", "crane operator", "forklift operator"]
    )
    for query, best in (("агроном", 2), ("економіст", 3), ("крановщик", 4), ("Gabelstaplerfahrer", 5)):
        assert int(np.argmax(embedder.embed_queries([query])[0] @ labels.T)) == best, query


def test_texts_are_sent_in_runs_of_about_512_tokens_with_the_same_vectors_as_one_by_one() -> None:
    embedder = E5Embedder(threads=1, batch_size=50)
    long = "Pflege und Betreuung älterer Menschen im Wohnbereich, Dokumentation. " * 40  # > 512 tokens alone
    texts = [*TEXTS, long, *(f"Fachkraft {i}" for i in range(60))]
    batches = embedder._batches(texts, query=True)
    assert [t for b in batches for t in b] == texts and all(len(b) <= 50 for b in batches)
    long_run = next(b for b in batches if long in b)
    assert long_run[-1] == long  # a run ends at the text that reaches the budget
    for run in batches[:-1]:
        tokens = [embedder._engine.token_count(t, True) for t in run]
        assert sum(tokens) >= TOKENS_PER_CALL or len(run) == 50
        assert sum(tokens[:-1]) < TOKENS_PER_CALL
    one_by_one = np.vstack([embedder.embed_queries([t]) for t in texts])
    np.testing.assert_array_equal(embedder.embed_queries(texts), one_by_one)


def test_queries_are_cached_apart_from_passages_and_erasure_forgets_both(tmp_path: Path) -> None:
    cache = CachedEmbedder(E5Embedder(threads=1), tmp_path / "cache.sqlite")
    text = "Erfahrung in der Altenpflege"
    query, passage = cache.embed_queries([text])[0], cache.embed([text])[0]
    assert float(query @ passage) < 0.999  # different prefixes, different vectors
    np.testing.assert_array_equal(cache.embed_queries([text])[0], query)  # from the cache
    assert cache.forget([text]) == 2


def test_quantising_dequantised_weights_gives_them_back_exactly() -> None:
    rng = np.random.default_rng(0)
    weights = rng.normal(0, 0.05, 32 * 64).astype(np.float32)
    once = dequantise(np.frombuffer(quantise(weights), dtype=np.uint8), weights.size)
    twice = dequantise(np.frombuffer(quantise(once), dtype=np.uint8), weights.size)
    np.testing.assert_array_equal(once, twice)
    assert np.abs(once - weights).max() <= np.abs(weights).max() / 8  # at most half a step of 4 bits


def test_the_model_file_is_read_and_written_back_to_the_same_vectors(packaged: Path, tmp_path: Path) -> None:
    model = read_model(packaged)
    assert (model.config.hidden, model.config.layers, len(model.vocabulary.pieces)) == (384, 12, 250002)
    copy = tmp_path / "copy.bin"
    write_model(model, copy)
    assert is_model_file(copy) and not is_model_file(tmp_path / "missing.bin")
    original, rewritten = E5Engine.shared(), E5Engine.shared(copy)
    np.testing.assert_array_equal(original.embed(TEXTS, True, 2), rewritten.embed(TEXTS, True, 2))
    embedder = make_embedder(str(copy), threads=1)
    assert embedder.model_id.startswith("e5-file:")  # its own cache keys


@pytest.mark.slow
def test_the_torch_port_reproduces_the_engine(packaged: Path) -> None:
    torch = pytest.importorskip("torch")
    from matching.embedding.e5_torch import E5Tokenizer, batch, torch_module

    model = read_model(packaged)
    tokenizer, encoder = E5Tokenizer(model.vocabulary), torch_module(model).eval()
    engine = E5Engine.shared()
    for text in TEXTS:
        assert len(tokenizer.encode(text, True)) == engine.token_count(text, True), text
    with torch.inference_mode():
        for query in (True, False):
            ours = encoder(*batch(tokenizer, TEXTS, query)).numpy()
            theirs = engine.embed(TEXTS, query, 2)
            assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.999
