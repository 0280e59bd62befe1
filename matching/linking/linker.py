"""Ranks ESCO concepts for free text by combining lexical and semantic evidence.

``score = (w_lex · lexical + w_pref · preferred + w_alt · alternative + w_desc · description) / Σw``:
lexical is the character n-gram TF-IDF cosine of the text with the concept's best label in any language;
the others are embedding cosines with the preferred label, the best alternative label and the description.
The weights were chosen on validation data only (HOUSE validation for skills); benchmarks/linking.py
measures them on the test sets.
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
    preferred: float
    alternative: float
    description: float

    @property
    def semantic(self) -> float:
        return self.preferred + self.alternative + self.description


LEXICAL_FLOOR = 0.85
OCCUPATION_WEIGHTS = LinkWeights(lexical=1.0, preferred=0.5, alternative=0.5, description=0.0)
SKILL_WEIGHTS = LinkWeights(lexical=1.0, preferred=1.0, alternative=0.25, description=0.25)


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
        semantic_language: str = "en",
    ):
        """``embedder=None`` gives a lexical-only linker (fast to build; used for autocomplete)."""
        self.concepts = {c.uri: c for c in concepts}
        self.weights = weights
        normalise = normalise_title if title_mode else normalise_label
        every_label = [(c.uri, [label for _, label in c.all_labels()]) for c in concepts]
        self.lexical = LexicalIndex(every_label, normalise)
        # The packaged model reads English; other languages are served by the lexical side. A concept
        # without text in a channel falls back to its preferred label so every channel has every concept.
        self.channels: list[tuple[float, SemanticIndex]] = []
        if embedder is not None:
            lang = semantic_language
            texts = {
                "preferred": lambda c: [c.label(lang)],
                "alternative": lambda c: list(c.alt_labels.get(lang, ())) or [c.label(lang)],
                "description": lambda c: [c.descriptions.get(lang) or c.label(lang)],
            }
            for name, weight in (
                ("preferred", weights.preferred),
                ("alternative", weights.alternative),
                ("description", weights.description),
            ):
                if weight > 0:
                    index = SemanticIndex([(c.uri, texts[name](c)) for c in concepts], embedder)
                    if index.ids != self.lexical.ids:  # both keep taxonomy order; guard the assumption
                        raise RuntimeError("lexical and semantic indexes disagree on concept order")
                    self.channels.append((weight, index))
        self.embedder = embedder
        self._rank: np.ndarray | None = None

    @property
    def ids(self) -> list[str]:
        return self.lexical.ids

    @property
    def _uri_rank(self) -> np.ndarray:
        if self._rank is None:
            order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
            self._rank = np.empty(len(order), dtype=np.int64)
            self._rank[order] = np.arange(len(order))
        return self._rank

    def score_matrix(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(combined, lexical, semantic) scores, each (n_texts, n_concepts); semantic is the channels' mean."""
        lexical = self.lexical.scores(texts)
        semantic = np.zeros_like(lexical)
        total_semantic = sum(weight for weight, _ in self.channels)
        if self.channels and self.embedder is not None:
            # Query text may be personal (a CV sentence): it is embedded without being cached anywhere.
            embed = getattr(self.embedder, "embed_transient", self.embedder.embed)
            queries = embed(list(texts))
            for weight, index in self.channels:
                semantic += weight * index.scores(queries)
            semantic /= total_semantic
        total = self.weights.lexical + total_semantic
        combined = (self.weights.lexical * lexical + total_semantic * semantic) / (total or 1.0)
        # An exact label in any language is strong evidence even where the (English) model cannot read
        # the text: German or Ukrainian input must not fall below the threshold just for its language.
        combined = np.maximum(combined, LEXICAL_FLOOR * lexical)
        return combined, lexical, semantic

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
            top = top_k(scores, self._uri_rank, k)
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


def top_k(scores: np.ndarray, uri_rank: np.ndarray, k: int) -> list[int]:
    """Indices of the k best scores, ties broken by URI: exact, so results never depend on input order."""
    order = np.lexsort((uri_rank, -scores))
    return order[:k].tolist()


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
            list(taxonomy.skills.values()), embedder, SKILL_WEIGHTS, title_mode=False, semantic_language=language,
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
        order = top_k(best, self.skills._uri_rank, limit)
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
