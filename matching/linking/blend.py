"""English titles read by both models: the English model's scores blended with the multilingual model's.

all-MiniLM-L6-v2 reads English titles well, and multilingual-e5 with its query map (linking/alignment.py)
reads them at least as well in another way. With a map fitted on ESCO's German labels, MRR on the MELO US
English dev titles was 0.660 for MiniLM alone, 0.694 for mapped e5 alone and 0.691 for 0.3 × MiniLM + 0.7 ×
e5; on the first 3,000 JobBERT validation titles 0.296, 0.300 and 0.309. With the service's map (all names in
other languages) the blend gives 0.688 and 0.318.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.linking.linker import ConceptLinker, Scores, require_k
from matching.linking.results import LinkedConcept


def blend_model_id(english: str, multilingual: str) -> str:
    """The key of the blend's calibration (data/linking_calibration.json)."""
    return f"{english} + {multilingual} (English titles)"


class BlendedTitles:
    """``share`` × the first linker's scores + (1 − ``share``) × the second's, ranked with the second's
    confidence (its calibration is the blend's). Both rank the same concepts in the same order."""

    def __init__(self, first: ConceptLinker, second: ConceptLinker, share: float):
        if first.ids != second.ids:
            raise RuntimeError("blended linkers must rank the same concepts in the same order")
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"The 'share' parameter must be between 0 and 1. Got {share!r} instead.")
        self.first, self.second, self.share = first, second, share
        self.concepts = second.concepts

    @property
    def ids(self) -> list[str]:
        return self.second.ids

    @property
    def uri_rank(self) -> np.ndarray:
        return self.second.uri_rank

    def score_matrix(self, texts: Sequence[str], spans: bool = True) -> Scores:
        a = self.first.score_matrix(texts, spans)
        # Linkers sharing a lexical index read a title's n-grams alike: the second reuses the first's scores.
        whole_texts = not spans or (self.first.spans is None and self.second.spans is None)
        shared = whole_texts and self.first.lexical is self.second.lexical
        b = self.second.score_matrix(texts, spans, lexical=a[1] if shared else None)
        w = self.share
        combined, lexical, semantic = (w * x + (1 - w) * y for x, y in zip(a, b, strict=True))
        return combined, lexical, semantic

    def link(self, texts: Sequence[str], k: int = 10, language: str = "en") -> list[list[LinkedConcept]]:
        require_k(k)
        if not texts:
            return []
        return self.second.ranked(self.score_matrix(texts), k, language)
