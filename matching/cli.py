"""The ``skillbridge`` command."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from matching.cli_distributed import build_shards_command
from matching.cli_evaluation import evaluate_matching_command
from matching.config import Settings
from matching.service import Matcher

if TYPE_CHECKING:
    from matching.access import Kind
    from matching.storage import Storage

DEMO_ORGANISATION = "leipzig"

# Quiet third-party progress bars and hub look-ups: the model is local and our own bars say enough.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(
    help="skillbridge: explained skills matching between job seekers and vacancies.", no_args_is_help=True
)
console = Console(stderr=True)

EscoOption = Annotated[
    Path | None,
    typer.Option(
        "--esco",
        help="ESCO folder (official CSV layout). Default: SKILLBRIDGE_ESCO_PATH or the demo taxonomy.",
    ),
]


def _settings(**overrides: object) -> Settings:
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    esco: EscoOption = None,
    jobseekers: Annotated[int, typer.Option(min=1, max=2_000_000, help="Synthetic job seekers.")] = 3000,
    vacancies: Annotated[int, typer.Option(min=1, max=1_000_000, help="Synthetic vacancies.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 7,
    data_dir: Annotated[Path, typer.Option(help="Where the demo database and indexes go.")] = Path(
        "var/demo"
    ),
    serve: Annotated[
        bool, typer.Option(help="Serve the API after building (--no-serve to stop there).")
    ] = True,
) -> None:
    """Generate a synthetic Leipzig data set, build the indexes and serve the API."""
    from matching.bootstrap import build_matcher, load_taxonomy
    from matching.synthetic import LeipzigGenerator

    started = time.perf_counter()
    settings = _settings(
        esco_path=esco, data_dir=data_dir, database_url=f"sqlite:///{(data_dir / 'demo.db').as_posix()}"
    )
    with console.status("Loading taxonomy…"):
        taxonomy = load_taxonomy(settings)
    console.print(
        f"Taxonomy: {len(taxonomy.occupations)} occupations, {len(taxonomy.skills)} skills, "
        f"languages {', '.join(taxonomy.languages)} ({settings.esco_path})"
    )
    with console.status("Generating synthetic Leipzig data…"):
        dataset = LeipzigGenerator(taxonomy, seed=seed).generate(jobseekers, vacancies)
        job_offers = [
            v.model_copy(update={"employer_id": employer_id(v.employer)}) for v in dataset.vacancies
        ]
    with console.status(f"Loading the embedding model ({settings.embedding_model})…"):
        matcher = build_matcher(settings, taxonomy)
    matcher.storage.clear()  # the demo always starts from its own fresh data set
    with _progress() as bar:
        task = bar.add_task("Storing and indexing", total=len(dataset.jobseekers) + len(dataset.vacancies))
        state = {"base": 0, "last": 0}

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=state["base"] + done)
            if done == total:
                state["base"] += total

        matcher.bulk_load(dataset.jobseekers, job_offers, progress=advance, organisation=DEMO_ORGANISATION)
    seeker_id, vacancy = dataset.jobseekers[0].id, job_offers[0]
    keys = {
        role: matcher.storage.keys.create(role, DEMO_ORGANISATION, subject, label="demo")[1]
        for role, subject in (
            ("advisor", None),
            ("jobseeker", seeker_id),
            ("employer", vacancy.employer_id),
            ("analyst", None),
            ("admin", None),
        )
    }
    elapsed = time.perf_counter() - started
    console.print(
        f"[green]Ready[/green] in {elapsed:.1f} s: {len(matcher.seekers.index)} job seekers and "
        f"{len(matcher.vacancies.index)} vacancies indexed."
    )
    base = f"http://{host}:{port}"
    api = f"{base}/api/v1"

    def curl(role: str, url: str) -> str:
        return f"  curl -s -H 'Authorization: Bearer {keys[role]}' '{url}'"

    print(
        f"\nAPI keys for the organisation {DEMO_ORGANISATION!r} (shown once; only their hashes are stored):\n"
        f"  advisor    {keys['advisor']}\n"
        f"  jobseeker  {keys['jobseeker']}  (job seeker {seeker_id})\n"
        f"  employer   {keys['employer']}  (employer {vacancy.employer_id}, e.g. vacancy {vacancy.id})\n"
        f"  analyst    {keys['analyst']}\n"
        f"  admin      {keys['admin']}\n"
        "\nTry:\n"
        f"  curl -s '{base}/health'\n"
        f"{curl('advisor', f'{api}/vacancies/{vacancy.id}/candidates?k=5')}\n"
        f"{curl('advisor', f'{api}/jobseekers/{seeker_id}/vacancies?k=5&offset=5')}\n"
        f"{curl('advisor', f'{api}/jobseekers/{seeker_id}')}\n"
        f"{curl('jobseeker', f'{api}/jobseekers/{seeker_id}/vacancies?k=3&lang=uk')}\n"
        f"{curl('employer', f'{api}/vacancies/{vacancy.id}/candidates?k=3')}\n"
        f"{curl('advisor', f'{api}/vacancies/{vacancy.id}/candidates/export?format=csv&lang=de')}\n"
        f"{curl('analyst', f'{api}/analytics/jobseekers?format=csv')}\n"
        f"{curl('admin', f'{api}/audit?limit=5')}\n"
        f"  API docs: {base}/docs (Authorize with a key)\n"
        "\nPages (paste a key on the sign-in page; it opens the page for the key's role):\n"
        f"  sign in          {base}/app/login\n"
        f"  advisor console  {base}/app/advisor?lang=de   (advisor key)\n"
        f"  job-seeker page  {base}/app/jobseeker?lang=uk   (jobseeker key: job seeker {seeker_id})\n"
    )
    if serve:
        _serve(matcher, host, port)
    else:
        matcher.close()


def _serve(matcher: Matcher, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app
    from api.logs import log_config

    # Built before serving, not on the first /normalize: on a full ESCO download the first build embeds
    # every label (minutes; seconds once the embedding cache holds them).
    started = time.perf_counter()
    with console.status("Preparing free-text linking…"):
        matcher.linker  # noqa: B018 (builds on first access)
        matcher.autocompleter  # noqa: B018
    console.print(f"Free-text linking ready ({time.perf_counter() - started:.1f} s).")
    try:
        uvicorn.run(
            create_app(matcher=matcher),
            host=host,
            port=port,
            log_config=log_config(access_log=True),
            access_log=True,
        )
    finally:
        matcher.close()


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    esco: EscoOption = None,
) -> None:
    """Serve the API on the configured database and taxonomy (see SKILLBRIDGE_* settings)."""
    from matching.bootstrap import build_matcher

    settings = _settings(esco_path=esco)
    with console.status("Loading taxonomy, model and indexes…"):
        matcher = build_matcher(settings)
        outcome = matcher.open()
    console.print(f"Indexes: {outcome}")
    _serve(matcher, host, port)


@app.command()
def taxonomy(esco: EscoOption = None) -> None:
    """Load an ESCO folder and print what it holds (checks the layout)."""
    from matching.esco import load_esco
    from matching.vocabulary import with_vocabulary

    settings = _settings(esco_path=esco)
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


@app.command("rebuild-index")
def rebuild_index(esco: EscoOption = None) -> None:
    """Rebuild both vector indexes from the database (the source of truth)."""
    from matching.bootstrap import build_matcher

    matcher = build_matcher(_settings(esco_path=esco))
    with _progress() as bar:
        task = bar.add_task("Rebuilding", total=None)
        matcher.rebuild_indexes(lambda done, total: bar.update(task, completed=done, total=total))
    console.print(
        f"Indexed {len(matcher.seekers.index)} job seekers and {len(matcher.vacancies.index)} vacancies."
    )
    matcher.close()


def _read_model(path: Path, model: type[BaseModel], what: str) -> BaseModel:
    try:
        return model.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=what) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors()[:8]
        )
        raise typer.BadParameter(f"{path} is not a valid {what}: {problems}", param_hint=what) from None


@app.command("what-if")
def what_if(
    jobseeker: Annotated[Path, typer.Argument(help="Job seeker as JSON (the API's JobSeeker schema).")],
    vacancy: Annotated[Path, typer.Argument(help="Vacancy as JSON (the API's Vacancy schema).")],
    esco: EscoOption = None,
    lang: Annotated[str, typer.Option(help="Language of skill labels: de, en or uk.")] = "en",
) -> None:
    """Assess one job seeker against one vacancy, both given as files; nothing is stored.

    Prints eligibility (eligible, bridge or blocked with reasons), score, explanation and next steps as JSON.
    """
    from matching.bootstrap import load_taxonomy
    from matching.embedding import make_embedder
    from matching.service import Matcher
    from matching.storage import Storage
    from models import JobSeeker, Vacancy

    seeker = _read_model(jobseeker, JobSeeker, "jobseeker")
    job = _read_model(vacancy, Vacancy, "vacancy")
    settings = _settings(esco_path=esco)
    taxonomy = load_taxonomy(settings)
    embedder = make_embedder(settings.embedding_model, settings.embedding_cache_path)
    matcher = Matcher(taxonomy, embedder, Storage("sqlite://"), index_dir=None, language=lang)
    result = matcher.what_if(seeker, job)  # type: ignore[arg-type]
    typer.echo(result.model_dump_json(indent=2))


@app.command()
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


@app.command()
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
    from matching.bootstrap import load_taxonomy
    from matching.embedding import make_embedder
    from matching.evaluation.trec import write_run
    from matching.linking.batch import link_batch, read_tsv
    from matching.linking.linker import TaxonomyLinker

    if kind not in ("occupation", "skill"):
        raise typer.BadParameter(f"must be 'occupation' or 'skill', got {kind!r}", param_hint="--kind")
    rows = read_tsv(input_tsv)
    settings = _settings(esco_path=esco)
    taxonomy = load_taxonomy(settings)
    with console.status("Building the linker (the first run on a large taxonomy embeds every label)…"):
        linker = TaxonomyLinker(
            taxonomy, make_embedder(settings.embedding_model, settings.embedding_cache_path)
        )
    concept_linker = linker.occupations if kind == "occupation" else linker.skills
    started = time.perf_counter()
    run = link_batch(concept_linker, rows, k)
    write_run(output, run, run_name)
    elapsed = time.perf_counter() - started
    console.print(
        f"Linked {len(rows)} texts in {elapsed:.1f} s ({1000 * elapsed / max(1, len(rows)):.1f} ms each) → {output}"
    )


@app.command("train-linker")
def train_linker(
    output: Annotated[Path, typer.Argument(file_okay=False, help="Folder for the adapted model.")],
    esco: EscoOption = None,
    epochs: Annotated[int, typer.Option(min=1, max=20)] = 1,
    max_pairs: Annotated[
        int | None, typer.Option(min=100, help="Cap the training pairs (quick runs).")
    ] = None,
) -> None:
    """Adapt the embedding model to an ESCO download using only ESCO's own labels and descriptions.

    Use the result with SKILLBRIDGE_EMBEDDING_MODEL=<output>.
    """
    from matching.esco import load_esco
    from matching.linking.training import train

    settings = _settings(esco_path=esco)
    taxonomy = load_esco(settings.esco_path)
    with _progress() as bar:
        task = bar.add_task("Training", total=None)

        def advance(step: int, total: int, loss: float) -> None:
            bar.update(task, completed=step, total=total, description=f"Training (loss {loss:.3f})")

        train(
            taxonomy, output, settings.embedding_model, epochs=epochs, max_pairs=max_pairs, progress=advance
        )
    console.print(f"Saved to {output}. Use it with SKILLBRIDGE_EMBEDDING_MODEL={output}")


def employer_id(name: str) -> str:
    """A stable pseudonymous employer id for the demo (the generator names employers, not accounts)."""
    return "emp-" + hashlib.sha256(name.encode()).hexdigest()[:10]


# -- API keys -------------------------------------------------------------------------------------------

keys_app = typer.Typer(help="Create, list and revoke API keys (stored only as SHA-256 hashes).")
app.add_typer(keys_app, name="keys")


def _storage() -> Storage:
    from matching.storage import Storage

    return Storage(_settings().resolved_database_url)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="advisor, jobseeker, employer, analyst or admin.")],
    organisation: Annotated[str, typer.Option(help="Organisation the key acts for, e.g. leipzig.")],
    subject: Annotated[
        str | None, typer.Option(help="jobseeker keys: the job seeker id; employer keys: the employer id.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="What the key is for (no names).")] = None,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    from matching.access import command_line_actor
    from matching.errors import InvalidInputError

    storage = _storage()
    try:
        record, key = storage.keys.create(
            role, organisation, subject, label, command_line_actor(organisation, "key management")
        )
    except InvalidInputError as exc:
        raise typer.BadParameter(exc.message, param_hint=f"--{exc.field.replace('_id', '')}") from None
    finally:
        storage.dispose()
    console.print(
        f"Created {record.id} ({record.role.value}, {record.organisation}"
        f"{', ' + record.subject_id if record.subject_id else ''}). Store the key now: it is shown only once."
    )
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id (key-…), not the key.")]) -> None:
    """Revoke a key: it stops working at once; its record stays for the audit log."""
    from matching.access import command_line_actor

    storage = _storage()
    try:
        record = storage.keys.revoke(key_id, command_line_actor("-", "key management"))
    finally:
        storage.dispose()
    console.print(f"Revoked {record.id} ({record.role.value}, {record.organisation}).")


@keys_app.command("list")
def keys_list() -> None:
    """Every key with role, organisation, subject and state; never the keys themselves."""
    storage = _storage()
    try:
        records = storage.keys.all()
    finally:
        storage.dispose()
    typer.echo("| id | role | organisation | subject | label | created | revoked |")
    typer.echo("|---|---|---|---|---|---|---|")
    for r in records:
        revoked = r.revoked_at.strftime("%Y-%m-%d %H:%M") if r.revoked_at else ""
        typer.echo(
            f"| {r.id} | {r.role.value} | {r.organisation} | {r.subject_id or ''} | {r.label or ''} "
            f"| {r.created_at:%Y-%m-%d %H:%M} | {revoked} |"
        )


# -- bulk import -------------------------------------------------------------------------------------------

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


@app.command("import")
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

    A server already running keeps its indexes until it restarts; import through the API to avoid that.
    """
    from matching.access import command_line_actor
    from matching.bootstrap import build_matcher
    from matching.bulk import ImportReport
    from matching.errors import ImportRejectedError

    checked = _kind(kind, file)
    matcher = build_matcher(_settings(esco_path=esco))
    matcher.open()
    actor = command_line_actor(organisation, "bulk import")
    try:
        with _progress() as bar:
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


@app.command("import-template")
def import_template(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The .xlsx or .csv file to write.")],
    kind: KindOption = None,
) -> None:
    """Write an empty import sheet with every column (in .xlsx with a help sheet explaining each)."""
    from matching.bulk import write_template

    checked = _kind(kind, file)
    if file.suffix.lower() not in (".xlsx", ".csv"):
        raise typer.BadParameter(f"must end in .xlsx or .csv; got {file.name!r}", param_hint="FILE")
    write_template(checked, file)
    console.print(f"Wrote {file}.")


app.command("build-shards")(build_shards_command)
app.command("evaluate-matching")(evaluate_matching_command)


def main() -> None:  # pragma: no cover
    from api.logs import install

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install()
    for noisy in ("faiss", "sentence_transformers", "httpx", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        app()
    except Exception as exc:
        from matching.errors import MatchingError

        if isinstance(exc, MatchingError):
            console.print(f"[red]error:[/red] {exc}")
            sys.exit(2)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
