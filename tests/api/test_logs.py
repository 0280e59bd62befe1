"""Application logs carry no personal data: ids in request paths are replaced, query strings, request bodies
and quoted input values never appear."""

from __future__ import annotations

import io
import logging
import logging.config

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from matching.logs import PersonalDataFilter, log_config, redact_path
from models import JobSeeker
from tests import factories

ACCESS_FORMAT = '%s - "%s %s HTTP/%s" %d'


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/api/v1/jobseekers/js-000829", "/api/v1/jobseekers/{id}"),
        ("/api/v1/jobseekers/js-1/vacancies?k=5&lang=uk", "/api/v1/jobseekers/{id}/vacancies"),
        ("/api/v1/jobseekers/js-1/vacancies/export", "/api/v1/jobseekers/{id}/vacancies/export"),
        ("/api/v1/vacancies/vac-1/candidates/export?format=csv", "/api/v1/vacancies/{id}/candidates/export"),
        ("/api/v1/vacancies/vac-1/releases/js-9", "/api/v1/vacancies/{id}/releases/{id}"),
        ("/api/v1/taxonomy/autocomplete?q=Krankenschwester", "/api/v1/taxonomy/autocomplete"),
        ("/api/v1/import/jobseekers", "/api/v1/import/jobseekers"),
        ("/health", "/health"),
        (
            "/api/v1/vacancies/vac-1/candidates/js-9/feedback",
            "/api/v1/vacancies/{id}/candidates/{id}/feedback",
        ),
        ("/app/jobseeker/js-000010", "/app/jobseeker/{id}"),
        ("/app/advisor/vacancies/vac-1/candidates/js-2", "/app/advisor/vacancies/{id}/candidates/{id}"),
        ("/app/advisor/jobseekers/new", "/app/advisor/jobseekers/new"),
    ],
)
def test_paths_lose_ids_and_queries(path: str, logged: str) -> None:
    assert redact_path(path) == logged


def _record(name: str, msg: str, args: tuple | None, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


def test_the_filter_rewrites_access_lines_and_validation_errors() -> None:
    access = _record(
        "uvicorn.access", ACCESS_FORMAT, ("127.0.0.1:5000", "GET", "/api/v1/jobseekers/js-1", "1.1", 200)
    )
    assert PersonalDataFilter().filter(access) is True
    assert access.getMessage() == '127.0.0.1:5000 - "GET /api/v1/jobseekers/{id} HTTP/1.1" 200'

    try:
        JobSeeker.model_validate(
            {"id": "x", "home": {"place": "Leipzig"}, "skills_text": "Olena Kowalenko " * 300}
        )
    except ValidationError as exc:
        error = exc
    message = _record("uvicorn.error", "Exception in ASGI application: %s", (str(error),))
    PersonalDataFilter().filter(message)
    assert "Olena" not in message.getMessage() and "input_value=<redacted>" in message.getMessage()
    crash = _record("uvicorn.error", "Exception in ASGI application", None, (type(error), error, None))
    PersonalDataFilter().filter(crash)
    assert (
        crash.exc_info is None
        and "Olena" not in (crash.exc_text or "")
        and "skills_text" in (crash.exc_text or "")
    )


def test_sql_errors_never_quote_values(matcher) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import IntegrityError

    from matching.store.tables import SecretRow

    with pytest.raises(IntegrityError) as caught, matcher.storage.writes.begin() as session:
        session.add_all(
            [SecretRow(name="x", value="Olena Kowalenko"), SecretRow(name="x", value="Olena Kowalenko")]
        )
    assert "Olena" not in str(caught.value)
    quoted = "[SQL: INSERT INTO t VALUES (?)]\n[parameters: ('Olena Kowalenko',)]\n(Background on this error at: …)"
    record = _record("uvicorn.error", "%s", (quoted,))
    PersonalDataFilter().filter(record)
    assert (
        record.getMessage()
        == "[SQL: INSERT INTO t VALUES (?)]\n[parameters: <redacted>]\n(Background on this error at: …)"
    )


def test_uvicorns_handlers_carry_the_filter() -> None:
    config = log_config()
    logging.config.dictConfig(config)
    try:
        handler = logging.getLogger("uvicorn.access").handlers[0]
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)
        stream = io.StringIO()
        handler.setStream(stream)  # type: ignore[attr-defined]
        logging.getLogger("uvicorn.access").info(
            ACCESS_FORMAT, "127.0.0.1:1", "DELETE", "/api/v1/jobseekers/js-7", "1.1", 204
        )
        assert "/api/v1/jobseekers/{id}" in stream.getvalue() and "js-7" not in stream.getvalue()
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", ""):
            logging.getLogger(name).handlers.clear()


def test_requests_leave_no_personal_data_in_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    person = factories.seeker("js-olena", skills_text="Olena Kowalenko, Pflege in Charkiw").model_dump(
        mode="json"
    )
    client.post("/api/v1/jobseekers", json=person)
    client.get("/api/v1/jobseekers/js-olena")
    client.post("/api/v1/jobseekers", json=person | {"languages": [{"language": "de", "level": "Olena"}]})
    client.get("/api/v1/vacancies/js-olena/candidates")
    client.delete("/api/v1/jobseekers/js-olena")
    assert "Olena" not in caplog.text and "Charkiw" not in caplog.text
