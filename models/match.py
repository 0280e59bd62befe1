"""Results of matching: a score and the explanation of how it came about."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Eligibility(StrEnum):
    ELIGIBLE = "eligible"
    BRIDGE = "bridge"  # an open role related to a profession whose recognition is still under way
    BLOCKED = "blocked"  # a hard rule forbids the job for now; see reasons and next steps


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"


class Text(BaseModel):
    """The same message in German, English and Ukrainian."""

    de: str
    en: str
    uk: str


class Reason(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. 'recognition_pending'.")
    severity: Severity
    text: Text


class NextStep(BaseModel):
    code: str
    text: Text
    authority: str | None = None
    url: str | None = None


class SkillEvidence(BaseModel):
    uri: str
    label: str
    source: str | None = Field(
        default=None,
        description="Where the job seeker's skill comes from: 'declared', or 'qualification'/'experience' "
        "when implied by an occupation they trained or worked in.",
    )


class FactorContribution(BaseModel):
    name: str
    value: float = Field(description="The factor's own value in [0, 1].")
    weight: float
    contribution: float = Field(description="weight × value, the share of the final score.")


class MatchExplanation(BaseModel):
    semantic_similarity: float | None = Field(
        description="Cosine similarity of the two profiles; None in an employer's view of a candidate who "
        "was not released (a per-person value would link the candidate across vacancies)."
    )
    factors: list[FactorContribution]
    matched_essential: list[SkillEvidence]
    missing_essential: list[SkillEvidence]
    matched_optional: list[SkillEvidence]
    missing_optional: list[SkillEvidence]
    summary: str


class Match(BaseModel):
    jobseeker_id: str
    vacancy_id: str
    rank: int
    score: float = Field(ge=0, le=1, description="For blocked pairs: the score the pair would have.")
    eligibility: Eligibility = Eligibility.ELIGIBLE
    reasons: list[Reason] = Field(default_factory=list)
    next_steps: list[NextStep] = Field(default_factory=list)
    distance_km: float | None = None
    explanation: MatchExplanation
