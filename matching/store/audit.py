"""The audit log: who read or changed which personal data, when and why.

Writes are logged in the same database transaction as the change (the repositories take the entries);
reads are logged in their own transaction before the data is returned, so nothing is handed out untraced.
The table is append-only: this module has no update or delete, and database triggers refuse them (see
``matching.store.tables``). The single exception is erasure, which replaces the erased person's id in their events
with a keyed hash (:func:`pseudonymise_events`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, delete, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from matching.access import Actor
from matching.store.tables import AuditEventRow, AuditListedRow, AuditUnlockRow


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ERASE = "erase"
    EXPORT = "export"
    MATCH = "match"
    RELEASE = "release"
    WITHDRAW = "withdraw"  # a release taken back
    REVOKE = "revoke"
    FEEDBACK = "feedback"  # an advisor recorded a decision on a candidate for a vacancy
    SHARE = "share"  # a job seeker shared with another organisation
    HANDOVER = "handover"  # a job seeker's case moved to another organisation
    REFUSE = "refuse"  # a request refused (401, 403, 404, 413, 429): its route template and status, no ids


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: Actor | None  # None: a request without a valid key
    action: Action
    entity_kind: str  # jobseeker, vacancy, api_key, audit, analytics
    entity_id: str | None = None
    context: str | None = None
    listed: tuple[str, ...] = ()  # job seekers the event showed, e.g. a vacancy's candidates (audit_listed)

    def row(self, at: dt.datetime | None = None) -> AuditEventRow:
        return AuditEventRow(**self.values(at))

    def values(self, at: dt.datetime | None = None) -> dict[str, object]:
        return {
            "at": at or dt.datetime.now(dt.UTC),
            "key_id": self.actor.key_id if self.actor else None,
            "role": self.actor.role.value if self.actor else "none",
            "action": self.action.value,
            "entity_kind": self.entity_kind,
            "entity_id": self.entity_id,
            "context": self.context,
            "purpose": self.actor.purpose if self.actor else "-",
        }


def entries(actor: Actor | None, action: Action, kind: str, ids: Iterable[str | None]) -> list[AuditEntry]:
    """One entry per id, or none for trusted library calls (``actor=None``)."""
    if actor is None:
        return []
    return [AuditEntry(actor, action, kind, entity_id) for entity_id in ids]


def refusal(actor: Actor | None, route: str, status: int) -> AuditEntry:
    """A refused request: ``route`` is the method and path template (``GET /api/v1/jobseekers/{seeker_id}``)."""
    return AuditEntry(actor, Action.REFUSE, "request", None, f"{route} -> {status}"[:200])


class AuditEvent(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    key_id: str | None
    role: str
    action: str
    entity_kind: str
    entity_id: str | None
    context: str | None
    purpose: str


def add_entries(session: Session, audit: Sequence[AuditEntry]) -> None:
    if audit:
        _insert(session.connection(), audit)


def _insert(connection: Connection, audit: Sequence[AuditEntry]) -> None:
    at = dt.datetime.now(dt.UTC)
    # Core insert, not ORM objects: an audit entry is written with every request that reads personal data.
    plain = [entry.values(at) for entry in audit if not entry.listed]
    if plain:
        connection.execute(insert(AuditEventRow), plain)
    for entry in audit:
        if entry.listed:
            event = connection.execute(
                insert(AuditEventRow).returning(AuditEventRow.id), [entry.values(at)]
            ).scalar_one()
            people = [{"event_id": event, "jobseeker_id": i} for i in dict.fromkeys(entry.listed)]
            connection.execute(insert(AuditListedRow), people)


def pseudonymise_events(session: Session, kind: str, entity_id: str, replacement: str) -> int:
    """Erasure's one allowed rewrite: ``entity_id`` becomes ``replacement`` in the events about the entity,
    in an administrator's audit queries about it, and wherever a caller's free text (purpose, context) named
    it."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SET LOCAL skillbridge.erasure = 'on'"))
    result = session.execute(
        update(AuditEventRow)
        .where(AuditEventRow.entity_kind.in_([kind, "audit"]), AuditEventRow.entity_id == entity_id)
        .values(entity_id=replacement)
    )
    if kind == "jobseeker":
        session.execute(
            update(AuditListedRow)
            .where(AuditListedRow.jobseeker_id == entity_id)
            .values(jobseeker_id=replacement)
        )
    named = re.compile(rf"(?<![\w-]){re.escape(entity_id)}(?![\w-])")
    pattern = "%" + entity_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    mentions = session.execute(
        select(AuditEventRow.id, AuditEventRow.purpose, AuditEventRow.context).where(
            or_(
                AuditEventRow.purpose.like(pattern, escape="\\"),
                AuditEventRow.context.like(pattern, escape="\\"),
            )
        )
    ).all()
    if mentions and not postgres:
        session.execute(insert(AuditUnlockRow).values(id=1))
    for row in mentions:
        purpose = named.sub(replacement, row.purpose)[:100]
        context = named.sub(replacement, row.context)[:200] if row.context else row.context
        if (purpose, context) != (row.purpose, row.context):
            session.execute(
                update(AuditEventRow)
                .where(AuditEventRow.id == row.id)
                .values(purpose=purpose, context=context)
            )
    if mentions and not postgres:
        session.execute(delete(AuditUnlockRow))
    if postgres:
        session.execute(text("SET LOCAL skillbridge.erasure = 'off'"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class AuditLog:
    def __init__(self, sessions: sessionmaker[Session], writer: Engine | None = None):
        self._sessions = sessions
        self._writer = writer

    def record(self, audit: Sequence[AuditEntry]) -> None:
        """Log reads (and anything else not tied to a change) in a transaction of their own."""
        if not audit:
            return
        if self._writer is None:
            with self._sessions.begin() as session:
                add_entries(session, audit)
            return
        with self._writer.begin() as connection:  # a connection, not a session: this runs with most requests
            _insert(connection, audit)

    def query(
        self,
        *,
        entity_id: str | None = None,
        key_id: str | None = None,
        action: str | None = None,
        entity_kind: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[AuditEvent], int]:
        """Newest first. ``since`` is inclusive, ``until`` exclusive."""
        conditions = []
        if entity_id is not None:
            conditions.append(AuditEventRow.entity_id == entity_id)
        if key_id is not None:
            conditions.append(AuditEventRow.key_id == key_id)
        if action is not None:
            conditions.append(AuditEventRow.action == action)
        if entity_kind is not None:
            conditions.append(AuditEventRow.entity_kind == entity_kind)
        if since is not None:
            conditions.append(AuditEventRow.at >= since)
        if until is not None:
            conditions.append(AuditEventRow.at < until)
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(AuditEventRow).where(*conditions)) or 0
            rows = session.scalars(
                select(AuditEventRow)
                .where(*conditions)
                .order_by(AuditEventRow.id.desc())
                .offset(offset)
                .limit(limit)
            )
            return [AuditEvent.model_validate(row) for row in rows], int(total)

    def about(self, kind: str, entity_id: str, key_ids: Sequence[str] = ()) -> list[AuditEvent]:
        """Events about one entity and events made with the given keys (a person's own), oldest first."""
        condition: ColumnElement[bool] = (AuditEventRow.entity_kind == kind) & (
            AuditEventRow.entity_id == entity_id
        )
        if key_ids:
            condition = or_(condition, AuditEventRow.key_id.in_(list(key_ids)))
        if kind == "jobseeker":  # and every list that showed them
            listed = select(AuditListedRow.event_id).where(AuditListedRow.jobseeker_id == entity_id)
            condition = or_(condition, AuditEventRow.id.in_(listed))
        with self._sessions() as session:
            rows = session.scalars(select(AuditEventRow).where(condition).order_by(AuditEventRow.id))
            return [AuditEvent.model_validate(row) for row in rows]
