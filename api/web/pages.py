"""Server-rendered page shells for advisors and job seekers.

The pages hold no personal data: the server renders only the layout and the UI strings of one language. The
pages' scripts then call the JSON API under /api/v1 with the key the user signed in with (kept in the tab's
sessionStorage), so roles, scopes and the audit log apply exactly as for any other API client.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.web.i18n import LANGUAGE_NAMES, LANGUAGES, catalog, negotiate
from models.common import ID_PATTERN, WorkingTime
from models.jobseeker import (
    CompensationMeasure,
    CompensationState,
    RecognitionStatus,
    WorkAuthorisationStatus,
)

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
STATIC_PREFIX = "/app/static"
templates = Jinja2Templates(directory=WEB_DIR / "templates")
# The catalog is embedded as JSON in every page: UTF-8 rather than \u escapes (half the size in Ukrainian);
# tojson still escapes < > & ' so the data cannot end the script element.
templates.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
router = APIRouter(prefix="/app", include_in_schema=False)
_ID = re.compile(ID_PATTERN)

# Scripts and styles only from this server (no inline code, nothing from elsewhere): a key in sessionStorage
# is only as safe as the scripts on the page. Authority links in next steps open elsewhere, without referrer.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=64)
def _fingerprint(name: str, mtime_ns: int) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """A static file's URL with a content fingerprint, so browsers never run a stale script."""
    path = STATIC_DIR / name
    return f"{STATIC_PREFIX}/{name}?v={_fingerprint(name, path.stat().st_mtime_ns)}"


def page_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else negotiate(request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    title_key: str,
    script: str,
    data: dict[str, str] | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = page_language(request)
    strings = catalog()

    def t(key: str, **values: object) -> str:
        return strings.translate(lang, key, **values)

    def url(path: str) -> str:
        return f"{path}?{urlencode({'lang': lang})}"

    def with_language(code: str) -> str:
        query = dict(request.query_params)
        query["lang"] = code
        return f"{request.url.path}?{urlencode(query)}"

    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": t,
            "url": url,
            "static_url": static_url,
            "strings": strings.strings(lang),
            "title_key": title_key,
            "script": script,
            "data": {"lang": lang, **(data or {})},
            "home_url": url("/app/"),
            "language_links": [(code, LANGUAGE_NAMES[code], with_language(code)) for code in LANGUAGES],
            **context,
        },
        status_code=status_code,
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def _not_found(request: Request) -> HTMLResponse:
    return render(request, "not_found.html", "error.page_not_found", "common.js", status_code=404)


def _valid(*ids: str) -> bool:
    return all(_ID.match(i) for i in ids)


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> Response:
    """Where a newcomer lands: the sign-in page, which sends each role on to its own page."""
    return RedirectResponse(f"/app/login?{urlencode({'lang': page_language(request)})}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login(request: Request) -> HTMLResponse:
    return render(request, "login.html", "login.title", "login.js", body_class="signed-out")


@router.get("/advisor", response_class=HTMLResponse)
def advisor_home(request: Request) -> HTMLResponse:
    return render(request, "advisor_home.html", "home.title", "advisor-home.js")


@router.get("/advisor/alerts", response_class=HTMLResponse)
def advisor_alerts(request: Request) -> HTMLResponse:
    return render(request, "alerts.html", "alerts.page_title", "alerts.js")


@router.get("/advisor/vacancies/new", response_class=HTMLResponse)
def new_vacancy(request: Request) -> HTMLResponse:
    return render(request, "vacancy_new.html", "form.title", "vacancy-new.js")


@router.get("/advisor/vacancies/{vacancy_id}", response_class=HTMLResponse)
def vacancy(request: Request, vacancy_id: str) -> HTMLResponse:
    if not _valid(vacancy_id):
        return _not_found(request)
    return render(
        request,
        "vacancy.html",
        "candidates.page_title",
        "vacancy.js",
        data={"vacancy-id": vacancy_id},
        working_times=[w.value for w in WorkingTime if w != WorkingTime.ANY],
        recognition_statuses=[r.value for r in RecognitionStatus],
    )


@router.get("/advisor/vacancies/{vacancy_id}/candidates/{seeker_id}", response_class=HTMLResponse)
def candidate(request: Request, vacancy_id: str, seeker_id: str) -> HTMLResponse:
    if not _valid(vacancy_id, seeker_id):
        return _not_found(request)
    return render(
        request,
        "candidate.html",
        "candidate.page_title",
        "candidate.js",
        data={"vacancy-id": vacancy_id, "seeker-id": seeker_id},
    )


@router.get("/advisor/jobseekers/new", response_class=HTMLResponse)
def new_jobseeker(request: Request) -> HTMLResponse:
    """Before the profile route, which would take "new" for an id."""
    return render(
        request,
        "jobseeker_new.html",
        "seekerform.title",
        "jobseeker-new.js",
        working_times=[w.value for w in WorkingTime],
        recognition_statuses=[r.value for r in RecognitionStatus],
        measures=[m.value for m in CompensationMeasure],
        measure_states=[s.value for s in CompensationState],
        work_statuses=[w.value for w in WorkAuthorisationStatus],
    )


@router.get("/advisor/jobseekers/{seeker_id}", response_class=HTMLResponse)
def advisor_seeker(request: Request, seeker_id: str) -> HTMLResponse:
    if not _valid(seeker_id):
        return _not_found(request)
    return render(
        request,
        "advisor_seeker.html",
        "seeker.page_title",
        "advisor-seeker.js",
        data={"seeker-id": seeker_id},
        working_times=[w.value for w in WorkingTime],
    )


@router.get("/jobseeker", response_class=HTMLResponse)
def own_page(request: Request) -> HTMLResponse:
    """A job seeker's own suggestions; the id comes from the signed-in key."""
    return render(request, "seeker.html", "me.title", "seeker.js", body_class="seeker")


@router.get("/jobseeker/{seeker_id}", response_class=HTMLResponse)
def seeker_page(request: Request, seeker_id: str) -> HTMLResponse:
    """The same page for a given id: advisors show it to the person; other job seekers get the API's 404."""
    if not _valid(seeker_id):
        return _not_found(request)
    return render(
        request, "seeker.html", "me.title", "seeker.js", data={"seeker-id": seeker_id}, body_class="seeker"
    )
