"""Typed dependencies: routes declare what they need, tests override ``get_matcher``.

Every route under /api/v1 declares who may call it with ``Allow``, in its signature::

    actor: Annotated[Actor, Allow("advisor", "admin", purpose="matching")]

No or an unknown key gives 401, a key of another role 403. Objects outside the key's reach are not this
dependency's business: storage treats them as missing (404), so their existence is not revealed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matching.access import PURPOSE_PATTERN, Actor, Role
from matching.service import Matcher
from matching.service.admin import Administration
from matching.service.feedback import FeedbackService
from matching.service.linking import TextLinking


# The getters are async on purpose: FastAPI runs a sync dependency in a worker thread, a hop per dependency
# per request for what is an attribute read.
async def get_matcher(request: Request) -> Matcher:
    return request.app.state.matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]


# The façade's parts that routes use directly (tests override get_matcher; these follow it).
async def get_admin(matcher: MatcherDep) -> Administration:
    return matcher.admin


async def get_linking(matcher: MatcherDep) -> TextLinking:
    return matcher.linking


async def get_feedback(matcher: MatcherDep) -> FeedbackService:
    return matcher.feedback


AdminDep = Annotated[Administration, Depends(get_admin)]
LinkingDep = Annotated[TextLinking, Depends(get_linking)]
FeedbackDep = Annotated[FeedbackService, Depends(get_feedback)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="api_key",
    description="An API key (`skillbridge keys create`), sent as `Authorization: Bearer sbk_…`.",
)
PurposeHeader = Annotated[
    str | None,
    Header(
        alias="X-Purpose",
        pattern=PURPOSE_PATTERN,
        description="Why the data is used, for the audit log (default: the endpoint's purpose).",
    ),
]


class Gate:
    """Authenticates the key and checks its role; yields the :class:`Actor` for the call."""

    def __init__(self, roles: tuple[str, ...], purpose: str):
        self.roles = tuple(Role(r) for r in roles)
        self.purpose = purpose

    def __call__(
        self,
        request: Request,
        admin: AdminDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        purpose: PurposeHeader = None,
    ) -> Actor:
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Missing API key: send the header 'Authorization: Bearer <key>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        actor = request.state.actor if hasattr(request.state, "actor") else None  # checked by the guard
        if actor is None:
            actor = admin.keys.authenticate(credentials.credentials)
        if actor is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Invalid or revoked API key.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        actor = actor.for_purpose(purpose or self.purpose)
        request.state.actor = actor  # for the audit of a refusal (api/guard.py)
        if actor.role not in self.roles:
            allowed = ", ".join(r.value for r in self.roles)
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"This endpoint is for {allowed} keys; this is a {actor.role.value} key.",
            )
        return actor


def Allow(*roles: str, purpose: str) -> Any:
    """The roles that may call a route and the purpose logged when the caller names none."""
    return Depends(Gate(roles, purpose))


def gate_of(route: APIRoute) -> Gate | None:
    def walk(dependant: Dependant) -> Gate | None:
        for dependency in dependant.dependencies:
            if isinstance(dependency.call, Gate):
                return dependency.call
            found = walk(dependency)
            if found:
                return found
        return None

    return walk(route.dependant)


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every API route, also where FastAPI includes routers lazily (0.16x)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: included routes are copied into app.routes
        return [(r.path, r) for r in app.routes if isinstance(r, APIRoute)]
    out = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            out.append((context.path or route.path, route))
    return out


def document_roles(router: APIRouter) -> None:
    """Write each route's roles into its OpenAPI description, from the one place they are declared.

    Called on a router before it is included (FastAPI copies routes when including them)."""
    for route in router.routes:
        gate = gate_of(route) if isinstance(route, APIRoute) else None
        if isinstance(route, APIRoute) and gate is not None:
            roles = ", ".join(r.value for r in gate.roles)
            note = f"**Roles:** {roles}. Default purpose: *{gate.purpose}*."
            route.description = f"{route.description}\n\n{note}".strip()
            route.openapi_extra = {
                **(route.openapi_extra or {}),
                "x-roles": [r.value for r in gate.roles],
            }
