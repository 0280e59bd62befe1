"""Releasing a candidate to a vacancy's employer: from then on the employer sees the person's id and reasons."""

from __future__ import annotations

from matching.access import Actor, scope_of
from matching.errors import NotFoundError
from matching.service.sides import Side
from matching.store.audit import Action, AuditEntry
from matching.store.storage import Release, Storage
from models import JobSeeker, Vacancy


class Releases:
    def __init__(self, storage: Storage, seekers: Side[JobSeeker], vacancies: Side[Vacancy]):
        self.storage = storage
        self.seekers = seekers
        self.vacancies = vacancies

    def release(self, vacancy_id: str, seeker_id: str, actor: Actor | None = None) -> Release:
        """Show a candidate's real id (and reasons) to the vacancy's employer."""
        vacancy = self.vacancies.repo.get_record(vacancy_id, scope_of(actor, "vacancy"))
        seeker = self.seekers.repo.get_record(seeker_id, scope_of(actor, "jobseeker"))
        if seeker.organisation != vacancy.organisation:
            raise NotFoundError("job seeker", seeker_id)  # candidates come from the vacancy's organisation
        audit = _event(actor, Action.RELEASE, vacancy_id, seeker_id)
        return self.storage.release(vacancy_id, seeker_id, actor.key_id if actor else None, audit)

    def withdraw(self, vacancy_id: str, seeker_id: str, actor: Actor | None = None) -> None:
        self.vacancies.repo.get(vacancy_id, scope_of(actor, "vacancy"))
        self.storage.withdraw_release(
            vacancy_id, seeker_id, _event(actor, Action.WITHDRAW, vacancy_id, seeker_id)
        )

    def of_vacancy(self, vacancy_id: str, actor: Actor | None = None) -> list[Release]:
        self.vacancies.repo.get(vacancy_id, scope_of(actor, "vacancy"))
        releases = self.storage.releases(vacancy_id=vacancy_id)
        if actor is not None:
            shown = tuple(r.jobseeker_id for r in releases)
            self.storage.audit.record(
                [AuditEntry(actor, Action.READ, "vacancy", vacancy_id, "releases", shown)]
            )
        return releases


def _event(actor: Actor | None, action: Action, vacancy_id: str, seeker_id: str) -> list[AuditEntry]:
    return [AuditEntry(actor, action, "jobseeker", seeker_id, f"vacancy:{vacancy_id}")] if actor else []
