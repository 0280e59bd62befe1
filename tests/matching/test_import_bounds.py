"""Import files cannot ask for unbounded work or memory: rows, cells and unpacked sizes are bounded first."""

from __future__ import annotations

import io
import re
import time
import zipfile

import openpyxl
import pytest

from matching.ingest import bulk
from matching.ingest.bulk import parse_upload
from matching.ingest.report import ImportReport, RowError
from matching.taxonomy import Taxonomy
from tests import mini_esco as m

HEADER = ["id", "qualifications", "skill_uris", "languages", "home_place"]
ROW = ["js-1", f"{m.NURSE}|UA", m.MEDICATION, "de:B2", "Leipzig"]


def _xlsx(rows: list[list[str]], sheet_tail: str = "", shared: bytes | None = None) -> bytes:
    """A real workbook, then its sheet (and shared strings) rewritten at the XML level."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"<dimension [^>]*/>", "", data.decode())
                data = text.replace("</sheetData>", sheet_tail + "</sheetData>").encode()
            target.writestr(info.filename, data)
        if shared is not None:
            target.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def test_blank_rows_count_against_the_row_limit(taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MAX_ROWS", 1000)
    blank = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(3, 20_000))
    data = _xlsx([HEADER, ROW], sheet_tail=blank)
    assert len(data) < 200_000
    started = time.monotonic()
    parsed = parse_upload("jobseeker", data, "people.xlsx", taxonomy)
    assert time.monotonic() - started < 5
    assert parsed.items == [] and parsed.errors == [
        RowError(
            None,
            "file",
            "more than 1000 rows (blank rows included); split the file",
            parsed.errors[0].allowed,
        )
    ]


def test_too_many_rows_are_refused_before_any_row_is_checked(
    taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "MAX_ROWS", 1000)
    checked: list[int] = []
    original = bulk._parse_row
    monkeypatch.setattr(bulk, "_parse_row", lambda number, *a: checked.append(number) or original(number, *a))
    text = ",".join(HEADER) + "\n" + "".join(f"js-{i},{m.NURSE}|UA,,de:B2,Leipzig\n" for i in range(1001))
    parsed = parse_upload("jobseeker", text.encode(), "people.csv", taxonomy)
    assert checked == [] and "more than 1000 rows" in parsed.errors[0].problem
    ok = ",".join(HEADER) + "\n" + "".join(f"js-{i},{m.NURSE}|UA,,de:B2,Leipzig\n" for i in range(1000))
    assert len(parse_upload("jobseeker", ok.encode(), "people.csv", taxonomy).items) == 1000


def test_a_giant_shared_string_is_refused_from_the_zip_directory(taxonomy: Taxonomy) -> None:
    big = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    big += b"a" * (40 * 1024 * 1024) + b"</t></si></sst>"
    data = _xlsx([HEADER, ROW], shared=big)
    assert len(data) < 300_000
    parsed = parse_upload("jobseeker", data, "people.xlsx", taxonomy)
    assert parsed.errors[0].field == "file"
    assert "text cells take 40 MB unpacked, more than 32 MB" in parsed.errors[0].problem


def test_long_cells_are_refused_and_never_echoed(taxonomy: Taxonomy) -> None:
    long_list = "x" * 50_000
    wrong_parts = "|".join(["y" * 1_000] * 9)
    text = ",".join(HEADER) + f"\njs-1,{long_list},,de:B2,Leipzig\njs-2,{wrong_parts},,de:B2,Leipzig\n"
    parsed = parse_upload("jobseeker", text.encode(), "people.csv", taxonomy)
    problems = [e.problem for e in parsed.errors]
    assert problems[0] == "the cell has 50000 characters, more than 10000"
    assert problems[1].startswith("item 'yyyy") and "… (9008 characters)" in problems[1]
    assert max(len(p) for p in problems) < 300


def test_the_error_report_never_holds_a_formula() -> None:
    report = ImportReport("jobseeker", 1, 0, [RowError(1, '=HYPERLINK("http://evil","x")', "unknown column")])
    lines = report.errors_csv().splitlines()
    assert lines[1].startswith("1,\"'=HYPERLINK(")
