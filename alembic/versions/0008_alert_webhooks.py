"""Saved searches may name a webhook; alerts keep its delivery state (an outbox).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matching.store.tables import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("saved_searches") as batch:
        batch.add_column(sa.Column("webhook", sa.String(length=500), nullable=True))
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("webhook_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("webhook_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("webhook_due", UTCDateTime(), nullable=True))
        batch.create_index("ix_alerts_webhook_state", ["webhook_state"])


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_webhook_state")
        batch.drop_column("webhook_due")
        batch.drop_column("webhook_attempts")
        batch.drop_column("webhook_state")
    with op.batch_alter_table("saved_searches") as batch:
        batch.drop_column("webhook")
