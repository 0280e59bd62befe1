"""Query parameters and helpers shared by the entity routes."""

from typing import Annotated, Literal

from fastapi import Query

from api.schemas import MatchList
from matching.errors import IdMismatchError
from matching.service import MatchPage

OffsetQuery = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size")]
KQuery = Annotated[int, Query(ge=1, le=200, description="Matches per page")]
MatchOffsetQuery = Annotated[int, Query(ge=0, le=1000, description="Matches to skip (paging)")]
LanguageQuery = Annotated[
    Literal["de", "en", "uk"] | None,
    Query(description="Language of skill labels in explanations (reasons carry all three)."),
]


def ensure_same_id(path_id: str, body_id: str) -> None:
    if path_id != body_id:
        raise IdMismatchError(path_id, body_id)


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
