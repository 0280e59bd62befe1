"""Profile vectors: a job seeker or vacancy as one unit vector for the FAISS index.

Profiles are mostly ESCO concepts, so a profile vector is composed from cached concept-label vectors;
the model only runs on genuinely free text (skills in one's own words, vacancy title and description).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matching.embedding.base import Embedder, embed_queries
from matching.taxonomy import Taxonomy
from matching.taxonomy.profiles import vacancy_requirements
from models import JobSeeker, Vacancy

# Share of each part in a profile vector; a missing part's share goes to the others.
OCCUPATION_SHARE = 0.5
SKILL_SHARE = 0.3
TEXT_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class _Parts:
    occupations: list[tuple[str, float]]
    skills: list[tuple[str, float]]
    text: str


class ProfileEncoder:
    """Composes profile vectors from concept vectors and free-text vectors."""

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder, language: str = "en"):
        self.taxonomy = taxonomy
        self.embedder = embedder
        self.language = language

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def concept_text(self, uri: str) -> str:
        return self.taxonomy.concept(uri).label(self.language)

    def _seeker_parts(self, seeker: JobSeeker) -> _Parts:
        occupations: dict[str, float] = {}
        for q in seeker.qualifications:
            occupations[q.occupation_uri] = occupations.get(q.occupation_uri, 0.0) + 2.0
        for e in seeker.experience:
            occupations[e.occupation_uri] = (
                occupations.get(e.occupation_uri, 0.0) + 1.0 + min(e.years, 10) / 5
            )
        skills = [(uri, 1.0) for uri in seeker.skill_uris]
        return _Parts(list(occupations.items()), skills, seeker.skills_text or "")

    def _vacancy_parts(self, vacancy: Vacancy) -> _Parts:
        essential, optional = vacancy_requirements(vacancy, self.taxonomy)
        skills = [(uri, 2.0) for uri in essential] + [(uri, 1.0) for uri in optional]
        text = " ".join(part for part in (vacancy.title, vacancy.description or "") if part)
        return _Parts([(vacancy.occupation_uri, 1.0)], skills, text)

    def encode_seekers(self, seekers: Sequence[JobSeeker]) -> np.ndarray:
        return self._encode([self._seeker_parts(s) for s in seekers])

    def encode_vacancies(self, vacancies: Sequence[Vacancy]) -> np.ndarray:
        return self._encode([self._vacancy_parts(v) for v in vacancies])

    def _encode(self, parts: list[_Parts]) -> np.ndarray:
        """All profiles at once: weighted concept means as sparse × dense products, then the share-weighted
        sum of the unit-length parts (occupations, skills, free text), itself scaled to unit length."""
        n = len(parts)
        if n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sorted, so that each row sums its concepts in the same order in any batch: a profile gets the same
        # vector bit for bit wherever it is encoded (one process, a cluster worker, a single update).
        uris = sorted({u for p in parts for u, _ in (*p.occupations, *p.skills)})
        column = {u: i for i, u in enumerate(uris)}
        concepts = (
            self.embedder.embed([self.concept_text(u) for u in uris])
            if uris
            else np.zeros((0, self.dim), dtype=np.float32)
        )
        total = np.zeros((n, self.dim), dtype=np.float32)
        for share, pick in ((OCCUPATION_SHARE, lambda p: p.occupations), (SKILL_SHARE, lambda p: p.skills)):
            rows, cols, vals = [], [], []
            for i, p in enumerate(parts):
                for uri, weight in pick(p):
                    rows.append(i)
                    cols.append(column[uri])
                    vals.append(weight)
            if not rows:
                continue
            weights = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(uris)), dtype=np.float32)
            total += share * _unit_rows(np.asarray(weights @ concepts, dtype=np.float32))
        texts = list(dict.fromkeys(p.text for p in parts if p.text))
        if texts:
            row_of = {t: i for i, t in enumerate(texts)}
            vectors = embed_queries(self.embedder, texts)  # a person's or an employer's own words
            with_text = [i for i, p in enumerate(parts) if p.text]
            total[with_text] += TEXT_SHARE * vectors[[row_of[parts[i].text] for i in with_text]]
        # A missing part's share goes to the others: dividing by the shares present would only rescale
        # the sum, which the final normalisation does anyway. An empty profile stays the zero vector.
        return _unit_rows(total)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
