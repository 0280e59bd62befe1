"""Sharing a job seeker with another organisation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("jobseeker_id", sa.String(length=64), nullable=False),
        sa.Column("from_organisation", sa.String(length=64), nullable=False),
        sa.Column("to_organisation", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["jobseeker_id"], ["job_seekers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shares_jobseeker_id", "shares", ["jobseeker_id"])
    op.create_index("ix_shares_to_organisation", "shares", ["to_organisation"])


def downgrade() -> None:
    op.drop_index("ix_shares_to_organisation", table_name="shares")
    op.drop_index("ix_shares_jobseeker_id", table_name="shares")
    op.drop_table("shares")
