"""A returning athlete: what the store saves against a first visit (requests, wall time).

Each visit is what the app does after a proven login: open the athlete's rows in the
store (SQLite in a temporary directory, as the embedded default), then ``sync``. The
session-only row is today's behaviour without a store: every visit is a first visit.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import Table, Target, ratio, seconds
from benchmarks.server import Athlete, BenchServer
from strava_dash.budget import InProcessBudget
from strava_dash.client import StravaClient
from strava_dash.store import AthleteRecorder, SqlStore
from strava_dash.sync import ActivityStore, sync

SCOPES = ("read", "activity:read", "activity:read_all")


@dataclass
class Visit:
    wall: float
    lists: int
    others: int
    held: int


def _visit(server: BenchServer, athlete: Athlete, store: SqlStore | None) -> Visit:
    server.call("clear_requests")
    started = time.perf_counter()
    activities = ActivityStore(athlete_id=athlete.id)
    if store is not None:
        stored = store.visit(athlete.id, scopes=SCOPES, now=datetime.now(UTC))
        activities.restore(stored.records, stored.cursors)
        activities.persistence = AthleteRecorder(store, athlete.id)
    client = StravaClient(athlete.token, api_url=server.api_url, budget=InProcessBudget())
    report = sync(client, activities)
    wall = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"sync failed: {report.error}")
    lists = server.list_requests()
    return Visit(wall, lists, server.api_requests() - lists, len(activities.records))


def run(latency: float, activities: int, placement: str) -> tuple[Table, list[Target]]:
    table = Table(
        f"A returning athlete ({activities:,} activities)",
        ["visit", "list requests", "other requests", "wall", "vs first visit", "held"],
    )
    with tempfile.TemporaryDirectory() as tmp, BenchServer(latency, placement) as server:
        store = SqlStore.open(f"sqlite:///{Path(tmp) / 'dash.sqlite3'}")
        athlete = server.call("add_athlete", activities, 3)
        first = _visit(server, athlete, store)
        again = _visit(server, athlete, store)
        truth = server.call("prepend", athlete.id, 50)
        fifty = _visit(server, athlete, store)
        held_ok = fifty.held == len(truth)
        session_only = _visit(server, athlete, None)
        store.dispose()
    rows = [
        ("first visit, empty store (SQLite)", first),
        ("**returning visit, nothing new**", again),
        ("**returning visit, 50 new**", fifty),
        ("session only (no store): every visit", session_only),
    ]
    for label, visit in rows:
        table.add(
            label, visit.lists, visit.others, seconds(visit.wall), ratio(visit.wall, first.wall),
            f"{visit.held:,}",
        )  # fmt: skip
    table.notes.append(
        f"{latency * 1000:.0f} ms added to every response; wall time includes reading the "
        "athlete's rows from the store and writing each page through to it."
    )
    targets = [
        Target(
            "returning visit, nothing new",
            "exactly 1 request",
            f"{again.lists} list + {again.others} other",
            again.lists + again.others == 1,
        ),
        Target(
            "returning visit, k = 50 new",
            f"≤ ceil(k/200) + 1 = {math.ceil(50 / 200) + 1}",
            f"{fifty.lists} list + {fifty.others} other, all {len(truth):,} held: "
            + ("yes" if held_ok else "no"),
            fifty.lists + fifty.others <= math.ceil(50 / 200) + 1 and held_ok,
        ),
    ]
    return table, targets
