"""``skillbridge keys``: create, list and revoke API keys on the server (stored only as SHA-256 hashes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from matching.access import command_line_actor
from matching.cli.common import console, load_settings
from matching.errors import InvalidInputError
from matching.service.admin import KeyAdministration
from matching.service.webhooks import SECRET_NAME as WEBHOOK_SECRET
from matching.store.storage import Storage

keys_app = typer.Typer(help="Create, list and revoke API keys (stored only as SHA-256 hashes).")


@contextmanager
def _keys() -> Iterator[KeyAdministration]:
    """Key management on the configured database only: no taxonomy, model or index is loaded."""
    storage = Storage(load_settings().resolved_database_url)
    try:
        yield KeyAdministration(storage)
    finally:
        storage.dispose()


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
    with _keys() as keys:
        try:
            record, key = keys.create(
                role, organisation, subject, label, command_line_actor(organisation, "key management")
            )
        except InvalidInputError as exc:
            raise typer.BadParameter(exc.message, param_hint=f"--{exc.field.replace('_id', '')}") from None
    console.print(
        f"Created {record.id} ({record.role.value}, {record.organisation}"
        f"{', ' + record.subject_id if record.subject_id else ''}). Store the key now: it is shown only once."
    )
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id (key-…), not the key.")]) -> None:
    """Revoke a key: it stops working at once; its record stays for the audit log."""
    with _keys() as keys:
        record = keys.revoke(key_id, command_line_actor("-", "key management"))
    console.print(f"Revoked {record.id} ({record.role.value}, {record.organisation}).")


@keys_app.command("list")
def keys_list() -> None:
    """Every key with role, organisation, subject and state; never the keys themselves."""
    with _keys() as keys:
        records = keys.all()
    typer.echo("| id | role | organisation | subject | label | created | revoked |")
    typer.echo("|---|---|---|---|---|---|---|")
    for r in records:
        revoked = r.revoked_at.strftime("%Y-%m-%d %H:%M") if r.revoked_at else ""
        typer.echo(
            f"| {r.id} | {r.role.value} | {r.organisation} | {r.subject_id or ''} | {r.label or ''} "
            f"| {r.created_at:%Y-%m-%d %H:%M} | {revoked} |"
        )


@keys_app.command("webhook-secret")
def keys_webhook_secret() -> None:
    """Print the secret that signs alert webhooks (X-Skillbridge-Signature: sha256=HMAC of the body), for the
    receiving system to check where an alert comes from."""
    storage = Storage(load_settings().resolved_database_url)
    try:
        typer.echo(storage.secret(WEBHOOK_SECRET).hex())
    finally:
        storage.dispose()
