"""The ONNX, bf16 and traced backends are used only where they agree with eager fp32; the choice can be forced
by configuration."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from matching.embedding import exported, sbert
from matching.embedding.exported import onnx_encoder
from matching.embedding.sbert import (
    BF16_MIN_COSINE,
    PACKAGED_MINILM,
    PROBE_SENTENCES,
    SentenceTransformerEmbedder,
    _cpu_has_bf16,
    resolve_model_path,
)
from matching.embedding.traced import TRACE_MIN_COSINE, traced_encoder

pytestmark = pytest.mark.slow


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"must be one of \['auto', 'bf16', 'fp32', 'onnx', 'traced'\]. Got 'int8'"
    ):
        SentenceTransformerEmbedder(backend="int8")


def test_forced_fp32_and_the_automatic_choice() -> None:
    fp32 = SentenceTransformerEmbedder(backend="fp32")
    assert fp32.backend == "fp32"
    auto = SentenceTransformerEmbedder(backend="auto")
    assert auto.backend == "onnx"  # ONNX Runtime is installed with the project
    texts = [*PROBE_SENTENCES, "Krankenschwester mit Erfahrung in der Altenpflege"]
    agreement = np.sum(auto.embed(texts) * fp32.embed(texts), axis=1)
    assert agreement.min() >= BF16_MIN_COSINE  # whichever backend was chosen, results match fp32


@pytest.mark.parametrize("backend", ["traced", "onnx"])
def test_a_compiled_model_gives_the_eager_vectors_in_any_batch(backend: str) -> None:
    eager, compiled = (
        SentenceTransformerEmbedder(backend="fp32"),
        SentenceTransformerEmbedder(backend=backend),
    )
    assert compiled.backend == backend
    long_text = "Pflegefachkraft mit Erfahrung in der Intensivpflege und Wundversorgung " * 40  # truncated
    texts = [*PROBE_SENTENCES * 10, "x", "SQL", long_text]  # more than one batch, of very different lengths
    for chosen in (texts, texts[:1], [long_text], ["SQL", long_text]):
        agreement = np.sum(compiled.embed_queries(chosen) * eager.embed_queries(chosen), axis=1)
        assert len(agreement) == len(chosen) and agreement.min() >= TRACE_MIN_COSINE


def _unrelated_model(texts: list[str]) -> np.ndarray:
    vectors = np.random.default_rng(0).normal(size=(len(texts), 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_compiled_model_that_does_not_reproduce_the_model_is_not_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = SentenceTransformerEmbedder(backend="fp32")._model
    assert traced_encoder(model, _unrelated_model, PROBE_SENTENCES) is None
    assert "Traced embedding model disagrees with eager torch" in caplog.text
    assert (
        onnx_encoder(model, resolve_model_path(PACKAGED_MINILM), _unrelated_model, PROBE_SENTENCES, threads=1)
        is None
    )
    assert "ONNX embedding model disagrees with eager torch" in caplog.text


def test_a_failed_export_leaves_torch_in_use(caplog: pytest.LogCaptureFixture, tmp_path) -> None:
    model = SentenceTransformerEmbedder(backend="fp32")._model
    missing = str(tmp_path / "no-such-model")  # the exporting process cannot load it
    assert onnx_encoder(model, missing, model.encode, PROBE_SENTENCES, threads=1) is None
    assert "not exported to ONNX" in caplog.text


def test_the_export_is_kept_for_the_next_start_and_redone_when_unusable(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    eager = SentenceTransformerEmbedder(backend="fp32")
    source, store = resolve_model_path(PACKAGED_MINILM), tmp_path / "models"
    reference = eager._eager_fp32
    assert onnx_encoder(eager._model, source, reference, PROBE_SENTENCES, 1, store) is not None
    kept = list(store.glob("*.onnx"))
    assert len(kept) == 1 and kept[0].stat().st_size > 1_000_000
    assert not [p for p in store.iterdir() if p not in kept]  # no temporary files left behind

    exports: list[str] = []
    real_export = exported._export_in_child
    monkeypatch.setattr(exported, "_export_in_child", lambda *a: exports.append("export") or real_export(*a))
    encode = onnx_encoder(eager._model, source, reference, PROBE_SENTENCES, 1, store)
    assert encode is not None and exports == []  # the next start loads the kept export
    texts = ["SQL", "Pflegefachkraft für die Intensivpflege"]
    assert np.sum(encode(texts) * reference(texts), axis=1).min() >= TRACE_MIN_COSINE

    kept[0].write_bytes(b"not a graph")  # damaged: exported again, and kept again
    assert onnx_encoder(eager._model, source, reference, PROBE_SENTENCES, 1, store) is not None
    assert exports == ["export"] and kept[0].stat().st_size > 1_000_000

    assert onnx_encoder(eager._model, source, _unrelated_model, PROBE_SENTENCES, 1, store) is None
    assert not kept[0].exists()  # an export that does not reproduce the model is not kept

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")  # the store cannot be made: the model still runs, exported for this start
    assert (
        onnx_encoder(eager._model, source, reference, PROBE_SENTENCES, 1, not_a_folder / "models") is not None
    )


def test_a_model_the_trace_cannot_run_falls_back_or_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sbert, "onnx_encoder", lambda *args: None)
    monkeypatch.setattr(sbert, "traced_encoder", lambda *args: None)  # e.g. CLS pooling, or no trace
    assert SentenceTransformerEmbedder(backend="auto").backend in {"fp32", "bf16"}
    with pytest.raises(ValueError, match=r"backend 'traced' cannot run the model .*use 'auto' or 'fp32'"):
        SentenceTransformerEmbedder(backend="traced")


def test_without_onnx_runtime_auto_falls_back_to_torch_and_onnx_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed: import fails
    auto = SentenceTransformerEmbedder(backend="auto")
    assert auto.backend in ({"bf16", "traced"} if _cpu_has_bf16() else {"traced"})
    with pytest.raises(
        ValueError, match=r"backend 'onnx' cannot run the model .*not installed.*use 'auto' or 'fp32'"
    ):
        SentenceTransformerEmbedder(backend="onnx")


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
