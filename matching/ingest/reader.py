"""From an uploaded file to rows of cells, and from cells to the values the API's models take.

CSV in UTF-8 or Windows-1252 (what German Excel writes), separated by comma, semicolon or tab, or the first
sheet of an .xlsx workbook. Cells follow the spreadsheet conventions advisors use: ``;`` between list items,
``|`` between the parts of an item, German dates and decimal commas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from matching.ingest.columns import Column

# Bounds that hold before a file is parsed in full: a small file must not be able to ask for huge work.
MAX_CELL_CHARS = 10_000  # the longest field (free text) is far shorter
MAX_XLSX_PART_BYTES = {"xl/sharedStrings.xml": 32 * 1024 * 1024}  # every text cell of the sheet, unpacked
MAX_XLSX_BYTES = 256 * 1024 * 1024  # all parts of the workbook, unpacked (a 20 MB upload is ~100 MB)
MAX_SECONDS = 60.0


class CellError(ValueError):
    """A cell or a file that cannot be read; the message says why."""


def quoted(text: str, limit: int = 60) -> str:
    """A cell's text for an error message: never more than ``limit`` characters of it."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} characters)"


def read_table(data: bytes, filename: str, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) for every row, the header first; raises CellError for unreadable files and for
    files with more than ``max_rows`` rows after the header, blank rows included."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise CellError("Excel 97-2003 (.xls) files are not supported; save the sheet as .xlsx or CSV")
    too_many = f"more than {max_rows} rows (blank rows included); split the file"
    rows = _read_xlsx(data, max_rows + 1) if _is_xlsx(data, filename) else _read_csv(data, max_rows + 1)
    for number, cells in rows:
        if number > max_rows + 1:
            raise CellError(too_many)
        yield number, cells


def _is_xlsx(data: bytes, filename: str) -> bool:
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


def _check_xlsx_sizes(data: bytes) -> None:
    """Refuse zip bombs and giant shared strings from the zip's directory, before anything is unpacked."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise CellError("not a readable .xlsx workbook (BadZipFile)") from None
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_BYTES:
        raise CellError(
            f"the workbook unpacks to {total // 2**20} MB, more than {MAX_XLSX_BYTES // 2**20} MB"
        )
    for part in parts:
        limit = MAX_XLSX_PART_BYTES.get(part.filename)
        if limit is not None and part.file_size > limit:
            raise CellError(
                f"the workbook's text cells take {part.file_size // 2**20} MB unpacked, more than "
                f"{limit // 2**20} MB; split the file"
            )


def _first_sheet(book: zipfile.ZipFile) -> str:
    """The part name of the workbook's first sheet (what openpyxl reads as worksheets[0])."""
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    first = re.search(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
    rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        if first and f'Id="{first.group(1)}"' in rel.group(0):
            target = re.search(r'Target="([^"]+)"', rel.group(0))
            if target:
                path = target.group(1).lstrip("/")
                return path if path.startswith("xl/") else "xl/" + path
    return "xl/worksheets/sheet1.xml"


def _count_xlsx_rows(data: bytes, limit: int) -> int:
    """Rows of the first sheet, counted in its unpacked XML as it streams (stops past ``limit``): blank rows
    cost openpyxl as much as full ones, counting them costs almost nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book, book.open(_first_sheet(book)) as sheet:
            rows, tail = 0, b""
            while rows <= limit and (chunk := sheet.read(1 << 20)):
                # The 4 bytes kept from the last chunk hold no whole 5-byte tag: none is counted twice.
                text = tail + chunk
                rows += sum(text.count(tag) for tag in (b"<row ", b"<row>", b":row "))
                tail = text[-4:]
            return rows
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return 0  # openpyxl says what is wrong with the file


def _read_xlsx(data: bytes, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    _check_xlsx_sizes(data)
    counted = _count_xlsx_rows(data, max_rows)
    if counted > max_rows:
        yield counted, []
        return
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise CellError(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        if (sheet.max_row or 0) > max_rows:  # the sheet's declared size, when it has one
            yield sheet.max_row, []
            return
        deadline = time.monotonic() + MAX_SECONDS
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number % 1000 == 0 and time.monotonic() > deadline:
                raise CellError(f"the sheet takes longer than {MAX_SECONDS:g} s to read; split the file")
            yield number, list(row)
    except CellError:
        raise
    except Exception as exc:
        raise CellError(f"the workbook's first sheet cannot be read ({type(exc).__name__})") from None
    finally:
        book.close()


def _read_csv(data: bytes, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    if b"\0" in data[:4096]:
        raise CellError("binary data, not a CSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what German Excel writes for "CSV"
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # the header has no lists: its separator is the file's
    try:
        # Counted before any row is checked, so an oversized file is refused at once.
        rows = sum(1 for _ in csv.reader(io.StringIO(text), delimiter=delimiter))
        if rows > max_rows:
            yield rows, []
            return
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            yield number, list(row)
    except csv.Error as exc:
        raise CellError(f"not valid CSV: {exc}") from None


def cell_text(value: Any) -> str:
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
    raise CellError(f"{quoted(cell)} is not a yes/no value")


def _parts(item: str, names: Sequence[str], minimum: int) -> dict[str, str]:
    parts = [p.strip() for p in item.split("|")]
    if not minimum <= len(parts) <= len(names):
        raise CellError(f"item {quoted(item)} must have {minimum} to {len(names)} parts separated by |")
    return {name: part for name, part in zip(names, parts, strict=False) if part}


def convert(column: Column, raw: Any) -> Any:
    cell = cell_text(raw)
    if len(cell) > MAX_CELL_CHARS:
        raise CellError(f"the cell has {len(cell)} characters, more than {MAX_CELL_CHARS}")
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
                raise CellError(f"item {quoted(item)} must look like de:B1")
            out.append({"language": language.strip().lower(), "level": level.strip().upper()})
        return out
    if kind == "qualifications":
        names = ("occupation_uri", "country", "recognition", "compensation_measure", "compensation_state")
        return [_parts(item, names, 2) for item in _split(cell)]
    if kind == "experience":
        items = [_parts(item, ("occupation_uri", "years", "country"), 2) for item in _split(cell)]
        return [item | {"years": _number(item["years"])} if "years" in item else item for item in items]
    return cell


def place(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        document = document.setdefault(key, {})
    document[path[-1]] = value
