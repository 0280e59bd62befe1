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

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from matching.errors import UnknownConceptError
from matching.profiles import validate_concepts
from matching.taxonomy import Taxonomy
from models import (
    CEFRLevel,
    CompensationMeasure,
    CompensationState,
    Gender,
    JobSeeker,
    RecognitionStatus,
    Vacancy,
    WorkAuthorisationStatus,
    WorkingTime,
)

Kind = Literal["jobseeker", "vacancy"]
MAX_ROWS = 100_000
_HEADER_ROW = 1


def _values(enum: Any) -> str:
    return ", ".join(member.value for member in enum)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    path: tuple[str, ...]  # where the value goes in the API's JSON
    parse: str  # text, list, number, date, bool, postcode, qualifications, experience, languages
    help: str
    allowed: str | None = None
    example: str = ""
    required: bool = False


_URI = "ESCO URI, e.g. http://data.europa.eu/esco/occupation/…"
_DATE = "date as YYYY-MM-DD or DD.MM.YYYY"
_BOOL = "true/false, yes/no, ja/nein, 1/0"

JOBSEEKER_COLUMNS = (
    Column("id", ("id",), "text", "Pseudonymous id: never a name or e-mail.", "1-64 letters, digits, _ . : -",
           "js-000123", required=True),
    Column("qualifications", ("qualifications",), "qualifications",
           "occupation_uri|country|recognition[|compensation_measure[|compensation_state]]; several separated by ;",
           f"country: ISO code (UA, SY…); recognition: {_values(RecognitionStatus)}; compensation_measure: "
           f"{_values(CompensationMeasure)}; compensation_state: {_values(CompensationState)}",
           "http://data.europa.eu/esco/occupation/…|UA|partial_equivalence|knowledge_test|in_progress"),
    Column("experience", ("experience",), "experience", "occupation_uri|years[|country]; several separated by ;",
           "years: 0-60, decimal point or comma; country: ISO code", "http://data.europa.eu/esco/occupation/…|4|UA"),
    Column("skill_uris", ("skill_uris",), "list", "ESCO skills, separated by ;", _URI),
    Column("skills_text", ("skills_text",), "text", "Skills in the person's own words (any language).",
           "up to 4000 characters"),
    Column("languages", ("languages",), "languages", "language:level pairs separated by ;",
           f"language: ISO 639 code (de, en, uk, ar…); level: {_values(CEFRLevel)}", "de:B1;uk:C2"),
    Column("home_place", ("home", "place"), "text", "District or town.", None, "Leipzig-Grünau"),
    Column("home_postcode", ("home", "postcode"), "postcode", "Postcode.", "5 digits", "04209"),
    Column("home_lat", ("home", "lat"), "number", "Latitude (WGS84).", "-90 to 90"),
    Column("home_lon", ("home", "lon"), "number", "Longitude (WGS84).", "-180 to 180"),
    Column("max_commute_km", ("max_commute_km",), "number", "Longest acceptable commute (default 30).",
           "more than 0, at most 500"),
    Column("available_from", ("available_from",), "date", "First day the person can start.", _DATE),
    Column("working_time", ("working_time",), "text", "Wanted working time (default any).", _values(WorkingTime)),
    Column("hours_per_week", ("hours_per_week",), "number", "Wanted hours per week.", "more than 0, at most 60"),
    Column("work_authorisation_status", ("work_authorisation", "status"), "text", "Permission to work.",
           _values(WorkAuthorisationStatus)),
    Column("work_authorisation_basis", ("work_authorisation", "basis"), "text", "Legal basis.", None,
           "§ 24 AufenthG"),
    Column("work_authorisation_max_hours", ("work_authorisation", "max_hours_per_week"), "number",
           "For restricted permits: most hours per week.", "more than 0, at most 60"),
    Column("work_authorisation_occupations", ("work_authorisation", "allowed_occupation_uris"), "list",
           "For restricted permits: the occupations allowed, separated by ;", _URI),
    Column("work_authorisation_valid_until", ("work_authorisation", "valid_until"), "date", "End of the permit.",
           _DATE),
    Column("nationality", ("protected", "nationality"), "text", "Fairness audits only; never used for matching.",
           "ISO 3166-1 alpha-2 code, e.g. UA"),
    Column("gender", ("protected", "gender"), "text", "Fairness audits only; never used for matching.",
           _values(Gender)),
    Column("birth_year", ("protected", "birth_year"), "number", "Fairness audits only; never used for matching.",
           "1900-2100"),
)  # fmt: skip

