"""Advisor feedback as the service handles it: who may record and read it, the audit trail, the score and
eligibility snapshot of the pair, and the analysts' pseudonymised export.

Access follows the rest of the service: a vacancy or job seeker outside the caller's scope, or a job seeker
from another organisation than the vacancy's, is reported as missing (404). Recording and reading feedback is
written to the audit log as an event about the job seeker.
"""

from __future__ import annotations

from typing import Protocol

from matching.access import Actor, scope_of
from matching.errors import NotFoundError
from matching.pseudonyms import SECRET_NAME, analytics_pseudonym
from matching.service.matching import Matching
from matching.service.sides import Side
from matching.store.audit import Action, AuditEntry
from matching.store.feedback import FEEDBACK_CONTEXT
from matching.store.storage import Storage
from models import JobSeeker, Vacancy
from models.feedback import Feedback, FeedbackRequest

AnalyticsRow = dict[str, str | int | float | None]


class FeedbackService:
    def __init__(
        self, storage: Storage, seekers: Side[JobSeeker], vacancies: Side[Vacancy], matching: Matching
    ):
        self.storage = storage
        self.store = storage.feedback
        self.seekers = seekers
        self.vacancies = vacancies
        self.matching = matching

    def record(
        self, vacancy_id: str, jobseeker_id: str, request: FeedbackRequest, actor: Actor | None = None
    ) -> Feedback:
        """Record an advisor's decision on a candidate for a vacancy, with the pair's score and eligibility now.

        Raises :class:`~matching.errors.NotFoundError` for a vacancy or job seeker the actor may not see, and
        for a job seeker of another organisation than the vacancy's (candidates come from the vacancy's
        organisation), so nobody learns what exists elsewhere.
        """
        vacancy = self.vacancies.repo.get_record(vacancy_id, scope_of(actor, "vacancy"))
        seeker = self.seekers.repo.get_record(jobseeker_id, scope_of(actor, "jobseeker"))
        if seeker.organisation != vacancy.organisation:
            raise NotFoundError("job seeker", jobseeker_id)
        match = self.matching.what_if(seeker.item, vacancy.item)
        context = f"{FEEDBACK_CONTEXT.format(vacancy_id=vacancy_id)}:{request.decision.value}"
        audit = [AuditEntry(actor, Action.FEEDBACK, "jobseeker", jobseeker_id, context)] if actor else []
        return self.store.add(
            vacancy_id,
            jobseeker_id,
            request,
            score=match.score,
            eligibility=match.eligibility,
            organisation=vacancy.organisation,
            advisor_key_id=actor.key_id if actor else None,
            audit=audit,
        )

    def for_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> list[Feedback]:
        """Every decision recorded for a vacancy, oldest first (404 for a vacancy the actor may not see)."""
        self.vacancies.repo.get(vacancy_id, scope_of(actor, "vacancy"))
        records = self.store.list(vacancy_id=vacancy_id)
        if actor is not None:
            context = FEEDBACK_CONTEXT.format(vacancy_id=vacancy_id)
            people = dict.fromkeys(r.jobseeker_id for r in records)
            self.storage.audit.record(
                [AuditEntry(actor, Action.READ, "jobseeker", person, context) for person in people]
            )
        return records

    def analytics(self, actor: Actor | None = None) -> list[AnalyticsRow]:
        """Feedback for analysts: ids as the same keyed hashes as the analytics exports of job seekers and
        vacancies (so the three join), no notes, no key ids, the month instead of the time."""
        secret = self.storage.secret(SECRET_NAME)
        scope = scope_of(actor, "vacancy")
        organisation = scope.organisation if scope else None
        rows: list[AnalyticsRow] = [
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
            for record in self.store.iter_all(organisation)
        ]
        if actor is not None:
            self.storage.audit.record([AuditEntry(actor, Action.EXPORT, "analytics", None, "feedback")])
        return rows


# The same, called on anything that has the feedback part (the Matcher façade): for notebooks and scripts.


class HasFeedback(Protocol):
    @property
    def feedback(self) -> FeedbackService: ...


def record_feedback(
    matcher: HasFeedback,
    vacancy_id: str,
    jobseeker_id: str,
    request: FeedbackRequest,
    actor: Actor | None = None,
) -> Feedback:
    return matcher.feedback.record(vacancy_id, jobseeker_id, request, actor)


def vacancy_feedback(matcher: HasFeedback, vacancy_id: str, actor: Actor | None = None) -> list[Feedback]:
    return matcher.feedback.for_vacancy(vacancy_id, actor)


def analytics_feedback(matcher: HasFeedback, actor: Actor | None = None) -> list[AnalyticsRow]:
    return matcher.feedback.analytics(actor)
