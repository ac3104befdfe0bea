"""Shared pieces of the webhook tests: a seeded SQLite store and event bodies."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from strava_dash.store.sql import SqlStore
from strava_dash.sync import Cursors
from tests.fake_strava import make_activities

SUBSCRIPTION_ID = 120_475
ATHLETE = 1_001
OTHER = 2_002
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
PER_ATHLETE_TABLES = ("activities", "gear", "streams", "goals", "athletes")


def seed(
    store: SqlStore,
    athlete_id: int,
    n: int = 5,
    *,
    scopes: tuple[str, ...] = ("read", "activity:read_all"),
) -> list[dict[str, Any]]:
    """An athlete with ``n`` activities, gear names, one stream and goals: a row in every
    table."""
    records = make_activities(n, athlete_id=athlete_id, seed=athlete_id)
    store.visit(athlete_id, scopes=scopes, now=NOW)
    store.save_page(athlete_id, records, Cursors(complete=True, last_synced=NOW))
    store.save_gear(athlete_id, {"b1": "Bike"})
    store.save_stream(athlete_id, records[0]["id"], {"time": {"data": [0, 1]}})
    store.save_goals(athlete_id, '{"version": 1, "goals": []}')
    return records


def rows_in_sqlite(path: Path, athlete_id: int) -> dict[str, int]:
    """Rows per table, read with the stdlib driver: evidence independent of SqlStore."""
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(
                f"SELECT count(*) FROM {table} WHERE athlete_id = ?", (athlete_id,)
            ).fetchone()[0]
            for table in PER_ATHLETE_TABLES
        }


def event(
    owner_id: int = ATHLETE,
    *,
    object_type: str = "activity",
    object_id: int | None = None,
    aspect_type: str = "create",
    updates: dict[str, Any] | None = None,
    subscription_id: int = SUBSCRIPTION_ID,
) -> dict[str, Any]:
    return {
        "object_type": object_type,
        "object_id": owner_id if object_id is None else object_id,
        "aspect_type": aspect_type,
        "updates": updates or {},
        "owner_id": owner_id,
        "subscription_id": subscription_id,
        "event_time": int(NOW.timestamp()),
    }


def deauthorization(owner_id: int = ATHLETE, **overrides: Any) -> dict[str, Any]:
    return event(
        owner_id,
        object_type="athlete",
        aspect_type="update",
        updates={"authorized": "false"},
        **overrides,
    )


def body(payload: Any) -> bytes:
    return json.dumps(payload).encode()
