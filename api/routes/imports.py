"""Bulk import from CSV or Excel (layout in matching/ingest/columns.py and the README)."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response, UploadFile, status

from api.deps import Allow, MatcherDep
from api.schemas import ErrorBody, ImportResult
from matching.access import Actor, Kind

router = APIRouter(prefix="/import", tags=["import"])
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SkipQuery = Annotated[
    bool, Query(description="Store the valid rows even if others are invalid (those are reported).")
]
ReportQuery = Annotated[
    Literal["json", "csv"], Query(description="json: the result with its errors; csv: the error report only")
]
RESPONSES: dict[int | str, dict] = {
    200: {"content": {"text/csv": {}}},
    413: {"model": ErrorBody, "description": "File larger than 20 MB"},
    422: {"model": ErrorBody, "description": "Errors in the file; nothing imported (report in 'import')"},
}
DESCRIPTION = (
    "Multipart upload (field `file`) of a CSV or .xlsx file, one row per {what}; `skillbridge "
    "import-template` writes an empty template. Every row is checked like an API request. Any invalid row "
    "rejects the whole file (422, nothing stored) unless `skip_invalid=true`. Rows are stored in one transaction."
)


def _import(
    kind: Kind, file: UploadFile, matcher: MatcherDep, actor: Actor, skip_invalid: bool, report: str
) -> ImportResult | Response:
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, "The file is larger than 20 MB; split it into several files."
        )
    result = matcher.import_file(kind, data, file.filename or "", actor, skip_invalid)
    if report == "csv":
        return Response(result.errors_csv(), media_type="text/csv; charset=utf-8")
    return ImportResult.model_validate(result.as_dict())


@router.post("/jobseekers", responses=RESPONSES, description=DESCRIPTION.format(what="job seeker"))
def import_jobseekers(
    file: UploadFile,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="bulk import")],
    skip_invalid: SkipQuery = False,
    report: ReportQuery = "json",
) -> ImportResult:
    return _import("jobseeker", file, matcher, actor, skip_invalid, report)  # type: ignore[return-value]


@router.post("/vacancies", responses=RESPONSES, description=DESCRIPTION.format(what="vacancy"))
def import_vacancies(
    file: UploadFile,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("advisor", "admin", purpose="bulk import")],
    skip_invalid: SkipQuery = False,
    report: ReportQuery = "json",
) -> ImportResult:
    return _import("vacancy", file, matcher, actor, skip_invalid, report)  # type: ignore[return-value]
