"""The FastAPI application: a thin HTTP layer over :class:`matching.service.facade.Matcher`."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import errors
from api.deps import document_roles
from api.guard import Guard, Throttle
from api.routes import (
    analytics,
    audit,
    concepts,
    feedback,
    health,
    imports,
    jobseekers,
    keys,
    me,
    searches,
    taxonomy,
    vacancies,
    whatif,
)
from api.schemas import ErrorBody
from api.web import install as install_pages
from matching.config import Settings, get_settings
from matching.service import Matcher
from matching.service.following import ChangeFollower
from matching.service.webhooks import WebhookSender

DESCRIPTION = """
Matches job seekers and vacancies on ESCO occupations and skills, and explains every score.

Every /api/v1 endpoint needs an API key (`Authorization: Bearer <key>`) of one of the roles it names;
every read and change of personal data is written to the audit log, with the purpose given in the
`X-Purpose` header (or the endpoint's default).

This service uses the ESCO classification of the European Commission.
"""


GC_THRESHOLD = 25_000


def create_app(settings: Settings | None = None, matcher: Matcher | None = None) -> FastAPI:
    """Build the app. Pass ``matcher`` to serve an existing one (demo, tests); else it is built from settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = matcher is None
        if owned:
            from matching.bootstrap import build_matcher

            app.state.matcher = build_matcher(app.state.settings)
            app.state.matcher.open()
            app.state.matcher.linking.wait_for_models()  # a model that failed to load stops the start, not a request
            # Place names and, on a full ESCO download, every label's embedding: not in the first requests.
            app.state.matcher.warm_in_background()
        else:
            app.state.matcher = matcher
        # Other processes (workers, replicas, the CLI) write to a shared database: follow their changes.
        shared = app.state.matcher.storage.shared
        matcher_ = app.state.matcher
        follower = (
            ChangeFollower(matcher_.indexes, after=matcher_.alerts.evaluate).start() if shared else None
        )
        allowed = app.state.settings.webhook_allowed
        sender = WebhookSender(matcher_.storage, allowed).start() if allowed else None
        # Start-up leaves a large, long-lived heap (model, taxonomy, indexes). Without freezing it, each
        # full garbage collection walks it all and stalls a request for ~300 ms.
        gc.collect()
        gc.freeze()
        # A match list allocates thousands of short-lived objects; collecting the youngest generation every
        # 700 allocations spends a tenth of a request's CPU on garbage that is almost never cyclic.
        gc.set_threshold(GC_THRESHOLD, 20, 20)
        try:
            yield
        finally:
            if follower is not None:
                follower.stop()
            if sender is not None:
                sender.stop()
            if owned:
                app.state.matcher.close()

    app = FastAPI(title="skillbridge", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings or get_settings()
    if matcher is not None:
        app.state.matcher = matcher
    app.add_middleware(Guard, throttle=Throttle(failures=app.state.settings.auth_failures))
    errors.install(app)
    v1 = APIRouter(
        prefix="/api/v1",
        responses={
            401: {"model": ErrorBody, "description": "No API key, or an unknown or revoked one"},
            403: {"model": ErrorBody, "description": "The key's role may not call this endpoint"},
        },
    )
    for module in (
        jobseekers,
        vacancies,
        imports,
        whatif,
        taxonomy,
        analytics,
        audit,
        keys,
        feedback,
        me,
        concepts,
        searches,
    ):
        document_roles(module.router)
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router)
    install_pages(app)
    return app
