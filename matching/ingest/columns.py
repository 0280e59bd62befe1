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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from models import (
    CEFRLevel,
    CompensationMeasure,
    CompensationState,
    Gender,
    RecognitionStatus,
    WorkAuthorisationStatus,
    WorkingTime,
)

Kind = Literal["jobseeker", "vacancy"]


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


URI_HINT = "ESCO URI, e.g. http://data.europa.eu/esco/occupation/…"
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
    Column("skill_uris", ("skill_uris",), "list", "ESCO skills, separated by ;", URI_HINT),
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
           "For restricted permits: the occupations allowed, separated by ;", URI_HINT),
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
    Column("occupation_uri", ("occupation_uri",), "text", "ESCO occupation.", URI_HINT, required=True),
    Column("essential_skill_uris", ("essential_skill_uris",), "list",
           "Essential ESCO skills separated by ; (empty: the occupation's).", URI_HINT),
    Column("optional_skill_uris", ("optional_skill_uris",), "list", "Optional ESCO skills separated by ;", URI_HINT),
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
    Column("requires_recognised_title", ("requires_recognised_title",), "bool",
           "The post needs the state-recognised title of a title-protected profession.", _BOOL),
)  # fmt: skip

COLUMNS: dict[str, tuple[Column, ...]] = {"jobseeker": JOBSEEKER_COLUMNS, "vacancy": VACANCY_COLUMNS}
FILE_FORMATS = "CSV (UTF-8 or Windows-1252, separated by , or ; or tab) or Excel .xlsx"


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
