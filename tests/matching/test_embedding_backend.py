"""The bf16 and traced backends are used only where they agree with eager fp32; the choice can be forced by
configuration."""

from __future__ import annotations

import numpy as np
import pytest

from matching.embedding import sbert
from matching.embedding.sbert import (
    BF16_MIN_COSINE,
    PROBE_SENTENCES,
    SentenceTransformerEmbedder,
    _cpu_has_bf16,
)
from matching.embedding.traced import TRACE_MIN_COSINE, traced_encoder

pytestmark = pytest.mark.slow


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match=r"must be one of \['auto', 'bf16', 'fp32', 'traced'\]. Got 'int8'"):
        SentenceTransformerEmbedder(backend="int8")


def test_forced_fp32_and_the_automatic_choice() -> None:
    fp32 = SentenceTransformerEmbedder(backend="fp32")
    assert fp32.backend == "fp32"
    auto = SentenceTransformerEmbedder(backend="auto")
    if not _cpu_has_bf16():
        assert auto.backend == "traced"
    texts = [*PROBE_SENTENCES, "Krankenschwester mit Erfahrung in der Altenpflege"]
    agreement = np.sum(auto.embed(texts) * fp32.embed(texts), axis=1)
    assert agreement.min() >= BF16_MIN_COSINE  # whichever backend was chosen, results match fp32


def test_the_traced_model_gives_the_eager_vectors_in_any_batch() -> None:
    eager, traced = SentenceTransformerEmbedder(backend="fp32"), SentenceTransformerEmbedder(backend="traced")
    assert traced.backend == "traced"
    long_text = "Pflegefachkraft mit Erfahrung in der Intensivpflege und Wundversorgung " * 40  # truncated
    texts = [*PROBE_SENTENCES * 10, "x", "SQL", long_text]  # more than one batch, of very different lengths
    for chosen in (texts, texts[:1], [long_text], ["SQL", long_text]):
        agreement = np.sum(traced.embed_queries(chosen) * eager.embed_queries(chosen), axis=1)
        assert len(agreement) == len(chosen) and agreement.min() >= TRACE_MIN_COSINE


def test_a_trace_that_does_not_reproduce_the_model_is_not_used(caplog: pytest.LogCaptureFixture) -> None:
    model = SentenceTransformerEmbedder(backend="fp32")._model
    rng = np.random.default_rng(0)

    def other_model(texts: list[str]) -> np.ndarray:
        vectors = rng.normal(size=(len(texts), 384)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    assert traced_encoder(model, other_model, PROBE_SENTENCES) is None
    assert "disagrees with eager torch" in caplog.text


def test_a_model_the_trace_cannot_run_falls_back_or_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sbert, "traced_encoder", lambda *args: None)  # e.g. CLS pooling, or no trace
    assert SentenceTransformerEmbedder(backend="auto").backend in {"fp32", "bf16"}
    with pytest.raises(ValueError, match=r"backend 'traced' cannot run the model .*use 'auto' or 'fp32'"):
        SentenceTransformerEmbedder(backend="traced")


def test_only_mean_pooled_transformers_are_traced() -> None:
    class Transformer:  # named as sentence-transformers' modules are; nothing else is read before the check
        pass

    class Pooling:
        def __init__(self, config: dict) -> None:
            self.config = config

        def get_config_dict(self) -> dict:
            return self.config

    def never_called(texts: list[str]) -> np.ndarray:
        raise AssertionError("no trace, nothing to compare")

    for pooling in (
        {"pooling_mode": "cls"},
        {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False},
    ):
        assert traced_encoder([Transformer(), Pooling(pooling)], never_called, PROBE_SENTENCES) is None
    assert traced_encoder([Pooling({"pooling_mode": "mean"})], never_called, PROBE_SENTENCES) is None
