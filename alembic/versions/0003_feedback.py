"""Advisor feedback on matches: decisions (proposed … hired, rejected with a reason) and the match as it was.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("vacancy_id", sa.String(length=64), nullable=False),
        sa.Column("jobseeker_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("eligibility", sa.String(length=16), nullable=False),
        sa.Column("advisor_key_id", sa.String(length=32), nullable=True),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feedback_vacancy_id", "feedback", ["vacancy_id"])
    op.create_index("ix_feedback_jobseeker_id", "feedback", ["jobseeker_id"])
    op.create_index("ix_feedback_organisation", "feedback", ["organisation"])


def downgrade() -> None:
    for index in ("ix_feedback_organisation", "ix_feedback_jobseeker_id", "ix_feedback_vacancy_id"):
        op.drop_index(index, table_name="feedback")
    op.drop_table("feedback")
