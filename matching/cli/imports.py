"""Bulk import of job seekers and vacancies from CSV or Excel, the what-if of one pair, and import templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from matching.access import Kind
from matching.cli.common import EscoOption, console, load_settings, progress_bar, read_model

KindOption = Annotated[
    str | None, typer.Option(help="jobseekers or vacancies (default: from the file name).")
]


def _kind(kind: str | None, path: Path) -> Kind:
    name = (kind or path.stem).lower()
    if "jobseeker" in name or "job_seeker" in name:
        return "jobseeker"
    if "vacanc" in name:
        return "vacancy"
    raise typer.BadParameter(
        f"must be 'jobseekers' or 'vacancies'; got {kind!r}" if kind else "cannot tell from the file name",
        param_hint="--kind",
    )


def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or .xlsx file.")],
    kind: KindOption = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Store the valid rows even if others are invalid.")
    ] = False,
    organisation: Annotated[str, typer.Option(help="Organisation the rows belong to.")] = "default",
    report: Annotated[
        Path | None, typer.Option(help="Write the error report to this .csv or .json file.")
    ] = None,
    esco: EscoOption = None,
) -> None:
    """Import job seekers or vacancies from CSV or Excel; any invalid row rejects the file unless --skip-invalid.

    Every running server process matches the new rows within a second (it follows the change log).
    """
    from matching.access import command_line_actor
    from matching.bootstrap import build_matcher
    from matching.ingest.report import ImportRejectedError, ImportReport

    checked = _kind(kind, file)
    matcher = build_matcher(load_settings(esco_path=esco))
    matcher.open()
    actor = command_line_actor(organisation, "bulk import")
    try:
        with progress_bar() as bar:
            task = bar.add_task("Storing", total=None)
            result: ImportReport = matcher.import_file(
                checked,
                file.read_bytes(),
                file.name,
                actor,
                skip_invalid,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except ImportRejectedError as exc:
        result = exc.report
    finally:
        matcher.close()
    if report is not None:
        text = json.dumps(result.as_dict(), indent=2, ensure_ascii=False)
        report.write_text(result.errors_csv() if report.suffix.lower() == ".csv" else text, encoding="utf-8")
    for error in result.errors[:20]:
        where = f"row {error.row}" if error.row else "file"
        allowed = f" (allowed: {error.allowed})" if error.allowed else ""
        console.print(f"  {where}, {error.field}: {error.problem}{allowed}", markup=False, highlight=False)
    if len(result.errors) > 20:
        console.print(f"  … and {len(result.errors) - 20} more" + (f" (see {report})" if report else ""))
    console.print(result.summary(), markup=False)
    if result.errors and not result.imported:
        raise typer.Exit(1)


def import_template(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The .xlsx or .csv file to write.")],
    kind: KindOption = None,
) -> None:
    """Write an empty import sheet with every column (in .xlsx with a help sheet explaining each)."""
    from matching.ingest.columns import write_template

    checked = _kind(kind, file)
    if file.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter(f"must end in .xlsx or .csv; got {file.name!r}", param_hint="FILE")
    write_template(checked, file)
    console.print(f"Wrote {file}.")


def what_if(
    jobseeker: Annotated[Path, typer.Argument(help="Job seeker as JSON (the API's JobSeeker schema).")],
    vacancy: Annotated[Path, typer.Argument(help="Vacancy as JSON (the API's Vacancy schema).")],
    esco: EscoOption = None,
    lang: Annotated[str, typer.Option(help="Language of skill labels: de, en or uk.")] = "en",
) -> None:
    """Assess one job seeker against one vacancy, both given as files; nothing is stored.

    Prints eligibility (eligible, bridge or blocked with reasons), score, explanation and next steps as JSON.
    """
    from matching.bootstrap import build_matcher
    from matching.store.storage import Storage
    from models import JobSeeker, Vacancy

    seeker = read_model(jobseeker, JobSeeker, "jobseeker")
    job = read_model(vacancy, Vacancy, "vacancy")
    configured = load_settings(esco_path=esco, language=lang)
    matcher = build_matcher(configured, storage=Storage("sqlite://"), keep_indexes=False)
    result = matcher.what_if(seeker, job)  # type: ignore[arg-type]
    typer.echo(result.model_dump_json(indent=2))
