"""Texts read twice where the glossary knows their words: in their own language and as an English gloss.

A Cyrillic title's or skill sentence's scores are ``(1 − share) ·`` its own (the multilingual model and the
lexical evidence) ``+ share ·`` its gloss's, read by the linker of English text; a text the glossary covers less
than ``coverage`` of is read only as written. Both linkers rank the same concepts, so the scores mix per
concept. One share and one coverage serve titles and sentences, chosen on development data
(benchmarks/results/linking.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.linking.gloss import Glossary
from matching.linking.linker import ConceptLinker, Linker, Scores, require_k
from matching.linking.results import LinkedConcept
from matching.linking.weights import LEXICAL_FLOOR

# Half of a text's scores come from its gloss. Skill sentences gain from it too: Ukrainian / Russian skill names
# read without the vocabulary scored MRR 0.270 / 0.402 as written, 0.397 / 0.533 with half of the gloss (0.414 /
# 0.545 with 0.3), and at the extraction threshold half finds what 0.3 leaves below it (F1 0.25, not 0.09).
GLOSS_SHARE = 0.5
# At least half of a title's Cyrillic words known: with any one word, Bulgarian titles (whose words the glossary
# knows only now and then) lost (MELO bgr dev MRR 0.165 -> 0.154; 0.169 from half on), while the Ukrainian and
# Russian dev titles gained as much from half on.
GLOSS_COVERAGE = 0.5
EXACT = 0.999  # lexical evidence of a text equal to a label


class GlossedTexts:
    """A linker (``inner``) with glosses read by ``reader``, behind the linker's interface; a glossed text's
    confidence is ``calibrated``'s, the linker of the model that reads Cyrillic text as written."""

    def __init__(
        self,
        inner: Linker,
        reader: ConceptLinker,
        calibrated: ConceptLinker,
        glossary: Glossary,
        share: float = GLOSS_SHARE,
        coverage: float = GLOSS_COVERAGE,
    ):
        if reader.ids != inner.ids:
            raise RuntimeError("a gloss must be read over the same concepts in the same order")
        self.inner, self.reader, self.glossary = inner, reader, glossary
        self.share, self.coverage = share, coverage
        self.concepts = inner.concepts
        self.calibrated = calibrated

    @property
    def ids(self) -> list[str]:
        return self.inner.ids

    @property
    def uri_rank(self) -> np.ndarray:
        return self.inner.uri_rank

    def glosses(self, texts: Sequence[str]) -> dict[int, str]:
        """The English gloss of each text (by position) the glossary covers well enough."""
        out = {}
        for i, text in enumerate(texts):
            gloss = self.glossary.gloss(text)
            if gloss is not None and gloss.english and gloss.covered >= self.coverage:
                out[i] = gloss.english
        return out

    def score_matrix(self, texts: Sequence[str], spans: bool = True) -> Scores:
        return self._mixed(texts, self.glosses(texts), spans)

    def _mixed(self, texts: Sequence[str], glosses: dict[int, str], spans: bool = True) -> Scores:
        scores = self.inner.score_matrix(texts, spans)
        # A text that is one of the taxonomy's names as written (a vocabulary name, say) is read as written.
        rows = [i for i in glosses if scores[1][i].max() < EXACT]
        if rows:
            # A gloss is a bag of words, not a sentence: read whole (its spans scored worse on dev data, and cost).
            read = self.reader.score_matrix([glosses[i] for i in rows], spans=False)
            exact = LEXICAL_FLOOR * scores[1][rows]  # a name the text matches as written stays strong
            for matrix, part in zip(scores, read, strict=True):
                matrix[rows] = (1 - self.share) * matrix[rows] + self.share * part
            scores[0][rows] = np.maximum(scores[0][rows], exact)
        return scores

    def link(self, texts: Sequence[str], k: int = 10, language: str = "en") -> list[list[LinkedConcept]]:
        glosses = self.glosses(texts)
        if not glosses:
            return self.inner.link(texts, k, language)
        require_k(k)
        out: list[list[LinkedConcept]] = [[] for _ in texts]
        plain = [i for i in range(len(texts)) if i not in glosses]
        if plain:
            for i, links in zip(plain, self.inner.link([texts[i] for i in plain], k, language), strict=True):
                out[i] = links
        glossed = sorted(glosses)
        scores = self._mixed([texts[i] for i in glossed], {n: glosses[i] for n, i in enumerate(glossed)})
        for i, links in zip(glossed, self.calibrated.ranked(scores, k, language), strict=True):
            out[i] = links
        return out


AnyLinker = Linker | GlossedTexts
