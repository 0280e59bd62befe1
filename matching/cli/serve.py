"""``skillbridge serve``: the API and pages on the configured database; the web app is imported only here.

One process serves with threads; ``--workers N`` starts N processes (uvicorn on uvloop). Every process follows
the database's change log, so all of them, and replicas on other machines on the same PostgreSQL, show the
same rows (docs/deployment.md).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Annotated

import typer

from matching.cli.common import EscoOption, console, load_settings
from matching.config import Settings
from matching.service import Matcher
from matching.store.engine import in_memory

# Seconds a worker may leave uvicorn's health ping unanswered before it is replaced (see serve_workers).
HEALTHCHECK_SECONDS = 30

WorkersOption = Annotated[
    int,
    typer.Option(
        min=1,
        max=64,
        help="Server processes (uvicorn workers on uvloop). Each loads the model and indexes; one per core.",
    ),
]


def serve_matcher(matcher: Matcher, host: str, port: int) -> None:
    """Serve one process with an open matcher; free-text linking warms beside serving, from the moment the
    server listens (started before, it would compete with the server's own start for both cores)."""
    import uvicorn

    from api.app import create_app
    from matching.logs import log_config

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(matcher=matcher),
            host=host,
            port=port,
            log_config=log_config(access_log=True),
            access_log=True,
        )
    )

    def warm_once_listening() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            matcher.warm_in_background(
                lambda seconds: console.print(f"Free-text linking ready ({seconds:.1f} s).")
            )

    threading.Thread(target=warm_once_listening, name="warm-up start", daemon=True).start()
    try:
        server.run()
    finally:
        matcher.close()


def worker_environment(settings: Settings, workers: int) -> dict[str, str]:
    """What the worker processes read their settings from (they build their own matcher from it)."""
    env = {
        "SKILLBRIDGE_ESCO_PATH": str(settings.esco_path),
        "SKILLBRIDGE_DATA_DIR": str(settings.data_dir),
        "SKILLBRIDGE_DATABASE_URL": settings.resolved_database_url,
        "SKILLBRIDGE_VOCABULARY": ",".join(str(p) for p in settings.vocabulary),
        "SKILLBRIDGE_GLOSSARY": ",".join(str(p) for p in settings.glossary),
    }
    if settings.embedding_threads is None:  # share the cores instead of each worker taking all of them
        env["SKILLBRIDGE_EMBEDDING_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    return env


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve ``workers`` processes. The indexes are brought up to date and saved first, so each worker loads
    them instead of rebuilding; uvicorn restarts a worker that dies."""
    import uvicorn

    from matching.bootstrap import build_matcher
    from matching.logs import log_config

    if in_memory(settings.resolved_database_url):
        raise typer.BadParameter("workers cannot share an in-memory database", param_hint="--workers")
    with console.status("Bringing the indexes up to date…"):
        matcher = build_matcher(settings)
        outcome = matcher.open()
        matcher.close()
        del matcher
    console.print(f"Indexes: {outcome}; starting {workers} workers.")
    os.environ.update(worker_environment(settings, workers))
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",  # uvicorn's default loop adds ~44 ms per keep-alive request with several workers
        log_config=log_config(access_log=True),
        access_log=True,
        # uvicorn replaces a worker that misses one health ping. The ping is answered by a thread that starts
        # only after the worker has re-imported the command line (~2 s on an idle two-core host, several
        # times that on a loaded one); with uvicorn's 5 s a busy host can replace every new worker before it
        # serves, for ever. A worker that is really hung is still replaced, after half a minute.
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
    )


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: WorkersOption = 1,
    esco: EscoOption = None,
) -> None:
    """Serve the API on the configured database and taxonomy (see SKILLBRIDGE_* settings)."""
    from matching.bootstrap import build_matcher

    settings = load_settings(esco_path=esco)
    if workers > 1:
        serve_workers(settings, host, port, workers)
        return
    with console.status("Loading taxonomy, model and indexes…"):
        matcher = build_matcher(settings)
        outcome = matcher.open()
        matcher.linking.wait_for_models()  # a model that cannot be loaded stops the start
    console.print(f"Indexes: {outcome}")
    serve_matcher(matcher, host, port)
