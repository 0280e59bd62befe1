"""Scores a (job seeker, vacancy) pair and explains the score factor by factor.

All weights live in :class:`ScoringWeights`; the score is the weighted mean of factors in [0, 1].
Hard rules (work authorisation, recognition) are not weights: they decide eligibility in
:mod:`matching.ranking.eligibility`, and blocked pairs keep the score they would have for the advisor's view.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache, partial
from typing import TypeVar

from matching.ranking.assessment import Assessment, german_factor
from matching.taxonomy import Taxonomy
from matching.taxonomy.profiles import seeker_skills, vacancy_requirements
from models import FactorContribution, JobSeeker, MatchExplanation, SkillEvidence, Vacancy

T = TypeVar("T")

# A bridge job counts as this close to the person's own occupation, whatever ISCO says:
# a Ukrainian nurse working as a nursing assistant is in her field.
BRIDGE_PROXIMITY = 0.8


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """Relative importance of each factor; the score divides by the total of the factors that apply.

    - ``essential_skills``: share of the vacancy's essential skills the person has.
    - ``optional_skills``: share of its optional skills (skipped when the vacancy lists none).
    - ``occupation``: closeness of the person's trained or practised occupations to the vacancy's:
      1 same occupation, 0.9 its broader/narrower ESCO occupation, less along the ISCO tree,
      at least 0.8 for a bridge job.
    - ``semantic``: cosine similarity of the profile vectors, which also catches free text.
    - ``german``: 1 when the German level meets the vacancy's minimum, −0.35 per CEFR level missing.
    - ``commute``: 1 next door, 0.5 at the person's maximum, 0 at twice the maximum.
    - ``working_time``: full/part time and hours as wanted.
    - ``availability``: 1 when available by the start date, 0 when 90 days late.
    """

    essential_skills: float = 0.30
    optional_skills: float = 0.08
    occupation: float = 0.20
    semantic: float = 0.22
    german: float = 0.10
    commute: float = 0.05
    working_time: float = 0.03
    availability: float = 0.02

    def as_dict(self) -> dict[str, float]:
        return _weights_dict(self)


DEFAULT_WEIGHTS = ScoringWeights()


@lru_cache(maxsize=32)
def _weights_dict(weights: ScoringWeights) -> dict[str, float]:
    return asdict(weights)


def _evidence(
    uris: list[str], taxonomy: Taxonomy, language: str, sources: dict[str, str] | None = None
) -> list[SkillEvidence]:
    """Evidence items, each built once per taxonomy, skill, language and source: the same few hundred skills
    come back in every explained match, and a validated model costs more than the lookup."""
    built: dict[tuple[str, str, str | None], SkillEvidence] = _evidence_items.get(taxonomy, taxonomy, dict)
    if len(built) >= 50_000:
        built.clear()
    out = []
    for uri in uris:
        source = sources.get(uri) if sources else None
        item = built.get((uri, language, source))
        if item is None:
            item = built[uri, language, source] = SkillEvidence(
                uri=uri, label=taxonomy.label(uri, language), source=source
            )
        out.append(item)
    return out


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """What a pair's score was computed from, kept so that its explanation needs no second computation."""

    score: float
    semantic_similarity: float
    has: dict[str, str]
    essential: Sequence[str]
    optional: Sequence[str]
    matched_e: list[str]
    matched_o: list[str]
    proximity: float
    active: dict[str, float]
    weight_of: dict[str, float]
    total_weight: float


def score_pair(
    seeker: JobSeeker,
    vacancy: Vacancy,
    semantic_similarity: float,
    taxonomy: Taxonomy,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    language: str = "en",
    assessment: Assessment | None = None,
) -> tuple[float, MatchExplanation]:
    """The score and its explanation."""
    parts = score_parts(seeker, vacancy, semantic_similarity, taxonomy, weights, assessment)
    return parts.score, explain(parts, taxonomy, language)


class _Memo:
    """Per-object results for profiles that are scored again and again (the same cached documents come back in
    every list). Keyed by object identity; with ``weak``, an entry goes when its object is freed (a profile
    replaced, erased or evicted from the cache is not kept alive here), else the object is held, so a key
    cannot be reused while stored."""

    def __init__(self, size: int = 20_000, weak: bool = True):
        self._items: dict[tuple[int, int], tuple[Callable[[], object | None], object]] = {}
        self._size = size
        self._weak = weak

    def get(self, item: object, taxonomy: Taxonomy, compute: Callable[[], T]) -> T:
        key = (id(item), id(taxonomy))
        found = self._items.get(key)
        if found is not None and found[0]() is item:
            return found[1]  # type: ignore[return-value]
        value = compute()
        if len(self._items) >= self._size:
            self._items.clear()
        if self._weak:
            items = self._items
            holder: Callable[[], object | None] = weakref.ref(item, lambda _: items.pop(key, None))
        else:
            holder = partial(_same, item)
        self._items[key] = (holder, value)
        return value


