"""Domain models: pure data and validation. Imports nothing from ``matching`` or ``api``."""

from models.common import CEFRLevel, Location, WorkingTime
from models.jobseeker import (
    CompensationMeasure,
    CompensationState,
    Gender,
    JobSeeker,
    LanguageSkill,
    ProtectedAttributes,
    Qualification,
    RecognitionStatus,
    WorkAuthorisation,
    WorkAuthorisationStatus,
    WorkExperience,
)
from models.match import (
    Eligibility,
    FactorContribution,
    Match,
    MatchExplanation,
    NextStep,
    Reason,
    Severity,
    SkillEvidence,
    Text,
)
from models.vacancy import Vacancy

__all__ = [
    "CEFRLevel",
    "CompensationMeasure",
    "CompensationState",
    "Eligibility",
    "FactorContribution",
    "Gender",
    "JobSeeker",
    "LanguageSkill",
    "Location",
    "Match",
    "MatchExplanation",
    "NextStep",
    "ProtectedAttributes",
    "Qualification",
    "Reason",
    "RecognitionStatus",
    "Severity",
    "SkillEvidence",
    "Text",
    "Vacancy",
    "WorkAuthorisation",
    "WorkAuthorisationStatus",
    "WorkExperience",
    "WorkingTime",
]
