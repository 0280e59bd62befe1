"""Database engines: SQLite (the embedded default) with the pragmas the service relies on, or any SQLAlchemy URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


class Database(Protocol):
    """Where a store gets its sessions: reads, and writes (SQLite: BEGIN IMMEDIATE)."""

    sessions: sessionmaker[Session]
    writes: sessionmaker[Session]


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


def in_memory(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def has_triggers(conn: Any) -> bool:
    if conn.dialect.name == "postgresql":
        query = "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_events_append_only'"
    else:
        query = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_events_no_delete'"
        )
    return bool(conn.exec_driver_sql(query).scalar())
