"""Query parameters and helpers shared by the entity routes."""

import datetime as dt
from typing import Annotated, Literal

from fastapi import Depends, Query, Response

from api.schemas import MatchList
from matching.errors import IdMismatchError, InvalidInputError
from matching.ingest.exports import MEDIA_TYPES, Format, Side, match_rows, to_bytes
from matching.ranking.filters import MatchFilters
from matching.ranking.pipeline import MatchPage
from models import CEFRLevel, Eligibility, RecognitionStatus, WorkingTime

OffsetQuery = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size")]
KQuery = Annotated[int, Query(ge=1, le=200, description="Matches per page")]
MatchOffsetQuery = Annotated[int, Query(ge=0, le=1000, description="Matches to skip (paging)")]
LanguageQuery = Annotated[
    Literal["de", "en", "uk"] | None,
    Query(description="Language of skill labels in explanations (reasons carry all three)."),
]
ExportFormatQuery = Annotated[Literal["csv", "xlsx"], Query(description="csv (UTF-8) or xlsx (Excel)")]
ExportLanguageQuery = Annotated[
    Literal["de", "en", "uk"], Query(description="Language of reasons, next steps and skill labels")
]
ExportKQuery = Annotated[int, Query(ge=1, le=200, description="Ranked matches in the file")]


async def match_filters(
    min_german: Annotated[
        CEFRLevel | None, Query(description="Only job seekers with at least this German level")
    ] = None,
    eligibility: Annotated[
        list[Literal["eligible", "bridge"]] | None,
        Query(description="Only these (repeatable); blocked pairs are then not listed"),
    ] = None,
    skill: Annotated[
        list[str] | None,
        Query(
            max_length=300,
            description="ESCO skill URI the job seeker must have, declared or implied (repeatable)",
        ),
    ] = None,
    place: Annotated[
        list[str] | None,
        Query(
            max_length=100,
            description="District, town or postcode of the listed job seeker's home or vacancy (repeatable)",
        ),
    ] = None,
    max_distance_km: Annotated[
        float | None, Query(gt=0, le=1000, description="Between the job seeker's home and the vacancy")
    ] = None,
    working_time: Annotated[
        list[WorkingTime] | None,
        Query(description="Working time of the listed side (job seekers open to any time always pass)"),
    ] = None,
    available_by: Annotated[
        dt.date | None, Query(description="Only job seekers who can start by then")
    ] = None,
    recognition: Annotated[
        list[RecognitionStatus] | None,
        Query(description="Only job seekers with a qualification in one of these recognition states"),
    ] = None,
) -> MatchFilters:
    """Hard filters on a match list, applied during retrieval so the filtered list is complete."""
    if len(skill or []) > 50 or len(place or []) > 50:
        raise InvalidInputError("skill" if len(skill or []) > 50 else "place", "at most 50 values")
    return MatchFilters(
        min_german=min_german,
        eligibility=frozenset(Eligibility(e) for e in eligibility or []),
        skills=frozenset(skill or []),
        places=frozenset(place or []),
        max_distance_km=max_distance_km,
        working_time=frozenset(working_time or []),
        available_by=available_by,
        recognition=frozenset(recognition or []),
    )


FiltersDep = Annotated[MatchFilters, Depends(match_filters)]


def ensure_same_id(path_id: str, body_id: str) -> None:
    if path_id != body_id:
        raise IdMismatchError(path_id, body_id)


def match_list_response(page: MatchPage) -> Response:
    """A match list serialised here, in the request's worker thread: returning the model instead makes FastAPI
    validate it again in another thread hop before serialising (lists carry hundreds of nested objects)."""
    return Response(match_list(page).model_dump_json(), media_type="application/json")


def match_list(page: MatchPage) -> MatchList:
    return MatchList(
        subject_id=page.subject_id,
        items=page.items,
        offset=page.offset,
        k=page.k,
        considered=page.considered,
        eligible_total=page.eligible_total,
        has_more=page.has_more,
        blocked=page.blocked,
        blocked_total=page.blocked_total,
    )


def export_response(page: MatchPage, side: Side, language: str, fmt: Format, stem: str) -> Response:
    rows = match_rows(page.items, page.blocked, side, language)
    return Response(
        to_bytes(rows, fmt, sheet=side),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
