"""The job seeker profile, pseudonymous by construction (no name, contact or protected attributes)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from models.common import CEFRLevel, ConceptUri, EntityId, Location, StrictModel, WorkingTime


class RecognitionStatus(StrEnum):
    """State of the formal recognition of a foreign qualification in Germany."""

    NOT_REQUIRED = "not_required"  # the occupation is not regulated
    NOT_APPLIED = "not_applied"  # regulated, no procedure filed yet (advice only)
    PENDING = "pending"  # procedure filed, decision outstanding
    FULL = "full_equivalence"
    PARTIAL = "partial_equivalence"  # substantial differences; compensation measure open
    TEMPORARY_PERMIT = "temporary_permit"  # limited permit to practise (e.g. Berufserlaubnis)
    REJECTED = "rejected"  # no equivalence found
    NO_REFERENCE = "no_reference_occupation"  # no German reference occupation exists
    COMPARABILITY_STATEMENT = "comparability_statement"  # ZAB statement for a non-regulated degree


class CompensationMeasure(StrEnum):
    ADAPTATION_COURSE = "adaptation_course"  # Anpassungslehrgang
    KNOWLEDGE_TEST = "knowledge_test"  # Kenntnisprüfung
    APTITUDE_TEST = "aptitude_test"  # Eignungsprüfung


class CompensationState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    FAILED = "failed"


class WorkAuthorisationStatus(StrEnum):
    PERMITTED = "permitted"
    RESTRICTED = "restricted"  # limited hours and/or occupations
    NOT_PERMITTED = "not_permitted"
    UNKNOWN = "unknown"


class Qualification(StrictModel):
    occupation_uri: ConceptUri = Field(description="ESCO occupation the qualification prepares for.")
    title: str | None = Field(
        default=None, max_length=200, description="Title as written on the certificate."
    )
    country: str = Field(
        pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country where it was obtained, e.g. UA."
    )
    year: int | None = Field(default=None, ge=1950, le=2100)
    recognition: RecognitionStatus = RecognitionStatus.NOT_APPLIED
    recognition_filed_on: dt.date | None = Field(default=None, description="Date the procedure was filed.")
    compensation_measure: CompensationMeasure | None = None
    compensation_state: CompensationState | None = None
    permit_valid_until: dt.date | None = Field(default=None, description="End of a temporary permit.")

    @model_validator(mode="after")
    def _consistent(self) -> Qualification:
        if self.compensation_state is not None and self.compensation_measure is None:
            raise ValueError("compensation_state needs compensation_measure")
        if self.recognition == RecognitionStatus.PARTIAL and self.compensation_measure is None:
            raise ValueError(
                "recognition 'partial_equivalence' needs compensation_measure "
                f"(one of {', '.join(m.value for m in CompensationMeasure)})"
            )
        return self


class WorkExperience(StrictModel):
    occupation_uri: ConceptUri
    years: float = Field(ge=0, le=60)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    description: str | None = Field(default=None, max_length=2000)


class LanguageSkill(StrictModel):
    language: str = Field(pattern=r"^[a-z]{2,3}$", description="ISO 639 code, e.g. de, en, uk, ru, ar.")
    level: CEFRLevel


class WorkAuthorisation(StrictModel):
    status: WorkAuthorisationStatus = WorkAuthorisationStatus.UNKNOWN
    basis: str | None = Field(
        default=None, max_length=120, description="Legal basis, e.g. '§ 24 AufenthG' (temporary protection)."
    )
    max_hours_per_week: float | None = Field(default=None, gt=0, le=60)
    allowed_occupation_uris: list[ConceptUri] = Field(
        default_factory=list, description="For 'restricted': occupations the permit is limited to."
    )
    valid_until: dt.date | None = None


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    UNDISCLOSED = "undisclosed"


class ProtectedAttributes(StrictModel):
    """Characteristics protected by the AGG (§ 1), kept only to audit fairness.

    Matching, ranking and explanations never read them; a test proves that changing them changes nothing.
    """

    nationality: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    gender: Gender | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    religion: str | None = Field(default=None, max_length=60)
    disability: bool | None = None
    ethnic_origin: str | None = Field(default=None, max_length=60)


class JobSeeker(StrictModel):
    id: EntityId
    qualifications: list[Qualification] = Field(default_factory=list, max_length=20)
    experience: list[WorkExperience] = Field(default_factory=list, max_length=50)
    skill_uris: list[ConceptUri] = Field(default_factory=list, max_length=300)
    skills_text: str | None = Field(
        default=None, max_length=4000, description="Skills in the person's own words, any language."
    )
    languages: list[LanguageSkill] = Field(default_factory=list, max_length=20)
    home: Location
    max_commute_km: float = Field(default=30, gt=0, le=500)
    available_from: dt.date | None = None
    working_time: WorkingTime = WorkingTime.ANY
    hours_per_week: float | None = Field(default=None, gt=0, le=60)
    work_authorisation: WorkAuthorisation = Field(default_factory=WorkAuthorisation)
    protected: ProtectedAttributes | None = Field(
        default=None, description="Audit only (fairness monitoring); never used for matching."
    )

    @field_validator("skill_uris")
    @classmethod
    def _dedupe(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("languages")
    @classmethod
    def _one_level_per_language(cls, value: list[LanguageSkill]) -> list[LanguageSkill]:
        seen: set[str] = set()
        for item in value:
            if item.language in seen:
                raise ValueError(f"language {item.language!r} is listed twice; give one level per language")
            seen.add(item.language)
        return value

    def language_level(self, language: str) -> CEFRLevel | None:
        for item in self.languages:
            if item.language == language:
                return item.level
        return None

    def occupation_uris(self) -> list[str]:
        """Occupations from qualifications and experience, qualifications first, without repeats."""
        uris = [q.occupation_uri for q in self.qualifications] + [e.occupation_uri for e in self.experience]
        return list(dict.fromkeys(uris))
