"""A linear map that carries a multilingual model's title queries toward the taxonomy's English names.

multilingual-e5 embeds a query ("query: Pielęgniarka") and a passage ("passage: nurse") apart, and a title in
another language lands beside other titles in that language before it lands beside the English label that
means the same. The taxonomy holds what it takes to correct for both: each occupation's other names (German
labels, English synonyms, the vocabulary's Ukrainian and Russian names) and its English preferred label. A
ridge regression from the other names, embedded as queries, to the preferred labels, embedded as passages, fits
a 384 × 384 map in about a second from vectors the embedding cache keeps (the first start embeds the names
as queries: about 2.5 minutes for full ESCO's 20,600 German, Ukrainian and Russian names on two cores).

Measured on the MELO dev sets (national titles against English ESCO labels, dense cosine only, the map fitted
on full ESCO's German labels): MRR Czech 0.247 → 0.287, US English 0.640 → 0.693, Bulgarian 0.144 → 0.151,
Polish 0.361 → 0.352. Which channels read the mapped query is in
taxonomy_linker.py: German titles must still find German labels as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.embedding.base import Embedder, embed_queries, is_asymmetric, is_multilingual, unit_rows
from matching.taxonomy import Concept

# Ridge strength toward the identity, and the pairs a map is fitted on (spread evenly over the taxonomy's
# names). Chosen on the MELO dev sets, JobBERT validation and the check set's dev titles with the whole title
# linker: all 20,600 non-English names of full ESCO with the default vocabulary gave MRR pol 0.387, cze 0.295,
# usa 0.688, JobBERT 0.318; 4,000 of them 0.387, 0.287, 0.674, 0.311; adding the English synonyms (51,700
# pairs) 0.389, 0.294, 0.690, 0.323 but German check titles 0.947 → 0.943. Dense cosine alone was within 0.005
# MRR from 2,000 pairs on and for λ 10–30; below 1,000 pairs a map follows the few names it saw, so a small
# taxonomy (the demo's) gets none.
RIDGE = 30.0
MAX_PAIRS = 30000
MIN_PAIRS = 1000


@dataclass(frozen=True, slots=True)
class QueryMap:
    matrix: np.ndarray  # (dim, dim): mapped = unit(query @ matrix)
    pairs: int

    def apply(self, queries: np.ndarray) -> np.ndarray:
        return unit_rows(np.asarray(queries, dtype=np.float32) @ self.matrix).astype(np.float32, copy=False)


def name_pairs(concepts: Sequence[Concept], language: str = "en") -> tuple[list[str], list[str]]:
    """(name in another language, preferred label in ``language``) for every concept that has that label."""
    sources, targets = [], []
    for concept in concepts:
        preferred = concept.labels.get(language)
        if not preferred:
            continue
        for lang, label in concept.all_labels():
            if lang != language and label != preferred:
                sources.append(label)
                targets.append(preferred)
    return sources, targets


def fit_query_map(
    concepts: Sequence[Concept], embedder: Embedder, language: str = "en", max_pairs: int = MAX_PAIRS
) -> QueryMap | None:
    """The map for ``embedder``'s queries, or None where it does not apply: a model that embeds queries and
    labels alike or reads one language only, or a taxonomy with fewer than MIN_PAIRS names to learn from."""
    if not (is_asymmetric(embedder) and is_multilingual(embedder)):
        return None
    sources, targets = name_pairs(concepts, language)
    if len(sources) < MIN_PAIRS:
        return None
    if len(sources) > max_pairs:  # evenly spread, the same pairs on every start
        picked = np.linspace(0, len(sources) - 1, max_pairs).round().astype(int)
        sources, targets = [sources[i] for i in picked], [targets[i] for i in picked]
    x = unit_rows(embed_queries(embedder, sources)).astype(np.float64)
    y = unit_rows(embedder.embed(targets)).astype(np.float64)
    identity = np.eye(x.shape[1])
    matrix = np.linalg.solve(x.T @ x + RIDGE * identity, x.T @ y + RIDGE * identity)
    return QueryMap(matrix.astype(np.float32), len(sources))