VACANCY_COLUMNS = (
    Column("id", ("id",), "text", "Vacancy id.", "1-64 letters, digits, _ . : -", "vac-00042", required=True),
    Column("employer", ("employer",), "text", "Employer's name.", "1-200 characters", "Klinikum Auwald GmbH",
           required=True),
    Column("employer_id", ("employer_id",), "text", "The employer's account id (employer API keys).",
           "1-64 letters, digits, _ . : -"),
    Column("title", ("title",), "text", "Job title as advertised.", "1-200 characters", "Pflegefachkraft (m/w/d)",
           required=True),
    Column("description", ("description",), "text", "Advertisement text.", "up to 10000 characters"),
    Column("occupation_uri", ("occupation_uri",), "text", "ESCO occupation.", _URI, required=True),
    Column("essential_skill_uris", ("essential_skill_uris",), "list",
           "Essential ESCO skills separated by ; (empty: the occupation's).", _URI),
    Column("optional_skill_uris", ("optional_skill_uris",), "list", "Optional ESCO skills separated by ;", _URI),
    Column("min_german_level", ("min_german_level",), "text", "Least German level needed.", _values(CEFRLevel)),
    Column("location_place", ("location", "place"), "text", "District or town.", None, "Leipzig-Zentrum"),
    Column("location_postcode", ("location", "postcode"), "postcode", "Postcode.", "5 digits", "04109"),
    Column("location_lat", ("location", "lat"), "number", "Latitude (WGS84).", "-90 to 90"),
    Column("location_lon", ("location", "lon"), "number", "Longitude (WGS84).", "-180 to 180"),
    Column("working_time", ("working_time",), "text", "Working time (default full_time).",
           "full_time, part_time"),
    Column("hours_per_week", ("hours_per_week",), "number", "Hours per week.", "more than 0, at most 60"),
    Column("start_date", ("start_date",), "date", "First working day.", _DATE),
    Column("positions", ("positions",), "number", "Open positions (default 1).", "1-1000"),
    Column("recognition_support", ("recognition_support",), "bool",
           "The employer offers a placement during recognition.", _BOOL),
)  # fmt: skip

COLUMNS: dict[str, tuple[Column, ...]] = {"jobseeker": JOBSEEKER_COLUMNS, "vacancy": VACANCY_COLUMNS}
FILE_FORMATS = "CSV (UTF-8 or Windows-1252, separated by , or ; or tab) or Excel .xlsx"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None  # None: the file as a whole
    field: str
    problem: str
    allowed: str | None = None


@dataclass
class ImportReport:
    kind: Kind
    rows: int  # data rows read (blank rows not counted)
    imported: int
    errors: list[RowError] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})

    def summary(self) -> str:
        if not self.errors:
            return f"Imported {self.imported} of {self.rows} rows."
        if any(e.row in (None, _HEADER_ROW) for e in self.errors):
            return "The file cannot be imported: " + "; ".join(
                f"{e.field}: {e.problem}" for e in self.errors[:3]
            )
        if self.imported:
            return f"Imported {self.imported} of {self.rows} rows; skipped {self.invalid_rows} invalid rows."
        return (
            f"{self.invalid_rows} of {self.rows} rows have errors; nothing was imported. Correct them, or import "
            f"with skip_invalid=true to store the {self.rows - self.invalid_rows} valid rows only."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "imported": self.imported,
            "invalid_rows": self.invalid_rows,
            "summary": self.summary(),
            "errors": [
                {"row": e.row, "field": e.field, "problem": e.problem, "allowed": e.allowed}
                for e in self.errors
            ],
        }

    def errors_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["row", "field", "problem", "allowed"])
        for e in self.errors:
            writer.writerow(["" if e.row is None else e.row, e.field, e.problem, e.allowed or ""])
        return out.getvalue()


@dataclass
class ParsedFile:
    items: list[Any]
    rows: int
    errors: list[RowError]


class _CellError(ValueError):
    pass


# -- reading files ------------------------------------------------------------------------------------


def _read_table(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) for every row, the header first; raises _CellError for unreadable files."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise _CellError("Excel 97-2003 (.xls) files are not supported; save the sheet as .xlsx or CSV")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        yield from _read_xlsx(data)
    else:
        yield from _read_csv(data)


