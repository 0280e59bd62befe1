"""What an import found: every problem by row and column, with what is allowed, as JSON or as a CSV report."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from matching.errors import MatchingError
from matching.ingest.columns import Kind
from matching.ingest.exports import safe_cell

HEADER_ROW = 1


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
        if any(e.row in (None, HEADER_ROW) for e in self.errors):
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
        for e in self.errors:  # names and problems quote the file's text: never let a spreadsheet run it
            cells = ["" if e.row is None else e.row, e.field, e.problem, e.allowed or ""]
            writer.writerow([safe_cell(cell) for cell in cells])
        return out.getvalue()


class ImportRejectedError(MatchingError, ValueError):
    """A bulk import file with errors; nothing was stored. ``report`` lists every problem by row and field."""

    def __init__(self, report: ImportReport, message: str):
        super().__init__(message)
        self.report = report
