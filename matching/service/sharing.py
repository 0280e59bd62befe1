"""Sharing a job seeker's case with another organisation of the one-stop shop, and handing it over.

Only advisors (and administrators) of the organisation that owns the case share it, revoke a share or hand the
case over; the other organisation's advisors then read and match the person while the share lasts, and never
change or erase the profile. The person sees who has access and why (their page, their GDPR export).
"""

from __future__ import annotations

import datetime as dt
import re

from matching.access import ORGANISATION_PATTERN, Actor, Role, scope_of
from matching.errors import InvalidInputError, NotFoundError
from matching.store.audit import Action, entries
from matching.store.shares import Share
from matching.store.storage import Storage

MAX_SHARE_DAYS = 730


class Sharing:
    def __init__(self, storage: Storage):
        self.storage = storage

    def _owned(self, seeker_id: str, actor: Actor) -> str:
        """The owning organisation, if the caller belongs to it (a shared reader does not: 404)."""
        record = self.storage.jobseekers.get_record(seeker_id, scope_of(actor, "jobseeker"))
        if actor.role != Role.ADMIN and record.organisation != actor.organisation:
            raise NotFoundError("job seeker", seeker_id)
        return record.organisation

    @staticmethod
    def _organisation(value: str, own: str) -> str:
        if not re.fullmatch(ORGANISATION_PATTERN, value):
            raise InvalidInputError(
                "organisation",
                "lowercase letters, digits, '_' or '-' (at most 64), as the organisation's keys have it",
            )
        if value == own:
            raise InvalidInputError("organisation", "the case already belongs to this organisation")
        return value

    def share(self, seeker_id: str, organisation: str, purpose: str, until: dt.date, actor: Actor) -> Share:
        own = self._owned(seeker_id, actor)
        today = dt.datetime.now(dt.UTC).date()
        if not today <= until <= today + dt.timedelta(days=MAX_SHARE_DAYS):
            raise InvalidInputError("until", f"from today up to {MAX_SHARE_DAYS} days ahead")
        if not purpose.strip() or len(purpose) > 200:
            raise InvalidInputError("purpose", "say why, in at most 200 characters")
        audit = entries(actor, Action.SHARE, "jobseeker", [seeker_id])
        return self.storage.shares.create(
            seeker_id, own, self._organisation(organisation, own), purpose.strip(), until, actor.key_id, audit
        )

    def revoke(self, seeker_id: str, share_id: str, actor: Actor) -> Share:
        self._owned(seeker_id, actor)
        return self.storage.shares.revoke(
            seeker_id, share_id, entries(actor, Action.REVOKE, "jobseeker", [seeker_id])
        )

    def of_jobseeker(self, seeker_id: str, actor: Actor) -> list[Share]:
        """Who has access to a person and why: for the owning organisation and for the person."""
        if actor.role != Role.JOBSEEKER:
            self._owned(seeker_id, actor)
        else:
            self.storage.jobseekers.get_record(seeker_id, scope_of(actor, "jobseeker"))
        return self.storage.shares.of_jobseeker(seeker_id)

    def hand_over(self, seeker_id: str, organisation: str, purpose: str, actor: Actor) -> None:
        own = self._owned(seeker_id, actor)
        target = self._organisation(organisation, own)
        if not purpose.strip() or len(purpose) > 200:
            raise InvalidInputError("purpose", "say why, in at most 200 characters")
        audit = entries(actor, Action.HANDOVER, "jobseeker", [seeker_id])
        audit = [
            type(e)(e.actor, e.action, e.entity_kind, e.entity_id, f"from:{own} to:{target}") for e in audit
        ]
        self.storage.shares.hand_over(seeker_id, target, audit)
        self.storage.jobseekers.forget_cached([seeker_id])
