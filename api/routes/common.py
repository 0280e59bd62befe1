"""Query parameters and helpers shared by the entity routes."""

from typing import Annotated, Literal

from fastapi import Query, Response

from api.schemas import MatchList
from matching.errors import IdMismatchError
from matching.ingest.exports import MEDIA_TYPES, Format, Side, match_rows, to_bytes
from matching.ranking.pipeline import MatchPage

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
