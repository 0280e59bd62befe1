"""``skillbridge demo``: a synthetic Leipzig data set, indexed and served, with a key for every role."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Annotated

import typer

from matching.cli.common import EscoOption, console, load_settings, progress_bar
from matching.cli.serve import WorkersOption, serve_matcher, serve_workers

DEMO_ORGANISATION = "leipzig"


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
    workers: WorkersOption = 1,
) -> None:
    """Generate a synthetic Leipzig data set, build the indexes and serve the API."""
    from matching.bootstrap import build_matcher, load_taxonomy
    from matching.ingest.synthetic import LeipzigGenerator

    started = time.perf_counter()
    settings = load_settings(
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
    with progress_bar() as bar:
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
    if serve and workers > 1:
        matcher.close()
        serve_workers(settings, host, port, workers)
    elif serve:
        serve_matcher(matcher, host, port)
    else:
        matcher.close()


def employer_id(name: str) -> str:
    """A stable pseudonymous employer id for the demo (the generator names employers, not accounts)."""
    return "emp-" + hashlib.sha256(name.encode()).hexdigest()[:10]
