"""Who may see what: roles, the acting key and the rows it may reach.

Pure data, no I/O. The API turns an API key into an :class:`Actor`; storage turns an actor's
:class:`Scope` into SQL conditions, so a row outside the scope behaves exactly like a missing one (404),
and nobody learns that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

ORGANISATION_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
SHARED_NAMESPACE = "default"  # a single-organisation install: its ids need no prefix


def id_prefix(organisation: str) -> str | None:
    """What the ids an organisation's keys create start with: its name and a colon (organisation names
    have no colon, so no organisation's ids can start like another's). None for the default organisation."""
    return None if organisation == SHARED_NAMESPACE else f"{organisation}:"


PURPOSE_PATTERN = r"^[A-Za-z0-9 _.,:;/()'-]{1,100}$"
Kind = Literal["jobseeker", "vacancy"]


class Role(StrEnum):
    ADVISOR = "advisor"  # every job seeker and vacancy of their organisation
    JOBSEEKER = "jobseeker"  # their own profile and suggestions (subject_id: their job seeker id)
    EMPLOYER = "employer"  # their own vacancies; candidates pseudonymised until released (subject_id)
    ANALYST = "analyst"  # read-only, pseudonymised exports of their organisation
    ADMIN = "admin"  # everything, every organisation, API keys and the audit log


SUBJECT_ROLES = frozenset({Role.JOBSEEKER, Role.EMPLOYER})


@dataclass(frozen=True, slots=True)
class Scope:
    """The rows a caller may reach. ``None`` fields do not restrict; ``nothing`` hides every row."""

    organisation: str | None = None
    entity_id: str | None = None
    employer_id: str | None = None
    nothing: bool = False
    # Reads of job seekers also reach those shared with ``organisation`` while the share lasts (advisors).
    shared: bool = False

    def reaches(self, entity_id: str, organisation: str, employer_id: str | None, is_vacancy: bool) -> bool:
        """Whether a row with these columns is in scope: the same test as the repository's SQL filter."""
        if self.nothing:
            return False
        if self.organisation is not None and organisation != self.organisation:
            return False
        if self.entity_id is not None and entity_id != self.entity_id:
            return False
        return self.employer_id is None or (is_vacancy and employer_id == self.employer_id)


EVERYTHING = Scope()


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller: an API key (or the local command line, ``key_id=None``) and the purpose of the call."""

    role: Role
    organisation: str
    key_id: str | None = None
    subject_id: str | None = None
    purpose: str = "unspecified"

    def scope(self, kind: Kind) -> Scope:
        if self.role == Role.ADMIN:
            return EVERYTHING
        if self.role == Role.ADVISOR:
            return Scope(organisation=self.organisation, shared=kind == "jobseeker")
        if self.role == Role.ANALYST:
            return Scope(organisation=self.organisation)
        if self.role == Role.JOBSEEKER:
            if kind == "jobseeker":
                return Scope(organisation=self.organisation, entity_id=self.subject_id or "")
            return Scope(organisation=self.organisation)  # vacancies are not personal data
        if kind == "vacancy":  # employer
            return Scope(organisation=self.organisation, employer_id=self.subject_id or "")
        return Scope(nothing=True)

    def for_purpose(self, purpose: str) -> Actor:
        return replace(self, purpose=purpose)


def command_line_actor(organisation: str, purpose: str) -> Actor:
    """Someone with shell access to the server: an administrator without a key."""
    return Actor(Role.ADMIN, organisation, key_id=None, purpose=purpose)


def scope_of(actor: Actor | None, kind: Kind) -> Scope | None:
    """The rows ``actor`` may reach of ``kind``; ``None`` (no limit) for a trusted library call without actor."""
    return actor.scope(kind) if actor is not None else None
