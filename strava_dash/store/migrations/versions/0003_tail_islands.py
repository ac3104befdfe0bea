"""Pages held beyond the tail cursor (islands): a sync cut by a failed page resumes
without asking for the pages that had already arrived, also on a later visit.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        # JSON list of [top, bottom] pairs; empty for every athlete stored before.
        batch.add_column(sa.Column("tail_islands", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.drop_column("tail_islands")
