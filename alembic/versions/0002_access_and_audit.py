"""Access control and accountability: organisations, employer ids, API keys, audit log, releases, secrets.

Existing rows join the organisation 'default'; the audit log is made append-only by triggers
(see matching/store/tables.py for what they allow).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the triggers in matching/store/tables.py (a migration must not change when the app does).
POSTGRES_APPEND_ONLY = [
    """
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('skillbridge.reset', true) = 'on' THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND current_setting('skillbridge.erasure', true) = 'on'
           AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.key_id IS NOT DISTINCT FROM OLD.key_id
           AND NEW.role = OLD.role AND NEW.action = OLD.action AND NEW.entity_kind = OLD.entity_kind
           AND NEW.context IS NOT DISTINCT FROM OLD.context AND NEW.purpose = OLD.purpose THEN
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
    BEFORE UPDATE OF id, at, key_id, role, action, entity_kind, context, purpose ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END
    """,
]
SQLITE_DROP_APPEND_ONLY = [
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
]


def upgrade() -> None:
    for table in ("job_seekers", "vacancies"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("organisation", sa.String(length=64), nullable=False, server_default="default")
            )
            batch.create_index(f"ix_{table}_organisation", ["organisation"])
    with op.batch_alter_table("vacancies") as batch:
        batch.add_column(sa.Column("employer_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_vacancies_employer_id", ["employer_id"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash"),
    )
    op.create_index("ix_api_keys_subject_id", "api_keys", ["subject_id"])

    op.create_table(
        "audit_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity_kind", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("context", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_key_id", "audit_events", ["key_id"])
    op.create_index("ix_audit_events_entity_id", "audit_events", ["entity_id"])

    op.create_table(
        "releases",
        sa.Column("vacancy_id", sa.String(length=64), nullable=False),
        sa.Column("jobseeker_id", sa.String(length=64), nullable=False),
        sa.Column("released_by", sa.String(length=32), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["jobseeker_id"], ["job_seekers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("vacancy_id", "jobseeker_id"),
    )
    op.create_index("ix_releases_jobseeker_id", "releases", ["jobseeker_id"])

    op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_APPEND_ONLY if dialect == "postgresql" else SQLITE_APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_DROP_APPEND_ONLY if dialect == "postgresql" else SQLITE_DROP_APPEND_ONLY:
        op.execute(statement)
    op.drop_table("secrets")
    op.drop_index("ix_releases_jobseeker_id", table_name="releases")
    op.drop_table("releases")
    for index in ("ix_audit_events_entity_id", "ix_audit_events_key_id", "ix_audit_events_at"):
        op.drop_index(index, table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_api_keys_subject_id", table_name="api_keys")
    op.drop_table("api_keys")
    with op.batch_alter_table("vacancies") as batch:
        batch.drop_index("ix_vacancies_employer_id")
        batch.drop_column("employer_id")
    for table in ("job_seekers", "vacancies"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_organisation")
            batch.drop_column("organisation")
