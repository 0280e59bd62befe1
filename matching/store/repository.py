"""CRUD for one kind of document (job seekers or vacancies), scoped to what the caller may reach.

Each profile is stored as its validated JSON document plus a few columns for listing, access control and
checking that an index on disk still matches the database. Every write can carry audit entries, which are
stored in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence, Set
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, delete, false, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matching.access import Scope
from matching.errors import AlreadyExistsError, NotFoundError
from matching.store.audit import AuditEntry, add_entries
from matching.store.changes import append as log_changes
from matching.store.document_cache import Cached, DocumentCache
from matching.store.shares import active_to
from matching.store.tables import DEFAULT_ORGANISATION, JobSeekerRow, VacancyRow, _Document, utcnow
from models import JobSeeker, Vacancy

M = TypeVar("M", JobSeeker, Vacancy)
Progress = Callable[[int, int], None]
_now = utcnow


def _digest(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def digest_of(item: JobSeeker | Vacancy) -> str:
    """The digest a row of ``item`` is stored with."""
    return _digest(item.model_dump(mode="json"))


@dataclass(frozen=True, slots=True)
class Record(Generic[M]):
    """A stored entity with the columns that are not part of its document."""

    item: M
    organisation: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


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
        log_kind: str,
    ):
        self._sessions = sessions
        self._writes = writes
        self._row: Any = row_type
        self._model: type[M] = model
        self._cache: DocumentCache[M] = DocumentCache()
        self.kind = kind
        self.log_kind = log_kind  # the entity kind in the change log
        # True while something keeps the cache equal to the rows (a change-log follower, or a database only
        # this process can reach): then cached documents are served without asking the database.
        self.cache_followed = False

    def _row_for(self, item: M) -> dict[str, object]:
        document = item.model_dump(mode="json")
        columns: dict[str, object] = {"document": document, "digest": _digest(document)}
        if self._row is VacancyRow:
            columns["occupation_uri"] = document["occupation_uri"]
            columns["employer_id"] = document.get("employer_id")
        return columns

    def _scoped(self, statement: Select, scope: Scope | None, reading: bool = True) -> Select:
        """Only rows in ``scope``; job seekers shared with the scope's organisation are read, never written."""
        if scope is None:
            return statement
        if scope.nothing:
            return statement.where(false())
        if scope.organisation is not None:
            own = self._row.organisation == scope.organisation
            if reading and scope.shared and self._row is JobSeekerRow:
                statement = statement.where(or_(own, self._row.id.in_(active_to(scope.organisation))))
            else:
                statement = statement.where(own)
        if scope.entity_id is not None:
            statement = statement.where(self._row.id == scope.entity_id)
        if scope.employer_id is not None:
            if self._row is not VacancyRow:
                return statement.where(false())
            statement = statement.where(self._row.employer_id == scope.employer_id)
        return statement

    def _locked_row(self, session: Session, entity_id: str, scope: Scope | None) -> Any:
        statement = self._scoped(select(self._row).where(self._row.id == entity_id), scope, reading=False)
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
            columns = self._row_for(item)
            session.add(self._row(id=item.id, organisation=organisation, **columns))
            add_entries(session, audit)
            try:
                session.flush()
            except IntegrityError as exc:  # lost a race with a concurrent create
                raise AlreadyExistsError(self.kind, item.id) from exc
            log_changes(session, self.log_kind, [item.id])
        self._written(item, str(columns["digest"]), organisation)
        return item

    def _written(self, item: M, digest: str, organisation: str) -> None:
        """The document this process just committed is the row's current state: cached as such, so the
        reads that follow a write (alerts, the next list) need not read it back. A later write by another
        process reaches the followed cache through the change log, which drops what differs."""
        self._cache.forget([item.id])
        self._cache.put(item.id, Cached(digest, organisation, item), self._cache.epoch)

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
            log_changes(session, self.log_kind, ids)
        self._cache.forget(ids)
        return len(items)

    def replace(self, item: M, scope: Scope | None = None, audit: Sequence[AuditEntry] = ()) -> M:
        """Overwrite a row in scope; returns the document it held before (the caller may need what is gone)."""
        with self._writes.begin() as session:
            row = self._locked_row(session, item.id, scope)
            earlier = self._model.model_validate(row.document)
            columns = self._row_for(item)
            for key, value in columns.items():
                setattr(row, key, value)
            row.version += 1
            row.updated_at = _now()
            organisation = row.organisation
            add_entries(session, audit)
            log_changes(session, self.log_kind, [item.id])
        self._written(item, str(columns["digest"]), organisation)
        return earlier

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

    def get_in_scope(self, entity_id: str, scope: Scope | None = None) -> tuple[M, str]:
        """``(document, organisation)`` of one row in scope; from the followed cache when it holds the row."""
        cached = self._cache.get(entity_id) if self.cache_followed else None
        if cached is None or (
            scope is not None and scope.shared and cached.organisation != scope.organisation
        ):
            # not cached, or maybe shared with the caller's organisation: the database decides
            record = self.get_record(entity_id, scope)
            return record.item, record.organisation
        employer = getattr(cached.item, "employer_id", None)
        if scope is not None and not scope.reaches(
            entity_id, cached.organisation, employer, self._row is VacancyRow
        ):
            raise NotFoundError(self.kind, entity_id)
        return cached.item, cached.organisation

    def get_many(
        self, ids: Sequence[str], organisation: str | None = None, also: Set[str] = frozenset()
    ) -> dict[str, M]:
        """The documents among ``ids`` that exist (in ``organisation``, or among ``also``, when given).

        Matching reads the same profiles again and again, so validated documents are cached. While the cache
        is followed (``cache_followed``) a cached document is current and served as it is; otherwise the
        database is asked for each row's digest first, so a change made by any process is seen.
        """
        out: dict[str, M] = {}
        epoch = self._cache.epoch
        missing: list[str] = []
        if self.cache_followed:
            for entity_id in ids:
                cached = self._cache.get(entity_id)
                if cached is None:
                    missing.append(entity_id)
                elif organisation is None or cached.organisation == organisation or entity_id in also:
                    out[entity_id] = cached.item
            if not missing:
                return out
        with self._sessions() as session:
            if not self.cache_followed:
                for start in range(0, len(ids), 500):
                    statement = select(self._row.id, self._row.digest).where(
                        self._row.id.in_(list(ids[start : start + 500]))
                    )
                    for entity_id, digest in session.execute(statement):
                        cached = self._cache.get(entity_id)
                        if cached is None or cached.digest != digest:
                            missing.append(entity_id)
                        elif organisation is None or cached.organisation == organisation or entity_id in also:
                            out[entity_id] = cached.item
            for start in range(0, len(missing), 500):
                rows = session.execute(
                    select(self._row.id, self._row.digest, self._row.organisation, self._row.document).where(
                        self._row.id.in_(missing[start : start + 500])
                    )
                )
                for entity_id, digest, owner, document in rows:
                    entry = Cached(digest, owner, self._model.model_validate(document))
                    self._cache.put(entity_id, entry, epoch)
                    if organisation is None or owner == organisation or entity_id in also:
                        out[entity_id] = entry.item
        return out

    def delete(self, entity_id: str, scope: Scope | None = None, audit: Sequence[AuditEntry] = ()) -> M:
        """Delete one row; returns the deleted document."""
        with self._writes.begin() as session:
            row = self._locked_row(session, entity_id, scope)
            item = self._model.model_validate(row.document)
            session.execute(delete(self._row).where(self._row.id == entity_id))
            add_entries(session, audit)
            log_changes(session, self.log_kind, [entity_id])
        self._cache.forget([entity_id])  # erased means erased from memory too
        return item

    @property
    def cache_epoch(self) -> int:
        """Changes whenever the document cache forgets anything: equal epochs, no document went stale."""
        return self._cache.epoch

    def forget_cached(self, entity_ids: Sequence[str]) -> None:
        """Drop cached documents (their rows changed elsewhere, or were erased)."""
        self._cache.forget(entity_ids)

    def clear_cache(self) -> None:
        self._cache.clear()

    def digests(self, ids: Sequence[str]) -> dict[str, str]:
        """The current digest of each row among ``ids`` that exists."""
        out: dict[str, str] = {}
        with self._sessions() as session:
            for start in range(0, len(ids), 500):
                statement = select(self._row.id, self._row.digest).where(
                    self._row.id.in_(list(ids[start : start + 500]))
                )
                out.update(dict(session.execute(statement).all()))
        return out

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
