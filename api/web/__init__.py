"""Web pages for advisors and job seekers, served by the API's own app (see :mod:`api.web.pages`)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.web.pages import STATIC_DIR, STATIC_PREFIX, router


def install(app: FastAPI) -> None:
    """Add the pages under /app, their static files and a redirect from / to the sign-in page."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="web-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=303)
