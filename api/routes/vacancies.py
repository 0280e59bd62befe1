from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from api.deps import Allow, MatcherDep
from api.routes.common import (
    ExportFormatQuery,
    ExportKQuery,
    ExportLanguageQuery,
    KQuery,
    LanguageQuery,
    LimitQuery,
    MatchOffsetQuery,
    OffsetQuery,
    ensure_same_id,
    export_response,
    match_list,
)
from api.schemas import ErrorBody, MatchList, ReleaseOut, ReleaseRequest, VacancyPage
from matching.access import Actor
from models import Vacancy
from models.common import ID_PATTERN

router = APIRouter(prefix="/vacancies", tags=["vacancies"])
VacancyId = Annotated[str, Path(pattern=ID_PATTERN, description="Vacancy id")]
SeekerId = Annotated[str, Path(pattern=ID_PATTERN, description="Pseudonymous job seeker id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No vacancy with this id that this key may see"}
}


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}})
def create_vacancy(
    vacancy: Vacancy,
    matcher: MatcherDep,
    response: Response,
    actor: Annotated[Actor, Allow("advisor", "admin", "employer", purpose="vacancy maintenance")],
) -> Vacancy:
    """Store a vacancy in the key's organisation; an employer's key sets its own employer_id."""
    created = matcher.create_vacancy(vacancy, actor)
    response.headers["Location"] = f"/api/v1/vacancies/{created.id}"
    return created


@router.get("")
def list_vacancies(
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "employer", purpose="vacancy maintenance")],
    offset: OffsetQuery = 0,
    limit: LimitQuery = 50,
) -> VacancyPage:
    items, total = matcher.list_vacancies(offset, limit, actor)
    return VacancyPage(items=items, total=total, offset=offset, limit=limit)


@router.get("/{vacancy_id}", responses=NOT_FOUND)
def get_vacancy(
    vacancy_id: VacancyId,
    matcher: MatcherDep,
    actor: Annotated[
        Actor, Allow("advisor", "admin", "employer", "jobseeker", purpose="vacancy maintenance")
    ],
) -> Vacancy:
    return matcher.get_vacancy(vacancy_id, actor)


@router.put("/{vacancy_id}", responses=NOT_FOUND)
def replace_vacancy(
    vacancy_id: VacancyId,
    vacancy: Vacancy,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "employer", purpose="vacancy maintenance")],
) -> Vacancy:
    ensure_same_id(vacancy_id, vacancy.id)
    return matcher.replace_vacancy(vacancy, actor)


@router.delete("/{vacancy_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_vacancy(
    vacancy_id: VacancyId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "employer", purpose="vacancy maintenance")],
) -> None:
    matcher.delete_vacancy(vacancy_id, actor)


@router.get(
    "/{vacancy_id}/candidates",
    responses=NOT_FOUND,
    summary="Job seekers ranked for a vacancy",
    description="Candidates come from the vacancy's organisation. Employers see each candidate under a "
    "pseudonym for this vacancy, without reasons, next steps or the blocked list, until an advisor releases "
    "the candidate (POST …/releases).",
)
def candidates_for_vacancy(
    vacancy_id: VacancyId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "employer", purpose="matching")],
    k: KQuery = 20,
    offset: MatchOffsetQuery = 0,
    lang: LanguageQuery = None,
) -> MatchList:
    return match_list(matcher.candidates_for_vacancy(vacancy_id, k, offset, lang, actor))


@router.get(
    "/{vacancy_id}/candidates/export",
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}, "application/octet-stream": {}}}},
    response_class=Response,
    summary="A vacancy's ranked candidates as a CSV or Excel file",
)
def export_candidates(
    vacancy_id: VacancyId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="matching list export")],
    format: ExportFormatQuery = "csv",
    lang: ExportLanguageQuery = "de",
    k: ExportKQuery = 50,
) -> Response:
    page = matcher.candidates_for_vacancy(vacancy_id, k, 0, lang, actor)
    return export_response(page, "candidates", lang, format, f"candidates-{vacancy_id}")


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
