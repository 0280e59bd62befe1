"""Alembic migrations: an empty database upgrades to exactly the models' schema (what ``alembic check`` checks),
a database from before migrations keeps its rows, and downgrading and upgrading again works."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from matching.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    schema_differences,
    upgrade,
)
from matching.store.storage import Storage
from tests.factories import seeker, vacancy

ROOT = Path(__file__).resolve().parents[1]
NEW_TABLES = {"api_keys", "audit_events", "releases", "secrets"}
HEAD = "0008"


def _empty(database_url: str) -> None:
    """The fixtures' databases may already hold the schema; migrations must start from nothing."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for table in (
            "audit_unlock",
            "audit_listed",
            "shares",
            "alerts",
            "saved_searches",
            "changes",
            "change_log_state",
            "change_followers",
            "feedback",
            "releases",
            "audit_events",
            "api_keys",
            "secrets",
            "vacancies",
            "job_seekers",
            "alembic_version",
        ):
            conn.execute(
                text(
                    f"DROP TABLE IF EXISTS {table} CASCADE"
                    if conn.dialect.name == "postgresql"
                    else f"DROP TABLE IF EXISTS {table}"
                )
            )
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS audit_events_append_only() CASCADE"))
    engine.dispose()


def test_upgrade_from_empty_matches_the_models(database_url: str) -> None:
    _empty(database_url)
    engine = create_engine(database_url)
    assert upgrade(engine) is None
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision() == HEAD
        assert NEW_TABLES | {"job_seekers", "vacancies", "feedback"} <= set(inspect(conn).get_table_names())
    assert schema_differences(engine) == []
    assert upgrade(engine) == HEAD  # a second start changes nothing
    engine.dispose()


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    _empty(database_url)
    engine = create_engine(database_url)
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    with engine.connect() as conn:
        assert current_revision(conn) == "0001"
        assert (NEW_TABLES | {"feedback"}).isdisjoint(inspect(conn).get_table_names())
    upgrade(engine)
    assert schema_differences(engine) == []
    engine.dispose()


def test_feedback_arrives_with_0003_and_leaves_with_its_downgrade(database_url: str) -> None:
    _empty(database_url)
    engine = create_engine(database_url)
    upgrade(engine, "0002")
    with engine.connect() as conn:
        assert "feedback" not in inspect(conn).get_table_names()
    upgrade(engine)
    with engine.connect() as conn:
        assert {i["name"] for i in inspect(conn).get_indexes("feedback")} == {
            "ix_feedback_vacancy_id",
            "ix_feedback_jobseeker_id",
            "ix_feedback_organisation",
        }
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    with engine.connect() as conn:
        assert current_revision(conn) == "0002"
        assert "feedback" not in inspect(conn).get_table_names()
        assert set(inspect(conn).get_table_names()) >= NEW_TABLES
    engine.dispose()


def test_a_database_from_before_migrations_keeps_its_rows(database_url: str) -> None:
    """Version 0.1 created its two tables with create_all and had no alembic_version."""
    _empty(database_url)
    engine = create_engine(database_url)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    person, job = seeker("js-old").model_dump(mode="json"), vacancy("vac-old").model_dump(mode="json")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")  # the baseline is exactly the old schema
        conn.execute(text("DROP TABLE alembic_version"))
        row = {"document": json.dumps(person), "digest": "d1", "created_at": now}
        conn.execute(
            text(
                "INSERT INTO job_seekers VALUES ('js-old', :document, 3, :digest, :created_at, :created_at)"
            ),
            row,
        )
        conn.execute(
            text("INSERT INTO vacancies VALUES ('vac-old', :document, 1, 'd2', :at, :at, :occupation)"),
            {"document": json.dumps(job), "at": now, "occupation": job["occupation_uri"]},
        )
    engine.dispose()

    storage = Storage(database_url)
    try:
        assert storage.jobseekers.get("js-old") == seeker("js-old")
        record = storage.jobseekers.get_record("js-old")
        assert (record.organisation, record.version, record.created_at) == ("default", 3, now)
        assert storage.vacancies.get("vac-old") == vacancy("vac-old")
        assert storage.jobseekers.fingerprint() != ""  # digests kept: the index check still works
        assert schema_differences(storage.engine) == []
    finally:
        storage.clear()
        storage.dispose()


def test_the_alembic_command_line_uses_the_configured_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"SKILLBRIDGE_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]
    subprocess.run([*alembic, "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)
    check = subprocess.run([*alembic, "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
