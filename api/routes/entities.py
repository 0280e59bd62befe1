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
    FiltersDep,
    KQuery,
    LanguageQuery,
    LimitQuery,
    MatchOffsetQuery,
    OffsetQuery,
    ensure_same_id,
    export_response,
    match_list_response,
)
from api.schemas import ErrorBody, JobSeekerPage, MatchList, VacancyPage
from matching.access import Actor
from matching.ingest.exports import Side
from matching.service import Matcher
from models import JobSeeker, Vacancy
from models.common import ID_PATTERN


@dataclass(frozen=True)
class FacadeCalls:
    create: Callable[..., Any]
    list: Callable[..., tuple[list[Any], int]]
    read: Callable[..., Any]
    replace: Callable[..., Any]
    delete: Callable[..., None]
    matches: Callable[..., Any]


@dataclass(frozen=True)
class Entity:
    """A kind of entity as the API names it: its path, its id, its models, its matches and the façade calls."""

    name: str  # "jobseeker": route names are create_jobseeker, get_jobseeker, …
    path: str  # "/jobseekers"
    noun: str  # "job seeker"
    nouns: str  # "job seekers": the OpenAPI tag
    id_name: str  # the path parameter, "seeker_id"
    id_description: str
    model: Any  # the pydantic model
    page: Any  # its page model
    matches: str  # "/vacancies": what this entity's matches are
    export_side: Side
    calls: FacadeCalls

    @property
    def plural(self) -> str:
        return self.path.removeprefix("/")


@dataclass(frozen=True)
class Roles:
    """Who may call each route."""

    create: tuple[str, ...]
    list: tuple[str, ...]
    read: tuple[str, ...]
    replace: tuple[str, ...]
    delete: tuple[str, ...]
    matches: tuple[str, ...]
    export: tuple[str, ...]


@dataclass(frozen=True)
class Text:
    """A route's OpenAPI summary and description."""

    summary: str
    description: str | None = None


JOBSEEKERS = Entity("jobseeker", "/jobseekers", "job seeker", "job seekers", "seeker_id", "Pseudonymous job seeker id",
                    JobSeeker, JobSeekerPage, "/vacancies", "vacancies",
                    FacadeCalls(Matcher.create_jobseeker, Matcher.list_jobseekers, Matcher.get_jobseeker,
                                Matcher.replace_jobseeker, Matcher.delete_jobseeker, Matcher.vacancies_for_jobseeker),
                    )  # fmt: skip
VACANCIES = Entity("vacancy", "/vacancies", "vacancy", "vacancies", "vacancy_id", "Vacancy id", Vacancy, VacancyPage,
                   "/candidates", "candidates",
                   FacadeCalls(Matcher.create_vacancy, Matcher.list_vacancies, Matcher.get_vacancy,
                               Matcher.replace_vacancy, Matcher.delete_vacancy, Matcher.candidates_for_vacancy),
                   )  # fmt: skip


def entity_router(
    entity: Entity,
    roles: Roles,
    purpose: str,
    texts: dict[str, Text],
    purposes: dict[str, str] | None = None,
) -> APIRouter:
    """The routes of one kind of entity. ``texts`` must describe ``matches`` and ``export`` and may override the
    others' (``Store a job seeker``, …); ``purposes`` overrides the audit purpose of single routes."""
    router = APIRouter(prefix=entity.path, tags=[entity.nouns])
    Model, PageModel, call = entity.model, entity.page, entity.calls
    EntityId = Annotated[
        str, Path(alias=entity.id_name, pattern=ID_PATTERN, description=entity.id_description)
    ]
    not_found: dict[int | str, dict[str, Any]] = {
        404: {"model": ErrorBody, "description": f"No {entity.noun} with this id that this key may see"}
    }
    one = f"/{{{entity.id_name}}}"
    names = {
        "create": f"create_{entity.name}", "list": f"list_{entity.plural}", "read": f"get_{entity.name}",
        "replace": f"replace_{entity.name}", "delete": f"delete_{entity.name}",
        "matches": f"{entity.matches.removeprefix('/')}_for_{entity.name}",
        "export": f"export_{entity.matches.removeprefix('/')}_for_{entity.name}",
    }  # fmt: skip
    defaults = {
        "create": Text(f"Store a {entity.noun}"), "list": Text(f"List {entity.nouns}"),
        "read": Text(f"Get a {entity.noun}"), "replace": Text(f"Replace a {entity.noun}"),
        "delete": Text(f"Delete a {entity.noun}"),
    }  # fmt: skip

    def allow(operation: str) -> Any:
        return Allow(*getattr(roles, operation), purpose=(purposes or {}).get(operation, purpose))

    def route(operation: str) -> dict[str, Any]:
        text = texts.get(operation) or defaults[operation]
        return {"name": names[operation], "summary": text.summary, "description": text.description}

    @router.post(
        "", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}}, **route("create")
    )
    def create(
        item: Model, matcher: MatcherDep, response: Response, actor: Annotated[Actor, allow("create")]
    ) -> Model:
        created = call.create(matcher, item, actor)
        response.headers["Location"] = f"/api/v1{entity.path}/{created.id}"
        return created

    @router.get("", **route("list"))
    def list_all(
        matcher: MatcherDep,
        actor: Annotated[Actor, allow("list")],
        offset: OffsetQuery = 0,
        limit: LimitQuery = 50,
    ) -> PageModel:
        items, total = call.list(matcher, offset, limit, actor)
        return PageModel(items=items, total=total, offset=offset, limit=limit)

    @router.get(one, responses=not_found, **route("read"))
    def read(entity_id: EntityId, matcher: MatcherDep, actor: Annotated[Actor, allow("read")]) -> Model:
        return call.read(matcher, entity_id, actor)

    @router.put(one, responses=not_found, **route("replace"))
    def replace(
        entity_id: EntityId, item: Model, matcher: MatcherDep, actor: Annotated[Actor, allow("replace")]
    ) -> Model:
        ensure_same_id(entity_id, item.id)
        return call.replace(matcher, item, actor)

    @router.delete(one, status_code=status.HTTP_204_NO_CONTENT, responses=not_found, **route("delete"))
    def delete(entity_id: EntityId, matcher: MatcherDep, actor: Annotated[Actor, allow("delete")]) -> None:
        call.delete(matcher, entity_id, actor)

    @router.get(f"{one}{entity.matches}", response_model=MatchList, responses=not_found, **route("matches"))
    def matches(
        entity_id: EntityId,
        matcher: MatcherDep,
        actor: Annotated[Actor, allow("matches")],
        filters: FiltersDep,
        k: KQuery = 20,
        offset: MatchOffsetQuery = 0,
        lang: LanguageQuery = None,
    ) -> Response:
        return match_list_response(call.matches(matcher, entity_id, k, offset, lang, actor, filters))

    @router.get(
        f"{one}{entity.matches}/export",
        responses={**not_found, 200: {"content": {"text/csv": {}, "application/octet-stream": {}}}},
        response_class=Response,
        **route("export"),
    )
    def export(
        entity_id: EntityId,
        matcher: MatcherDep,
        actor: Annotated[Actor, allow("export")],
        filters: FiltersDep,
        format: ExportFormatQuery = "csv",
        lang: ExportLanguageQuery = "de",
        k: ExportKQuery = 50,
    ) -> Response:
        page = call.matches(matcher, entity_id, k, 0, lang, actor, filters)
        return export_response(page, entity.export_side, lang, format, f"{entity.export_side}-{entity_id}")

    return router
