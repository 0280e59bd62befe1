"""Erasure may replace a person's id in the audit log's purpose and context too; audited lists name the
people they showed (audit_listed).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matching.store.tables import append_only_ddl, drop_append_only_ddl

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "audit_listed",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("jobseeker_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "jobseeker_id"),
    )
    op.create_index("ix_audit_listed_jobseeker_id", "audit_listed", ["jobseeker_id"])
    op.create_table(
        "audit_unlock", sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("id")
    )
    for statement in [*drop_append_only_ddl(dialect), *append_only_ddl(dialect)]:
        op.execute(statement)


def downgrade() -> None:
    """Back to triggers that do not read audit_unlock (on PostgreSQL they stay: they never did)."""
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_rewrite")
    op.drop_table("audit_unlock")
    op.drop_index("ix_audit_listed_jobseeker_id", table_name="audit_listed")
    op.drop_table("audit_listed")
