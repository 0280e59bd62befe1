"""What every command shares: the console, settings with command-line overrides, progress bars, options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from matching.config import Settings

console = Console(stderr=True)

EscoOption = Annotated[
    Path | None,
    typer.Option(
        "--esco",
        help="ESCO folder (official CSV layout). Default: SKILLBRIDGE_ESCO_PATH or the demo taxonomy.",
    ),
]


def load_settings(**overrides: object) -> Settings:
    """The configured settings with the options given on the command line (None: not given)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def read_model(path: Path, model: type[BaseModel], what: str) -> BaseModel:
    """A JSON file validated against an API model; a usage error naming the file and fields otherwise."""
    try:
        return model.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=what) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors()[:8]
        )
        raise typer.BadParameter(f"{path} is not a valid {what}: {problems}", param_hint=what) from None
