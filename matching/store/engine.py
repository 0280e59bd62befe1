"""Database engines: SQLite (the embedded default) with the pragmas the service relies on, or any SQLAlchemy URL."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT = 30.0  # seconds a statement waits for another process's lock


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
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT}, hide_parameters=True
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
            if conn.get_execution_options().get("writer"):
                begin_immediate(conn.connection.driver_connection)
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    # hide_parameters: error messages (and so logs) never quote the values of a statement: personal data.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def begin_immediate(raw: sqlite3.Connection, timeout: float = BUSY_TIMEOUT) -> None:
    """BEGIN IMMEDIATE, retried every fraction of a millisecond while another process writes.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries, so with several server
    processes (each request writes an audit entry) a writer often sleeps long after the lock was freed.
    """
    deadline = time.monotonic() + timeout
    delay = 0.0001
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 1.5, 0.002)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


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
