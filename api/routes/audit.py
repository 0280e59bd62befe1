import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import AdminDep, Allow
from api.routes.common import LimitQuery, OffsetQuery
from api.schemas import AuditPage
from matching.access import Actor
from matching.store.audit import Action

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    summary="The audit log, newest first",
    description="Who read or changed which data, when and why. Times are UTC; `since` is inclusive, `until` "
    "exclusive. Erased people appear under a keyed hash (`erased-…`) instead of their id.",
)
def query_audit(
    admin: AdminDep,
    actor: Annotated[Actor, Allow("admin", purpose="audit")],
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    key_id: Annotated[str | None, Query(max_length=32)] = None,
    action: Annotated[Action | None, Query()] = None,
    entity_kind: Annotated[
        Literal["jobseeker", "vacancy", "api_key", "audit", "analytics"] | None, Query()
    ] = None,
    since: Annotated[dt.datetime | None, Query(description="ISO 8601, e.g. 2026-11-01T00:00:00Z")] = None,
    until: Annotated[dt.datetime | None, Query()] = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 50,
) -> AuditPage:
    items, total = admin.audit_events(
        actor,
        entity_id=entity_id,
        key_id=key_id,
        action=action.value if action else None,
        entity_kind=entity_kind,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
    return AuditPage(items=items, total=total, offset=offset, limit=limit)
