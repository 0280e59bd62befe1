"""Results of matching: a score and the explanation of how it came about."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
    semantic_similarity: float
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
    score: float = Field(ge=0, le=1)
    explanation: MatchExplanation
