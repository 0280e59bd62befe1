"""Free text to ESCO in bulk: link a file of texts, score a run, adapt the model to a taxonomy."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from matching.cli.common import EscoOption, console, load_settings, progress_bar


def evaluate(
    run: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="TREC run file: 'qid Q0 doc rank score run' per line."
        ),
    ],
    qrels: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="TREC qrels file: 'qid 0 doc relevance' per line."),
    ],
    k: Annotated[
        list[int] | None,
        typer.Option(
            "--k",
            min=1,
            show_default="1 5 10",
            help="Cut-off for Acc@k, RP@k and nDCG@k; repeat for several.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a markdown table.")] = False,
) -> None:
    """Score a ranked run against relevance judgements: MRR, MAP, Acc@k, RP@k and nDCG@k.

    Means are over queries with a relevant document in the qrels; run queries without qrels are ignored.
    """
    from matching.evaluation.metrics import evaluate as evaluate_run
    from matching.evaluation.trec import read_qrels, read_run

    metrics = evaluate_run(read_run(run), read_qrels(qrels), ks=k or (1, 5, 10))
    if as_json:
        typer.echo(json.dumps(metrics, indent=2))
        return
    rows = [
        f"| {name} | {value if isinstance(value, int) else f'{value:.4f}'} |"
        for name, value in metrics.items()
    ]
    typer.echo("\n".join(["| metric | value |", "|:--|--:|", *rows]))


def link(
    input_tsv: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="One 'id<TAB>text' per line (UTF-8).")
    ],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="TREC run file to write.")],
    kind: Annotated[str, typer.Option(help="occupation (job titles) or skill (sentences).")] = "occupation",
    k: Annotated[int, typer.Option(min=1, max=1000, help="Concepts per text.")] = 100,
    run_name: Annotated[str, typer.Option(help="Run name in the last column.")] = "skillbridge",
    esco: EscoOption = None,
) -> None:
    """Link many texts to ESCO concepts and write a TREC run (qid Q0 concept_uri rank score run)."""
    from matching.bootstrap import load_glossary, load_taxonomy, make_embedders
    from matching.evaluation.trec import write_run
    from matching.linking.batch import link_batch, read_tsv
    from matching.linking.taxonomy_linker import TaxonomyLinker

    if kind not in ("occupation", "skill"):
        raise typer.BadParameter(f"must be 'occupation' or 'skill', got {kind!r}", param_hint="--kind")
    rows = read_tsv(input_tsv)
    settings = load_settings(esco_path=esco)
    taxonomy = load_taxonomy(settings)
    with console.status("Building the linker (the first run on a large taxonomy embeds every label)…"):
        embedder, english = make_embedders(settings)
        linker = TaxonomyLinker(
            taxonomy, embedder, english_embedder=english, glossary=load_glossary(settings)
        )
    concept_linker = linker.occupations if kind == "occupation" else linker.skills
    started = time.perf_counter()
    run = link_batch(concept_linker, rows, k)
    write_run(output, run, run_name)
    elapsed = time.perf_counter() - started
    console.print(
        f"Linked {len(rows)} texts in {elapsed:.1f} s ({1000 * elapsed / max(1, len(rows)):.1f} ms each) → {output}"
    )


def train_linker(
    output: Annotated[
        Path,
        typer.Argument(
            help="Folder for the adapted model (a sentence-transformers model; e5: a model file)."
        ),
    ],
    esco: EscoOption = None,
    epochs: Annotated[int, typer.Option(min=1, max=20)] = 1,
    max_pairs: Annotated[
        int | None, typer.Option(min=100, help="Cap the training pairs (quick runs).")
    ] = None,
) -> None:
    """Adapt the embedding model to an ESCO download using only ESCO's own labels and descriptions.

    Use the result with SKILLBRIDGE_EMBEDDING_MODEL=<what it prints>.
    """
    from matching.embedding.e5 import PACKAGED_E5, is_model_file
    from matching.linking.training import train, train_e5
    from matching.taxonomy.esco import load_esco

    settings = load_settings(esco_path=esco)
    taxonomy = load_esco(settings.esco_path)
    e5 = settings.embedding_model == PACKAGED_E5 or is_model_file(settings.embedding_model)
    with progress_bar() as bar:
        task = bar.add_task("Training", total=None)

        def advance(step: int, total: int, loss: float) -> None:
            bar.update(task, completed=step, total=total, description=f"Training (loss {loss:.3f})")

        if e5:
            weights = None if settings.embedding_model == PACKAGED_E5 else Path(settings.embedding_model)
            result = train_e5(
                taxonomy,
                output / "e5-model.bin",
                weights,
                epochs=epochs,
                max_pairs=max_pairs,
                progress=advance,
            )
        else:
            result = train(
                taxonomy,
                output,
                settings.embedding_model,
                epochs=epochs,
                max_pairs=max_pairs,
                progress=advance,
            )
    console.print(f"Saved to {result}. Use it with SKILLBRIDGE_EMBEDDING_MODEL={result}")
