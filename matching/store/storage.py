"""The database as one object: the repositories, the audit log, API keys, shared secrets, candidate releases and
erasure, over SQLite (a file by default) or PostgreSQL (through a database URL).

The database is the source of truth. The schema is in :mod:`matching.store.tables`; Alembic migrations
(:mod:`matching.store.migrate`) create and upgrade it when storage opens.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import sessionmaker

from matching.access import Scope
from matching.errors import NotFoundError
from matching.store.audit import AuditEntry, AuditLog, add_entries, pseudonymise_events
from matching.store.changes import ChangeLog, forget_entity
from matching.store.changes import append as log_changes
from matching.store.engine import create_db_engine, has_triggers, in_memory
from matching.store.feedback import FeedbackStore, pseudonymise_feedback
from matching.store.keys import ApiKeys
from matching.store.repository import Repository
from matching.store.searches import SavedSearches
from matching.store.shares import Shares
from matching.store.tables import (
    ApiKeyRow,
    Base,
    JobSeekerRow,
    ReleaseRow,
    SecretRow,
    VacancyRow,
    append_only_ddl,
    drop_append_only_ddl,
    utcnow,
)
from models import JobSeeker, Vacancy

_now = utcnow


@dataclass(frozen=True, slots=True)
class Release:
    vacancy_id: str
    jobseeker_id: str
    released_by: str | None
    released_at: dt.datetime


class Storage:
    def __init__(self, url: str, migrate: bool = True):
        """Open the database and bring its schema up to date (Alembic ``upgrade head``).

        ``migrate=False`` creates the tables directly instead; in-memory SQLite always does, as each of its
        connections would otherwise see a different, empty database.
        """
        self.url = url
        self.shared = not in_memory(url)  # other processes may write to it
        self.engine = create_db_engine(url)
        if migrate and not in_memory(url):
            from matching.store.migrate import upgrade

            upgrade(self.engine)
        else:
            Base.metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                if not has_triggers(conn):
                    for statement in append_only_ddl(conn.dialect.name):
                        conn.exec_driver_sql(statement)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(writer=True)
        self.writes = sessionmaker(writer, expire_on_commit=False)
        self.jobseekers: Repository[JobSeeker] = Repository(
            self.sessions, self.writes, JobSeekerRow, JobSeeker, "job seeker", "jobseeker"
        )
        self.vacancies: Repository[Vacancy] = Repository(
            self.sessions, self.writes, VacancyRow, Vacancy, "vacancy", "vacancy"
        )
        self.changes = ChangeLog(self.sessions, self.writes)
        self.searches = SavedSearches(self.sessions, self.writes)
        self.shares = Shares(self.sessions, self.writes)
        if in_memory(url):  # no other process can reach this database: every change passes through here
            self.jobseekers.cache_followed = self.vacancies.cache_followed = True
        self.audit = AuditLog(self.writes, writer)
        self.keys = ApiKeys(self.writes, self.sessions)
        self.feedback = FeedbackStore(self)
        self._secrets: dict[str, bytes] = {}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True

    def clear(self) -> None:
        """Delete every row of every table, the audit log included: for the demo and tests only."""
        with self.engine.execution_options(writer=True).begin() as conn:
            dialect = conn.dialect.name
            if dialect == "postgresql":
                conn.execute(text("SET LOCAL skillbridge.reset = 'on'"))
            else:
                for statement in drop_append_only_ddl(dialect):
                    conn.exec_driver_sql(statement)
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            if dialect != "postgresql":
                for statement in append_only_ddl(dialect):
                    conn.exec_driver_sql(statement)
        self._secrets.clear()
        self.jobseekers.clear_cache()
        self.vacancies.clear_cache()

    def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database and empty it (after an erasure)."""
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()

    # -- secrets ---------------------------------------------------------------------------------

    def secret(self, name: str) -> bytes:
        """A random 32-byte secret shared by every process on this database, created on first use."""
        if name not in self._secrets:
            insert = postgresql_insert if self.dialect == "postgresql" else sqlite_insert
            with self.writes.begin() as session:
                # Several requests may ask first at once: the first insert wins, the others read its value.
                session.execute(
                    insert(SecretRow)
                    .values(name=name, value=secrets.token_hex(32))
                    .on_conflict_do_nothing(index_elements=["name"])
                )
                value = session.scalar(select(SecretRow.value).where(SecretRow.name == name))
            self._secrets[name] = bytes.fromhex(str(value))
        return self._secrets[name]

    # -- releases of candidates to employers -----------------------------------------------------

    def release(
        self, vacancy_id: str, jobseeker_id: str, by: str | None, audit: Sequence[AuditEntry]
    ) -> Release:
        with self.writes.begin() as session:
            row = session.get(ReleaseRow, (vacancy_id, jobseeker_id))
            if row is None:
                row = ReleaseRow(
                    vacancy_id=vacancy_id, jobseeker_id=jobseeker_id, released_by=by, released_at=_now()
                )
                session.add(row)
            add_entries(session, audit)
            return Release(row.vacancy_id, row.jobseeker_id, row.released_by, row.released_at)

    def withdraw_release(self, vacancy_id: str, jobseeker_id: str, audit: Sequence[AuditEntry]) -> None:
        with self.writes.begin() as session:
            result = session.execute(
                delete(ReleaseRow).where(
                    ReleaseRow.vacancy_id == vacancy_id, ReleaseRow.jobseeker_id == jobseeker_id
                )
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise NotFoundError("release", f"{vacancy_id}/{jobseeker_id}")
            add_entries(session, audit)

    def releases(self, *, vacancy_id: str | None = None, jobseeker_id: str | None = None) -> list[Release]:
        statement = select(ReleaseRow).order_by(ReleaseRow.vacancy_id, ReleaseRow.jobseeker_id)
        if vacancy_id is not None:
            statement = statement.where(ReleaseRow.vacancy_id == vacancy_id)
        if jobseeker_id is not None:
            statement = statement.where(ReleaseRow.jobseeker_id == jobseeker_id)
        with self.sessions() as session:
            return [
                Release(r.vacancy_id, r.jobseeker_id, r.released_by, r.released_at)
                for r in session.scalars(statement)
            ]

    # -- erasure ---------------------------------------------------------------------------------

    def erase_jobseeker(
        self, seeker_id: str, scope: Scope | None, replacement: str, audit: Sequence[AuditEntry]
    ) -> JobSeeker:
        """Delete a job seeker and every trace of their id, in one transaction. Returns what was deleted.

        Releases go; their audit events and advisor feedback get ``replacement`` (a keyed hash) instead of
        the id, and the feedback loses its notes; keys issued to them are revoked and lose their subject and
        label; the change log forgets their earlier entries and records the erasure under ``replacement``.
        """
        with self.writes.begin() as session:
            row = self.jobseekers._locked_row(session, seeker_id, scope)
            erased = JobSeeker.model_validate(row.document)
            session.execute(delete(ReleaseRow).where(ReleaseRow.jobseeker_id == seeker_id))
            pseudonymise_events(session, "jobseeker", seeker_id, replacement)
            pseudonymise_feedback(session, seeker_id, replacement)
            session.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.subject_id == seeker_id, ApiKeyRow.role == "jobseeker")
                .values(
                    subject_id=replacement, label=None, revoked_at=func.coalesce(ApiKeyRow.revoked_at, _now())
                )
            )
            session.execute(delete(JobSeekerRow).where(JobSeekerRow.id == seeker_id))
            add_entries(session, audit)
            self.searches.forget_jobseeker(session, seeker_id)
            forget_entity(session, "jobseeker", seeker_id)
            log_changes(session, "jobseeker", [replacement], op="erase")
        self.jobseekers.forget_cached([seeker_id])
        return erased
