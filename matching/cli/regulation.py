"""``skillbridge regulation-coverage``: how much of the taxonomy the regulation table has checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matching.cli.common import EscoOption, load_settings


def regulation_coverage(
    esco: EscoOption = None,
    table: Annotated[
        Path | None, typer.Option(help="Regulation table (default: data/regulated_professions.csv).")
    ] = None,
    stored: Annotated[
        bool, typer.Option(help="Count the not-checked occupations used by stored profiles and vacancies.")
    ] = True,
) -> None:
    """Occupations per ISCO major group that are regulated, checked and open, or not checked, and the
    not-checked ones stored job seekers and vacancies use, most frequent first."""
    from matching.bootstrap import load_taxonomy
    from matching.ranking.coverage import regulation_coverage as coverage_of
    from matching.ranking.coverage import render_markdown
    from matching.ranking.regulation import DEFAULT_TABLE, RegulationTable
    from matching.service.regulation import occupations_in_use
    from matching.store.storage import Storage

    settings = load_settings(esco_path=esco)
    taxonomy = load_taxonomy(settings)
    in_use = occupations_in_use(Storage(settings.resolved_database_url)) if stored else {}
    coverage = coverage_of(taxonomy, RegulationTable.load(table or DEFAULT_TABLE), in_use, settings.language)
    typer.echo(
        f"{taxonomy.source}: {coverage.total} occupations, {100 * coverage.checked_share:.1f} % checked.\n"
    )
    typer.echo(render_markdown(coverage))
