"""A sentence-transformers model's encoder exported to ONNX and run by ONNX Runtime: the same vectors, less
time per call.

Linking embeds a handful of short strings per text, where torch (eager or traced) spends much of each call in
framework overhead; ONNX Runtime runs the same fp32 graph with fused attention and layer norms. The model is
exported when it loads, by a child process into a private temporary folder removed at once: torch's exporter
keeps ~150 MB it never gives back, which would otherwise stay in every service process. The encoder is used
only after it reproduced eager torch on probe texts (benchmarks/results/embedding_backends.md has timings).

    python -m matching.embedding.exported MODEL OUT.onnx     # what the child runs
"""

from __future__ import annotations

import logging
import subprocess
import sys
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
EXPORT_TIMEOUT_S = 600


def onnx_encoder(
    model: Any, source: str, reference: Encoder, probes: Sequence[str], threads: int
) -> Encoder | None:
    """An encoder (texts → unit vectors) that runs ``model`` (loaded from ``source``, a sentence-transformers
    name or folder) in ONNX Runtime on ``threads`` threads, or None where ONNX Runtime is not installed, the
    model's layout is not a mean-pooled transformer, the export fails or its vectors do not reproduce
    ``reference`` (eager torch) on ``probes``."""
    try:
        import onnxruntime
    except ImportError:
        log.info("ONNX Runtime is not installed; the embedding model runs in torch.")
        return None
    layout = mean_pooled_transformer(model)
    if layout is None:
        return None
    with tempfile.TemporaryDirectory(prefix="skillbridge-onnx-") as folder:
        path = Path(folder) / "encoder.onnx"
        done = subprocess.run(
            [sys.executable, "-m", __name__, source, str(path)],
            capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not path.is_file():
            reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            log.warning("Embedding model not exported to ONNX (%s); torch is used.", reason)
            return None
        try:
            options = _options(onnxruntime, threads)
            session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a graph this runtime cannot load leaves torch in use
            log.warning("ONNX Runtime cannot run the exported embedding model (%s); torch is used.", exc)
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


def export(layout: MeanPooledTransformer, path: Path) -> None:
    """Write ``layout``'s network (token ids, mask → last hidden states) to ``path`` as an ONNX graph whose
    batch and sequence lengths vary."""
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
    with warnings.catch_warnings(), quiet_transformers(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the exporter's notes on Python-side shape reads, its deprecations
        torch.onnx.export(
            LastHiddenState(layout.network).eval(), tuple(example.values()), path, input_names=names,
            output_names=["hidden"], dynamic_axes=axes, opset_version=OPSET, dynamo=False,
        )  # fmt: skip


def _encoder(layout: MeanPooledTransformer, session: Any) -> Encoder:
    def encode(texts: list[str]) -> np.ndarray:
        batch = {k: np.asarray(v, dtype=np.int64) for k, v in layout.features(texts, "np").items()}
        hidden = session.run(["hidden"], batch)[0]
        mask = batch["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    return encode


def _main(source: str, out: str) -> int:
    from sentence_transformers import SentenceTransformer

    layout = mean_pooled_transformer(SentenceTransformer(source, device="cpu"))
    if layout is None:
        print("the model is not a transformer with mean pooling", file=sys.stderr)
        return 2
    export(layout, Path(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(*sys.argv[1:3]))
