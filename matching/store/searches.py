"""Saved searches and their alerts, and the exactly-once evaluation of the change log for them.

Every serving process follows the change log, but an alert must be raised once, not once per process: the
evaluation position is a row of ``change_log_state`` that the evaluating transaction locks (PostgreSQL
``FOR UPDATE``; SQLite writers are serialised anyway), so whichever process comes first evaluates a range of
entries and advances the position in the same transaction as the alerts it writes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from matching.errors import NotFoundError
from matching.store.audit import AuditEntry, add_entries
from matching.store.tables import AlertRow, ChangeLogStateRow, SavedSearchRow, utcnow

# Per listed id, the saved searches whose top holds it; under None, those holding an erased member's place.
Members = dict[str | None, set[str]]

ALERT_POSITION = "alerts"
SEARCHES_VERSION = "saved_searches"  # changes whenever a saved search is created, deleted or its top changes


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: str
    organisation: str
    owner_key_id: str
    kind: str  # candidates (subject: a vacancy) | vacancies (subject: a job seeker)
    subject_id: str
    k: int
    filters: dict[str, Any]
    top: list[list[Any]]  # [[id, score], …] best first: who is in the top k now
    created_at: dt.datetime
    webhook: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    search_id: str
    entity_id: str
    match: dict[str, Any]
    created_at: dt.datetime
    read_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PendingWebhook:
    alert_id: int
    url: str
    search_id: str
    kind: str
    subject_id: str
    entity_id: str
    match: dict[str, Any]
    created_at: dt.datetime


WEBHOOK_LEASE = dt.timedelta(seconds=60)  # a claimed alert is another process's again after this
WEBHOOK_ATTEMPTS = 5


@dataclass
class Outcome:
    """What evaluating a range of the log decided: alerts to raise, tops to store, searches whose subject is gone."""

    alerts: list[tuple[SavedSearch, str, dict[str, Any]]] = field(default_factory=list)
    tops: dict[str, list[list[Any]]] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)


def _search(row: SavedSearchRow) -> SavedSearch:
    return SavedSearch(
        row.id, row.organisation, row.owner_key_id, row.kind, row.subject_id, row.k, dict(row.filters),
        [list(t) for t in row.top], row.created_at, row.webhook,
    )  # fmt: skip


def _alert(row: AlertRow) -> Alert:
    return Alert(row.id, row.search_id, row.entity_id, dict(row.match), row.created_at, row.read_at)


class SavedSearches:
    def __init__(self, sessions: sessionmaker[Session], writes: sessionmaker[Session]):
        self._sessions = sessions
        self._writes = writes
        # Every saved search, as of a version: the evaluation reads them with each write, so they are reloaded
        # only when some process changed one.
        self._cached: tuple[str, list[SavedSearch], Members] | None = None

    @staticmethod
    def _bump(session: Session) -> str:
        version = secrets.token_hex(8)
        conn = session.connection()
        row = ChangeLogStateRow
        if not conn.execute(update(row).where(row.name == SEARCHES_VERSION).values(value=version)).rowcount:
            conn.execute(insert(row).values(name=SEARCHES_VERSION, value=version))
        return version

    def create(
        self,
        organisation: str,
        owner_key_id: str,
        kind: str,
        subject_id: str,
        k: int,
        filters: dict[str, Any],
        top: list[list[Any]],
        audit: Sequence[AuditEntry] = (),
        webhook: str | None = None,
    ) -> SavedSearch:
        row = SavedSearchRow(
            id="ss-" + secrets.token_hex(8), organisation=organisation, owner_key_id=owner_key_id, kind=kind,
            subject_id=subject_id, k=k, filters=filters, top=top, created_at=utcnow(), webhook=webhook,
        )  # fmt: skip
        with self._writes.begin() as session:
            session.add(row)
            add_entries(session, [replace(e, entity_id=row.id) for e in audit])
            self._bump(session)
        return _search(row)

    def of_owner(self, owner_key_id: str) -> list[SavedSearch]:
        with self._sessions() as session:
            rows = session.scalars(
                select(SavedSearchRow)
                .where(SavedSearchRow.owner_key_id == owner_key_id)
                .order_by(SavedSearchRow.created_at, SavedSearchRow.id)
            )
            return [_search(r) for r in rows]

    def all(self) -> list[SavedSearch]:
        with self._sessions() as session:
            return [_search(r) for r in session.scalars(select(SavedSearchRow))]

    def delete(self, search_id: str, owner_key_id: str, audit: Sequence[AuditEntry] = ()) -> None:
        with self._writes.begin() as session:
            gone = session.execute(
                delete(SavedSearchRow).where(
                    SavedSearchRow.id == search_id, SavedSearchRow.owner_key_id == owner_key_id
                )
            ).rowcount  # type: ignore[attr-defined]
            if not gone:
                raise NotFoundError("saved search", search_id)
            add_entries(session, audit)
            self._bump(session)

    # -- alerts -----------------------------------------------------------------------------------

    def alerts(
        self, owner_key_id: str, unread_only: bool = False, offset: int = 0, limit: int = 50
    ) -> tuple[list[Alert], int, int]:
        """A page of the owner's alerts, newest first; how many there are; how many are unread."""
        mine = AlertRow.owner_key_id == owner_key_id
        with self._sessions() as session:
            statement = select(AlertRow).where(mine)
            if unread_only:
                statement = statement.where(AlertRow.read_at.is_(None))
            rows = session.scalars(statement.order_by(AlertRow.id.desc()).offset(offset).limit(limit))
            items = [_alert(r) for r in rows]
            unread = session.scalar(
                select(func.count()).select_from(AlertRow).where(mine, AlertRow.read_at.is_(None))
            )
            total = (
                unread
                if unread_only
                else session.scalar(select(func.count()).select_from(AlertRow).where(mine))
            )
        return items, int(total or 0), int(unread or 0)

    def mark_read(self, alert_id: int, owner_key_id: str) -> None:
        with self._writes.begin() as session:
            row = session.get(AlertRow, alert_id)
            if row is None or row.owner_key_id != owner_key_id:
                raise NotFoundError("alert", str(alert_id))
            if row.read_at is None:
                row.read_at = utcnow()

    # -- evaluating the change log, once ---------------------------------------------------------

    def evaluate(self, until: int, decide: Callable[[int, int, list[SavedSearch], Members], Outcome]) -> int:
        """Evaluate the log's entries after the stored position up to ``until`` with ``decide`` and store the
        outcome, in one transaction that holds the position. Returns how many alerts were raised."""
        state = ChangeLogStateRow
        with self._writes.begin() as session:
            # Core statements on the connection throughout: this runs after every write, and the ORM's unit
            # of work would cost more than the statements themselves.
            conn = session.connection()
            stored = conn.execute(
                select(state.value).where(state.name == ALERT_POSITION).with_for_update()
            ).scalar()
            if stored is None:  # first use: nothing before now raises alerts
                conn.execute(insert(state).values(name=ALERT_POSITION, value=str(until)))
                return 0
            position = int(stored)
            if position >= until:
                return 0
            searches, members = self._current(session)
            outcome = decide(position, until, searches, members)
            now = utcnow()
            if outcome.alerts:
                conn.execute(
                    insert(AlertRow),
                    [
                        {"search_id": search.id, "owner_key_id": search.owner_key_id, "entity_id": entity_id,
                         "match": match, "created_at": now, "read_at": None, "webhook_attempts": 0,
                         "webhook_state": "pending" if search.webhook else None,
                         "webhook_due": now if search.webhook else None}
                        for search, entity_id, match in outcome.alerts
                    ],
                )  # fmt: skip
            if outcome.tops:  # one executemany, not a statement per search
                conn.execute(
                    update(SavedSearchRow)
                    .where(SavedSearchRow.id == bindparam("sid"))
                    .values(top=bindparam("new_top")),
                    [{"sid": sid, "new_top": top} for sid, top in outcome.tops.items()],
                )
            if outcome.gone:
                conn.execute(delete(SavedSearchRow).where(SavedSearchRow.id.in_(outcome.gone)))
            conn.execute(update(state).where(state.name == ALERT_POSITION).values(value=str(until)))
            if outcome.tops or outcome.gone:
                version = self._bump(session)
                changed = outcome.gone | set(outcome.tops)
                for search in searches:  # who is in which top, kept in step with the changed tops
                    if search.id not in changed:
                        continue
                    for entry in search.top:
                        members.get(entry[0], set()).discard(search.id)
                    if search.id not in outcome.gone:
                        for entry in outcome.tops[search.id]:
                            members.setdefault(entry[0], set()).add(search.id)
                kept = [
                    (replace(s, top=outcome.tops[s.id]) if s.id in outcome.tops else s)
                    if s.id in changed
                    else s
                    for s in searches
                    if s.id not in outcome.gone
                ]
                self._cached = (version, kept, members)
            return len(outcome.alerts)

    def _current(self, session: Session) -> tuple[list[SavedSearch], Members]:
        """Every saved search and, per listed id, the searches whose top holds it (cached per version); under
        None, the searches holding the place of an erased member."""
        version = session.scalar(
            select(ChangeLogStateRow.value).where(ChangeLogStateRow.name == SEARCHES_VERSION)
        )
        if version is None:
            return [], {}
        if self._cached is None or self._cached[0] != version:
            searches = [_search(r) for r in session.scalars(select(SavedSearchRow))]
            members: Members = {}
            for search in searches:
                for entry in search.top:  # None: an erased member's place
                    members.setdefault(entry[0], set()).add(search.id)
            self._cached = (str(version), searches, members)
        return self._cached[1], self._cached[2]

    # -- erasure ---------------------------------------------------------------------------------

    def forget_jobseeker(self, session: Session, seeker_id: str) -> None:
        """Inside the erasure's transaction: their searches, alerts about them, and their place in tops."""
        session.execute(
            delete(SavedSearchRow).where(
                SavedSearchRow.kind == "vacancies", SavedSearchRow.subject_id == seeker_id
            )
        )
        session.execute(delete(AlertRow).where(AlertRow.entity_id == seeker_id))
        for row in session.scalars(select(SavedSearchRow).where(SavedSearchRow.kind == "candidates")):
            if any(entry[0] == seeker_id for entry in row.top):
                # The place stays, held by nobody: the list is ranked afresh at its next evaluation, so the
                # one next in line moves up without an alert.
                row.top = [[None, entry[1]] if entry[0] == seeker_id else entry for entry in row.top]
        self._bump(session)

    # -- the webhook outbox ----------------------------------------------------------------------

    def claim_webhooks(self, limit: int = 50) -> list[PendingWebhook]:
        """Due pending alerts, leased to this process for WEBHOOK_LEASE (rows another process holds are
        skipped on PostgreSQL)."""
        now = utcnow()
        with self._writes.begin() as session:
            query = (
                select(AlertRow, SavedSearchRow)
                .join(SavedSearchRow, SavedSearchRow.id == AlertRow.search_id)
                .where(AlertRow.webhook_state == "pending", AlertRow.webhook_due <= now)
                .order_by(AlertRow.id)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=AlertRow)
            claimed = []
            for alert, search in session.execute(query).all():
                alert.webhook_due = now + WEBHOOK_LEASE
                claimed.append(
                    PendingWebhook(
                        alert.id,
                        search.webhook or "",
                        search.id,
                        search.kind,
                        search.subject_id,
                        alert.entity_id,
                        dict(alert.match),
                        alert.created_at,
                    )
                )
            return claimed

    def webhook_done(self, alert_id: int, ok: bool, give_up: bool = False) -> None:
        """Sent, or tried once more: retried after 10 s, 20 s, 40 s … and failed after WEBHOOK_ATTEMPTS."""
        with self._writes.begin() as session:
            row = session.get(AlertRow, alert_id)
            if row is None:  # deleted with its search meanwhile
                return
            row.webhook_attempts += 1
            if ok:
                row.webhook_state, row.webhook_due = "sent", None
            elif give_up or row.webhook_attempts >= WEBHOOK_ATTEMPTS:
                row.webhook_state, row.webhook_due = "failed", None
            else:
                row.webhook_due = utcnow() + dt.timedelta(seconds=5 * 2**row.webhook_attempts)
