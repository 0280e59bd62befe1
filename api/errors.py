"""One place that maps domain exceptions to HTTP responses with a message a person can act on."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from matching.errors import (
    AlreadyExistsError,
    IdMismatchError,
    InvalidInputError,
    NotFoundError,
    UnknownConceptError,
)
from matching.ingest.report import ImportRejectedError

log = logging.getLogger(__name__)


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            message = err.get("msg", "invalid value")
            if err.get("type") == "extra_forbidden":
                message = "unknown field; check the spelling against the API schema at /docs"
            errors.append({"field": _field(tuple(err.get("loc", ()))), "message": message})
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse(
            status_code=422, content={"detail": f"Invalid request: {summary}", "errors": errors}
        )

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc), "errors": []})

    @app.exception_handler(AlreadyExistsError)
    async def _conflict(_: Request, exc: AlreadyExistsError) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc), "errors": []})

    @app.exception_handler(IdMismatchError)
    async def _id_mismatch(_: Request, exc: IdMismatchError) -> JSONResponse:
        message = str(exc)
        return JSONResponse(
            status_code=422,
            content={
                "detail": f"Invalid request: id: {message}",
                "errors": [{"field": "id", "message": message}],
            },
        )

    @app.exception_handler(UnknownConceptError)
    async def _unknown_concept(_: Request, exc: UnknownConceptError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={"detail": exc.message, "errors": [{"field": exc.field, "message": exc.message}]},
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> Response:
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return JSONResponse(
            status_code=exc.status_code, content={"detail": exc.detail, "errors": []}, headers=exc.headers
        )

    @app.exception_handler(InvalidInputError)
    async def _invalid(_: Request, exc: InvalidInputError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={
                "detail": f"Invalid request: {exc.field}: {exc.message}",
                "errors": [{"field": exc.field, "message": exc.message}],
            },
        )

    @app.exception_handler(ImportRejectedError)
    async def _import_rejected(request: Request, exc: ImportRejectedError) -> Response:
        report = exc.report
        if request.query_params.get("report") == "csv":
            return Response(report.errors_csv(), status_code=422, media_type="text/csv; charset=utf-8")
        content = report.as_dict()
        errors = [
            {"field": f"row {e['row']}: {e['field']}" if e["row"] else e["field"], "message": e["problem"]}
            for e in content["errors"]
        ]
        return JSONResponse(
            status_code=422, content={"detail": str(exc), "errors": errors, "import": content}
        )

    @app.exception_handler(OperationalError)
    async def _database_unavailable(_: Request, exc: OperationalError) -> JSONResponse:
        # No message text: it may quote parameters, i.e. personal data.
        log.error("Database error (%s); answering 503.", type(exc.orig).__name__)
        return JSONResponse(
            status_code=503,
            content={"detail": "The database is busy or unreachable; retry shortly.", "errors": []},
            headers={"Retry-After": "1"},
        )
