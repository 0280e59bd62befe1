"""Saved searches and the alerts they raise: an advisor's inbox of profiles that entered a saved list's top k."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.deps import Allow, MatcherDep
from api.schemas import AlertOut, AlertPage, ErrorBody, SavedSearchIn, SavedSearchOut
from matching.access import Actor
from matching.errors import InvalidInputError
from matching.ranking.filters import filters_from_json
from matching.service.webhooks import check_webhook
from matching.store.audit import Action, entries
from matching.store.searches import SavedSearch
from models import Match

router = APIRouter(tags=["saved searches"])
ADVISORS = ("advisor", "admin")
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not one of this key's"}
}
SearchId = Annotated[str, Path(pattern=r"^ss-[0-9a-f]{16}$", description="Saved search id")]


def _out(search: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(
        id=search.id, kind=search.kind, subject_id=search.subject_id, k=search.k, filters=search.filters,
        in_top=sum(entry[0] is not None for entry in search.top), created_at=search.created_at, webhook=search.webhook,
    )  # fmt: skip


def _owner(actor: Actor) -> str:
    if actor.key_id is None:
        raise InvalidInputError("owner", "saved searches belong to an API key")
    return actor.key_id


@router.post(
    "/saved-searches",
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
    summary="Save a match list and be alerted when a profile enters its top k",
    description="The list as the key sees it now is the baseline. From then on, whenever a job seeker (for "
    "'candidates') or a vacancy (for 'vacancies') is created or changed and enters the top k as eligible or "
    "bridge, passing the filters, an alert with the match and its explanation goes to this key's inbox.",
)
def save_search(
    request: SavedSearchIn,
    http: Request,
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow(*ADVISORS, purpose="matching")],
) -> SavedSearchOut:
    webhook = check_webhook(request.webhook, http.app.state.settings.webhook_allowed)
    filters = filters_from_json(
        request.filters.model_dump(mode="json")
    )  # the same names as a saved search stores
    return _out(matcher.alerts.save(request.kind, request.subject_id, request.k, filters, actor, webhook))


@router.get("/saved-searches", summary="This key's saved searches")
def list_searches(
    matcher: MatcherDep, actor: Annotated[Actor, Allow(*ADVISORS, purpose="matching")]
) -> list[SavedSearchOut]:
    return [_out(s) for s in matcher.storage.searches.of_owner(_owner(actor))]


@router.delete(
    "/saved-searches/{search_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND,
    summary="Delete a saved search and its alerts",
)  # fmt: skip
def delete_search(
    search_id: SearchId, matcher: MatcherDep, actor: Annotated[Actor, Allow(*ADVISORS, purpose="matching")]
) -> Response:
    audit = entries(actor, Action.DELETE, "saved_search", [search_id])
    matcher.storage.searches.delete(search_id, _owner(actor), audit)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/alerts", summary="This key's alerts, newest first")
def list_alerts(
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow(*ADVISORS, purpose="matching")],
    unread: Annotated[bool, Query(description="Only unread ones")] = False,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AlertPage:
    items, total, unread_count = matcher.storage.searches.alerts(_owner(actor), unread, offset, limit)
    matcher.storage.audit.record(
        entries(actor, Action.READ, "jobseeker", sorted({str(a.match.get("jobseeker_id")) for a in items}))
    )
    return AlertPage(
        items=[
            AlertOut(
                id=a.id,
                search_id=a.search_id,
                entity_id=a.entity_id,
                match=Match.model_validate(a.match),
                created_at=a.created_at,
                read=a.read_at is not None,
            )
            for a in items
        ],
        total=total,
        unread=unread_count,
        offset=offset,
        limit=limit,
    )


@router.post(
    "/alerts/{alert_id}/read", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND,
    summary="Mark an alert as read",
)  # fmt: skip
def mark_read(
    alert_id: Annotated[int, Path(ge=1)],
    matcher: MatcherDep,
    actor: Annotated[Actor, Allow(*ADVISORS, purpose="matching")],
) -> Response:
    matcher.storage.searches.mark_read(alert_id, _owner(actor))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
