"""The database schema: one SQLAlchemy metadata for the application, Alembic's migrations and their check.

Profiles are stored as validated JSON documents plus a few columns for listing, access control and for
checking that an index on disk still matches the database. Migrations in ``alembic/versions`` create exactly
this schema; a test compares the two (``alembic check``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

DEFAULT_ORGANISATION = "default"


class Base(DeclarativeBase):
    metadata = MetaData()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps in UTC on every database: SQLite keeps no time zone, so values are converted to UTC on the
    way in and marked as UTC on the way out (comparisons with any offset then work on both databases)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, dt.datetime):
            value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
            return value.replace(tzinfo=None) if dialect.name == "sqlite" else value
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class _Document:
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Hash of the document: lets a restart tell whether an index on disk was built from these rows.
    digest: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Who may see the row: advisors see their organisation's rows only. Set from the creating key.
    organisation: Mapped[str] = mapped_column(
        String(64),
        nullable=False,
        default=DEFAULT_ORGANISATION,
        server_default=DEFAULT_ORGANISATION,
        index=True,
    )


class JobSeekerRow(_Document, Base):
    __tablename__ = "job_seekers"


class VacancyRow(_Document, Base):
    __tablename__ = "vacancies"
    occupation_uri: Mapped[str] = mapped_column(String(255), index=True, nullable=False)
    # Copied from the document: an employer's key sees the vacancies with its own employer id.
    employer_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)


class ApiKeyRow(Base):
    """An API key. Only the SHA-256 of the key is stored; the key itself is shown once, at creation."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    organisation: Mapped[str] = mapped_column(String(64), nullable=False)
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEventRow(Base):
    """Who did what to which entity, when and why. Append-only (see ``append_only_ddl``)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    key_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    entity_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    # A related entity that is not a person, e.g. "vacancy:vac-1" for a release.
    context: Mapped[str | None] = mapped_column(String(200), nullable=True)
    purpose: Mapped[str] = mapped_column(String(100), nullable=False)


class ReleaseRow(Base):
    """An advisor released a candidate to a vacancy's employer: the employer now sees the real id."""

    __tablename__ = "releases"
    vacancy_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True
    )
    jobseeker_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("job_seekers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    released_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    released_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class SecretRow(Base):
    """Server-side secrets shared by every process on the database, e.g. the pseudonymisation key."""

    __tablename__ = "secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128), nullable=False)


class ChangeRow(Base):
    """One committed change to a job seeker or vacancy, written in the transaction that made it.

    Every process follows this log to keep its index and document cache equal to the rows
    (:mod:`matching.store.changes`). ``seq`` only grows (SQLite AUTOINCREMENT never reuses a number, even after
    old entries are pruned). ``entity_id`` is the changed row's id, or for an erasure the keyed hash of it, so
    the log never keeps the id of an erased person.
    """

    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy's declarative attribute)
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # jobseeker | vacancy
    op: Mapped[str] = mapped_column(String(8), nullable=False)  # write | erase
    entity_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class ChangeLogStateRow(Base):
    """The change log's identity (a new one whenever the database is emptied) and how far it was pruned."""

    __tablename__ = "change_log_state"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), nullable=False)


class ChangeFollowerRow(Base):
    """Where each serving process stands in the change log (written every few seconds; shown by /health)."""

    __tablename__ = "change_followers"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)  # host:pid
    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), nullable=False)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class SavedSearchRow(Base):
    """An advisor's saved search: a vacancy's candidates or a job seeker's vacancies, with filters.

    ``top`` holds the ids and scores now in its top ``k`` (eligible and bridge), kept up to date as the change
    log is evaluated, so a new profile alerts only when it enters them.
    """

    __tablename__ = "saved_searches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    owner_key_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # candidates | vacancies
    subject_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    k: Mapped[int] = mapped_column(Integer, nullable=False)
    filters: Mapped[dict] = mapped_column(JSON, nullable=False)
    top: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    webhook: Mapped[str | None] = mapped_column(String(500), nullable=True)  # an address the admin allows


