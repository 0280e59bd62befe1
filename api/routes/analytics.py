"""Pseudonymised exports for analysts (see matching/service/analytics.py for what is left out)."""

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.deps import Allow, MatcherDep
from matching.access import Actor, Kind

router = APIRouter(prefix="/analytics", tags=["analytics"])
FormatQuery = Annotated[
    Literal["json", "csv"], Query(description="json: a list of records; csv: one row each")
]
DESCRIPTION = (
    "Ids are keyed hashes (stable across exports), rows in the order of those hashes; no free text, names, "
    "exact places or dates; protected attributes only as nationality, gender and age band."
)
SEEKERS = (
    f"{DESCRIPTION} Every combination of values is shared by at least k job seekers (setting analytics_k, "
    "default 5): values are generalised (bands, ISCO groups, counts) as far as needed, and the few rows that "
    "stay rarer keep only their id. Headers X-Anonymity-K, X-Anonymity-Level and X-Anonymity-Suppressed say "
    "what was done. Ask for fewer columns (columns=nationality,gender,age_band,languages) to keep more "
    "detail in them; such exports carry ids of their own, so they cannot be joined to each other."
)


def _export(
    matcher: MatcherDep, kind: Kind, actor: Actor, fmt: str, request: Request, columns: str | None = None
) -> Any:
    wanted = [c.strip() for c in columns.split(",") if c.strip()] if columns is not None else None
    k = request.app.state.settings.analytics_k
    records, disclosure = matcher.privacy.analytics_release(kind, actor, k, wanted)
    headers = disclosure.headers() if kind == "jobseeker" else {}
    if fmt == "json":
        return JSONResponse(records, headers=headers)
    out = io.StringIO()
    if records:
        writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in record.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get(
    "/jobseekers",
    summary="Job seekers, pseudonymised",
    description=SEEKERS,
    responses={200: {"content": {"text/csv": {}}}},
)
def analytics_jobseekers(
    request: Request,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("analyst", "admin", purpose="statistics")],
    format: FormatQuery = "json",
    columns: Annotated[
        str | None, Query(description="Comma-separated columns to export (default: all)", max_length=500)
    ] = None,
) -> list[dict[str, Any]]:
    return _export(matcher, "jobseeker", actor, format, request, columns)


@router.get(
    "/vacancies",
    summary="Vacancies, pseudonymised",
    description=DESCRIPTION,
    responses={200: {"content": {"text/csv": {}}}},
)
def analytics_vacancies(
    request: Request,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("analyst", "admin", purpose="statistics")],
    format: FormatQuery = "json",
) -> list[dict[str, Any]]:
    return _export(matcher, "vacancy", actor, format, request)
