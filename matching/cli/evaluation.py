"""``skillbridge evaluate-matching``: match quality against a synthetic ground truth or stored advisor feedback.

Registered in matching/cli/__init__.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from matching.evaluation.matching_quality import SIDES, QualityReport, Side

console = Console(stderr=True)


class Labels(StrEnum):
    GROUND_TRUTH = "ground-truth"
    FEEDBACK = "feedback"


class SideChoice(StrEnum):
    BOTH = "both"
    CANDIDATES = "candidates"
    VACANCIES = "vacancies"


_SIDES: dict[SideChoice, tuple[Side, ...]] = {
    SideChoice.BOTH: SIDES,
    SideChoice.CANDIDATES: ("candidates",),
    SideChoice.VACANCIES: ("vacancies",),
}


class Slice(StrEnum):
    OCCUPATION_GROUP = "occupation_group"
    GERMAN_LEVEL = "german_level"
    RECOGNITION = "recognition"


def evaluate_matching_command(
    labels: Annotated[
        Labels,
        typer.Option(
            help="ground-truth: generate a labelled synthetic data set and evaluate against its known ground "
            "truth; feedback: evaluate the configured database's rankings against stored advisor feedback."
        ),
    ] = Labels.GROUND_TRUTH,
    k: Annotated[int, typer.Option("--k", min=1, max=200, help="Cut-off of every metric.")] = 10,
    by: Annotated[
        list[Slice] | None,
        typer.Option("--by", help="Also show the metrics per group of this attribute; repeat for several."),
    ] = None,
    side: Annotated[
        SideChoice,
        typer.Option(help="candidates: each vacancy's candidates; vacancies: each job seeker's vacancies."),
    ] = SideChoice.BOTH,
    esco: Annotated[
        Path | None,
        typer.Option(
            "--esco", help="ESCO folder (ground-truth). Default: SKILLBRIDGE_ESCO_PATH or the demo."
        ),
    ] = None,
    jobseekers: Annotated[int, typer.Option(min=1, help="Synthetic job seekers (ground-truth).")] = 3000,
    vacancies: Annotated[int, typer.Option(min=1, help="Synthetic vacancies (ground-truth).")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed of the generator (ground-truth).")] = 7,
    data_dir: Annotated[
        Path,
        typer.Option(
            help="Where the evaluation database and indexes go (ground-truth); reused when unchanged."
        ),
    ] = Path("var/evaluation"),
    organisation: Annotated[
        str | None, typer.Option(help="Only this organisation's vacancies and job seekers (feedback).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of markdown tables.")] = False,
) -> None:
    """Precision@k, recall@k, nDCG@k, MRR and coverage of vacancies and job seekers, overall and by group.

    Coverage is the share of vacancies (job seekers) with at least one eligible or bridge match in the top k;
    the other metrics are means over the queries with at least one relevant match.
    """
    report = _report(labels, k, _SIDES[side], esco, jobseekers, vacancies, seed, data_dir, organisation)
    slices = [s.value for s in by or []]
    if as_json:
        typer.echo(json.dumps(report.as_dict(slices), indent=2))
        return
    typer.echo(render_markdown(report, slices))


def _report(
    labels: Labels,
    k: int,
    sides: tuple[Side, ...],
    esco: Path | None,
    jobseekers: int,
    vacancies: int,
    seed: int,
    data_dir: Path,
    organisation: str | None,
) -> QualityReport:
    if labels == Labels.FEEDBACK:
        from matching.bootstrap import build_matcher
        from matching.config import Settings
        from matching.evaluation.matching_quality import evaluate_against_feedback

        settings = Settings(**({"esco_path": esco} if esco else {}))  # type: ignore[arg-type]
        with console.status("Opening the database and indexes…"):
            matcher = build_matcher(settings)
            matcher.open()
        try:
            with console.status("Ranking…"):
                return evaluate_against_feedback(matcher, k, sides=sides, organisation=organisation)
        finally:
            matcher.close()
    from matching.evaluation.workspace import Workspace, WorkspaceConfig

    defaults: dict[str, Any] = {
        "jobseekers": jobseekers,
        "vacancies": vacancies,
        "seed": seed,
        "data_dir": data_dir,
        "today": dt.date.today(),
        "feedback_per_vacancy": 0,
    }
    config = WorkspaceConfig.from_env(environ=_service_env(), **defaults)
    if esco is not None:
        config = replace(config, esco_path=esco)
    with console.status("Generating the labelled data set and indexing it…"):
        workspace = Workspace.open(config)
    try:
        with console.status("Ranking…"):
            return workspace.quality(k, sides=sides)
    finally:
        workspace.close()


def _service_env() -> dict[str, str]:
    """The service's own variables (taxonomy, model, language); the notebook variables are not the CLI's."""
    names = ("SKILLBRIDGE_ESCO_PATH", "SKILLBRIDGE_EMBEDDING_MODEL", "SKILLBRIDGE_LANGUAGE")
    return {name: os.environ[name] for name in names if name in os.environ}


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.4f}"
    return str(value)


def _table(frame: Any, first: str) -> list[str]:
    columns = list(frame.columns)
    lines = [
        "| " + " | ".join([first, *columns]) + " |",
        "|:--|" + "--:|" * len(columns),
    ]
    for index, row in frame.iterrows():
        values = [_cell(int(v)) if c in ("queries", "with_relevant") else _cell(v) for c, v in row.items()]
        lines.append("| " + " | ".join([str(index), *values]) + " |")
    return lines


def render_markdown(report: QualityReport, slices: list[str]) -> str:
    lines = [f"Match quality at k={report.k} against {report.labels}.", "", *_table(report.overall(), "side")]
    for side in report.per_query:
        for name in slices:
            lines += ["", f"{side} by {name}:", "", *_table(report.sliced(name, side), name)]
    return "\n".join(lines)
