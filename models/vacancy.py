"""A job posting."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator, model_validator

from models.common import CEFRLevel, ConceptUri, EntityId, Location, StrictModel, WorkingTime


class Vacancy(StrictModel):
    id: EntityId
    employer: str = Field(min_length=1, max_length=200)
    employer_id: EntityId | None = Field(
        default=None,
        description="The employer's pseudonymous id: an employer's API key manages the vacancies with its id.",
    )
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    occupation_uri: ConceptUri
    essential_skill_uris: list[ConceptUri] = Field(
        default_factory=list,
        max_length=200,
        description="Empty: the ESCO essential skills of the occupation are used.",
    )
    optional_skill_uris: list[ConceptUri] = Field(default_factory=list, max_length=200)
    min_german_level: CEFRLevel | None = None
    location: Location
    working_time: WorkingTime = WorkingTime.FULL_TIME
    hours_per_week: float | None = Field(default=None, gt=0, le=60)
    start_date: dt.date | None = None
    positions: int = Field(default=1, ge=1, le=1000)
    recognition_support: bool = Field(
        default=False,
        description="The employer offers a placement during recognition (adaptation course, preparation for "
        "the knowledge test, Anerkennungspartnerschaft § 16d AufenthG): people with pending or partial "
        "recognition are shown as bridge candidates instead of blocked.",
    )
    requires_recognised_title: bool = Field(
        default=False,
        description="The post needs the state-recognised title of a title-protected profession (a youth office "
        "asking for a staatlich anerkannte Sozialarbeiterin): candidates without recognition are blocked as for "
        "a reserved profession, with the same next steps.",
    )

    @field_validator("essential_skill_uris", "optional_skill_uris")
    @classmethod
    def _dedupe(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _disjoint(self) -> Vacancy:
        both = set(self.essential_skill_uris) & set(self.optional_skill_uris)
        if both:
            raise ValueError(
                f"skills listed as both essential and optional: {sorted(both)}; list each skill once"
            )
        return self
