"""Batch linking: a TSV of ``id<TAB>text`` lines in, a TREC run of ranked concept URIs out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matching.errors import MatchingError
from matching.linking.glossed import AnyLinker


class BatchInputError(MatchingError, ValueError):
    """A malformed line in a batch input file."""


def read_tsv(path: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            qid, tab, text = line.partition("\t")
            qid = qid.strip()
            if not tab or not qid or not text.strip():
                raise BatchInputError(f"{path.name} line {number}: expected 'id<TAB>text', got {line[:60]!r}")
            if any(c.isspace() for c in qid):
                raise BatchInputError(f"{path.name} line {number}: the id {qid!r} contains whitespace")
            if qid in seen:
                raise BatchInputError(f"{path.name} line {number}: the id {qid!r} appears twice")
            seen.add(qid)
            rows.append((qid, text.strip()))
    return rows


def link_batch(
    linker: AnyLinker, rows: Sequence[tuple[str, str]], k: int, chunk: int = 256
) -> dict[str, list[tuple[str, float]]]:
    """Ranked (uri, score) per id; texts are scored in chunks to bound memory."""
    run: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        for (qid, _), linked in zip(part, linker.link([text for _, text in part], k), strict=True):
            run[qid] = [(c.uri, c.score) for c in linked]
    return run
