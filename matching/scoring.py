"""Scores a (job seeker, vacancy) pair and explains the score factor by factor.

All weights live in :class:`ScoringWeights`; a score is the weighted mean of factors in [0, 1].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from matching.profiles import seeker_skills, vacancy_requirements
from matching.taxonomy import Taxonomy
from models import FactorContribution, JobSeeker, MatchExplanation, SkillEvidence, Vacancy


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """Relative importance of each factor. They need not sum to 1: the score divides by the total.

    - ``essential_skills``: share of the vacancy's essential skills the person has.
    - ``optional_skills``: share of its optional skills (skipped when the vacancy lists none).
    - ``occupation``: closeness of the person's trained or practised occupations to the vacancy's,
      1 for the same occupation, less along the ESCO/ISCO hierarchy.
    - ``semantic``: cosine similarity of the profile vectors, which also catches free text.
    """

    essential_skills: float = 0.35
    optional_skills: float = 0.10
    occupation: float = 0.25
    semantic: float = 0.30

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_WEIGHTS = ScoringWeights()


def _evidence(uris: list[str], taxonomy: Taxonomy, language: str, sources: dict[str, str] | None = None):
    return [
        SkillEvidence(uri=u, label=taxonomy.label(u, language), source=(sources or {}).get(u)) for u in uris
    ]


def score_pair(
    seeker: JobSeeker,
    vacancy: Vacancy,
    semantic_similarity: float,
    taxonomy: Taxonomy,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    language: str = "en",
) -> tuple[float, MatchExplanation]:
    has = seeker_skills(seeker, taxonomy)
    essential, optional = vacancy_requirements(vacancy, taxonomy)
    matched_e = [s for s in essential if s in has]
    missing_e = [s for s in essential if s not in has]
    matched_o = [s for s in optional if s in has]
    missing_o = [s for s in optional if s not in has]

    proximity = max(
        (taxonomy.occupation_proximity(o, vacancy.occupation_uri) for o in seeker.occupation_uris()),
        default=0.0,
    )
    semantic = min(1.0, max(0.0, semantic_similarity))
    values: dict[str, float | None] = {
        "essential_skills": len(matched_e) / len(essential) if essential else 1.0,
        "optional_skills": len(matched_o) / len(optional) if optional else None,
        "occupation": proximity,
        "semantic": semantic,
    }
    weight_of = weights.as_dict()
    active = {name: v for name, v in values.items() if v is not None and weight_of[name] > 0}
    total_weight = sum(weight_of[name] for name in active) or 1.0
    factors = [
        FactorContribution(
            name=name,
            value=round(value, 4),
            weight=round(weight_of[name] / total_weight, 4),
            contribution=round(weight_of[name] / total_weight * value, 4),
        )
        for name, value in active.items()
    ]
    score = round(min(1.0, sum(weight_of[n] / total_weight * v for n, v in active.items())), 4)

    summary = (
        f"Has {len(matched_e)} of {len(essential)} essential and {len(matched_o)} of {len(optional)} optional "
        f"skills; occupation closeness {proximity:.2f}; profile similarity {semantic:.2f}."
    )
    explanation = MatchExplanation(
        semantic_similarity=round(semantic_similarity, 4),
        factors=factors,
        matched_essential=_evidence(matched_e, taxonomy, language, has),
        missing_essential=_evidence(missing_e, taxonomy, language),
        matched_optional=_evidence(matched_o, taxonomy, language, has),
        missing_optional=_evidence(missing_o, taxonomy, language),
        summary=summary,
    )
    return score, explanation
