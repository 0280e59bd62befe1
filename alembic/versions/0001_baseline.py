"""Baseline: job seekers and vacancies as stored before migrations existed.

Databases created by earlier versions (``create_all``) hold exactly this schema; on start they are stamped
with this revision and upgraded from here, so their data is kept.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _document_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table("job_seekers", *_document_columns(), sa.PrimaryKeyConstraint("id"))
    op.create_table(
        "vacancies",
        *_document_columns(),
        sa.Column("occupation_uri", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_vacancies_occupation_uri", "vacancies", ["occupation_uri"])


def downgrade() -> None:
    op.drop_index("ix_vacancies_occupation_uri", table_name="vacancies")
    op.drop_table("vacancies")
    op.drop_table("job_seekers")
