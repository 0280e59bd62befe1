"""Bulk import of job seekers and vacancies from the spreadsheets advisors use (CSV or Excel .xlsx).

One row per entity, one column per field (``JOBSEEKER_COLUMNS``, ``VACANCY_COLUMNS``); empty cells take the
API's defaults. Lists go in one cell separated by ``;``; structured items separate their parts with ``|``:

    qualifications   occupation_uri|country|recognition[|compensation_measure[|compensation_state]]
    experience       occupation_uri|years[|country]
    languages        de:B1;uk:C2

Every row is checked exactly like an API request (and its ESCO URIs against the taxonomy); each problem is
reported with its row number (as the spreadsheet shows it: the header is row 1), the column, what is wrong
and what is allowed. Problems with the file itself or its header reject the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from matching.errors import UnknownConceptError
from matching.ingest.columns import COLUMNS, FILE_FORMATS, URI_HINT, Column, Kind
from matching.ingest.reader import CellError, cell_text, convert, place, read_table
from matching.ingest.report import HEADER_ROW, RowError
from matching.taxonomy import Taxonomy
from matching.taxonomy.profiles import validate_concepts
from models import JobSeeker, Vacancy

MAX_ROWS = 100_000


@dataclass
class ParsedFile:
    items: list[Any]
    rows: int
    errors: list[RowError]


def parse_upload(
    kind: Kind,
    data: bytes,
    filename: str,
    taxonomy: Taxonomy,
    exists: Callable[[list[str]], set[str]] | None = None,
    id_prefix: str | None = None,
) -> ParsedFile:
    """Validate every row; return the valid entities and every problem found."""
    columns = COLUMNS[kind]
    model: type[JobSeeker] | type[Vacancy] = JobSeeker if kind == "jobseeker" else Vacancy
    by_name = {c.name: c for c in columns}
    errors: list[RowError] = []
    candidates: list[tuple[int, Any]] = []
    rows = 0
    try:
        table = read_table(data, filename, MAX_ROWS)
        header_row = next(table, None)
        if header_row is None:
            return ParsedFile([], 0, [RowError(None, "file", "the file is empty", FILE_FORMATS)])
        header = [cell_text(h).lower() for h in header_row[1]]
        header_errors = _check_header(header, by_name)
        if header_errors:
            return ParsedFile([], 0, header_errors)
        for number, cells in table:
            if not any(cell_text(c) for c in cells):
                continue
            rows += 1
            item = _parse_row(number, header, cells, by_name, columns, model, taxonomy, errors)
            if item is not None:
                candidates.append((number, item))
    except CellError as exc:
        return ParsedFile([], rows, [RowError(None, "file", str(exc), FILE_FORMATS)])

    first_row: dict[str, int] = {}
    unique: list[tuple[int, Any]] = []
    for number, item in candidates:
        if id_prefix is not None and not item.id.startswith(id_prefix):
            # Checked before existence: another organisation's id is refused exactly like a fresh one.
            errors.append(
                RowError(number, "id", f"ids of this organisation start with '{id_prefix}'", f"{id_prefix}…")
            )
        elif item.id in first_row:
            errors.append(RowError(number, "id", f"{item.id!r} is already used in row {first_row[item.id]}"))
        else:
            first_row[item.id] = number
            unique.append((number, item))
    taken = exists([item.id for _, item in unique]) if exists and unique else set()
    what = "job seeker" if kind == "jobseeker" else "vacancy"
    for number, item in unique:
        if item.id in taken:
            errors.append(RowError(number, "id", f"a {what} with id {item.id!r} already exists", "a new id"))
    items = [item for _, item in unique if item.id not in taken]
    errors.sort(key=lambda e: e.row or 0)
    return ParsedFile(items, rows, errors)


def _check_header(header: list[str], by_name: dict[str, Column]) -> list[RowError]:
    errors = []
    allowed = ", ".join(by_name)
    for name in header:
        if name and name not in by_name:
            errors.append(RowError(HEADER_ROW, name[:60], "unknown column", allowed))
        elif name and header.count(name) > 1:
            errors.append(RowError(HEADER_ROW, name, "column appears more than once"))
    for column in by_name.values():
        if column.required and column.name not in header:
            errors.append(RowError(HEADER_ROW, column.name, "required column is missing", allowed))
    return list(dict.fromkeys(errors))


def _parse_row(
    number: int,
    header: list[str],
    cells: list[Any],
    by_name: dict[str, Column],
    columns: Sequence[Column],
    model: type[JobSeeker] | type[Vacancy],
    taxonomy: Taxonomy,
    errors: list[RowError],
) -> Any:
    document: dict[str, Any] = {}
    failed = False
    for name, raw in zip(header, cells, strict=False):
        column = by_name.get(name)
        if column is None or not cell_text(raw):
            continue
        try:
            place(document, column.path, convert(column, raw))
        except CellError as exc:
            errors.append(RowError(number, column.name, str(exc), column.allowed))
            failed = True
    if failed:
        return None
    try:
        item = model.model_validate(document)
    except ValidationError as exc:
        for err in exc.errors():
            column, detail = _column_for(tuple(err["loc"]), columns)
            name = column.name if column else ".".join(str(p) for p in err["loc"]) or "row"
            problem = f"{detail}: {err['msg']}" if detail else err["msg"]
            errors.append(RowError(number, name, problem, column.allowed if column else None))
        return None
    try:
        validate_concepts(item, taxonomy)
    except UnknownConceptError as exc:
        path = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", exc.field or "") if p)
        column, _ = _column_for(path, columns)
        errors.append(
            RowError(number, column.name if column else (exc.field or "row"), exc.message, URI_HINT)
        )
        return None
    return item


def _column_for(loc: tuple[Any, ...], columns: Sequence[Column]) -> tuple[Column | None, str]:
    """The column a pydantic error location belongs to, and what is left of the location (e.g. item 2)."""
    best: Column | None = None
    for column in columns:
        if tuple(loc[: len(column.path)]) == column.path and (
            best is None or len(column.path) > len(best.path)
        ):
            best = column
    if best is None:  # an error about a group of columns, e.g. home needs a place, postcode or coordinates
        group = [c.name for c in columns if loc and c.path[: len(loc)] == tuple(loc)]
        if not group:
            return None, ""
        return next(c for c in columns if c.name == group[0]), f"give {', '.join(group)}"
    rest = loc[len(best.path) :]
    detail = [f"item {p + 1}" if isinstance(p, int) else str(p) for p in rest]
    return best, " ".join(detail)
