"""A sentence-transformers model's encoder exported to ONNX and run by ONNX Runtime: the same vectors, less
time per call.

Linking embeds a handful of short strings per text, where torch (eager or traced) spends much of each call in
framework overhead; ONNX Runtime runs the same fp32 graph with fused attention and layer norms. The model is
exported by a child process (torch's exporter keeps ~150 MB it never gives back, which would otherwise stay in
every service process) the first time it loads, and the export is kept beside the embedding cache for the next
start. The encoder is used only after it reproduced eager torch on probe texts, at every start
(benchmarks/results/embedding_backends.md has timings).

    python -m matching.embedding.exported MODEL OUT.onnx     # what the child runs
"""

from __future__ import annotations

import hashlib
import logging
import os
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
    model: Any,
    source: str,
    reference: Encoder,
    probes: Sequence[str],
    threads: int,
    store: Path | None = None,
) -> Encoder | None:
    """An encoder (texts → unit vectors) that runs ``model`` (loaded from ``source``, a sentence-transformers
    name or folder) in ONNX Runtime on ``threads`` threads, or None where ONNX Runtime is not installed, the
    model's layout is not a mean-pooled transformer, the export fails or its vectors do not reproduce
    ``reference`` (eager torch) on ``probes``. ``store``: a folder where the export of a model loaded from a
    local folder is kept for the next start (an export takes ~7 s on two cores, loading it well under one)."""
    try:
        import onnxruntime
    except ImportError:
        log.info("ONNX Runtime is not installed; the embedding model runs in torch.")
        return None
    layout = mean_pooled_transformer(model)
    if layout is None:
        return None
    kept = _kept_export(source, store)
    session = (
        _session(onnxruntime, kept, threads, quiet=True) if kept is not None and kept.is_file() else None
    )
    if session is None:
        session = _fresh_session(onnxruntime, source, kept, threads)
    if session is None:
        return None
    encode = _encoder(layout, session)
    if reproduces(encode, reference, probes, "ONNX"):
        return encode
    if kept is not None:
        kept.unlink(missing_ok=True)  # the next start exports afresh
    return None


def _fresh_session(onnxruntime: Any, source: str, kept: Path | None, threads: int) -> Any:
    """Export the model now and load the export; keep it at ``kept`` where that is given and can be written."""
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only data folder: the model still runs, exported for this start only
            log.info(
                "The ONNX export cannot be kept in %s (%s); it is redone at the next start.", kept.parent, exc
            )
            kept = None
    with tempfile.TemporaryDirectory(prefix="skillbridge-onnx-", dir=kept.parent if kept else None) as folder:
        path = Path(folder) / "encoder.onnx"
        if not _export_in_child(source, path):
            return None
        if kept is not None:
            for older in kept.parent.glob(f"{_stem(source)}-*.onnx"):
                older.unlink(missing_ok=True)  # an export of an earlier version of the model or of torch
            # Whole or not at all; a worker exporting beside this one writes the same graph.
            os.replace(path, kept)
            path = kept
        return _session(onnxruntime, path, threads)


def _export_in_child(source: str, path: Path) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", __name__, source, str(path)],
        capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not path.is_file():
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        log.warning("Embedding model not exported to ONNX (%s); torch is used.", reason)
        return False
    return True


def _session(onnxruntime: Any, path: Path, threads: int, quiet: bool = False) -> Any:
    """The runtime's session for the graph at ``path``; None where it cannot load it (``quiet``: a kept
    export, which is then exported again)."""
    try:
        return onnxruntime.InferenceSession(
            str(path), _options(onnxruntime, threads), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # a graph this runtime cannot load leaves torch in use
        if quiet:
            log.info("The kept ONNX export %s cannot be loaded (%s); exporting again.", path.name, exc)
        else:
            log.warning("ONNX Runtime cannot run the exported embedding model (%s); torch is used.", exc)
        return None


def _stem(source: str) -> str:
    """A kept export's name up to its content hash: the folder's name and a hash of its full path, so that
    pruning older exports of one model never touches another's (two models may both sit in "model/")."""
    folder = Path(source).resolve()
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in folder.name) or "model"
    return f"{name}-{hashlib.sha256(str(folder).encode()).hexdigest()[:8]}"


def _kept_export(source: str, store: Path | None) -> Path | None:
    """Where the export of the model in folder ``source`` is kept: named by the folder's files (names, sizes,
    modification times), torch's version and the opset, so a changed model or exporter is exported again. A
    model named on the hub is exported at every start (its files live in the hub's cache)."""
    folder = Path(source)
    if store is None or not folder.is_dir():
        return None
    import torch

    digest = hashlib.sha256(f"{torch.__version__}|{OPSET}".encode())
    for file in sorted(f for f in folder.rglob("*") if f.is_file()):
        stat = file.stat()
        digest.update(f"|{file.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return store / f"{_stem(source)}-{digest.hexdigest()[:16]}.onnx"


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
