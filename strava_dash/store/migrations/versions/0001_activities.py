"""The first store: athletes with their resume cursors, and their raw activities.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "athletes",
        sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("tail_before", sa.BigInteger),
        sa.Column("head_before", sa.BigInteger),
        sa.Column("total_hint", sa.Integer),
        sa.Column("last_synced", sa.DateTime(timezone=True)),
        sa.Column("last_visit", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "activities",
        sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("activity_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("start_epoch", sa.BigInteger),
        sa.Column("record", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("activities")
    op.drop_table("athletes")
