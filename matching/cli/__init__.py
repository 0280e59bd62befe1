"""The ``skillbridge`` command: one module per group of commands, registered here.

Commands build what they need through :mod:`matching.bootstrap`; only ``serve`` and ``demo`` import the web
app (:mod:`api`), and only when they start serving.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from matching.cli import demo, imports, indexes, keys, linking, regulation, serve
from matching.cli.common import console
from matching.cli.distributed import build_shards_command
from matching.cli.evaluation import evaluate_matching_command

# Quiet third-party progress bars and hub look-ups: the model is local and our own bars say enough.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(
    help="skillbridge: explained skills matching between job seekers and vacancies.", no_args_is_help=True
)
app.command()(demo.demo)
app.command()(serve.serve)
app.command()(indexes.taxonomy)
app.command("rebuild-index")(indexes.rebuild_index)
app.command("what-if")(imports.what_if)
app.command()(linking.evaluate)
app.command()(linking.link)
app.command("train-linker")(linking.train_linker)
app.add_typer(keys.keys_app, name="keys")
app.command("import")(imports.import_file)
app.command("import-template")(imports.import_template)
app.command("build-shards")(build_shards_command)
app.command("evaluate-matching")(evaluate_matching_command)
app.command("regulation-coverage")(regulation.regulation_coverage)


def main() -> None:  # pragma: no cover
    from matching.errors import MatchingError
    from matching.logs import install

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install()
    for noisy in ("faiss", "sentence_transformers", "httpx", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        app()
    except MatchingError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
