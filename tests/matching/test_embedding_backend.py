"""The bf16 backend is used only where it agrees with fp32; the choice can be forced by configuration."""

from __future__ import annotations

import numpy as np
import pytest

from matching.embedding.sbert import (
    BF16_MIN_COSINE,
    PROBE_SENTENCES,
    SentenceTransformerEmbedder,
    _cpu_has_bf16,
)

pytestmark = pytest.mark.slow


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match=r"must be one of \['auto', 'bf16', 'fp32'\]. Got 'int8' instead"):
        SentenceTransformerEmbedder(backend="int8")


def test_forced_fp32_and_the_automatic_choice() -> None:
    fp32 = SentenceTransformerEmbedder(backend="fp32")
    assert fp32.backend == "fp32"
    auto = SentenceTransformerEmbedder(backend="auto")
    if not _cpu_has_bf16():
        assert auto.backend == "fp32"
    texts = [*PROBE_SENTENCES, "Krankenschwester mit Erfahrung in der Altenpflege"]
    agreement = np.sum(auto.embed(texts) * fp32.embed(texts), axis=1)
    assert agreement.min() >= BF16_MIN_COSINE  # whichever backend was chosen, results match fp32