def _read_xlsx(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise _CellError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    except Exception as exc:
        raise _CellError(f"the workbook's first sheet cannot be read ({type(exc).__name__})") from None
    finally:
        book.close()


def _read_csv(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    if b"\0" in data[:4096]:
        raise _CellError("binary data, not a CSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what German Excel writes for "CSV"
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # the header has no lists: its separator is the file's
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            yield number, list(row)
    except csv.Error as exc:
        raise _CellError(f"not valid CSV: {exc}") from None


# -- cells to API values ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _number(cell: str) -> str:
    return cell.replace(",", ".") if re.fullmatch(r"-?\d+,\d+", cell) else cell


def _date(cell: str) -> str:
    german = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", cell)
    if german:
        day, month, year = german.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return cell


def _bool(cell: str) -> bool:
    value = cell.lower()
    if value in ("true", "yes", "ja", "1", "x", "wahr"):
        return True
    if value in ("false", "no", "nein", "0", "falsch"):
        return False
    raise _CellError(f"{cell!r} is not a yes/no value")


def _parts(item: str, names: Sequence[str], minimum: int) -> dict[str, str]:
    parts = [p.strip() for p in item.split("|")]
    if not minimum <= len(parts) <= len(names):
        raise _CellError(f"item {item!r} must have {minimum} to {len(names)} parts separated by |")
    return {name: part for name, part in zip(names, parts, strict=False) if part}


def _convert(column: Column, raw: Any) -> Any:
    cell = _text(raw)
    kind = column.parse
    if kind == "list":
        return _split(cell)
    if kind == "number":
        return _number(cell)
    if kind == "date":
        return _date(cell)
    if kind == "bool":
        return _bool(cell)
    if kind == "postcode":
        return cell.zfill(5) if cell.isdigit() and len(cell) == 4 else cell  # Excel drops the leading 0
    if kind == "languages":
        out = []
        for item in _split(cell):
            language, sep, level = item.partition(":")
            if not sep:
                raise _CellError(f"item {item!r} must look like de:B1")
            out.append({"language": language.strip().lower(), "level": level.strip().upper()})
        return out
    if kind == "qualifications":
        names = ("occupation_uri", "country", "recognition", "compensation_measure", "compensation_state")
        return [_parts(item, names, 2) for item in _split(cell)]
    if kind == "experience":
        items = [_parts(item, ("occupation_uri", "years", "country"), 2) for item in _split(cell)]
        return [item | {"years": _number(item["years"])} if "years" in item else item for item in items]
    return cell


def _place(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        document = document.setdefault(key, {})
    document[path[-1]] = value


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


# -- the import -----------------------------------------------------------------------------------------


def parse_upload(
    kind: Kind,
    data: bytes,
    filename: str,
    taxonomy: Taxonomy,
    exists: Callable[[list[str]], set[str]] | None = None,
) -> ParsedFile:
    """Validate every row; return the valid entities and every problem found."""
    columns = COLUMNS[kind]
    model: type[JobSeeker] | type[Vacancy] = JobSeeker if kind == "jobseeker" else Vacancy
    by_name = {c.name: c for c in columns}
    errors: list[RowError] = []
    candidates: list[tuple[int, Any]] = []
    rows = 0
    try:
        table = _read_table(data, filename)
        header_row = next(table, None)
        if header_row is None:
            return ParsedFile([], 0, [RowError(None, "file", "the file is empty", FILE_FORMATS)])
        header = [_text(h).lower() for h in header_row[1]]
        header_errors = _check_header(header, by_name)
        if header_errors:
            return ParsedFile([], 0, header_errors)
        for number, cells in table:
            if not any(_text(c) for c in cells):
                continue
            rows += 1
            if rows > MAX_ROWS:
                return ParsedFile(
                    [], rows, [RowError(None, "file", f"more than {MAX_ROWS} rows; split the file")]
                )
            item = _parse_row(number, header, cells, by_name, columns, model, taxonomy, errors)
            if item is not None:
                candidates.append((number, item))
    except _CellError as exc:
        return ParsedFile([], rows, [RowError(None, "file", str(exc), FILE_FORMATS)])

    first_row: dict[str, int] = {}
    unique: list[tuple[int, Any]] = []
    for number, item in candidates:
        if item.id in first_row:
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
            errors.append(RowError(_HEADER_ROW, name, "unknown column", allowed))
        elif name and header.count(name) > 1:
            errors.append(RowError(_HEADER_ROW, name, "column appears more than once"))
    for column in by_name.values():
        if column.required and column.name not in header:
            errors.append(RowError(_HEADER_ROW, column.name, "required column is missing", allowed))
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
        if column is None or not _text(raw):
            continue
        try:
            _place(document, column.path, _convert(column, raw))
        except _CellError as exc:
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
        errors.append(RowError(number, column.name if column else (exc.field or "row"), exc.message, _URI))
        return None
    return item


# -- templates ------------------------------------------------------------------------------------------


def write_template(kind: Kind, path: Path) -> None:
    """An empty sheet with the right header; in .xlsx with a second sheet explaining every column."""
    columns = COLUMNS[kind]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerow([c.name for c in columns])
        return
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"The template must be a .xlsx or .csv file; got {path.name!r}.")
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.title = "jobseekers" if kind == "jobseeker" else "vacancies"
    sheet.append([c.name for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        dimension = sheet.column_dimensions[cell.column_letter]
        dimension.width = max(14, min(40, len(column.name) + 4))
        dimension.number_format = "@"  # text: Excel must not turn postcodes, ids or dates into numbers
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("help")
    help_sheet.append(["column", "required", "what", "allowed values", "example"])
    for column in columns:
        help_sheet.append(
            [column.name, "yes" if column.required else "", column.help, column.allowed or "", column.example]
        )
    for letter, width in zip("ABCDE", (30, 9, 60, 70, 50), strict=True):
        help_sheet.column_dimensions[letter].width = width
    book.save(path)
