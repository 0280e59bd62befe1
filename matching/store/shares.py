"""Sharing a job seeker with another organisation, and handing the case over.

The one-stop shop's agencies (Jobcenter, employment agency, social welfare office, immigration office) pass
cases between them. A share lets another organisation's advisors read and match a person for a stated purpose
until a date; a hand-over moves the case (and the person's own keys) to the other organisation. Each step is
audited in the same transaction. Reads of shared profiles are scoped in SQL (``active_to``), so nothing of a
person reaches an organisation without a share that lasts.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, sessionmaker

from matching.errors import NotFoundError
from matching.store.audit import AuditEntry, add_entries
from matching.store.changes import append as log_changes
from matching.store.tables import ApiKeyRow, JobSeekerRow, ShareRow, utcnow


@dataclass(frozen=True, slots=True)
class Share:
    id: str
    jobseeker_id: str
    from_organisation: str
    to_organisation: str
    purpose: str
    until: dt.date
    created_by: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    def active(self, today: dt.date) -> bool:
        return self.revoked_at is None and self.until >= today


def _share(row: ShareRow) -> Share:
    return Share(
        row.id, row.jobseeker_id, row.from_organisation, row.to_organisation, row.purpose, row.until,
        row.created_by, row.created_at, row.revoked_at,
    )  # fmt: skip


def active_to(organisation: str, today: dt.date | None = None) -> Select:
    """The ids of job seekers shared with ``organisation`` now (a subquery for scoped reads)."""
    today = today or dt.datetime.now(dt.UTC).date()
    return select(ShareRow.jobseeker_id).where(
        ShareRow.to_organisation == organisation, ShareRow.revoked_at.is_(None), ShareRow.until >= today
    )


class Shares:
    """Shares are changes in the change log (as writes of the person), so every process drops its cached list of
    who is shared with whom when it applies them, and the process that made one at once."""

    def __init__(self, sessions: sessionmaker[Session], writes: sessionmaker[Session]):
        self._sessions = sessions
        self._writes = writes
        self._cached: dict[str, dict[str, dt.date]] = {}  # organisation -> shared person -> last day
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._cached.clear()

    def create(
        self,
        seeker_id: str,
        from_organisation: str,
        to_organisation: str,
        purpose: str,
        until: dt.date,
        created_by: str | None,
        audit: Sequence[AuditEntry],
    ) -> Share:
        row = ShareRow(
            id="sh-" + secrets.token_hex(8), jobseeker_id=seeker_id, from_organisation=from_organisation,
            to_organisation=to_organisation, purpose=purpose, until=until, created_by=created_by,
            created_at=utcnow(),
        )  # fmt: skip
        with self._writes.begin() as session:
            session.add(row)
            add_entries(session, [_with_context(e, row) for e in audit])
            log_changes(session, "jobseeker", [seeker_id])
        self.invalidate()
        return _share(row)

    def of_jobseeker(self, seeker_id: str) -> list[Share]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ShareRow).where(ShareRow.jobseeker_id == seeker_id).order_by(ShareRow.created_at)
            )
            return [_share(r) for r in rows]

    def active_ids(self, organisation: str) -> set[str]:
        """Who is shared with ``organisation`` today (for candidate lists; direct reads are scoped in SQL)."""
        with self._lock:
            until = self._cached.get(organisation)
        if until is None:
            with self._sessions() as session:
                rows = session.execute(
                    select(ShareRow.jobseeker_id, ShareRow.until).where(
                        ShareRow.to_organisation == organisation, ShareRow.revoked_at.is_(None)
                    )
                )
                until = {}
                for seeker_id, last_day in rows:
                    until[seeker_id] = max(last_day, until.get(seeker_id, last_day))
            with self._lock:
                self._cached[organisation] = until
        today = dt.datetime.now(dt.UTC).date()
        return {seeker_id for seeker_id, last_day in until.items() if last_day >= today}

    def revoke(self, seeker_id: str, share_id: str, audit: Sequence[AuditEntry]) -> Share:
        with self._writes.begin() as session:
            row = session.get(ShareRow, share_id, with_for_update=True)
            if row is None or row.jobseeker_id != seeker_id:
                raise NotFoundError("share", share_id)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            add_entries(session, [_with_context(e, row) for e in audit])
            log_changes(session, "jobseeker", [seeker_id])
            revoked = _share(row)
        self.invalidate()
        return revoked

    def hand_over(self, seeker_id: str, to_organisation: str, audit: Sequence[AuditEntry]) -> None:
        """Move the case: the profile, and the person's own keys, now belong to ``to_organisation``; shares to
        it end (it owns the case now). Logged as a change, so every process re-reads the row."""
        with self._writes.begin() as session:
            session.execute(
                update(JobSeekerRow).where(JobSeekerRow.id == seeker_id).values(organisation=to_organisation)
            )
            session.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.subject_id == seeker_id, ApiKeyRow.role == "jobseeker")
                .values(organisation=to_organisation)
            )
            session.execute(
                update(ShareRow)
                .where(
                    ShareRow.jobseeker_id == seeker_id,
                    ShareRow.to_organisation == to_organisation,
                    ShareRow.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow())
            )
            add_entries(session, audit)
            log_changes(session, "jobseeker", [seeker_id])
        self.invalidate()


def _with_context(entry: AuditEntry, row: ShareRow) -> AuditEntry:
    context = f"share:{row.id} to:{row.to_organisation} until:{row.until.isoformat()}"
    return replace(entry, context=context[:200])
