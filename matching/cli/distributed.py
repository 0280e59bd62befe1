"""``skillbridge build-shards``: embed every profile and build index shards on a Ray cluster.

Registered in matching/cli/__init__.py; Ray is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from matching.config import Settings
from matching.index.manifest import MAX_SHARDS

console = Console(stderr=True)
_NOUN = {"jobseekers": "job seekers", "vacancies": "vacancies"}


def build_shards_command(
    shards: Annotated[
        int, typer.Option("--shards", min=1, max=MAX_SHARDS, help="Number of index shards to write.")
    ] = 8,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="A running Ray cluster (head:6379, or ray://head:10001 through Ray Client). "
            "Default: a local cluster on this machine's cores.",
        ),
    ] = None,
    kind: Annotated[str, typer.Option(help="Which side to index: jobseekers or vacancies.")] = "jobseekers",
    batch_size: Annotated[
        int, typer.Option(min=1, help="Rows per page a worker reads and encodes in one task.")
    ] = 20_000,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Encoder actors (default: one per CPU of the cluster).")
    ] = None,
    esco: Annotated[
        Path | None,
        typer.Option(
            "--esco", help="ESCO folder; must be at the same path on every node. Default: settings."
        ),
    ] = None,
) -> None:
    """Embed every profile on Ray and write index shards to the index folder; the service loads them.

    Uses the SKILLBRIDGE_* settings: the database (reachable from every node), the embedding model and the
    index folder (shared by every node). See docs/distributed.md.
    """
    from matching.service.distributed import KINDS, Kind, build_shards

    if kind not in KINDS:
        raise typer.BadParameter(f"must be one of {', '.join(KINDS)}; got {kind!r}", param_hint="--kind")
    settings = Settings(**({"esco_path": esco} if esco is not None else {}))  # type: ignore[arg-type]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = "Encoding" if stage == "encoding" else "Building shards"
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = build_shards(
            settings.resolved_database_url,
            settings.esco_path,
            settings.embedding_model,
            settings.index_dir,
            shards,
            ray_address=ray_address,
            batch_size=batch_size,
            progress=advance,
            kind=cast(Kind, kind),  # checked against KINDS above
            language=settings.language,
            workers=workers,
            vocabulary=settings.vocabulary,
        )
    console.print(
        f"Indexed {report.count} {_NOUN[report.kind]} into {report.n_shards} shards in {report.seconds:.1f} s "
        f"({report.profiles_per_second:,.0f} profiles/s encoding on {report.workers} workers; "
        f"{report.build_seconds:.1f} s building). Manifest: {report.manifest}",
        markup=False,
        highlight=False,
    )
    console.print("The service loads the shards at its next start while the database is unchanged.")