def _same(item: object) -> object:
    return item


_skills, _requirements = _Memo(), _Memo()
_evidence_items: _Memo = _Memo(size=8, weak=False)  # per taxonomy (held, so its id is never reused)


def score_ceiling(
    seeker: JobSeeker,
    vacancy: Vacancy,
    semantic_similarity: float,
    taxonomy: Taxonomy,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
) -> float:
    """The most the pair can score, from its cheap factors (essential skills, similarity, German)
    with every other factor at 1: for skipping pairs that cannot reach a list without assessing them.

    Each known factor's shortfall is divided by the weights of all factors; the score divides by those that
    apply, never more, so the bound is never below the score (the margin covers the score's rounding)."""
    has = _skills.get(seeker, taxonomy, lambda: seeker_skills(seeker, taxonomy))
    essential, _ = _requirements.get(vacancy, taxonomy, lambda: vacancy_requirements(vacancy, taxonomy))
    coverage = sum(1 for s in essential if s in has) / len(essential) if essential else 1.0
    german = german_factor(vacancy.min_german_level, seeker.language_level("de"))
    weight_of = weights.as_dict()
    shortfall = (
        weight_of["essential_skills"] * (1.0 - coverage)
        + weight_of["semantic"] * (1.0 - min(1.0, max(0.0, semantic_similarity)))
        + weight_of["german"] * (1.0 - german)
    )
    return 1.0 - shortfall / (sum(weight_of.values()) or 1.0) + 1e-4


def score_parts(
    seeker: JobSeeker,
    vacancy: Vacancy,
    semantic_similarity: float,
    taxonomy: Taxonomy,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    assessment: Assessment | None = None,
) -> ScoreParts:
    """The score and what it was computed from (see :func:`explain`)."""
    has = _skills.get(seeker, taxonomy, lambda: seeker_skills(seeker, taxonomy))
    essential, optional = _requirements.get(
        vacancy, taxonomy, lambda: vacancy_requirements(vacancy, taxonomy)
    )
    matched_e = [s for s in essential if s in has]
    matched_o = [s for s in optional if s in has]

    proximity = max(
        (taxonomy.occupation_proximity(o, vacancy.occupation_uri) for o in seeker.occupation_uris()),
        default=0.0,
    )
    if assessment is not None and assessment.bridge:
        proximity = max(proximity, BRIDGE_PROXIMITY)
    semantic = min(1.0, max(0.0, semantic_similarity))
    values: dict[str, float | None] = {
        "essential_skills": len(matched_e) / len(essential) if essential else 1.0,
        "optional_skills": len(matched_o) / len(optional) if optional else None,
        "occupation": proximity,
        "semantic": semantic,
    }
    if assessment is not None:
        values.update(assessment.factors)
    weight_of = weights.as_dict()
    active = {name: v for name, v in values.items() if v is not None and weight_of.get(name, 0) > 0}
    total_weight = sum(weight_of[name] for name in active) or 1.0
    score = round(min(1.0, sum(weight_of[n] / total_weight * v for n, v in active.items())), 4)
    return ScoreParts(
        score, semantic_similarity, has, essential, optional, matched_e, matched_o, proximity, active,
        weight_of, total_weight,
    )  # fmt: skip


def explain(parts: ScoreParts, taxonomy: Taxonomy, language: str = "en") -> MatchExplanation:
    """The explanation of a score, factor by factor and skill by skill, in ``language``."""
    weight_of, total_weight, has = parts.weight_of, parts.total_weight, parts.has
    factors = [
        FactorContribution(
            name=name,
            value=round(value, 4),
            weight=round(weight_of[name] / total_weight, 4),
            contribution=round(weight_of[name] / total_weight * value, 4),
        )
        for name, value in parts.active.items()
    ]
    essential, optional = parts.essential, parts.optional
    matched_e, matched_o = parts.matched_e, parts.matched_o
    semantic = min(1.0, max(0.0, parts.semantic_similarity))
    summary = (
        f"Has {len(matched_e)} of {len(essential)} essential and {len(matched_o)} of {len(optional)} "
        f"optional skills; occupation closeness {parts.proximity:.2f}; profile similarity {semantic:.2f}."
    )
    return MatchExplanation(
        semantic_similarity=round(parts.semantic_similarity, 4),
        factors=factors,
        matched_essential=_evidence(matched_e, taxonomy, language, has),
        missing_essential=_evidence([s for s in essential if s not in has], taxonomy, language),
        matched_optional=_evidence(matched_o, taxonomy, language, has),
        missing_optional=_evidence([s for s in optional if s not in has], taxonomy, language),
        summary=summary,
    )
