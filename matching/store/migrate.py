"""Bring a database to the newest schema with Alembic (``alembic/`` at the project root).

Called by :class:`matching.store.storage.Storage` on start. Databases made before migrations existed (tables but
no ``alembic_version``) are stamped with the baseline revision first, so upgrading keeps their rows.
"""

from __future__ import annotations

from functools import lru_cache

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from matching.paths import PROJECT_ROOT
from matching.store.tables import Base

ALEMBIC_DIR = PROJECT_ROOT / "alembic"
BASELINE = "0001"
# Any constant: serialises concurrent start-ups (several workers) on one PostgreSQL database.
_PG_LOCK = 0x5B1D6E


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade to ``revision``; returns the revision the database was at (None: new or legacy)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        before = current_revision(connection)
        if revision == "head" and before is not None and before == head_revision():
            return before
        config = alembic_config(connection)
        if before is None and inspect(connection).has_table("job_seekers"):
            command.stamp(config, BASELINE)  # a database from before migrations existed
        command.upgrade(config, revision)
    return before


def schema_differences(engine: Engine) -> list:
    """What ``alembic revision --autogenerate`` would write: empty when migrations match the models."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)
