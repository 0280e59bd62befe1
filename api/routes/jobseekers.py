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
from api.schemas import ErrorBody, JobSeekerPage, MatchList, SubjectAccessExport
from matching.access import Actor
from models import JobSeeker
from models.common import ID_PATTERN

router = APIRouter(prefix="/jobseekers", tags=["job seekers"])
SeekerId = Annotated[str, Path(pattern=ID_PATTERN, description="Pseudonymous job seeker id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No job seeker with this id that this key may see"}
}


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}})
def create_jobseeker(
    seeker: JobSeeker,
    matcher: MatcherDep,
    response: Response,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="profile maintenance")],
) -> JobSeeker:
    """Store a profile in the key's organisation."""
    created = matcher.create_jobseeker(seeker, actor)
    response.headers["Location"] = f"/api/v1/jobseekers/{created.id}"
    return created


@router.get("")
def list_jobseekers(
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="profile maintenance")],
    offset: OffsetQuery = 0,
    limit: LimitQuery = 50,
) -> JobSeekerPage:
    items, total = matcher.list_jobseekers(offset, limit, actor)
    return JobSeekerPage(items=items, total=total, offset=offset, limit=limit)


@router.get("/{seeker_id}", responses=NOT_FOUND)
def get_jobseeker(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "jobseeker", purpose="profile maintenance")],
) -> JobSeeker:
    return matcher.get_jobseeker(seeker_id, actor)


@router.put("/{seeker_id}", responses=NOT_FOUND)
def replace_jobseeker(
    seeker_id: SeekerId,
    seeker: JobSeeker,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "jobseeker", purpose="profile maintenance")],
) -> JobSeeker:
    ensure_same_id(seeker_id, seeker.id)
    return matcher.replace_jobseeker(seeker, actor)


@router.delete(
    "/{seeker_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    summary="Erase a job seeker (GDPR art. 17)",
    description="Removes the profile, its vector from the index (and the saved index file), the cached "
    "embeddings of its free text and its releases; the person's id in the audit log is replaced by a keyed "
    "hash and keys issued to them are revoked.",
)
def delete_jobseeker(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "jobseeker", purpose="erasure")],
) -> None:
    matcher.delete_jobseeker(seeker_id, actor)


@router.get(
    "/{seeker_id}/export",
    responses=NOT_FOUND,
    summary="Everything stored about a job seeker, machine-readable (GDPR art. 15 and 20)",
)
def export_jobseeker(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "jobseeker", purpose="subject access request")],
) -> SubjectAccessExport:
    return SubjectAccessExport.model_validate(matcher.export_jobseeker(seeker_id, actor))


@router.get("/{seeker_id}/vacancies", responses=NOT_FOUND, summary="Vacancies ranked for a job seeker")
def vacancies_for_jobseeker(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", "jobseeker", purpose="matching")],
    k: KQuery = 20,
    offset: MatchOffsetQuery = 0,
    lang: LanguageQuery = None,
) -> MatchList:
    return match_list(matcher.vacancies_for_jobseeker(seeker_id, k, offset, lang, actor))


@router.get(
    "/{seeker_id}/vacancies/export",
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}, "application/octet-stream": {}}}},
    response_class=Response,
    summary="A job seeker's ranked vacancies as a CSV or Excel file",
)
def export_vacancies_for_jobseeker(
    seeker_id: SeekerId,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="matching list export")],
    format: ExportFormatQuery = "csv",
    lang: ExportLanguageQuery = "de",
    k: ExportKQuery = 50,
) -> Response:
    page = matcher.vacancies_for_jobseeker(seeker_id, k, 0, lang, actor)
    return export_response(page, "vacancies", lang, format, f"vacancies-{seeker_id}")
