"""A sentence-transformers model's encoder exported to ONNX and run by ONNX Runtime: the same vectors, less
time per call.

Linking embeds a handful of short strings per text, where torch (eager or traced) spends much of each call in
framework overhead; ONNX Runtime runs the same fp32 graph with fused attention and layer norms. The model is
exported when it loads, into a private temporary folder removed at once, and the encoder is used only after
it reproduced eager torch on probe texts (benchmarks/results/embedding_backends.md has the timings).
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matching.embedding.traced import (
    Encoder,
    MeanPooledTransformer,
    mean_pooled_transformer,
    quiet_transformers,
    reproduces,
)

log = logging.getLogger(__name__)

OPSET = 17


def onnx_encoder(model: Any, reference: Encoder, probes: Sequence[str], threads: int) -> Encoder | None:
    """An encoder (texts → unit vectors) that runs ``model``'s transformer in ONNX Runtime on ``threads``
    threads, or None where ONNX Runtime is not installed, the model's layout is not a mean-pooled
    transformer, the export fails or its vectors do not reproduce ``reference`` (eager torch) on ``probes``."""
    try:
        import onnxruntime
    except ImportError:
        log.info("ONNX Runtime is not installed; the embedding model runs in torch.")
        return None
    layout = mean_pooled_transformer(model)
    if layout is None:
        return None
    try:
        session = onnxruntime.InferenceSession(
            _export(layout), _options(onnxruntime, threads), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # any failure to export or load leaves torch in use
        log.info("Embedding model not exported to ONNX (%s); torch is used.", exc)
        return None
    encode = _encoder(layout, session)
    return encode if reproduces(encode, reference, probes, "ONNX") else None


def _options(onnxruntime: Any, threads: int) -> Any:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    # Idle ONNX Runtime threads spin by default, on the cores the other model and the label products need
    # next (the same collision as OpenMP's, matching/__init__.py).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: the optimiser's notes are not for operators
    return options


def _export(layout: MeanPooledTransformer) -> bytes:
    import torch

    example = layout.features(["a short text", "a longer text, so that the example carries padding"])
    names = list(example)

    class LastHiddenState(torch.nn.Module):
        def __init__(self, network: Any) -> None:
            super().__init__()
            self.network = network

        def forward(self, *inputs: Any) -> Any:
            return self.network(**dict(zip(names, inputs, strict=True)))[0]

    axes = {name: {0: "texts", 1: "tokens"} for name in [*names, "hidden"]}
    with tempfile.TemporaryDirectory(prefix="skillbridge-onnx-") as folder:
        path = Path(folder) / "encoder.onnx"
        with warnings.catch_warnings(), quiet_transformers(), torch.inference_mode():
            warnings.simplefilter(
                "ignore"
            )  # the exporter's notes on Python-side shape reads, its deprecations
            torch.onnx.export(
                LastHiddenState(layout.network).eval(), tuple(example.values()), path, input_names=names,
                output_names=["hidden"], dynamic_axes=axes, opset_version=OPSET, dynamo=False,
            )  # fmt: skip
        return path.read_bytes()


def _encoder(layout: MeanPooledTransformer, session: Any) -> Encoder:
    def encode(texts: list[str]) -> np.ndarray:
        batch = {k: np.asarray(v, dtype=np.int64) for k, v in layout.features(texts, "np").items()}
        hidden = session.run(["hidden"], batch)[0]
        mask = batch["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    return encode
