"""Commands about the taxonomy and the indexes: check an ESCO folder, rebuild both indexes."""

from __future__ import annotations

import json
import time

import typer

from matching.cli.common import EscoOption, console, load_settings, progress_bar


def taxonomy(esco: EscoOption = None) -> None:
    """Load an ESCO folder and print what it holds (checks the layout)."""
    from matching.taxonomy.esco import load_esco
    from matching.taxonomy.vocabulary import with_vocabulary

    settings = load_settings(esco_path=esco)
    started = time.perf_counter()
    loaded = load_esco(settings.esco_path)
    seconds = round(time.perf_counter() - started, 2)
    _, report = with_vocabulary(loaded, settings.vocabulary)
    stats = loaded.stats() | {
        "load_seconds": seconds,
        "vocabulary": {
            "sources": [str(path) for path in settings.vocabulary],
            "names_added": report.labels_added,
            "concepts_named": report.concepts_touched,
            "uris_not_in_taxonomy": report.unknown_uris,
        },
    }
    typer.echo(json.dumps(stats, indent=2, ensure_ascii=False))


def rebuild_index(esco: EscoOption = None) -> None:
    """Rebuild both vector indexes from the database (the source of truth)."""
    from matching.bootstrap import build_matcher

    matcher = build_matcher(load_settings(esco_path=esco))
    with progress_bar() as bar:
        task = bar.add_task("Rebuilding", total=None)
        matcher.rebuild_indexes(lambda done, total: bar.update(task, completed=done, total=total))
    console.print(
        f"Indexed {len(matcher.seekers.index)} job seekers and {len(matcher.vacancies.index)} vacancies."
    )
    matcher.close()
