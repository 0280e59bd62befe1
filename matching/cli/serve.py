"""``skillbridge serve``: the API and pages on the configured database; the web app is imported only here."""

from __future__ import annotations

import threading
import time
from typing import Annotated

import typer

from matching.cli.common import EscoOption, console, load_settings
from matching.service import Matcher


def serve_matcher(matcher: Matcher, host: str, port: int) -> None:
    import uvicorn

    from api.app import create_app
    from matching.logs import log_config

    # Built beside serving, not on the first /normalize: on a full ESCO download the first build embeds every
    # label (minutes; seconds once the embedding cache holds them). Matching is served meanwhile; a free-text
    # request waits for the build (the linkers are built once, under a lock).
    def warm() -> None:
        started = time.perf_counter()
        matcher.linker  # noqa: B018 (builds on first access)
        matcher.autocompleter  # noqa: B018
        console.print(f"Free-text linking ready ({time.perf_counter() - started:.1f} s).")

    threading.Thread(target=warm, name="warm-linking", daemon=True).start()
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


def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    esco: EscoOption = None,
) -> None:
    """Serve the API on the configured database and taxonomy (see SKILLBRIDGE_* settings)."""
    from matching.bootstrap import build_matcher

    settings = load_settings(esco_path=esco)
    with console.status("Loading taxonomy, model and indexes…"):
        matcher = build_matcher(settings)
        outcome = matcher.open()
    console.print(f"Indexes: {outcome}")
    serve_matcher(matcher, host, port)
