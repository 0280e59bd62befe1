"""Read and write the TREC run and qrels formats used by ``trec_eval`` and most retrieval benchmarks.

Run file, one retrieved document per line, six whitespace-separated columns::

    qid Q0 doc_id rank score run_name

Qrels file, one judgement per line, four columns (relevance > 0 means relevant)::

    qid 0 doc_id relevance

Blank lines are skipped. Anything else that does not parse raises :class:`EvaluationInputError`
naming the file and the line.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from matching.errors import MatchingError

Run = dict[str, list[tuple[str, float]]]
"""Query id -> ``(doc_id, score)`` pairs, best first."""

Qrels = dict[str, dict[str, int]]
"""Query id -> doc id -> graded relevance (> 0 means relevant)."""

PathOrHandle = str | os.PathLike[str] | TextIO

RUN_COLUMNS = "qid Q0 doc rank score run"
QRELS_COLUMNS = "qid 0 doc relevance"


class EvaluationInputError(MatchingError, ValueError):
    """A run or qrels file that does not follow the TREC format."""


def read_run(source: PathOrHandle) -> Run:
    """Read a TREC run file into ``{qid: [(doc_id, score), ...]}``, best first.

    Each query's documents are ordered by rank, ties by score (descending) then doc id, so the
    order never depends on line order. A doc id repeated within one query keeps its first
    occurrence in that order; later ones are dropped. The ``Q0`` and run-name columns are not checked.
    """
    rows: dict[str, list[tuple[int, float, str]]] = {}
    for where, fields in _records(source):
        if len(fields) != 6:
            raise EvaluationInputError(f"{where}: expected 6 columns '{RUN_COLUMNS}', got {len(fields)}")
        qid, _q0, doc, rank_text, score_text, _run_name = fields
        rank = _parse_int(rank_text, "rank", where)
        score = _parse_float(score_text, where)
        rows.setdefault(qid, []).append((rank, -score, doc))
    run: Run = {}
    for qid, entries in rows.items():
        seen: set[str] = set()
        ranked: list[tuple[str, float]] = []
        for _rank, negative_score, doc in sorted(entries):
            if doc not in seen:
                seen.add(doc)
                ranked.append((doc, -negative_score))
        run[qid] = ranked
    return run


def read_qrels(source: PathOrHandle) -> Qrels:
    """Read a TREC qrels file into ``{qid: {doc_id: relevance}}``.

    The same (qid, doc) judged twice with the same relevance is accepted; with different values it is
    an error, since either answer would be a guess.
    """
    qrels: Qrels = {}
    for where, fields in _records(source):
        if len(fields) != 4:
            raise EvaluationInputError(f"{where}: expected 4 columns '{QRELS_COLUMNS}', got {len(fields)}")
        qid, _iteration, doc, relevance_text = fields
        relevance = _parse_int(relevance_text, "relevance", where)
        judged = qrels.setdefault(qid, {})
        if judged.get(doc, relevance) != relevance:
            raise EvaluationInputError(
                f"{where}: query {qid!r} document {doc!r} judged {judged[doc]} earlier and "
                f"{relevance} here; keep one judgement per document"
            )
        judged[doc] = relevance
    return qrels


def write_run(
    target: PathOrHandle, results: Mapping[str, Sequence[tuple[str, float]]], run_name: str
) -> None:
    """Write ``{qid: [(doc_id, score), ...]}`` as a TREC run file, ranks starting at 1.

    Queries and documents are written in the order given; scores with ``repr`` so that
    :func:`read_run` gives back the same floats.
    """
    _check_token(run_name, "run_name")
    lines: list[str] = []
    for qid, ranked in results.items():
        _check_token(qid, "query id")
        for rank, (doc, score) in enumerate(ranked, start=1):
            _check_token(doc, f"doc id (query {qid!r}, rank {rank})")
            value = float(score)
            if math.isnan(value):
                raise ValueError(f"Score of query {qid!r} doc {doc!r} is NaN; scores must be numbers.")
            lines.append(f"{qid} Q0 {doc} {rank} {value!r} {run_name}\n")
    with _open_for_writing(target) as handle:
        handle.writelines(lines)


# -- helpers -------------------------------------------------------------------------------------


@contextmanager
def _open_for_writing(target: PathOrHandle) -> Iterator[TextIO]:
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
    else:
        yield target


def _name(source: PathOrHandle) -> str:
    if isinstance(source, str | os.PathLike):
        return str(Path(source))
    return str(getattr(source, "name", "<stream>"))


def _records(source: PathOrHandle) -> Iterator[tuple[str, list[str]]]:
    """Yield ``("<file> line <n>", fields)`` for each non-blank line."""
    name = _name(source)
    if not isinstance(source, str | os.PathLike):
        for number, line in enumerate(source, start=1):
            if fields := line.split():
                yield f"{name} line {number}", fields
        return
    # Decode line by line so that an encoding error names its line.
    with open(source, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise EvaluationInputError(
                    f"{name} line {number}: not UTF-8 text; TREC files are plain text"
                ) from None
            if fields := line.split():
                yield f"{name} line {number}", fields


def _parse_int(text: str, column: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise EvaluationInputError(f"{where}: {column} must be an integer, got {text!r}") from None


def _parse_float(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise EvaluationInputError(f"{where}: score must be a number, got {text!r}") from None
    if math.isnan(value):
        raise EvaluationInputError(f"{where}: score must be a number, got {text!r}")
    return value


def _check_token(value: str, what: str) -> None:
    if not value or any(ch.isspace() for ch in value):
        raise ValueError(
            f"The {what} must be a non-empty string without whitespace (TREC columns are "
            f"whitespace-separated). Got {value!r} instead."
        )
