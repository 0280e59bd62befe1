"""``skillbridge evaluate-matching`` against a synthetic ground truth and against stored feedback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.bootstrap import build_matcher
from matching.cli import app
from matching.config import Settings
from matching.ingest.synthetic import LeipzigGenerator
from matching.service.feedback import record_feedback
from models.feedback import Decision, FeedbackRequest, RejectionReason

runner = CliRunner()
SIZES = ["--jobseekers", "40", "--vacancies", "6", "--seed", "2"]


@pytest.fixture(autouse=True)
def fast_embedder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKILLBRIDGE_EMBEDDING_MODEL", "hashing-64")
    monkeypatch.setenv("SKILLBRIDGE_DATA_DIR", str(tmp_path / "service"))
    monkeypatch.delenv("SKILLBRIDGE_ESCO_PATH", raising=False)
    monkeypatch.delenv("SKILLBRIDGE_DATABASE_URL", raising=False)


def test_ground_truth_as_json(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "evaluate-matching",
            *SIZES,
            "--k",
            "5",
            "--by",
            "recognition",
            "--json",
            "--data-dir",
            str(tmp_path / "e"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["k"], data["labels"]) == (5, "ground truth")
    candidates = data["candidates"]["overall"]
    assert (candidates["queries"], candidates["with_relevant"], candidates["coverage"]) == (6, 6, 1.0)
    for side in ("candidates", "vacancies"):
        overall = data[side]["overall"]
        assert set(overall) == {"queries", "with_relevant", "P@5", "R@5", "nDCG@5", "MRR", "coverage"}
        assert all(0 <= overall[m] <= 1 for m in ("P@5", "R@5", "nDCG@5", "MRR", "coverage"))
        groups = data[side]["by_recognition"]
        assert sum(g["queries"] for g in groups.values()) == overall["queries"]
    assert data["vacancies"]["overall"]["queries"] == 40 + 6 * 4  # with the planted job seekers


def test_markdown_tables_per_side_and_slice(tmp_path: Path) -> None:
    arguments = ["evaluate-matching", *SIZES, "--side", "candidates", "--by", "german_level"]
    result = runner.invoke(app, [*arguments, "--data-dir", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Match quality at k=10 against ground truth."
    assert lines[2] == "| side | queries | with_relevant | P@10 | R@10 | nDCG@10 | MRR | coverage |"
    assert lines[4].startswith("| candidates | 6 | 6 | ")
    assert "candidates by german_level:" in lines
    assert not any(line.startswith("| vacancies") for line in lines)


def test_against_stored_feedback(tmp_path: Path) -> None:
    matcher = build_matcher(Settings())
    data = LeipzigGenerator(matcher.taxonomy, seed=4).generate(30, 3)
    matcher.storage.clear()
    matcher.bulk_load(data.jobseekers, data.vacancies)
    vacancy = data.vacancies[0].id
    top = [m.jobseeker_id for m in matcher.rank_candidates(data.vacancies[0], 3).items]
    record_feedback(matcher, vacancy, top[0], FeedbackRequest(decision=Decision.HIRED))
    record_feedback(
        matcher, vacancy, top[1], FeedbackRequest(decision=Decision.REJECTED, reason=RejectionReason.LANGUAGE)
    )
    matcher.close()
    result = runner.invoke(
        app, ["evaluate-matching", "--labels", "feedback", "--side", "candidates", "--k", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    overall = json.loads(result.stdout)["candidates"]["overall"]
    assert (overall["queries"], overall["with_relevant"]) == (3, 1)
    assert overall["MRR"] == 1.0 and overall["P@3"] == pytest.approx(1 / 3, abs=1e-4)


def test_unknown_choices_are_refused() -> None:
    result = runner.invoke(app, ["evaluate-matching", "--by", "religion"])
    assert result.exit_code == 2
    assert "'religion' is not one of" in result.output and "'occupation_group'" in result.output
