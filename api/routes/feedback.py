"""Advisor feedback on matches (what became of a suggested candidate) and its pseudonymised export."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from api.deps import Allow, FeedbackDep
from api.schemas import ErrorBody
from matching.access import Actor
from models.common import ID_PATTERN
from models.feedback import Feedback, FeedbackRequest

router = APIRouter(tags=["feedback"])
VacancyId = Annotated[str, Path(pattern=ID_PATTERN, description="Vacancy id")]
SeekerId = Annotated[str, Path(pattern=ID_PATTERN, description="Pseudonymous job seeker id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No vacancy or job seeker with this id that this key may see"}
}


@router.post(
    "/vacancies/{vacancy_id}/candidates/{jobseeker_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
    summary="Record what became of a candidate for a vacancy",
    description="Decisions are kept as a history (proposed, contacted, interview, hired; or rejected with a "
    "reason), each with the pair's score and eligibility at that moment. The job seeker must belong to the "
    "vacancy's organisation.",
)
def give_feedback(
    vacancy_id: VacancyId,
    jobseeker_id: SeekerId,
    request: FeedbackRequest,
    feedback: FeedbackDep,
    response: Response,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="placement")],
) -> Feedback:
    recorded = feedback.record(vacancy_id, jobseeker_id, request, actor)
    response.headers["Location"] = f"/api/v1/vacancies/{vacancy_id}/feedback"
    return recorded


@router.get(
    "/vacancies/{vacancy_id}/feedback",
    responses=NOT_FOUND,
    summary="Every decision recorded for a vacancy's candidates, oldest first",
)
def list_feedback(
    vacancy_id: VacancyId,
    feedback: FeedbackDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="placement")],
) -> list[Feedback]:
    return feedback.for_vacancy(vacancy_id, actor)


@router.get(
    "/analytics/feedback",
    tags=["analytics"],
    summary="Feedback, pseudonymised",
    description="Ids are the keyed hashes of the analytics exports of job seekers and vacancies (so they join); "
    "no notes, no key ids, the month instead of the time.",
)
def analytics_feedback_export(
    feedback: FeedbackDep,
    actor: Annotated[Actor, Allow("analyst", "admin", purpose="statistics")],
) -> list[dict[str, Any]]:
    return feedback.analytics(actor)
