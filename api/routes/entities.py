"""Job seekers and vacancies share their routes: create, list, read, replace, delete, the ranked matches of one
and their export as a file. :func:`entity_router` builds them from an :class:`EntityRoutes` description, so the
two kinds differ only where the description says so (roles, purposes, texts)."""

from collections.abc import Callable
from dataclasses import dataclass
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
from api.schemas import ErrorBody, MatchList
from matching.access import Actor
from matching.ingest.exports import Side
from models.common import ID_PATTERN


@dataclass(frozen=True)
class Operation:
    """Who may call a route, the purpose logged when the caller names none, and the route's texts."""

    name: str  # the route's name, which its OpenAPI operation id starts with
    roles: tuple[str, ...]
    purpose: str
    summary: str
    description: str | None = None


@dataclass(frozen=True)
class EntityRoutes:
    """One kind of entity as the API offers it; ``call`` names the façade methods behind each route."""

    path: str  # "/jobseekers"
    tag: str
    noun: str  # "job seeker", for error descriptions
    id_name: str  # the path parameter: "seeker_id"
    id_description: str
    model: Any  # the pydantic model of the entity
    page: Any  # its page model
    create: Operation
    list: Operation
    read: Operation
    replace: Operation
    delete: Operation
    matches: Operation
    matches_path: str  # "/vacancies": what this entity's matches are
    export: Operation
    export_side: Side
    call: "FacadeCalls"


@dataclass(frozen=True)
class FacadeCalls:
    create: Callable[..., Any]
    list: Callable[..., tuple[list[Any], int]]
    read: Callable[..., Any]
    replace: Callable[..., Any]
    delete: Callable[..., None]
    matches: Callable[..., Any]


def entity_router(spec: EntityRoutes) -> APIRouter:
    router = APIRouter(prefix=spec.path, tags=[spec.tag])
    Model, PageModel, call = spec.model, spec.page, spec.call
    EntityId = Annotated[str, Path(alias=spec.id_name, pattern=ID_PATTERN, description=spec.id_description)]
    not_found: dict[int | str, dict[str, Any]] = {
        404: {"model": ErrorBody, "description": f"No {spec.noun} with this id that this key may see"}
    }
    one = f"/{{{spec.id_name}}}"

    def allow(operation: Operation) -> Any:
        return Allow(*operation.roles, purpose=operation.purpose)

    def texts(operation: Operation) -> dict[str, Any]:
        return {"name": operation.name, "summary": operation.summary, "description": operation.description}

    @router.post(
        "", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}}, **texts(spec.create)
    )
    def create(
        item: Model, matcher: MatcherDep, response: Response, actor: Annotated[Actor, allow(spec.create)]
    ) -> Model:
        created = call.create(matcher, item, actor)
        response.headers["Location"] = f"/api/v1{spec.path}/{created.id}"
        return created

    @router.get("", **texts(spec.list))
    def list_all(
        matcher: MatcherDep,
        actor: Annotated[Actor, allow(spec.list)],
        offset: OffsetQuery = 0,
        limit: LimitQuery = 50,
    ) -> PageModel:
        items, total = call.list(matcher, offset, limit, actor)
        return PageModel(items=items, total=total, offset=offset, limit=limit)

    @router.get(one, responses=not_found, **texts(spec.read))
    def read(entity_id: EntityId, matcher: MatcherDep, actor: Annotated[Actor, allow(spec.read)]) -> Model:
        return call.read(matcher, entity_id, actor)

    @router.put(one, responses=not_found, **texts(spec.replace))
    def replace(
        entity_id: EntityId, item: Model, matcher: MatcherDep, actor: Annotated[Actor, allow(spec.replace)]
    ) -> Model:
        ensure_same_id(entity_id, item.id)
        return call.replace(matcher, item, actor)

    @router.delete(one, status_code=status.HTTP_204_NO_CONTENT, responses=not_found, **texts(spec.delete))
    def delete(entity_id: EntityId, matcher: MatcherDep, actor: Annotated[Actor, allow(spec.delete)]) -> None:
        call.delete(matcher, entity_id, actor)

    @router.get(f"{one}{spec.matches_path}", responses=not_found, **texts(spec.matches))
    def matches(
        entity_id: EntityId,
        matcher: MatcherDep,
        actor: Annotated[Actor, allow(spec.matches)],
        k: KQuery = 20,
        offset: MatchOffsetQuery = 0,
        lang: LanguageQuery = None,
    ) -> MatchList:
        return match_list(call.matches(matcher, entity_id, k, offset, lang, actor))

    @router.get(
        f"{one}{spec.matches_path}/export",
        responses={**not_found, 200: {"content": {"text/csv": {}, "application/octet-stream": {}}}},
        response_class=Response,
        **texts(spec.export),
    )
    def export(
        entity_id: EntityId,
        matcher: MatcherDep,
        actor: Annotated[Actor, allow(spec.export)],
        format: ExportFormatQuery = "csv",
        lang: ExportLanguageQuery = "de",
        k: ExportKQuery = 50,
    ) -> Response:
        page = call.matches(matcher, entity_id, k, 0, lang, actor)
        return export_response(page, spec.export_side, lang, format, f"{spec.export_side}-{entity_id}")

    return router
