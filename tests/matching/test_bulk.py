"""Bulk import files: CSV and Excel in, validated entities or a per-row error report out."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from matching.access import Actor, Role
from matching.ingest.bulk import parse_upload
from matching.ingest.columns import JOBSEEKER_COLUMNS, VACANCY_COLUMNS, write_template
from matching.ingest.report import ImportRejectedError, RowError
from matching.service import Matcher
from matching.taxonomy import Taxonomy
from tests import factories
from tests import mini_esco as m

ADVISOR = Actor(Role.ADVISOR, "default", key_id="key-test", purpose="bulk import")
HEADER = "id,qualifications,skill_uris,skills_text,languages,home_place,home_postcode,max_commute_km"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


NURSE_ROW = f'js-1,{m.NURSE}|UA|partial_equivalence|knowledge_test|in_progress,"{m.MEDICATION};{m.HYGIENE}",Pflege,"de:B1;uk:C2",Leipzig-Grünau,04209,"12,5"'
FORKLIFT_ROW = f"js-2,{m.FORKLIFT}|SY,,,ar:C2,Leipzig,,"


def test_a_valid_csv_becomes_job_seekers(taxonomy: Taxonomy) -> None:
    parsed = parse_upload("jobseeker", csv_bytes(NURSE_ROW, "", FORKLIFT_ROW), "people.csv", taxonomy)
    assert parsed.errors == []
    assert parsed.rows == 2  # the blank line is not a row
    nurse, forklift = parsed.items
    assert nurse == factories.seeker(
        "js-1",
        skills=[m.MEDICATION, m.HYGIENE],
        qualifications=[
            {
                "occupation_uri": m.NURSE,
                "country": "UA",
                "recognition": "partial_equivalence",
                "compensation_measure": "knowledge_test",
                "compensation_state": "in_progress",
            }
        ],
        skills_text="Pflege",
        languages=[{"language": "de", "level": "B1"}, {"language": "uk", "level": "C2"}],
        home={"place": "Leipzig-Grünau", "postcode": "04209"},
        max_commute_km=12.5,
        work_authorisation={"status": "unknown"},
    )
    assert forklift.qualifications[0].recognition == "not_applied"  # the default, as in the API


def test_every_problem_is_reported_by_row_field_and_allowed_values(taxonomy: Taxonomy) -> None:
    data = csv_bytes(
        NURSE_ROW,
        f"js-3,{m.NURSE}|UA|maybe,,,de:B9,Leipzig,,",
        f"js-4,{m.NURSE}|Ukraine,,,deB1,Leipzig,,",
        f"js-5,{m.OCC}astronaut|UA,,,,Leipzig,,",
        "js-6,,,,,,,",
        f"js-1,{m.NURSE}|UA,,,,Leipzig,,",
    )
    parsed = parse_upload("jobseeker", data, "people.csv", taxonomy)
    assert [e.row for e in parsed.errors] == [3, 3, 4, 5, 6, 7]
    by_row = {(e.row, e.field): e for e in parsed.errors}
    recognition = by_row[(3, "qualifications")]
    assert recognition.problem.startswith("item 1 recognition: Input should be 'not_required', 'not_applied'")
    assert (
        recognition.allowed is not None
        and "recognition: not_required, not_applied, pending" in recognition.allowed
    )
    assert (
        by_row[(3, "languages")].problem
        == "item 1 level: Input should be 'A1', 'A2', 'B1', 'B2', 'C1' or 'C2'"
    )
    assert by_row[(4, "languages")] == RowError(
        4, "languages", "item 'deB1' must look like de:B1", by_row[(4, "languages")].allowed
    )
    assert by_row[(5, "qualifications")].problem.startswith(
        f"Unknown occupation URI '{m.OCC}astronaut' in field 'qualifications[0].occupation_uri'"
    )
    assert (
        by_row[(6, "home_place")].problem
        == "give home_place, home_postcode, home_lat, home_lon: Field required"
    )
    assert by_row[(7, "id")].problem == "'js-1' is already used in row 2"
    assert [i.id for i in parsed.items] == ["js-1"]


def test_header_problems_reject_the_file(taxonomy: Taxonomy) -> None:
    parsed = parse_upload(
        "jobseeker", csv_bytes(NURSE_ROW, header=HEADER.replace("skills_text", "skils")), "x.csv", taxonomy
    )
    assert parsed.items == []
    assert parsed.errors[0].row == 1 and parsed.errors[0].field == "skils"
    assert parsed.errors[0].problem == "unknown column"
    assert parsed.errors[0].allowed == ", ".join(c.name for c in JOBSEEKER_COLUMNS)
    missing = parse_upload("vacancy", b"employer,title\nA,B\n", "x.csv", taxonomy)
    assert {(e.field, e.problem) for e in missing.errors} == {
        ("id", "required column is missing"),
        ("occupation_uri", "required column is missing"),
    }


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (
            b"\xd0\xcf\x11\xe0rest",
            "Excel 97-2003 (.xls) files are not supported; save the sheet as .xlsx or CSV",
        ),
        (b"PK\x03\x04garbage", "not a readable .xlsx workbook (BadZipFile)"),
        (b"\x00\x01\x02", "binary data, not a CSV text file"),
    ],
)
def test_unreadable_files_are_named(taxonomy: Taxonomy, data: bytes, problem: str) -> None:
    parsed = parse_upload("jobseeker", data, "upload", taxonomy)
    assert [(e.row, e.field, e.problem) for e in parsed.errors] == [(None, "file", problem)]


def test_german_excel_csv_with_semicolons_and_windows_encoding(taxonomy: Taxonomy) -> None:
    header = "id;employer;title;occupation_uri;location_place;start_date;recognition_support;positions"
    row = f"vac-1;Bäckerei Müller;Verkäufer;{m.FORKLIFT};Leipzig-Gohlis;01.03.2027;ja;2"
    parsed = parse_upload("vacancy", f"{header}\r\n{row}\r\n".encode("cp1252"), "stellen.csv", taxonomy)
    assert parsed.errors == []
    vacancy = parsed.items[0]
    assert (vacancy.employer, vacancy.title, vacancy.location.place) == (
        "Bäckerei Müller",
        "Verkäufer",
        "Leipzig-Gohlis",
    )
    assert (vacancy.start_date.isoformat(), vacancy.recognition_support, vacancy.positions) == (
        "2027-03-01",
        True,
        2,
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.worksheets[0].append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_cells_keep_their_meaning(taxonomy: Taxonomy) -> None:
    import datetime as dt

    data = _xlsx(
        [
            ["id", "qualifications", "home_postcode", "available_from", "hours_per_week", "birth_year"],
            ["js-1", f"{m.NURSE}|UA", 4209, dt.datetime(2027, 1, 15), 30.0, 1990],
            [None, None, None, None, None, None],
            ["js-2", f"{m.NURSE}|UA", "04109", "bald", 99, None],
        ]
    )
    parsed = parse_upload("jobseeker", data, "people.xlsx", taxonomy)
    first = parsed.items[0]
    assert first.home.postcode == "04209"  # Excel turned it into the number 4209
    assert first.available_from == dt.date(2027, 1, 15)
    assert (first.hours_per_week, first.protected.birth_year) == (30, 1990)  # type: ignore[union-attr]
    assert [(e.row, e.field) for e in parsed.errors] == [(4, "available_from"), (4, "hours_per_week")]
    assert parsed.errors[1].problem == "Input should be less than or equal to 60"
    assert parsed.errors[1].allowed == "more than 0, at most 60"


def test_templates_hold_every_column_and_round_trip(taxonomy: Taxonomy, tmp_path: Path) -> None:
    path = tmp_path / "vacancies.xlsx"
    write_template("vacancy", path)
    book = openpyxl.load_workbook(path)
    sheet, help_sheet = book.worksheets
    assert [c.value for c in sheet[1]] == [c.name for c in VACANCY_COLUMNS]
    assert [row[0] for row in help_sheet.iter_rows(min_row=2, values_only=True)] == [
        c.name for c in VACANCY_COLUMNS
    ]
    values = {"id": "vac-9", "employer": "Lager Nord", "title": "Stapler", "occupation_uri": m.FORKLIFT,
              "location_postcode": "04129", "essential_skill_uris": f"{m.FORKLIFT_DRIVING};{m.LOADING}"}  # fmt: skip
    sheet.append([values.get(c.name) for c in VACANCY_COLUMNS])
    book.save(path)
    parsed = parse_upload("vacancy", path.read_bytes(), path.name, taxonomy)
    assert parsed.errors == []
    assert parsed.items[0].essential_skill_uris == [m.FORKLIFT_DRIVING, m.LOADING]
    csv_path = tmp_path / "jobseekers.csv"
    write_template("jobseeker", csv_path)
    assert csv_path.read_text().strip() == ",".join(c.name for c in JOBSEEKER_COLUMNS)


def test_an_invalid_row_imports_nothing_unless_skipping(matcher: Matcher) -> None:
    data = csv_bytes(NURSE_ROW, f"js-3,{m.NURSE}|XX|maybe,,,,Leipzig,,", FORKLIFT_ROW)
    with pytest.raises(ImportRejectedError, match="1 of 3 rows have errors; nothing was imported") as caught:
        matcher.import_file("jobseeker", data, "people.csv", ADVISOR)
    assert caught.value.report.imported == 0
    assert matcher.storage.jobseekers.count() == 0 and len(matcher.seekers.index) == 0
    assert matcher.storage.audit.query()[1] == 0

    report = matcher.import_file("jobseeker", data, "people.csv", ADVISOR, skip_invalid=True)
    assert (report.rows, report.imported, report.invalid_rows) == (3, 2, 1)
    assert report.summary() == "Imported 2 of 3 rows; skipped 1 invalid rows."
    assert sorted(matcher.seekers.index.ids()) == ["js-1", "js-2"]
    assert [e.entity_id for e in matcher.storage.audit.query()[0]] == ["js-2", "js-1"]
    assert matcher.storage.jobseekers.get_record("js-1").organisation == "default"
    assert report.errors_csv().splitlines()[0] == "row,field,problem,allowed"

    again = matcher.import_file("jobseeker", csv_bytes(NURSE_ROW), "people.csv", ADVISOR, skip_invalid=True)
    assert [(e.row, e.field, e.problem) for e in again.errors] == [
        (2, "id", "a job seeker with id 'js-1' already exists")
    ]
