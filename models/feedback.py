"""Advisor feedback on a match: what became of a suggested candidate. These are the real world's labels."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from models.common import StrictModel
from models.match import Eligibility


class Decision(StrEnum):
    """How far a suggested candidate got with a vacancy, in the order the stages are usually reached."""

    PROPOSED = "proposed"  # the advisor suggested the candidate (to the person or the employer)
    CONTACTED = "contacted"  # employer and candidate are in touch
    INTERVIEW = "interview"
    HIRED = "hired"
    REJECTED = "rejected"  # by either side, at any stage; needs a reason


class RejectionReason(StrEnum):
    SKILLS_MISMATCH = "skills_mismatch"
    LANGUAGE = "language"
    RECOGNITION_PENDING = "recognition_pending"
    COMMUTE = "commute"
    WORKING_TIME = "working_time"
    CANDIDATE_DECLINED = "candidate_declined"
    POSITION_FILLED = "position_filled"
    OTHER = "other"


# Graded relevance of a decision for evaluating rankings: hired > interview > contacted > nothing.
DECISION_GRADES: dict[Decision, int] = {
    Decision.HIRED: 3,
    Decision.INTERVIEW: 2,
    Decision.CONTACTED: 1,
    Decision.PROPOSED: 0,
    Decision.REJECTED: 0,
}


def _allowed(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class FeedbackRequest(StrictModel):
    """What an advisor records about one candidate for one vacancy."""

    decision: Decision
    reason: RejectionReason | None = Field(
        default=None,
        validate_default=True,
        description=f"Required when the decision is 'rejected', not allowed otherwise: {_allowed(RejectionReason)}.",
    )
    note: str | None = Field(
        default=None,
        max_length=1000,
        description="Optional remark for colleagues. Never exported to analysts; removed when the job seeker "
        "is erased. Write no names or contact details.",
    )

    @field_validator("reason")
    @classmethod
    def _reason_goes_with_rejection(
        cls, value: RejectionReason | None, info: ValidationInfo
    ) -> RejectionReason | None:
        decision = info.data.get("decision")
        if decision is None:  # the decision itself was invalid; that error is reported already
            return value
        if decision == Decision.REJECTED and value is None:
            raise PydanticCustomError(
                "reason_required",
                "required when the decision is 'rejected'; one of {allowed}",
                {"allowed": _allowed(RejectionReason)},
            )
        if decision != Decision.REJECTED and value is not None:
            raise PydanticCustomError(
                "reason_not_allowed",
                "only a 'rejected' decision takes a reason; this decision is '{decision}'",
                {"decision": decision.value},
            )
        return value


class Feedback(StrictModel):
    """A stored decision, with the match as the service saw it at that moment."""

    id: int
    vacancy_id: str
    jobseeker_id: str
    decision: Decision
    reason: RejectionReason | None = None
    note: str | None = None
    score: float = Field(description="The pair's score when the decision was recorded.")
    eligibility: Eligibility = Field(description="The pair's eligibility when the decision was recorded.")
    advisor_key_id: str | None = Field(description="The API key that recorded it (none: the command line).")
    organisation: str
    created_at: dt.datetime

    @property
    def grade(self) -> int:
        return DECISION_GRADES[self.decision]
