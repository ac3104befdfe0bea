"""The athlete store against the real engines: SQLite in a temporary directory and a
PostgreSQL server started by the tests (``store_url`` runs each test on both)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from strava_dash.errors import AthleteGone, StoreError
from strava_dash.islands import Island
from strava_dash.settings import HostingSettings
from strava_dash.store import AthleteRecorder, SqlStore, migrate, service
from strava_dash.store import engine as engines
from strava_dash.store.schema import metadata
from strava_dash.store.service import Sweeper
from strava_dash.sync import Cursors
from tests.postgres_server import PostgresServer

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SCOPES = ("read", "activity:read_all")

# What Strava sends and a lossy store would change: fractional floats with many digits,
# big integer ids, emoji, a formula-looking name, nested maps, nulls, booleans.
ODD_RECORD = {
    "id": 17_179_869_184_123,
    "name": '=HYPERLINK("x") 🚴‍♀️ Col de l\'Église',
    "distance": 12_345.678901234567,
    "average_speed": 0.1 + 0.2,
    "start_date": "2024-03-01T06:30:00Z",
    "map": {"id": "a1", "summary_polyline": "}_p~iF~ps|U_ulLnnqC"},
    "gear_id": None,
    "private": True,
    "kudos_count": 0,
}


def record(activity_id: int, start: str = "2024-01-01T10:00:00Z", **extra: object) -> dict:
    return {"id": activity_id, "start_date": start, "name": f"Ride {activity_id}", **extra}


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.dispose()


def test_a_new_athlete_starts_empty(store: SqlStore) -> None:
    stored = store.visit(1, scopes=SCOPES, now=NOW)
    assert stored.records == {}
    assert stored.cursors == Cursors()
    assert stored.scopes == frozenset(SCOPES)
    assert stored.last_visit == NOW


def test_records_come_back_exactly_as_strava_sent_them(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW)
    islands = (Island(1_700_000_000, 1_690_000_000), Island(1_600_000_000, None))
    cursors = Cursors(False, 1_709_274_601, None, 812, NOW - timedelta(minutes=3), islands)
    store.save_page(1, [ODD_RECORD, record(2)], cursors)
    stored = store.visit(1, scopes=SCOPES, now=NOW + timedelta(days=1))
    assert stored.records == {ODD_RECORD["id"]: ODD_RECORD, 2: record(2)}
    assert stored.records[ODD_RECORD["id"]]["average_speed"] == 0.30000000000000004
    assert stored.cursors == cursors
    assert stored.cursors.last_synced is not None
    assert stored.cursors.last_synced.tzinfo is not None
    assert stored.last_visit == NOW + timedelta(days=1)


def test_a_page_replaces_records_by_id_and_moves_the_cursors(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW)
    store.save_page(1, [record(1), record(2)], Cursors(tail_before=100))
    store.save_page(1, [record(2, name="renamed")], Cursors(complete=True))
    stored = store.visit(1, scopes=SCOPES, now=NOW)
    assert stored.records[2]["name"] == "renamed"
    assert len(stored.records) == 2
    assert stored.cursors == Cursors(complete=True)


def test_a_deleted_athlete_is_not_brought_back_by_a_late_page(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW)
    store.delete_athlete(1)
    with pytest.raises(AthleteGone):
        store.save_page(1, [record(5)], Cursors())
    assert store.athlete_ids() == []
    tables = ("activities", "gear", "streams", "goals", "athletes")
    assert store.row_counts(1) == dict.fromkeys(tables, 0)


def test_deleting_an_athlete_leaves_no_row_and_keeps_the_others(store: SqlStore) -> None:
    for athlete in (1, 2):
        store.visit(athlete, scopes=SCOPES, now=NOW)
        store.save_page(athlete, [record(athlete * 10), record(athlete * 10 + 1)], Cursors())
        store.save_gear(athlete, {f"b{athlete}": "Bike"})
        store.save_stream(athlete, athlete * 10, {"time": {"data": [0, 1]}})
        store.save_goals(athlete, f'{{"version": 1, "goals": [], "who": {athlete}}}')
    assert store.delete_athlete(1) == 2 + 1 + 1 + 1 + 1
    assert store.row_counts(1) == {
        "activities": 0,
        "gear": 0,
        "streams": 0,
        "goals": 0,
        "athletes": 0,
    }
    assert store.row_counts(2) == {
        "activities": 2,
        "gear": 1,
        "streams": 1,
        "goals": 1,
        "athletes": 1,
    }
    assert set(store.visit(2, scopes=SCOPES, now=NOW).records) == {20, 21}
    assert store.goals(1) is None
    assert store.goals(2) == '{"version": 1, "goals": [], "who": 2}'


def test_goals_are_kept_replaced_and_never_saved_for_a_deleted_athlete(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW)
    assert store.goals(1) is None
    store.save_goals(1, '{"goals": ["=first 🚴"]}')
    store.save_goals(1, '{"goals": ["second"]}')
    assert store.goals(1) == '{"goals": ["second"]}'
    store.delete_athlete(1)
    with pytest.raises(AthleteGone):
        store.save_goals(1, '{"goals": ["late"]}')
    assert store.row_counts(1)["goals"] == 0
    with pytest.raises(AthleteGone):
        store.save_goals(99, "{}")  # never stored at all


def test_the_recorder_keeps_goals_and_says_when_it_cannot(store: SqlStore) -> None:
    store.visit(3, scopes=SCOPES, now=NOW)
    recorder = AthleteRecorder(store, 3)
    assert recorder.goals() is None
    assert recorder.save_goals('{"goals": []}') is True
    assert recorder.goals() == '{"goals": []}'
    store.delete_athlete(3)
    assert recorder.save_goals('{"goals": [1]}') is False  # gone: the session keeps them
    assert store.row_counts(3)["goals"] == 0
    recorder.detach()
    assert recorder.goals() is None


def test_a_database_at_0003_upgrades_to_goals_with_its_data(store_url: str) -> None:
    engine = engines.create(store_url)
    migrate.upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO athletes (athlete_id, complete, last_visit, scopes) "
                "VALUES (8, :complete, :visit, 'read')"
            ),
            {"complete": True, "visit": NOW},
        )
    engine.dispose()
    store = SqlStore.open(store_url)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision() == "0004"
        assert store.visit(8, scopes=SCOPES, now=NOW).cursors.complete
        store.save_goals(8, "{}")  # the table the upgrade added
        assert store.goals(8) == "{}"
        assert store.delete_athlete(8) == 2
    finally:
        store.dispose()


def test_one_athlete_never_loads_another_athletes_rows(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW)
    store.save_page(1, [record(11)], Cursors(complete=True))
    store.save_gear(1, {"b1": "Secret bike"})
    store.save_stream(1, 11, {"latlng": {"data": [[41.9, 2.8]]}})
    other = store.visit(2, scopes=SCOPES, now=NOW)
    assert (other.records, other.gear_names, other.cursors) == ({}, {}, Cursors())
    assert store.stream(2, 11) is None


def test_gear_and_streams_are_kept_across_visits(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW)
    store.save_gear(1, {"b1": "Canyon 🚲", "g2": "Shoes"})
    streams = {"latlng": {"data": [[41.98, 2.82]]}, "altitude": {"data": [71.25]}}
    store.save_stream(1, 11, streams)
    assert store.visit(1, scopes=SCOPES, now=NOW).gear_names == {"b1": "Canyon 🚲", "g2": "Shoes"}
    assert store.stream(1, 11) == streams
    assert store.stream(1, 12) is None


def test_activity_delete_and_change_hints(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW)
    store.save_page(
        1,
        [record(1, "2020-01-01T00:00:00Z"), record(2, "2022-01-01T00:00:00Z")],
        Cursors(complete=True),
    )
    store.save_stream(1, 1, {"time": {"data": [0]}})
    assert store.note_change(1, 2, now=NOW)
    assert store.visit(1, scopes=SCOPES, now=NOW).recheck_from == 1_640_995_200
    assert store.note_change(1, 1, now=NOW)  # older: the recheck reaches further down
    assert store.note_change(1, 2, now=NOW)  # newer: does not shorten it
    assert store.visit(1, scopes=SCOPES, now=NOW).recheck_from == 1_577_836_800
    assert store.note_change(1, 999, now=NOW)  # unknown activity (a create): no recheck
    assert store.visit(1, scopes=SCOPES, now=NOW).recheck_from == 1_577_836_800
    store.save_page(1, [], Cursors(complete=True), recheck_done=True)
    assert store.visit(1, scopes=SCOPES, now=NOW).recheck_from is None
    assert store.delete_activity(1, 1)
    assert not store.delete_activity(1, 1)
    assert store.stream(1, 1) is None
    assert set(store.visit(1, scopes=SCOPES, now=NOW).records) == {2}
    assert not store.note_change(3, 1, now=NOW)  # not stored: nothing to mark


def test_sweep_deletes_only_athletes_past_retention(store: SqlStore) -> None:
    store.visit(1, scopes=SCOPES, now=NOW - timedelta(days=8))
    store.save_page(1, [record(1)], Cursors())
    store.visit(2, scopes=SCOPES, now=NOW - timedelta(days=6))
    assert store.sweep(NOW - timedelta(days=7)) == [1]
    assert store.athlete_ids() == [2]
    assert store.row_counts(1)["activities"] == 0


def test_app_settings(store: SqlStore) -> None:
    assert store.get_meta("webhook_subscription_id") is None
    store.set_meta("webhook_subscription_id", "42")
    store.set_meta("webhook_subscription_id", "43")
    assert store.get_meta("webhook_subscription_id") == "43"
    store.set_meta("webhook_subscription_id", None)
    assert store.get_meta("webhook_subscription_id") is None


def test_concurrent_writers_for_different_athletes(store: SqlStore) -> None:
    for athlete in range(1, 5):
        store.visit(athlete, scopes=SCOPES, now=NOW)
    errors: list[BaseException] = []

    def write(athlete: int) -> None:
        try:
            for page in range(10):
                ids = range(athlete * 1000 + page * 20, athlete * 1000 + page * 20 + 20)
                store.save_page(athlete, [record(i) for i in ids], Cursors(tail_before=page))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(a,)) for a in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for athlete in range(1, 5):
        stored = store.visit(athlete, scopes=SCOPES, now=NOW)
        assert len(stored.records) == 200
        assert stored.cursors.tail_before == 9


# ----------------------------------------------------------------------- migrations


def test_the_schema_at_head_is_what_the_code_uses(store: SqlStore) -> None:
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_database_made_by_the_first_migration_upgrades_with_its_data(store_url: str) -> None:
    engine = engines.create(store_url)
    migrate.upgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO athletes (athlete_id, complete, tail_before, last_visit) "
                "VALUES (7, :complete, 1700000000, :visit)"
            ),
            {"complete": False, "visit": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO activities (athlete_id, activity_id, start_epoch, record) "
                "VALUES (7, 70, 1699999999, :record)"
            ),
            {"record": '{"id":70,"name":"kept","distance":1.5}'},
        )
    engine.dispose()

    store = SqlStore.open(store_url)  # what the app does at start-up
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision() != "0001"
        stored = store.visit(7, scopes=SCOPES, now=NOW)
        assert stored.records == {70: {"id": 70, "name": "kept", "distance": 1.5}}
        assert stored.cursors.tail_before == 1_700_000_000
        store.save_stream(7, 70, {"time": {"data": [0]}})  # a table the upgrade added
        assert store.stream(7, 70) == {"time": {"data": [0]}}
    finally:
        store.dispose()


def test_opening_twice_is_harmless(store_url: str) -> None:
    first = SqlStore.open(store_url)
    first.visit(1, scopes=SCOPES, now=NOW)
    second = SqlStore.open(store_url)
    assert second.athlete_ids() == [1]
    first.dispose()
    second.dispose()


# ----------------------------------------------------------------------- failures


def test_an_unreachable_database_is_a_clear_store_error() -> None:
    with pytest.raises(StoreError, match="could not be opened") as caught:
        SqlStore.open("postgresql+psycopg://dash:pw-do-not-show@127.0.0.1:1/none")
    assert "pw-do-not-show" not in str(caught.value)


def test_a_read_only_database_is_a_clear_store_error(tmp_path: Path) -> None:
    path = tmp_path / "dash.sqlite3"
    SqlStore.open(f"sqlite:///{path}").dispose()
    # mode=ro refuses writes even to root, which file permissions would not.
    store = SqlStore(engines.create(f"sqlite:///file:{path}?mode=ro&uri=true"))
    with pytest.raises(StoreError, match="could not load your stored activities"):
        store.visit(1, scopes=SCOPES, now=NOW)
    store.dispose()


def test_a_database_that_goes_away_is_a_clear_store_error(postgres: PostgresServer) -> None:
    store_url = postgres.new_database()
    store = SqlStore.open(store_url)
    store.visit(1, scopes=SCOPES, now=NOW)
    postgres.drop_database(store_url)
    with pytest.raises(StoreError, match="could not save the activities") as caught:
        store.save_page(1, [record(1)], Cursors())
    assert "INSERT" not in str(caught.value)
    assert "Ride 1" not in str(caught.value)
    store.dispose()


# ----------------------------------------------------------------------- retention sweep


def test_the_sweeper_runs_at_start_and_then_every_interval(tmp_path: Path) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'dash.sqlite3'}")
    clock = [NOW]
    store.visit(1, scopes=SCOPES, now=NOW - timedelta(days=10))
    store.visit(2, scopes=SCOPES, now=NOW - timedelta(days=2))
    sweeper = Sweeper(store, timedelta(days=7), interval_s=0.05, clock=lambda: clock[0])
    sweeper.start()
    deadline = time.monotonic() + 10
    while store.athlete_ids() != [2]:  # at start: athlete 1 is past retention
        assert time.monotonic() < deadline
        time.sleep(0.02)
    clock[0] = NOW + timedelta(days=6)  # athlete 2's last visit is now 8 days old
    while store.athlete_ids():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    sweeper.stop()
    store.dispose()


def test_one_store_per_process_and_none_when_storage_is_off(tmp_path: Path) -> None:
    settings = HostingSettings(database_url=f"sqlite:///{tmp_path / 'dash.sqlite3'}")
    try:
        assert service.shared_store(settings) is service.shared_store(settings)
        assert service.shared_store(HostingSettings(database_url=None)) is None
    finally:
        service.close_all()
    with pytest.raises(StoreError):
        service.shared_store(HostingSettings(database_url="postgresql+psycopg://x@127.0.0.1:1/y"))
