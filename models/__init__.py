"""Domain models: pure data and validation. Imports nothing from ``matching`` or ``api``."""

from models.common import CEFRLevel, Location, WorkingTime
from models.jobseeker import (
    CompensationMeasure,
    CompensationState,
    JobSeeker,
    LanguageSkill,
    Qualification,
    RecognitionStatus,
    WorkAuthorisation,
    WorkAuthorisationStatus,
    WorkExperience,
)
from models.match import FactorContribution, Match, MatchExplanation, SkillEvidence
from models.vacancy import Vacancy

__all__ = [
    "CEFRLevel",
    "CompensationMeasure",
    "CompensationState",
    "FactorContribution",
    "JobSeeker",
    "LanguageSkill",
    "Location",
    "Match",
    "MatchExplanation",
    "Qualification",
    "RecognitionStatus",
    "SkillEvidence",
    "Vacancy",
    "WorkAuthorisation",
    "WorkAuthorisationStatus",
    "WorkExperience",
    "WorkingTime",
]
