"""The change log: every committed change to job seekers and vacancies, in commit order.

Each write appends ``(seq, kind, op, entity_id)`` in its own transaction, so an entry exists exactly when the
change does. Every serving process follows the log (:mod:`matching.service.following`): it reads the entries
after its position and brings the touched rows' vectors and cached documents in step with the database. A
process that missed entries, was killed or starts fresh catches up from its saved index's position.

Commit order must equal ``seq`` order, or a follower could read entry 11, move its position past it and never
see entry 10 committed a moment later. SQLite has one writer at a time, so this holds; on PostgreSQL appends
take a transaction-scoped advisory lock, so the next ``seq`` is drawn only after the previous append committed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from matching.store.tables import ChangeFollowerRow, ChangeLogStateRow, ChangeRow, utcnow

Op = Literal["write", "erase"]
# Any constant: serialises appends to the log on one PostgreSQL database (see the module docstring).
_PG_APPEND_LOCK = 0x5B1D6F
IDENTITY, HORIZON = "identity", "horizon"


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    kind: str  # jobseeker | vacancy
    op: Op  # write: the row was created, replaced or deleted (read it to know which); erase: a person erased
    entity_id: str  # for "erase", the keyed hash of the id (matching.pseudonyms.erased_id)


@dataclass(frozen=True, slots=True)
class Follower:
    name: str
    position: int
    seen_at: dt.datetime


def append(session: Session, kind: str, ids: Sequence[str], op: Op = "write") -> None:
    """Log changes inside the caller's transaction (call it last: the lock is held until the commit)."""
    if not ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_APPEND_LOCK})
    now = utcnow()
    session.execute(insert(ChangeRow), [{"kind": kind, "op": op, "entity_id": i, "at": now} for i in ids])


def forget_entity(session: Session, kind: str, entity_id: str) -> None:
    """Drop an entity's earlier entries (erasure: the log must not keep a person's id)."""
    session.execute(delete(ChangeRow).where(ChangeRow.kind == kind, ChangeRow.entity_id == entity_id))


class ChangeLog:
    def __init__(self, sessions: sessionmaker[Session], writes: sessionmaker[Session]):
        self._sessions = sessions
        self._writes = writes

    def _upsert(self, session: Session, table: type, values: dict, key: str) -> None:
        dialect = session.get_bind().dialect.name
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert_(table).values(**values)
        updates = {k: getattr(statement.excluded, k) for k in values if k != key}
        session.execute(statement.on_conflict_do_update(index_elements=[key], set_=updates))

    def identity(self) -> str:
        """A random id of this log, new whenever the database is emptied: a saved index records it, so an
        index from another database (or from before a reset) is never caught up from the wrong log."""
        with self._sessions() as session:
            found = session.scalar(select(ChangeLogStateRow.value).where(ChangeLogStateRow.name == IDENTITY))
        if found is not None:
            return str(found)
        with self._writes.begin() as session:  # several processes may ask first at once: the first one wins
            dialect = session.get_bind().dialect.name
            insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
            session.execute(
                insert_(ChangeLogStateRow)
                .values(name=IDENTITY, value=secrets.token_hex(16))
                .on_conflict_do_nothing(index_elements=["name"])
            )
            return str(
                session.scalar(select(ChangeLogStateRow.value).where(ChangeLogStateRow.name == IDENTITY))
            )

    def state(self) -> tuple[str | None, int, int]:
        """``(identity, horizon, head)``: entries up to ``horizon`` were pruned; ``head`` is the newest seq."""
        with self._sessions() as session:
            values = dict(session.execute(select(ChangeLogStateRow.name, ChangeLogStateRow.value)).all())
            newest = session.scalar(select(func.max(ChangeRow.seq)))
        horizon = int(values.get(HORIZON, 0))
        return values.get(IDENTITY), horizon, max(horizon, int(newest or 0))

    def since(self, position: int, limit: int = 5000) -> list[Change]:
        with self._sessions() as session:
            rows = session.execute(
                select(ChangeRow.seq, ChangeRow.kind, ChangeRow.op, ChangeRow.entity_id)
                .where(ChangeRow.seq > position)
                .order_by(ChangeRow.seq)
                .limit(limit)
            )
            return [
                Change(int(seq), kind, "erase" if op == "erase" else "write", entity_id)
                for seq, kind, op, entity_id in rows
            ]

    def prune(self, before: dt.datetime) -> int:
        """Delete entries older than ``before`` and remember how far: an index saved before that position is
        then rebuilt instead of caught up. Returns how many entries went."""
        with self._writes.begin() as session:
            last = session.scalar(select(func.max(ChangeRow.seq)).where(ChangeRow.at < before))
            if last is None:
                return 0
            gone = session.execute(delete(ChangeRow).where(ChangeRow.seq <= last)).rowcount  # type: ignore[attr-defined]
            self._upsert(session, ChangeLogStateRow, {"name": HORIZON, "value": str(last)}, "name")
            return int(gone or 0)

    def report(self, name: str, position: int) -> None:
        with self._writes.begin() as session:
            values = {"name": name, "position": position, "seen_at": utcnow()}
            self._upsert(session, ChangeFollowerRow, values, "name")

    def followers(self, seen_within: dt.timedelta) -> list[Follower]:
        """Processes that reported their position recently, newest report first."""
        cutoff = utcnow() - seen_within
        with self._sessions() as session:
            rows = session.scalars(
                select(ChangeFollowerRow)
                .where(ChangeFollowerRow.seen_at >= cutoff)
                .order_by(ChangeFollowerRow.seen_at.desc())
            )
            return [Follower(r.name, int(r.position), r.seen_at) for r in rows]

    def forget_followers(self, seen_before: dt.datetime) -> None:
        with self._writes.begin() as session:
            session.execute(delete(ChangeFollowerRow).where(ChangeFollowerRow.seen_at < seen_before))
