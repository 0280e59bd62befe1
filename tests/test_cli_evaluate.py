"""``skillbridge evaluate RUN QRELS``, invoked in-process through Typer's CliRunner."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.cli import app
from matching.evaluation.trec import EvaluationInputError

runner = CliRunner(env={"COLUMNS": "240"})  # rich wraps errors to the terminal width

QRELS = "q1 0 a 1\nq1 0 c 2\nq2 0 x 1\nq3 0 z 1\n"
RUN = "q1 Q0 b 1 0.9 test\nq1 Q0 a 2 0.8 test\nq1 Q0 c 3 0.7 test\nq2 Q0 x 1 0.5 test\nq9 Q0 w 1 0.4 test\n"
# q1: [b, a, c] with a (1) and c (2) relevant: RR 1/2, AP (1/2 + 2/3)/2 = 7/12, Acc@1 0, Acc@5 1,
#     nDCG@5 = (1/log2(3) + 2/log2(4)) / (2 + 1/log2(3)).  q2: all 1.  q3: not in the run, all 0.


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    run, qrels = tmp_path / "run.txt", tmp_path / "qrels.txt"
    run.write_text(RUN)
    qrels.write_text(QRELS)
    return str(run), str(qrels)


def test_evaluate_prints_json(files: tuple[str, str]) -> None:
    result = runner.invoke(app, ["evaluate", *files, "--k", "5", "--k", "1", "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    ndcg5_q1 = (1 / math.log2(3) + 1) / (2 + 1 / math.log2(3))
    assert metrics == pytest.approx(
        {
            "MRR": (1 / 2 + 1) / 3,
            "MAP": (7 / 12 + 1) / 3,
            "Acc@1": 1 / 3,
            "Acc@5": 2 / 3,
            "RP@1": 1 / 3,
            "RP@5": 2 / 3,
            "nDCG@1": 1 / 3,
            "nDCG@5": (ndcg5_q1 + 1) / 3,
            "queries": 3,
            "queries_without_results": 1,
            "queries_without_qrels": 1,
            "queries_without_relevant": 0,
        }
    )
    assert isinstance(metrics["queries"], int)


def test_evaluate_prints_a_markdown_table_with_default_cutoffs(files: tuple[str, str]) -> None:
    result = runner.invoke(app, ["evaluate", *files])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == ["| metric | value |", "|:--|--:|", "| MRR | 0.5000 |", "| MAP | 0.5278 |"]
    for name in ("Acc@1", "Acc@5", "Acc@10", "RP@10", "nDCG@10"):
        assert any(line.startswith(f"| {name} | ") for line in lines), name
    assert "| queries | 3 |" in lines
    assert "| queries_without_qrels | 1 |" in lines


def test_evaluate_names_file_and_line_of_a_bad_run(files: tuple[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.run"
    bad.write_text("q1 Q0 a 1 0.5 test\nq1 a 2 0.4\n")
    result = runner.invoke(app, ["evaluate", str(bad), files[1]])
    assert result.exit_code != 0
    # CliRunner calls ``app``, not ``main``: the domain error surfaces as the result's exception.
    assert isinstance(result.exception, EvaluationInputError)
    assert str(result.exception) == (f"{bad} line 2: expected 6 columns 'qid Q0 doc rank score run', got 4")


def test_evaluate_rejects_missing_file_and_zero_k(files: tuple[str, str], tmp_path: Path) -> None:
    missing = runner.invoke(app, ["evaluate", str(tmp_path / "nope.txt"), files[1]])
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    zero = runner.invoke(app, ["evaluate", *files, "--k", "0"])
    assert zero.exit_code == 2
    assert "--k" in zero.output
