"""Gear names and streams (each cost a request: never fetched twice across visits), the
scopes granted, webhook hints, and app-wide settings such as the push subscription id.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        # Athletes stored before this revision granted the scopes the app asked for then.
        batch.add_column(
            sa.Column("scopes", sa.Text, nullable=False, server_default="read,activity:read_all")
        )
        batch.add_column(sa.Column("recheck_from", sa.BigInteger))
        batch.add_column(sa.Column("changed_at", sa.DateTime(timezone=True)))
    op.create_table(
        "gear",
        sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("gear_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
    )
    op.create_table(
        "streams",
        sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("activity_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_meta")
    op.drop_table("streams")
    op.drop_table("gear")
    with op.batch_alter_table("athletes") as batch:
        batch.drop_column("changed_at")
        batch.drop_column("recheck_from")
        batch.drop_column("scopes")
