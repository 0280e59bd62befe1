"""Advisor feedback on matches, stored: what became of a suggested candidate (proposed, contacted, interview,
hired, or rejected with a reason), with the pair's score and eligibility at that moment.

Records are append-only history. Erasing a job seeker replaces their id in their feedback with a keyed hash
and deletes the notes (:func:`pseudonymise_feedback`). Access rules, auditing and the analysts' export are the
service's (:mod:`matching.service.feedback`); the use as evaluation labels is in :mod:`matching.evaluation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from matching.store.audit import AuditEntry, add_entries
from matching.store.engine import Database
from matching.store.tables import FeedbackRow
from models import Eligibility
from models.feedback import Decision, Feedback, FeedbackRequest, RejectionReason

FEEDBACK_CONTEXT = "vacancy:{vacancy_id}"


def _model(row: FeedbackRow) -> Feedback:
    return Feedback(
        id=row.id,
        vacancy_id=row.vacancy_id,
        jobseeker_id=row.jobseeker_id,
        decision=Decision(row.decision),
        reason=RejectionReason(row.reason) if row.reason else None,
        note=row.note,
        score=row.score,
        eligibility=Eligibility(row.eligibility),
        advisor_key_id=row.advisor_key_id,
        organisation=row.organisation,
        created_at=row.created_at,
    )


class FeedbackStore:
    """The ``feedback`` table. Every method runs in its own short transaction."""

    def __init__(self, database: Database):
        self._sessions = database.sessions
        self._writes = database.writes

    def add(
        self,
        vacancy_id: str,
        jobseeker_id: str,
        request: FeedbackRequest,
        *,
        score: float,
        eligibility: Eligibility,
        organisation: str,
        advisor_key_id: str | None = None,
        audit: Iterable[AuditEntry] = (),
        created_at: dt.datetime | None = None,
    ) -> Feedback:
        """Store one decision (and its audit entries, in the same transaction)."""
        with self._writes.begin() as session:
            row = FeedbackRow(
                vacancy_id=vacancy_id,
                jobseeker_id=jobseeker_id,
                decision=request.decision.value,
                reason=request.reason.value if request.reason else None,
                note=request.note,
                score=round(float(score), 4),
                eligibility=eligibility.value,
                advisor_key_id=advisor_key_id,
                organisation=organisation,
                created_at=created_at or dt.datetime.now(dt.UTC),
            )
            session.add(row)
            add_entries(session, list(audit))
            session.flush()
            return _model(row)

    def _select(
        self,
        *,
        vacancy_id: str | None = None,
        jobseeker_id: str | None = None,
        organisation: str | None = None,
    ) -> Select:
        statement = select(FeedbackRow).order_by(FeedbackRow.id)
        if vacancy_id is not None:
            statement = statement.where(FeedbackRow.vacancy_id == vacancy_id)
        if jobseeker_id is not None:
            statement = statement.where(FeedbackRow.jobseeker_id == jobseeker_id)
        if organisation is not None:
            statement = statement.where(FeedbackRow.organisation == organisation)
        return statement

    def list(
        self,
        *,
        vacancy_id: str | None = None,
        jobseeker_id: str | None = None,
        organisation: str | None = None,
    ) -> list[Feedback]:
        """Oldest first."""
        statement = self._select(vacancy_id=vacancy_id, jobseeker_id=jobseeker_id, organisation=organisation)
        with self._sessions() as session:
            return [_model(row) for row in session.scalars(statement)]

    def iter_all(self, organisation: str | None = None, batch: int = 1000) -> Iterator[Feedback]:
        """Every record (of one organisation, when given), oldest first, read in keyset-paginated batches."""
        last = 0
        while True:
            statement = self._select(organisation=organisation).where(FeedbackRow.id > last).limit(batch)
            with self._sessions() as session:
                rows = [_model(row) for row in session.scalars(statement)]
            if not rows:
                return
            yield from rows
            last = rows[-1].id


def pseudonymise_feedback(session: Session, jobseeker_id: str, replacement: str) -> int:
    """Erasure: the person's id becomes ``replacement`` (a keyed hash) and notes about them are deleted.

    The decisions, reasons and scores stay, without the person, so that evaluations of past matches do not
    silently lose the people who asked to be forgotten. Runs inside the erasure's transaction.
    """
    result = session.execute(
        update(FeedbackRow)
        .where(FeedbackRow.jobseeker_id == jobseeker_id)
        .values(jobseeker_id=replacement, note=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
