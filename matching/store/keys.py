"""API keys: 32 random bytes (url-safe), shown once, stored only as their SHA-256.

A key carries a role, an organisation and, for job seekers and employers, the id it speaks for. Keys are
high-entropy random tokens, so a fast hash is enough: nobody can guess one to test against the hash.
Revoked keys stay in the table (the audit log refers to them) but no longer authenticate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matching.access import ORGANISATION_PATTERN, SUBJECT_ROLES, Actor, Role
from matching.errors import InvalidInputError, NotFoundError
from matching.store.audit import Action, AuditEntry, add_entries
from matching.store.tables import ApiKeyRow, utcnow
from models.common import ID_PATTERN

KEY_PREFIX = "sbk_"


class ApiKey(BaseModel):
    """What is known about a key; never the key itself."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    role: Role
    organisation: str
    subject_id: str | None
    label: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_key_request(role: str, organisation: str, subject_id: str | None, label: str | None) -> Role:
    allowed = ", ".join(r.value for r in Role)
    if role not in {r.value for r in Role}:
        raise InvalidInputError("role", f"must be one of {allowed}; got {role!r}")
    checked = Role(role)
    if not re.match(ORGANISATION_PATTERN, organisation or ""):
        raise InvalidInputError(
            "organisation",
            f"must be 1-64 lower-case letters, digits, '_' or '-', starting with a letter or digit; "
            f"got {organisation!r}",
        )
    if checked in SUBJECT_ROLES and not subject_id:
        what = "job seeker id" if checked == Role.JOBSEEKER else "employer id"
        raise InvalidInputError("subject_id", f"a {checked.value} key needs the {what} it speaks for")
    if checked not in SUBJECT_ROLES and subject_id:
        raise InvalidInputError(
            "subject_id", f"only jobseeker and employer keys have a subject; a {checked.value} key has none"
        )
    if subject_id and not re.match(ID_PATTERN, subject_id):
        raise InvalidInputError(
            "subject_id", "must be 1-64 letters, digits or _ . : -, starting with a letter or digit"
        )
    if label is not None and len(label) > 200:
        raise InvalidInputError("label", f"must be at most 200 characters; got {len(label)}")
    return checked


class ApiKeys:
    def __init__(self, writes: sessionmaker[Session], reads: sessionmaker[Session] | None = None):
        self._sessions = writes
        self._reads = reads or writes  # SQLite: a writer session begins by taking the database's write lock

    def create(
        self,
        role: str,
        organisation: str,
        subject_id: str | None = None,
        label: str | None = None,
        actor: Actor | None = None,
    ) -> tuple[ApiKey, str]:
        """Store a new key; returns its record and the key itself (shown once, never stored)."""
        checked = check_key_request(role, organisation, subject_id, label)
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKeyRow(
            id="key-" + secrets.token_hex(6),
            hash=hash_key(secret),
            role=checked.value,
            organisation=organisation,
            subject_id=subject_id or None,
            label=label,
            created_at=utcnow(),
        )
        with self._sessions.begin() as session:
            session.add(row)
            if actor is not None:
                add_entries(session, [AuditEntry(actor, Action.CREATE, "api_key", row.id)])
        return ApiKey.model_validate(row), secret

    def authenticate(self, key: str) -> Actor | None:
        """The actor for a valid, unrevoked key; None otherwise."""
        if not key.startswith(KEY_PREFIX) or len(key) > 100:
            return None
        with self._reads() as session:  # columns, not an ORM object: this runs with every request
            row = session.execute(
                select(
                    ApiKeyRow.role,
                    ApiKeyRow.organisation,
                    ApiKeyRow.id,
                    ApiKeyRow.subject_id,
                    ApiKeyRow.revoked_at,
                ).where(ApiKeyRow.hash == hash_key(key))
            ).first()
            if row is None or row.revoked_at is not None:
                return None
            return Actor(Role(row.role), row.organisation, key_id=row.id, subject_id=row.subject_id)

    def revoke(self, key_id: str, actor: Actor | None = None) -> ApiKey:
        with self._sessions.begin() as session:
            row = session.get(ApiKeyRow, key_id, with_for_update=True)
            if row is None:
                raise NotFoundError("API key", key_id)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            if actor is not None:
                add_entries(session, [AuditEntry(actor, Action.REVOKE, "api_key", key_id)])
            return ApiKey.model_validate(row)

    def all(self, subject_id: str | None = None) -> list[ApiKey]:
        statement = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
        if subject_id is not None:
            statement = statement.where(ApiKeyRow.subject_id == subject_id)
        with self._sessions() as session:
            return [ApiKey.model_validate(row) for row in session.scalars(statement)]

    def ids_for(self, subject_ids: Sequence[str], role: Role) -> list[str]:
        with self._sessions() as session:
            statement = select(ApiKeyRow.id).where(
                ApiKeyRow.subject_id.in_(list(subject_ids)), ApiKeyRow.role == role.value
            )
            return list(session.scalars(statement))
