"""Advisor feedback on matches: storage, the rules around it, and its use as evaluation labels.

An advisor records what became of a suggested candidate (proposed, contacted, interview, hired, or rejected
with a reason). Each record keeps the pair's score and eligibility at that moment, so later analyses can ask
how the service judged the matches that worked out. Records are append-only history: the furthest stage a
pair reached is its label (:func:`feedback_qrels`).

Access follows the rest of the service: a vacancy or job seeker outside the caller's scope, or a job seeker
from another organisation than the vacancy's, is reported as missing (404). Recording and reading feedback
is written to the audit log as an event about the job seeker. Erasing a job seeker replaces their id in
their feedback with a keyed hash and deletes the notes (:func:`pseudonymise_feedback`); analysts get
feedback only as a pseudonymised export (:func:`analytics_feedback`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from matching.audit import Action, AuditEntry, add_entries
from matching.errors import NotFoundError
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym
from matching.tables import FeedbackRow
from models import Eligibility
from models.feedback import DECISION_GRADES, Decision, Feedback, FeedbackRequest, RejectionReason

if TYPE_CHECKING:
    from matching.access import Actor
    from matching.evaluation.trec import Qrels
    from matching.service import Matcher
    from matching.storage import Storage

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

    def __init__(self, storage: Storage):
        self._sessions = storage.sessions
        self._writes = storage.writes

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


# -- the façade's part: access control, audit and the match snapshot -----------------------------------


def record_feedback(
    matcher: Matcher,
    vacancy_id: str,
    jobseeker_id: str,
    request: FeedbackRequest,
    actor: Actor | None = None,
) -> Feedback:
    """Record an advisor's decision on a candidate for a vacancy, with the pair's score and eligibility now.

    Raises :class:`~matching.errors.NotFoundError` for a vacancy or job seeker the actor may not see, and
    for a job seeker of another organisation than the vacancy's (candidates come from the vacancy's
    organisation), so nobody learns what exists elsewhere.
    """
    vacancy = matcher.vacancies.repo.get_record(vacancy_id, actor.scope("vacancy") if actor else None)
    seeker = matcher.seekers.repo.get_record(jobseeker_id, actor.scope("jobseeker") if actor else None)
    if seeker.organisation != vacancy.organisation:
        raise NotFoundError("job seeker", jobseeker_id)
    match = matcher.what_if(seeker.item, vacancy.item)
    audit = (
        [
            AuditEntry(
                actor,
                Action.FEEDBACK,
                "jobseeker",
                jobseeker_id,
                f"{FEEDBACK_CONTEXT.format(vacancy_id=vacancy_id)}:{request.decision.value}",
            )
        ]
        if actor
        else []
    )
    return FeedbackStore(matcher.storage).add(
        vacancy_id,
        jobseeker_id,
        request,
        score=match.score,
        eligibility=match.eligibility,
        organisation=vacancy.organisation,
        advisor_key_id=actor.key_id if actor else None,
        audit=audit,
    )


def vacancy_feedback(matcher: Matcher, vacancy_id: str, actor: Actor | None = None) -> list[Feedback]:
    """Every decision recorded for a vacancy, oldest first (404 for a vacancy the actor may not see)."""
    matcher.vacancies.repo.get(vacancy_id, actor.scope("vacancy") if actor else None)
    records = FeedbackStore(matcher.storage).list(vacancy_id=vacancy_id)
    if actor is not None:
        context = FEEDBACK_CONTEXT.format(vacancy_id=vacancy_id)
        people = dict.fromkeys(r.jobseeker_id for r in records)
        matcher.storage.audit.record(
            [AuditEntry(actor, Action.READ, "jobseeker", person, context) for person in people]
        )
    return records


def analytics_feedback(
    matcher: Matcher, actor: Actor | None = None
) -> list[dict[str, str | int | float | None]]:
    """Feedback for analysts: ids as the same keyed hashes as the analytics exports of job seekers and
    vacancies (so the three join), no notes, no key ids, the month instead of the time."""
    secret = matcher.storage.secret(SECRET_NAME)
    scope = actor.scope("vacancy") if actor else None
    organisation = scope.organisation if scope else None
    rows: list[dict[str, str | int | float | None]] = [
        {
            "vacancy_id": analytics_pseudonym(secret, "vacancy", record.vacancy_id),
            "jobseeker_id": analytics_pseudonym(secret, "jobseeker", record.jobseeker_id),
            "organisation": record.organisation,
            "decision": record.decision.value,
            "reason": record.reason.value if record.reason else None,
            "grade": record.grade,
            "score": record.score,
            "eligibility": record.eligibility.value,
            "month": record.created_at.strftime("%Y-%m"),
        }
        for record in FeedbackStore(matcher.storage).iter_all(organisation)
    ]
    if actor is not None:
        matcher.storage.audit.record([AuditEntry(actor, Action.EXPORT, "analytics", None, "feedback")])
    return rows


def feedback_qrels(records: Iterable[Feedback]) -> Qrels:
    """Graded labels per vacancy from feedback: the furthest stage each pair reached.

    hired 3, interview 2, contacted 1; proposed-only and rejected pairs are judged 0 (seen, not relevant).
    A pair rejected after an interview keeps grade 2: the suggestion was good enough to be interviewed.
    """
    qrels: dict[str, dict[str, int]] = {}
    for record in records:
        judged = qrels.setdefault(record.vacancy_id, {})
        judged[record.jobseeker_id] = max(
            judged.get(record.jobseeker_id, 0), DECISION_GRADES[record.decision]
        )
    return qrels
