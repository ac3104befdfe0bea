"""The store's tables as the code reads and writes them (SQLAlchemy Core).

Migrations in ``migrations/versions`` create and change these tables; they never import
this module, so an old migration keeps meaning what it meant when it was written. A test
checks that the head of the migrations and this module describe the same schema.

Raw records and streams are kept as the JSON text Strava sent (lossless: no JSONB key
reordering, no float rounding); only what the store itself queries gets a column.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

athletes = sa.Table(
    "athletes",
    metadata,
    sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("tail_before", sa.BigInteger),
    sa.Column("head_before", sa.BigInteger),
    sa.Column("total_hint", sa.Integer),
    sa.Column("last_synced", sa.DateTime(timezone=True)),
    # JSON [[top, bottom], ...]: pages held beyond tail_before (strava_dash.islands).
    sa.Column("tail_islands", sa.Text, nullable=False, server_default="[]"),
    sa.Column("last_visit", sa.DateTime(timezone=True), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    # Webhook hints: the head walk re-reads down to this start time (an old activity
    # was renamed or changed type), and the time the last hint arrived.
    sa.Column("recheck_from", sa.BigInteger),
    sa.Column("changed_at", sa.DateTime(timezone=True)),
)

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("activity_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("start_epoch", sa.BigInteger),
    sa.Column("record", sa.Text, nullable=False),
)

gear = sa.Table(
    "gear",
    metadata,
    sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("gear_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)

streams = sa.Table(
    "streams",
    metadata,
    sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("activity_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("data", sa.Text, nullable=False),
)

# The Insights goals file of an athlete (strava_dash.insights.goals.dumps): read and
# written whole, never queried, so one text column.
goals = sa.Table(
    "goals",
    metadata,
    sa.Column("athlete_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("document", sa.Text, nullable=False),
)

app_meta = sa.Table(
    "app_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: Every table holding one athlete's data: what "delete my data" empties.
PER_ATHLETE = (activities, gear, streams, goals, athletes)
