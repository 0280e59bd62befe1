"""Match lists as spreadsheets for advisors (CSV or Excel): one row per match, reasons in one language."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Literal

from models import Match

Format = Literal["csv", "xlsx"]
Side = Literal["candidates", "vacancies"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = (
    "rank",
    "id",
    "score",
    "eligibility",
    "reasons",
    "next_steps",
    "matched_skills",
    "missing_skills",
    "distance_km",
)


def safe_cell(value: object) -> object:
    """Spreadsheets run cells starting with = + - @ as formulas; such text is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def match_rows(
    items: Sequence[Match], blocked: Sequence[Match], side: Side, language: str
) -> list[list[object]]:
    """Ranked matches, then blocked pairs (no rank) with what is missing and the next steps."""
    rows: list[list[object]] = [list(COLUMNS)]
    for match in [*items, *blocked]:
        explanation = match.explanation
        matched = [s.label for s in explanation.matched_essential + explanation.matched_optional]
        missing = [s.label for s in explanation.missing_essential]
        missing += [f"{s.label} (optional)" for s in explanation.missing_optional]
        rows.append(
            [
                match.rank if match.eligibility != "blocked" else "",
                match.jobseeker_id if side == "candidates" else match.vacancy_id,
                round(match.score, 4),
                match.eligibility.value,
                " | ".join(getattr(r.text, language) for r in match.reasons),
                " | ".join(getattr(s.text, language) for s in match.next_steps),
                "; ".join(matched),
                "; ".join(missing),
                "" if match.distance_km is None else round(match.distance_km, 1),
            ]
        )
    return rows


def to_bytes(rows: list[list[object]], fmt: Format, sheet: str = "matches") -> bytes:
    rows = [[safe_cell(cell) for cell in row] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=False)
    ws = book.worksheets[0]
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (6, 14, 8, 11, 80, 80, 60, 60, 11), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
