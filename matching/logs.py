"""Application logs without personal data.

The audit log records who touched which person; the application log must not. Request logs show the route
with ids replaced (``/api/v1/jobseekers/{id}``) and no query string (autocomplete queries are typed text);
request bodies are never logged; pydantic's ``input_value=…`` and SQLAlchemy's ``[parameters: …]`` (which can
quote free text) are cut from any message or traceback that reaches a handler. The database engines are
also created with ``hide_parameters`` so SQL errors do not quote values in the first place.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# A segment after one of these names is an id unless it is one of the routes' fixed words.
_ID_SEGMENT = re.compile(
    r"/(jobseekers|jobseeker|vacancies|candidates|releases|keys)/"
    r"(?!(?:export|candidates|new|feedback|releases|shares|handover|vacancies)(?:[/?\s\"]|$))[^/?\s\"]+"
)
_QUERY = re.compile(r"\?[^\s\"]*")
_INPUT_VALUE = re.compile(r"input_value=.*?(?=, input_type=|\]|$)", re.MULTILINE)
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(\(Background|$))", re.MULTILINE | re.DOTALL)


def redact_path(path: str) -> str:
    return _QUERY.sub("", _ID_SEGMENT.sub(lambda m: f"/{m.group(1)}/{{id}}", path))


def redact_text(text: str) -> str:
    text = _SQL_PARAMETERS.sub("[parameters: <redacted>]", text)
    return _INPUT_VALUE.sub("input_value=<redacted>", text)


class PersonalDataFilter(logging.Filter):
    """Rewrites records in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            args[2] = redact_path(str(args[2]))  # (client, method, path, http version, status)
            record.args = tuple(args)
        else:
            message = record.getMessage()
            cleaned = redact_text(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = redact_text(formatted)
        return True


def log_config(level: str = "info", access_log: bool = True) -> dict[str, Any]:
    """uvicorn's logging configuration with the filter on every handler."""
    filters = {"personal_data": {"()": "matching.logs.PersonalDataFilter"}}
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "filters": ["personal_data"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": filters,
        "formatters": {
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "access": {"format": "%(asctime)s %(levelname)s access: %(message)s"},
        },
        "handlers": {
            "default": {**handler, "formatter": "default"},
            "access": {**handler, "formatter": "access"},
        },
        "loggers": {
            "": {"handlers": ["default"], "level": level.upper()},
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {
                "handlers": ["access"] if access_log else [],
                "level": "INFO" if access_log else "WARNING",
                "propagate": False,
            },
        },
    }


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to the handlers of ``logger`` (default: root), e.g. for the command line."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
