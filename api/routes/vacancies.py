from typing import Annotated, Any

from fastapi import Path, status

from api.deps import Allow, MatcherDep
from api.routes.entities import VACANCIES, Roles, Text, entity_router
from api.schemas import ErrorBody, ReleaseOut, ReleaseRequest
from matching.access import Actor
from models.common import ID_PATTERN

ADVISORS = ("advisor", "admin")
EMPLOYER = ("advisor", "admin", "employer")  # the vacancy's employer too

router = entity_router(
    VACANCIES,
    Roles(create=EMPLOYER, list=EMPLOYER, read=(*EMPLOYER, "jobseeker"), replace=EMPLOYER, delete=EMPLOYER,
          matches=EMPLOYER, export=ADVISORS),
    purpose="vacancy maintenance",
    purposes={"matches": "matching", "export": "matching list export"},
    texts={
        "create": Text("Store a vacancy",
                       "Store a vacancy in the key's organisation; an employer's key sets its own employer_id."),
        "matches": Text("Job seekers ranked for a vacancy", "Candidates come from the vacancy's organisation. "
                        "Employers see each candidate under a pseudonym for this vacancy, without reasons, next steps or "
                        "the blocked list, until an advisor releases the candidate (POST …/releases)."),
        "export": Text("A vacancy's ranked candidates as a CSV or Excel file"),
    },
)  # fmt: skip
VacancyId = Annotated[str, Path(pattern=ID_PATTERN, description="Vacancy id")]
SeekerId = Annotated[str, Path(pattern=ID_PATTERN, description="Pseudonymous job seeker id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No vacancy with this id that this key may see"}
}


@router.post(
    "/{vacancy_id}/releases",
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
    summary="Release a candidate to the vacancy's employer",
    description="From now on the employer sees this candidate's real id, reasons and next steps for this "
    "vacancy. Releasing twice changes nothing.",
)
def release_candidate(
    vacancy_id: VacancyId,
    request: ReleaseRequest,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="placement")],
) -> ReleaseOut:
    return ReleaseOut.model_validate(matcher.release_candidate(vacancy_id, request.jobseeker_id, actor))


@router.get("/{vacancy_id}/releases", responses=NOT_FOUND, summary="Candidates released to the employer")
def list_releases(
    vacancy_id: VacancyId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="placement")],
) -> list[ReleaseOut]:
    return [ReleaseOut.model_validate(r) for r in matcher.releases(vacancy_id, actor)]


@router.delete(
    "/{vacancy_id}/releases/{seeker_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    summary="Withdraw a release: the employer sees the pseudonym again",
)
def withdraw_release(
    vacancy_id: VacancyId,
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="placement")],
) -> None:
    matcher.withdraw_release(vacancy_id, seeker_id, actor)
