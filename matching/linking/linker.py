"""Ranks ESCO concepts for free text by combining lexical and semantic evidence.

``score = w_lexical · lexical + w_semantic · semantic`` where lexical is the character n-gram TF-IDF cosine of
the text with the concept's best label (any language) and semantic the embedding cosine with its best label
or description. The weights per concept kind were chosen on the validation sets (see benchmarks/linking.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.embedding import Embedder
from matching.linking.lexical import LexicalIndex
from matching.linking.normalize import normalise_label, normalise_title
from matching.linking.semantic import SemanticIndex
from matching.taxonomy import Concept, Taxonomy


@dataclass(frozen=True, slots=True)
class LinkWeights:
    lexical: float
    semantic: float


OCCUPATION_WEIGHTS = LinkWeights(lexical=0.5, semantic=0.5)
SKILL_WEIGHTS = LinkWeights(lexical=0.3, semantic=1.0)


@dataclass(frozen=True, slots=True)
class LinkedConcept:
    uri: str
    label: str
    score: float
    lexical: float
    semantic: float


class ConceptLinker:
    def __init__(
        self,
        concepts: Sequence[Concept],
        embedder: Embedder | None,
        weights: LinkWeights,
        *,
        title_mode: bool,
        with_descriptions: bool = False,
        semantic_language: str = "en",
    ):
        """``embedder=None`` gives a lexical-only linker (fast to build; used for autocomplete)."""
        self.concepts = {c.uri: c for c in concepts}
        self.weights = weights
        normalise = normalise_title if title_mode else normalise_label
        every_label = [(c.uri, [label for _, label in c.all_labels()]) for c in concepts]
        self.lexical = LexicalIndex(every_label, normalise)
        self.semantic: SemanticIndex | None = None
        if embedder is not None and weights.semantic > 0:
            # The packaged model reads English; other languages are served by the lexical side.
            texts = []
            for c in concepts:
                own = [c.labels.get(semantic_language, ""), *c.alt_labels.get(semantic_language, ())]
                if with_descriptions and c.descriptions.get(semantic_language):
                    own.append(c.descriptions[semantic_language])
                texts.append((c.uri, [t for t in own if t] or [c.label(semantic_language)]))
            self.semantic = SemanticIndex(texts, embedder)
            if self.semantic.ids != self.lexical.ids:  # both keep taxonomy order; guard the assumption
                raise RuntimeError("lexical and semantic indexes disagree on concept order")

    @property
    def ids(self) -> list[str]:
        return self.lexical.ids

    def score_matrix(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lexical = self.lexical.scores(texts)
        semantic = self.semantic.scores(texts) if self.semantic is not None else np.zeros_like(lexical)
        combined = self.weights.lexical * lexical + self.weights.semantic * semantic
        total = self.weights.lexical + (self.weights.semantic if self.semantic is not None else 0.0)
        return combined / (total or 1.0), lexical, semantic

    def link(self, texts: Sequence[str], k: int = 10, language: str = "en") -> list[list[LinkedConcept]]:
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"The 'k' parameter must be an int >= 1. Got {k!r} instead.")
        if not texts:
            return []
        combined, lexical, semantic = self.score_matrix(texts)
        ids = self.ids
        out = []
        for row in range(len(texts)):
            scores = combined[row]
            candidates = np.argpartition(-scores, k)[:k] if len(ids) > k else np.arange(len(ids))
            top = sorted(candidates.tolist(), key=lambda i: (-scores[i], ids[i]))
            out.append(
                [
                    LinkedConcept(
                        uri=ids[i],
                        label=self.concepts[ids[i]].label(language),
                        score=round(float(scores[i]), 4),
                        lexical=round(float(lexical[row, i]), 4),
                        semantic=round(float(semantic[row, i]), 4),
                    )
                    for i in top
                ]
            )
        return out


_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|\s[•·*\-–]\s")


def split_sentences(text: str) -> list[str]:
    """Bullet points and sentences of a description, each worth linking on its own."""
    parts = [p.strip(" \t•·*-–") for p in _SENTENCE.split(text)]
    return [p for p in parts if len(p) >= 3]


class TaxonomyLinker:
    """Occupation and skill linkers over one taxonomy, with the thresholded skill set for profiles."""

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder | None, language: str = "en"):
        self.taxonomy = taxonomy
        self.occupations = ConceptLinker(
            list(taxonomy.occupations.values()), embedder, OCCUPATION_WEIGHTS, title_mode=True,
            semantic_language=language,
        )  # fmt: skip
        self.skills = ConceptLinker(
            list(taxonomy.skills.values()), embedder, SKILL_WEIGHTS, title_mode=False, with_descriptions=True,
            semantic_language=language,
        )  # fmt: skip

    def link_occupation(self, title: str, k: int = 5, language: str = "en") -> list[LinkedConcept]:
        return self.occupations.link([title], k, language)[0]

    def extract_skills(
        self,
        text: str,
        occupation_uri: str | None = None,
        threshold: float = 0.55,
        limit: int = 30,
        language: str = "en",
    ) -> list[LinkedConcept]:
        """Skills mentioned in a description: each sentence linked, the best score per skill kept.

        Skills of the given occupation's ESCO profile get a small boost: a "care plan" sentence in a nurse
        vacancy most likely means the nursing skill, not a similarly worded one from another field.
        """
        sentences = split_sentences(text) or [text]
        combined, lexical, semantic = self.skills.score_matrix(sentences)
        best = combined.max(axis=0)
        if occupation_uri:
            profile = set(self.taxonomy.essential_skills(occupation_uri)) | set(
                self.taxonomy.optional_skills(occupation_uri)
            )
            boost = np.asarray([0.05 if uri in profile else 0.0 for uri in self.skills.ids], dtype=np.float32)
            best = best + boost
        order = np.argsort(-best)[:limit]
        row_of_best = combined.argmax(axis=0)
        out = []
        for i in order:
            if best[i] < threshold:
                break
            uri = self.skills.ids[i]
            r = row_of_best[i]
            out.append(
                LinkedConcept(
                    uri=uri,
                    label=self.taxonomy.label(uri, language),
                    score=round(float(best[i]), 4),
                    lexical=round(float(lexical[r, i]), 4),
                    semantic=round(float(semantic[r, i]), 4),
                )
            )
        return out
