"""The sync writing through to a real store: killed mid-way, a full disk, webhook hints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from strava_dash.client import StravaClient
from strava_dash.hints import counts_in_stats
from strava_dash.store import AthleteRecorder, SqlStore
from strava_dash.store import engine as engines
from strava_dash.sync import ActivityStore, sync
from strava_dash.transport import build_session
from tests.fake_strava import FakeAthlete, FakeStrava, make_activities

ROOT = Path(__file__).resolve().parent.parent
SCOPES = ("read", "activity:read_all")
LIST_PATH = "/api/v3/athlete/activities"

# Run by a child process: a sync writing through to the store, killed from outside.
CHILD = """
import sys
from datetime import UTC, datetime
from strava_dash.client import StravaClient
from strava_dash.store import AthleteRecorder, SqlStore
from strava_dash.sync import ActivityStore, sync
url, api_url, token, athlete_id = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = SqlStore.open(url)
held = ActivityStore(athlete_id=athlete_id)
stored = store.visit(athlete_id, scopes=("read",), now=datetime.now(UTC))
held.restore(stored.records, stored.cursors)
held.persistence = AthleteRecorder(store, athlete_id)
sync(StravaClient(token, api_url=api_url), held)
"""


def list_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == LIST_PATH)


def resume(store: SqlStore, server: FakeStrava, athlete: FakeAthlete) -> ActivityStore:
    held = ActivityStore(athlete_id=athlete.id)
    stored = store.visit(athlete.id, scopes=SCOPES, now=datetime.now(UTC))
    held.restore(stored.records, stored.cursors)
    held.recheck_from = stored.recheck_from
    held.persistence = AthleteRecorder(store, athlete.id)
    token = server.issue_token(athlete.id)["access_token"]
    client = StravaClient(token, api_url=server.api_url, session=build_session(backoff=0.01))
    assert sync(client, held).ok
    return held


def stored_count(url: str, athlete_id: int) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    sa.text("SELECT count(*) FROM activities WHERE athlete_id = :a"),
                    {"a": athlete_id},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_sync_killed_mid_way_resumes_from_disk(fake_strava: FakeStrava, store_url: str) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(2_000, athlete_id=0, seed=4))
    fake_strava.latency = 0.15  # slow enough to kill it half-way
    url = store_url
    SqlStore.open(url).dispose()
    token = fake_strava.issue_token(athlete.id)["access_token"]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, fake_strava.api_url, token, str(athlete.id)],
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while stored_count(url, athlete.id) < 600:
        assert child.poll() is None, "the sync ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)  # no clean-up, no last write: a crash
    child.wait()
    on_disk = stored_count(url, athlete.id)
    assert 600 <= on_disk < 2_000

    fake_strava.latency = 0.0
    time.sleep(0.5)  # the dead child's requests still in the fake's latency are logged
    fake_strava.clear_requests()
    store = SqlStore.open(url)  # a new server process's view
    held = resume(store, fake_strava, athlete)
    assert sorted(held.records) == sorted(a["id"] for a in athlete.activities)
    # The head check, then only what the cursor had not reached (+ the empty last page).
    missing_pages = -(-(2_000 - on_disk) // 200)
    assert list_requests(fake_strava) <= 1 + missing_pages + 2
    assert stored_count(url, athlete.id) == 2_000
    again = store.visit(athlete.id, scopes=SCOPES, now=datetime.now(UTC))
    assert again.cursors.complete
    store.dispose()


def test_a_full_disk_turns_the_store_off_and_the_sync_goes_on(
    fake_strava: FakeStrava, tmp_path: Path
) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(1_000, athlete_id=0, seed=2))
    url = f"sqlite:///{tmp_path / 'dash.sqlite3'}"
    store = SqlStore.open(url)
    store.visit(athlete.id, scopes=SCOPES, now=datetime.now(UTC))
    with store.engine.connect() as connection:
        pages_now = connection.exec_driver_sql("PRAGMA page_count").scalar()
    store.dispose()
    # SQLite's own "database or disk is full" (SQLITE_FULL), a few pages from now.
    full = engines.create(url)
    sa.event.listen(
        full,
        "connect",
        lambda dbapi, _: dbapi.execute(f"PRAGMA max_page_count={int(pages_now or 0) + 150}"),
    )
    small = SqlStore(full)
    held = ActivityStore(athlete_id=athlete.id)
    recorder = AthleteRecorder(small, athlete.id)
    held.persistence = recorder
    token = fake_strava.issue_token(athlete.id)["access_token"]
    report = sync(StravaClient(token, api_url=fake_strava.api_url), held)
    assert report.ok
    assert len(held.records) == 1_000  # the session lost nothing
    assert recorder.error is not None
    assert "full" in recorder.error
    kept = stored_count(url, athlete.id)
    assert 0 < kept < 1_000
    full.dispose()

    # What is on disk is consistent: the next visit completes it without a gap.
    fake_strava.clear_requests()
    resumed = resume(SqlStore.open(url), fake_strava, athlete)
    assert sorted(resumed.records) == sorted(a["id"] for a in athlete.activities)


def test_a_webhook_hint_makes_the_head_walk_reach_a_renamed_old_activity(
    fake_strava: FakeStrava, store_url: str
) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(900, athlete_id=0, seed=7))
    store = SqlStore.open(store_url)
    resume(store, fake_strava, athlete)
    old = athlete.activities[650]  # on the fourth page, newest first
    old["name"] = "Renamed 🚴 on Strava"
    fake_strava.clear_requests()
    without_hint = resume(store, fake_strava, athlete)
    assert without_hint.records[old["id"]]["name"] != old["name"]  # one page: missed
    assert list_requests(fake_strava) == 1

    assert store.note_change(athlete.id, old["id"], now=datetime.now(UTC))
    fake_strava.clear_requests()
    with_hint = resume(store, fake_strava, athlete)
    assert with_hint.records[old["id"]]["name"] == "Renamed 🚴 on Strava"
    assert list_requests(fake_strava) == 4  # down to the page that holds it, no further
    stored = store.visit(athlete.id, scopes=SCOPES, now=datetime.now(UTC))
    assert stored.records[old["id"]]["name"] == "Renamed 🚴 on Strava"
    assert stored.recheck_from is None  # done: the next visit costs one request again
    fake_strava.clear_requests()
    resume(store, fake_strava, athlete)
    assert list_requests(fake_strava) == 1
    store.dispose()


def test_written_records_are_the_json_strava_sent(fake_strava: FakeStrava, tmp_path: Path) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(30, athlete_id=0, seed=1))
    url = f"sqlite:///{tmp_path / 'dash.sqlite3'}"
    store = SqlStore.open(url)
    resume(store, fake_strava, athlete)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = {
            int(i): str(text)
            for i, text in connection.execute(sa.text("SELECT activity_id, record FROM activities"))
        }
    engine.dispose()
    assert {i: json.loads(text) for i, text in rows.items()} == {
        a["id"]: a for a in athlete.activities
    }
    store.dispose()


def test_pages_kept_after_a_failed_one_survive_a_restart(
    fake_strava: FakeStrava, store_url: str
) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(2_000, athlete_id=0, seed=19))
    fake_strava.fail(page=3, status=500, times=None)
    store = SqlStore.open(store_url)
    # What the stats would say (Everyone-visible rides, runs, swims): eight pages at once.
    # A hint above the list's length would vouch for pages past its end.
    counted = sum(map(counts_in_stats, athlete.activities))
    held = ActivityStore(athlete_id=athlete.id, total_hint=counted)
    store.visit(athlete.id, scopes=SCOPES, now=datetime.now(UTC))
    held.persistence = AthleteRecorder(store, athlete.id)
    token = fake_strava.issue_token(athlete.id)["access_token"]
    client = StravaClient(token, api_url=fake_strava.api_url, session=build_session(backoff=0.01))
    assert sync(client, held).error is not None
    # Pages 4.. that were on the wire when page 3 failed are stored too, not only 1..2
    # (which of 9 and 10 had been sent by then depends on timing).
    held_after = stored_count(store_url, athlete.id)
    assert held_after >= 1_400
    island_ends_list = any(
        r.path == LIST_PATH and r.status == 200 and r.query["page"] == ["11"]
        for r in fake_strava.requests
    )
    store.dispose()

    fake_strava.clear_failures()
    fake_strava.clear_requests()
    resumed = resume(SqlStore.open(store_url), fake_strava, athlete)  # a new process
    assert sorted(resumed.records) == sorted(a["id"] for a in athlete.activities)
    # The head, page 3 again and one page overlapping what is held: as within a session.
    # Unless the empty page ending the list came back after the failure too, the walk
    # then goes on below the island: from one second above its oldest activity (two can
    # share a second), so that one comes back again, then pages never sent and the empty
    # one. Forgetting the islands on disk would cost every page from 3 on again.
    beyond = 2_000 - 200 - held_after
    expected = 3 if island_ends_list else 3 + -(-(beyond + 1) // 200) + 1
    assert list_requests(fake_strava) == expected
    assert stored_count(store_url, athlete.id) == 2_000