class AlertRow(Base):
    """A profile entered a saved search's top k: the match as it was, read or not. Goes with its search."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    search_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True, nullable=False
    )
    owner_key_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    entity_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    match: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The webhook outbox: pending (due at webhook_due), sent or failed; None without a webhook.
    webhook_state: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    webhook_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    webhook_due: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ShareRow(Base):
    """A job seeker's profile shared with another organisation, for a purpose and until a date.

    While it lasts (not revoked, ``until`` not passed) the other organisation's advisors may read the profile and
    match it against their vacancies; never change or erase it. Goes with the person (ON DELETE CASCADE).
    """

    __tablename__ = "shares"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    jobseeker_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("job_seekers.id", ondelete="CASCADE"), index=True, nullable=False
    )
    from_organisation: Mapped[str] = mapped_column(String(64), nullable=False)
    to_organisation: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(String(200), nullable=False)
    until: Mapped[dt.date] = mapped_column(Date, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class FeedbackRow(Base):
    """An advisor's decision on a candidate for a vacancy, with the match's score and eligibility then.

    Goes with its vacancy (ON DELETE CASCADE). ``jobseeker_id`` has no foreign key on purpose: erasing the
    job seeker replaces it with a keyed hash and removes the note, so the label survives without the person
    (see ``matching.store.feedback``).
    """

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    vacancy_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("vacancies.id", ondelete="CASCADE"), index=True, nullable=False
    )
    jobseeker_id: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    eligibility: Mapped[str] = mapped_column(String(16), nullable=False)
    advisor_key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    organisation: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class AuditListedRow(Base):
    """The people an audited event showed (a candidate list, an export, a vacancy's releases): one narrow row
    per person, so their GDPR export can list every list they appeared in. Erasure replaces the id."""

    __tablename__ = "audit_listed"
    event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    jobseeker_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class AuditUnlockRow(Base):
    """SQLite only: a row exists here only inside an erasure's transaction, the one time the audit log's
    purpose and context may be rewritten (PostgreSQL uses a session setting instead)."""

    __tablename__ = "audit_unlock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


# -- append-only audit log -------------------------------------------------------------------------
#
# PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE of audit_events. Two session settings open
# narrow doors, each used by exactly one code path and only inside its own transaction (SET LOCAL):
#   skillbridge.erasure = on  -> UPDATE may change entity_id, purpose and context, nothing else (erasure
#                                replaces a person's id wherever it was written);
#   skillbridge.reset = on    -> DELETE/TRUNCATE allowed (Storage.clear: demo and tests wipe everything).
# SQLite: triggers refuse DELETE and any UPDATE but of entity_id, or of purpose and context while a row exists
# in audit_unlock (erasure's transaction inserts and deletes it); Storage.clear drops and
# re-creates them inside its transaction. Neither stops the database owner: they guard against bugs.

POSTGRES_APPEND_ONLY = [
    """
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('skillbridge.reset', true) = 'on' THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND current_setting('skillbridge.erasure', true) = 'on'
           AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.key_id IS NOT DISTINCT FROM OLD.key_id
           AND NEW.role = OLD.role AND NEW.action = OLD.action AND NEW.entity_kind = OLD.entity_kind THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
    """,
]
POSTGRES_DROP_APPEND_ONLY = [
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
]
SQLITE_APPEND_ONLY = [
    """
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END
    """,
    """
    CREATE TRIGGER audit_events_no_update
    BEFORE UPDATE OF id, at, key_id, role, action, entity_kind ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_events_no_rewrite
    BEFORE UPDATE OF context, purpose ON audit_events WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END
    """,
]
SQLITE_DROP_APPEND_ONLY = [
    "DROP TRIGGER IF EXISTS audit_events_no_rewrite",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
]


def append_only_ddl(dialect: str) -> list[str]:
    return POSTGRES_APPEND_ONLY if dialect == "postgresql" else SQLITE_APPEND_ONLY


def drop_append_only_ddl(dialect: str) -> list[str]:
    return POSTGRES_DROP_APPEND_ONLY if dialect == "postgresql" else SQLITE_DROP_APPEND_ONLY
