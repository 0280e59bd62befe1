"""Persistence with SQLAlchemy: SQLite file by default, PostgreSQL through a database URL.

The database is the source of truth. Each profile is stored as its validated JSON document plus a few
columns for listing and for checking that an index on disk still matches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    MetaData,
    String,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from matching.errors import AlreadyExistsError, NotFoundError
from models import JobSeeker, Vacancy


class Base(DeclarativeBase):
    metadata = MetaData()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Document:
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Hash of the document: lets a restart tell whether an index on disk was built from these rows.
    digest: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, nullable=False)


class JobSeekerRow(_Document, Base):
    __tablename__ = "job_seekers"


class VacancyRow(_Document, Base):
    __tablename__ = "vacancies"
    occupation_uri: Mapped[str] = mapped_column(String(255), index=True, nullable=False)


M = TypeVar("M", JobSeeker, Vacancy)


def _digest(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):
            cursor = conn.cursor()
            # WAL lets API readers proceed while a writer commits; foreign keys are off by default.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Repository(Generic[M]):
    """CRUD for one kind of document. Every method runs in its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], row_type: type[_Document], model: type[M], kind: str):
        self._sessions = sessions
        self._row = row_type
        self._model: type[M] = model
        self.kind = kind

    def _row_for(self, item: M) -> dict[str, object]:
        document = item.model_dump(mode="json")
        columns: dict[str, object] = {"document": document, "digest": _digest(document)}
        if self._row is VacancyRow:
            columns["occupation_uri"] = document["occupation_uri"]
        return columns

    def create(self, item: M) -> M:
        with self._sessions.begin() as session:
            if session.get(self._row, item.id) is not None:
                raise AlreadyExistsError(self.kind, item.id)
            session.add(self._row(id=item.id, **self._row_for(item)))  # type: ignore[call-arg]
            try:
                session.flush()
            except IntegrityError as exc:  # lost a race with a concurrent create
                raise AlreadyExistsError(self.kind, item.id) from exc
        return item

    def create_many(self, items: Sequence[M]) -> int:
        """Insert in one transaction: all rows or none."""
        ids = [i.id for i in items]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise AlreadyExistsError(self.kind, duplicate)
        with self._sessions.begin() as session:
            for start in range(0, len(ids), 500):
                clash = session.scalar(select(self._row.id).where(self._row.id.in_(ids[start : start + 500])))
                if clash is not None:
                    raise AlreadyExistsError(self.kind, clash)
            session.add_all(
                [self._row(id=i.id, **self._row_for(i)) for i in items]  # type: ignore[call-arg]
            )
            try:
                session.flush()
            except IntegrityError as exc:  # a concurrent writer inserted one of the ids meanwhile
                raise AlreadyExistsError(self.kind, "(one of the batch)") from exc
        return len(items)

    def replace(self, item: M) -> M:
        with self._sessions.begin() as session:
            row = session.get(self._row, item.id, with_for_update=True)
            if row is None:
                raise NotFoundError(self.kind, item.id)
            for key, value in self._row_for(item).items():
                setattr(row, key, value)
            row.version += 1
            row.updated_at = _now()
        return item

    def get(self, entity_id: str) -> M:
        with self._sessions() as session:
            row = session.get(self._row, entity_id)
            if row is None:
                raise NotFoundError(self.kind, entity_id)
            return self._model.model_validate(row.document)

    def get_many(self, ids: Sequence[str]) -> dict[str, M]:
        out: dict[str, M] = {}
        with self._sessions() as session:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                for row in session.scalars(select(self._row).where(self._row.id.in_(chunk))):
                    out[row.id] = self._model.model_validate(row.document)
        return out

    def delete(self, entity_id: str) -> None:
        with self._sessions.begin() as session:
            result = session.execute(delete(self._row).where(self._row.id == entity_id))
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFoundError(self.kind, entity_id)

    def count(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.count()).select_from(self._row)) or 0)

    def list(self, offset: int = 0, limit: int = 50) -> list[M]:
        with self._sessions() as session:
            rows = session.scalars(select(self._row).order_by(self._row.id).offset(offset).limit(limit))
            return [self._model.model_validate(r.document) for r in rows]

    def iter_all(self, batch: int = 1000) -> Iterator[M]:
        """Every document, in id order, read in keyset-paginated batches."""
        last = ""
        while True:
            with self._sessions() as session:
                rows = list(
                    session.scalars(
                        select(self._row).where(self._row.id > last).order_by(self._row.id).limit(batch)
                    )
                )
            if not rows:
                return
            for row in rows:
                yield self._model.model_validate(row.document)
            last = rows[-1].id

    def fingerprint(self) -> str:
        """Hash of every (id, digest): equal fingerprints mean an index built from the same rows."""
        digest = hashlib.sha256()
        with self._sessions() as session:
            for entity_id, row_digest in session.execute(
                select(self._row.id, self._row.digest).order_by(self._row.id)
            ):
                digest.update(f"{entity_id}\0{row_digest}\n".encode())
        return digest.hexdigest()


class Storage:
    def __init__(self, url: str):
        self.url = url
        self.engine = create_db_engine(url)
        Base.metadata.create_all(self.engine)
        sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.jobseekers: Repository[JobSeeker] = Repository(sessions, JobSeekerRow, JobSeeker, "job seeker")
        self.vacancies: Repository[Vacancy] = Repository(sessions, VacancyRow, Vacancy, "vacancy")

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True

    def clear(self) -> None:
        with self.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())

    def dispose(self) -> None:
        self.engine.dispose()
