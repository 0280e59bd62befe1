"""Persistence with SQLAlchemy: SQLite file by default, PostgreSQL through a database URL.

The database is the source of truth. Each profile is stored as its validated JSON document plus a few
columns for listing, access control and checking that an index on disk still matches the database (the
schema is in ``matching.tables``; Alembic migrations create it). Every write can carry audit entries, which
are stored in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Select,
    create_engine,
    delete,
    event,
    false,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matching.access import Scope
from matching.audit import AuditEntry, AuditLog, add_entries, pseudonymise_events
from matching.errors import AlreadyExistsError, NotFoundError
from matching.feedback import pseudonymise_feedback
from matching.keys import ApiKeys
from matching.tables import (
    DEFAULT_ORGANISATION,
    ApiKeyRow,
    Base,
    JobSeekerRow,
    ReleaseRow,
    SecretRow,
    VacancyRow,
    _Document,
    append_only_ddl,
    drop_append_only_ddl,
    utcnow,
)
from models import JobSeeker, Vacancy

__all__ = ["DEFAULT_ORGANISATION", "Base", "JobSeekerRow", "Record", "Repository", "Storage", "VacancyRow"]

M = TypeVar("M", JobSeeker, Vacancy)
Progress = Callable[[int, int], None]
_now = utcnow


def _digest(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Record(Generic[M]):
    """A stored entity with the columns that are not part of its document."""

    item: M
    organisation: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):
            # Transactions are begun by the "begin" hook below, not by the driver's guesswork.
            conn.isolation_level = None
            cursor = conn.cursor()
            # WAL lets API readers proceed while a writer commits; foreign keys are off by default;
            # secure_delete overwrites deleted rows, so an erased person is not left in free pages.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Writers take the write lock up front (BEGIN IMMEDIATE) and wait for it; a deferred
            # transaction that reads first and then writes fails at once with "database is locked"
            # when another writer committed in between.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writer") else "BEGIN")

        return engine
    # hide_parameters: error messages (and so logs) never quote the values of a statement: personal data.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


class DocumentCache(Generic[M]):
    """Validated documents by id, valid only for the digest they were read with; least recently used out."""

    def __init__(self, size: int = 50_000):
        self._items: OrderedDict[str, tuple[str, M]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, entity_id: str, digest: str) -> M | None:
        with self._lock:
            found = self._items.get(entity_id)
            if found is None or found[0] != digest:
                return None
            self._items.move_to_end(entity_id)
            return found[1]

    def put(self, entity_id: str, digest: str, item: M) -> M:
        with self._lock:
            self._items[entity_id] = (digest, item)
            self._items.move_to_end(entity_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return item

    def forget(self, entity_id: str) -> None:
        with self._lock:
            self._items.pop(entity_id, None)


class Repository(Generic[M]):
    """CRUD for one kind of document. Every method runs in its own short transaction.

    ``scope`` limits which rows a call may reach; a row outside it behaves exactly like a missing one.
    ``audit`` entries are stored in the same transaction as the change they describe.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        writes: sessionmaker[Session],
        row_type: type[_Document],
        model: type[M],
        kind: str,
    ):
        self._sessions = sessions
        self._writes = writes
        self._row: Any = row_type
        self._model: type[M] = model
        self._cache: DocumentCache[M] = DocumentCache()
        self.kind = kind

    def _row_for(self, item: M) -> dict[str, object]:
        document = item.model_dump(mode="json")
        columns: dict[str, object] = {"document": document, "digest": _digest(document)}
        if self._row is VacancyRow:
            columns["occupation_uri"] = document["occupation_uri"]
            columns["employer_id"] = document.get("employer_id")
        return columns

    def _scoped(self, statement: Select, scope: Scope | None) -> Select:
        if scope is None:
            return statement
        if scope.nothing:
            return statement.where(false())
        if scope.organisation is not None:
            statement = statement.where(self._row.organisation == scope.organisation)
        if scope.entity_id is not None:
            statement = statement.where(self._row.id == scope.entity_id)
        if scope.employer_id is not None:
            if self._row is not VacancyRow:
                return statement.where(false())
            statement = statement.where(self._row.employer_id == scope.employer_id)
        return statement

    def _locked_row(self, session: Session, entity_id: str, scope: Scope | None) -> Any:
        statement = self._scoped(select(self._row).where(self._row.id == entity_id), scope)
        row = session.scalar(statement.with_for_update())
        if row is None:
            raise NotFoundError(self.kind, entity_id)
        return row

    def create(
        self, item: M, organisation: str = DEFAULT_ORGANISATION, audit: Sequence[AuditEntry] = ()
    ) -> M:
        with self._writes.begin() as session:
            if session.get(self._row, item.id) is not None:
                raise AlreadyExistsError(self.kind, item.id)
            session.add(self._row(id=item.id, organisation=organisation, **self._row_for(item)))
            add_entries(session, audit)
            try:
                session.flush()
            except IntegrityError as exc:  # lost a race with a concurrent create
                raise AlreadyExistsError(self.kind, item.id) from exc
        return item

    def create_many(
        self,
        items: Sequence[M],
        organisation: str = DEFAULT_ORGANISATION,
        audit: Sequence[AuditEntry] = (),
        progress: Progress | None = None,
        batch: int = 500,
    ) -> int:
        """Insert in one transaction: all rows (and their audit entries) or none."""
        ids = [i.id for i in items]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            duplicate = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise AlreadyExistsError(self.kind, duplicate)
        with self._writes.begin() as session:
            for start in range(0, len(ids), batch):
                clash = session.scalar(
                    select(self._row.id).where(self._row.id.in_(ids[start : start + batch]))
                )
                if clash is not None:
                    raise AlreadyExistsError(self.kind, clash)
            now = _now()
            for start in range(0, len(items), batch):
                chunk = items[start : start + batch]
                rows = [
                    {
                        "id": i.id,
                        "organisation": organisation,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    | self._row_for(i)
                    for i in chunk
                ]
                try:
                    # Core executemany: an order of magnitude faster than ORM objects for bulk loads.
                    session.execute(insert(self._row), rows)
                except IntegrityError as exc:  # a concurrent writer inserted one of the ids meanwhile
                    raise AlreadyExistsError(self.kind, "(one of the batch)") from exc
                if progress:
                    progress(start + len(chunk), len(items))
            add_entries(session, audit)
        return len(items)

    def replace(self, item: M, scope: Scope | None = None, audit: Sequence[AuditEntry] = ()) -> M:
        with self._writes.begin() as session:
            row = self._locked_row(session, item.id, scope)
            for key, value in self._row_for(item).items():
                setattr(row, key, value)
            row.version += 1
            row.updated_at = _now()
            add_entries(session, audit)
        self._cache.forget(item.id)
        return item

    def get(self, entity_id: str, scope: Scope | None = None) -> M:
        return self.get_record(entity_id, scope).item

    def get_record(self, entity_id: str, scope: Scope | None = None) -> Record[M]:
        with self._sessions() as session:
            row = session.scalar(self._scoped(select(self._row).where(self._row.id == entity_id), scope))
            if row is None:
                raise NotFoundError(self.kind, entity_id)
            return Record(
                self._model.model_validate(row.document),
                row.organisation,
                row.version,
                row.created_at,
                row.updated_at,
            )

    def get_many(self, ids: Sequence[str], organisation: str | None = None) -> dict[str, M]:
        """The documents among ``ids`` that exist (in ``organisation``, when given).

        Matching reads the same profiles again and again; validated documents are cached by their
        content digest, which the database is asked for first, so a change made by any process is seen.
        """
        out: dict[str, M] = {}
        with self._sessions() as session:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                statement = select(self._row.id, self._row.digest).where(self._row.id.in_(chunk))
                if organisation is not None:
                    statement = statement.where(self._row.organisation == organisation)
                missing = []
                for entity_id, digest in session.execute(statement):
                    cached = self._cache.get(entity_id, digest)
                    if cached is None:
                        missing.append(entity_id)
                    else:
                        out[entity_id] = cached
                if missing:
                    rows = session.execute(
                        select(self._row.id, self._row.digest, self._row.document).where(
                            self._row.id.in_(missing)
                        )
                    )
                    for entity_id, digest, document in rows:
                        out[entity_id] = self._cache.put(
                            entity_id, digest, self._model.model_validate(document)
                        )
        return out

    def delete(self, entity_id: str, scope: Scope | None = None, audit: Sequence[AuditEntry] = ()) -> M:
        """Delete one row; returns the deleted document."""
        with self._writes.begin() as session:
            row = self._locked_row(session, entity_id, scope)
            item = self._model.model_validate(row.document)
            session.execute(delete(self._row).where(self._row.id == entity_id))
            add_entries(session, audit)
        self._cache.forget(entity_id)  # erased means erased from memory too
        return item

    def count(self, scope: Scope | None = None) -> int:
        with self._sessions() as session:
            statement = self._scoped(select(func.count()).select_from(self._row), scope)
            return int(session.scalar(statement) or 0)

    def list(self, offset: int = 0, limit: int = 50, scope: Scope | None = None) -> list[M]:
        with self._sessions() as session:
            statement = (
                self._scoped(select(self._row), scope).order_by(self._row.id).offset(offset).limit(limit)
            )
            return [self._model.model_validate(r.document) for r in session.scalars(statement)]

    def iter_records(self, scope: Scope | None = None, batch: int = 1000) -> Iterator[Record[M]]:
        """Every record in scope, in id order, read in keyset-paginated batches."""
        last = ""
        while True:
            with self._sessions() as session:
                statement = self._scoped(select(self._row), scope)
                rows = list(
                    session.scalars(statement.where(self._row.id > last).order_by(self._row.id).limit(batch))
                )
                records = [
                    Record(
                        self._model.model_validate(row.document),
                        row.organisation,
                        row.version,
                        row.created_at,
                        row.updated_at,
                    )
                    for row in rows
                ]
            if not rows:
                return
            yield from records
            last = rows[-1].id

    def iter_all(self, batch: int = 1000) -> Iterator[M]:
        """Every document, in id order, read in keyset-paginated batches."""
        for record in self.iter_records(batch=batch):
            yield record.item

    def fingerprint(self) -> str:
        """Hash of every (id, digest): equal fingerprints mean an index built from the same rows."""
        digest = hashlib.sha256()
        with self._sessions() as session:
            for entity_id, row_digest in session.execute(
                select(self._row.id, self._row.digest).order_by(self._row.id)
            ):
                digest.update(f"{entity_id}\0{row_digest}\n".encode())
        return digest.hexdigest()


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
        self.engine = create_db_engine(url)
        if migrate and not _in_memory(url):
            from matching.migrate import upgrade

            upgrade(self.engine)
        else:
            Base.metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                if not _has_triggers(conn):
                    for statement in append_only_ddl(conn.dialect.name):
                        conn.exec_driver_sql(statement)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.writes = sessionmaker(self.engine.execution_options(writer=True), expire_on_commit=False)
        self.jobseekers: Repository[JobSeeker] = Repository(
            self.sessions, self.writes, JobSeekerRow, JobSeeker, "job seeker"
        )
        self.vacancies: Repository[Vacancy] = Repository(
            self.sessions, self.writes, VacancyRow, Vacancy, "vacancy"
        )
        self.audit = AuditLog(self.writes)
        self.keys = ApiKeys(self.writes)
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
        label.
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
        return erased


def _in_memory(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _has_triggers(conn: Any) -> bool:
    if conn.dialect.name == "postgresql":
        query = "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_events_append_only'"
    else:
        query = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_events_no_delete'"
        )
    return bool(conn.exec_driver_sql(query).scalar())
