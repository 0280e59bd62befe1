"""Pseudonymised exports for analysts (see matching/service/analytics.py for what is left out)."""

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.deps import Allow, MatcherDep
from matching.access import Actor, Kind

router = APIRouter(prefix="/analytics", tags=["analytics"])
FormatQuery = Annotated[
    Literal["json", "csv"], Query(description="json: a list of records; csv: one row each")
]
DESCRIPTION = (
    "Ids are keyed hashes (stable across exports); no free text, names, exact places or dates; protected "
    "attributes only as nationality, gender and age band."
)


def _export(matcher: MatcherDep, kind: Kind, actor: Actor, fmt: str) -> Any:
    records = matcher.analytics_export(kind, actor)
    if fmt == "json":
        return records
    out = io.StringIO()
    if records:
        writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in record.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


@router.get(
    "/jobseekers",
    summary="Job seekers, pseudonymised",
    description=DESCRIPTION,
    responses={200: {"content": {"text/csv": {}}}},
)
def analytics_jobseekers(
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("analyst", "admin", purpose="statistics")],
    format: FormatQuery = "json",
) -> list[dict[str, Any]]:
    return _export(matcher, "jobseeker", actor, format)


@router.get(
    "/vacancies",
    summary="Vacancies, pseudonymised",
    description=DESCRIPTION,
    responses={200: {"content": {"text/csv": {}}}},
)
def analytics_vacancies(
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow("analyst", "admin", purpose="statistics")],
    format: FormatQuery = "json",
) -> list[dict[str, Any]]:
    return _export(matcher, "vacancy", actor, format)
