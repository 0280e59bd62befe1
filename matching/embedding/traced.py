"""A sentence-transformers model's encoder run as a TorchScript trace: the same vectors, less Python per call.

Linking one text embeds a handful of short strings (a title; a sentence and its 32 word spans), where eager
torch spends much of each call in Python module dispatch rather than arithmetic: on two AVX2 cores one short
string took 13.6 ms eager and 10.1 ms traced, a sentence's 32 spans 82.7 → 58.5 ms, the sentence 21.9 → 14.1 ms
(benchmarks/results/embedding_backends.md).

Only the common layout is traced — a Transformer whose model takes ``input_ids``, ``attention_mask`` (and
``token_type_ids``), mean pooling, optionally normalisation — and a trace is used only after it reproduced
the eager model on probe texts of different lengths, batch sizes and one longer than the model reads.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

TRACE_MIN_COSINE = 0.99999  # traced and eager vectors differ only by float rounding
_TRACED_LAYOUT = ("Transformer", "Pooling")

Encoder = Callable[[list[str]], np.ndarray]


def traced_encoder(model: Any, reference: Encoder, probes: Sequence[str]) -> Encoder | None:
    """An encoder (texts → unit vectors) that runs ``model``'s transformer traced, or None where the model's
    layout is not the one traced or the trace does not reproduce ``reference`` (eager) on ``probes``."""
    try:
        encode = _trace(model)
    except Exception as exc:  # any failure to trace leaves the eager model in use
        log.info("Embedding model not traced (%s); eager torch is used.", exc)
        return None
    if encode is None or not reproduces(encode, reference, probes, "Traced"):
        return None
    return encode


def reproduces(encode: Encoder, reference: Encoder, probes: Sequence[str], name: str) -> bool:
    """Whether ``encode`` gives ``reference``'s vectors (to float rounding) on ``probes``: all at once, one
    alone, and beside a text longer than the model reads, so padding and truncation must agree too."""
    long_probe = " ".join(probes) * 8
    checks = [list(probes), [probes[0]], [probes[-1], long_probe]]
    agreement = min(float(np.min(np.sum(encode(t) * reference(t), axis=1))) for t in checks)
    if agreement < TRACE_MIN_COSINE:
        log.warning(
            "%s embedding model disagrees with eager torch (min cosine %.6f); not used.", name, agreement
        )
        return False
    return True


@dataclass(frozen=True, slots=True)
class MeanPooledTransformer:
    """The parts of a sentence-transformers model of the common layout that a compiled encoder needs."""

    network: Any  # the Hugging Face model: (input_ids, attention_mask[, token_type_ids]) -> hidden states
    tokenizer: Any
    max_length: int

    def features(self, texts: list[str], tensors: str = "pt") -> dict[str, Any]:
        """The network's inputs for ``texts``, in the order it takes them (as torch or numpy arrays)."""
        batch = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors=tensors
        )
        return {k: batch[k] for k in INPUT_NAMES if k in batch}


INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


def mean_pooled_transformer(model: Any) -> MeanPooledTransformer | None:
    """``model``'s transformer where its layout is a Transformer, mean pooling and optionally normalisation;
    else None."""
    modules = list(model)
    names = tuple(type(m).__name__ for m in modules)
    tail = names[len(_TRACED_LAYOUT) :]
    if names[: len(_TRACED_LAYOUT)] != _TRACED_LAYOUT or tail not in ((), ("Normalize",)):
        return None
    transformer, pooling = modules[0], modules[1]
    if not _is_mean_pooling(pooling):
        return None
    tokenizer = transformer.tokenizer
    max_length = int(getattr(transformer, "max_seq_length", None) or tokenizer.model_max_length)
    return MeanPooledTransformer(transformer.auto_model, tokenizer, max_length)


def _trace(model: Any) -> Encoder | None:
    import torch

    layout = mean_pooled_transformer(model)
    if layout is None:
        return None
    features = layout.features
    example = features(["a short text", "a longer text, so that the example carries padding"])
    with warnings.catch_warnings(), quiet_transformers(), torch.inference_mode():
        warnings.simplefilter("ignore")  # jit's deprecation notice and its notes on Python-side shape reads
        traced = torch.jit.trace(layout.network, tuple(example.values()), strict=False, check_trace=False)

    def encode(texts: list[str]) -> np.ndarray:
        batch = features(texts)
        with torch.inference_mode():
            output = traced(*batch.values())
            hidden = output["last_hidden_state"] if isinstance(output, dict) else output[0]
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            vectors = torch.nn.functional.normalize(pooled, dim=1)
        return vectors.float().numpy()

    return encode


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Tracing reads every attribute of the model, and transformers logs a note for some (its loss type)."""
    from transformers.utils import logging as transformers_logging

    level = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    try:
        yield
    finally:
        transformers_logging.set_verbosity(level)


def _is_mean_pooling(pooling: Any) -> bool:
    """Mean over the tokens, as sentence-transformers 6 (``pooling_mode``) or earlier (flags) configures it."""
    config = pooling.get_config_dict() if hasattr(pooling, "get_config_dict") else {}
    flags = {k for k, v in config.items() if k.startswith("pooling_mode_") and v is True}
    if flags:
        return flags == {"pooling_mode_mean_tokens"}
    return config.get("pooling_mode") == "mean"
