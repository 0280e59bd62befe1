from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from api.deps import MatcherDep
from api.routes.common import (
    KQuery,
    LanguageQuery,
    LimitQuery,
    MatchOffsetQuery,
    OffsetQuery,
    ensure_same_id,
    match_list,
)
from api.schemas import ErrorBody, JobSeekerPage, MatchList
from models import JobSeeker
from models.common import ID_PATTERN

router = APIRouter(prefix="/jobseekers", tags=["job seekers"])
SeekerId = Annotated[str, Path(pattern=ID_PATTERN, description="Pseudonymous job seeker id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No job seeker with this id"}
}


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}})
def create_jobseeker(seeker: JobSeeker, matcher: MatcherDep, response: Response) -> JobSeeker:
    created = matcher.create_jobseeker(seeker)
    response.headers["Location"] = f"/api/v1/jobseekers/{created.id}"
    return created


@router.get("")
def list_jobseekers(matcher: MatcherDep, offset: OffsetQuery = 0, limit: LimitQuery = 50) -> JobSeekerPage:
    items, total = matcher.list_jobseekers(offset, limit)
    return JobSeekerPage(items=items, total=total, offset=offset, limit=limit)


@router.get("/{seeker_id}", responses=NOT_FOUND)
def get_jobseeker(seeker_id: SeekerId, matcher: MatcherDep) -> JobSeeker:
    return matcher.get_jobseeker(seeker_id)


@router.put("/{seeker_id}", responses=NOT_FOUND)
def replace_jobseeker(seeker_id: SeekerId, seeker: JobSeeker, matcher: MatcherDep) -> JobSeeker:
    ensure_same_id(seeker_id, seeker.id)
    return matcher.replace_jobseeker(seeker)


@router.delete("/{seeker_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_jobseeker(seeker_id: SeekerId, matcher: MatcherDep) -> None:
    matcher.delete_jobseeker(seeker_id)


@router.get("/{seeker_id}/vacancies", responses=NOT_FOUND, summary="Vacancies ranked for a job seeker")
def vacancies_for_jobseeker(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    k: KQuery = 20,
    offset: MatchOffsetQuery = 0,
    lang: LanguageQuery = None,
) -> MatchList:
    return match_list(matcher.vacancies_for_jobseeker(seeker_id, k, offset, lang))
