"""One place that maps domain exceptions to HTTP responses with a message a person can act on."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from matching.errors import AlreadyExistsError, IdMismatchError, NotFoundError, UnknownConceptError


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
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
