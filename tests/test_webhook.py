"""Webhook events: parsing without trust, and what each event does to a real SQLite store."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strava_dash.settings import HostingSettings
from strava_dash.store.sql import SqlStore
from strava_dash.sync import start_epoch
from strava_dash.webhook import (
    SUBSCRIPTION_META_KEY,
    Malformed,
    Outcome,
    WebhookEvent,
    app_subscription_id,
    handle_event,
    parse_event,
    process_body,
)
from tests.webhook_support import (
    ATHLETE,
    NOW,
    OTHER,
    SUBSCRIPTION_ID,
    body,
    deauthorization,
    event,
    rows_in_sqlite,
    seed,
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dash.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore.open(f"sqlite:///{db_path}")
    yield opened
    opened.dispose()


def parsed(payload: dict[str, Any]) -> WebhookEvent:
    result = parse_event(body(payload))
    assert isinstance(result, WebhookEvent), result
    return result


def recheck_from(db_path: Path, athlete_id: int) -> int | None:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT recheck_from FROM athletes WHERE athlete_id = ?", (athlete_id,)
        ).fetchone()
    return None if row is None else row[0]


# ----- parsing -----------------------------------------------------------------------------


def test_parses_strava_documented_event() -> None:
    raw = (
        b'{"aspect_type":"update","event_time":1516126040,"object_id":1360128428,'
        b'"object_type":"activity","owner_id":134815,"subscription_id":120475,'
        b'"updates":{"title":"Messy","private":"true"}}'
    )
    result = parse_event(raw)
    assert result == WebhookEvent(
        object_type="activity",
        object_id=1360128428,
        aspect_type="update",
        owner_id=134815,
        subscription_id=120475,
        event_time=1516126040,
        updates={"title": "Messy", "private": "true"},
    )
    assert isinstance(result, WebhookEvent)
    assert result.flag("private") is True
    assert result.flag("authorized") is None


def test_boolean_updates_read_like_strava_strings() -> None:
    result = parsed(event(updates={"authorized": False, "private": True}))
    assert result.flag("authorized") is False
    assert result.flag("private") is True


GOOD = event(aspect_type="update", object_id=55)

MALFORMED_BODIES: list[Any] = [
    b"",
    b"not json",
    b"{",
    b"\xff\xfe\x00",
    b"[" * 100_000,  # deep nesting: the decoder's recursion limit, not a crash
    b"null",
    b"42",
    b'"text"',
    b"[]",
    b"[{}]",
    b"{}",
    body({**GOOD, "object_type": "segment"}),
    body({**GOOD, "object_type": None}),
    body({**GOOD, "object_type": ["activity"]}),
    body({**GOOD, "aspect_type": "destroy"}),
    body({k: v for k, v in GOOD.items() if k != "owner_id"}),
    body({k: v for k, v in GOOD.items() if k != "subscription_id"}),
    body({**GOOD, "owner_id": "1001"}),
    body({**GOOD, "owner_id": True}),
    body({**GOOD, "owner_id": 1001.0}),
    body({**GOOD, "owner_id": -5}),
    body({**GOOD, "owner_id": 0}),
    body({**GOOD, "owner_id": 2**63}),
    body({**GOOD, "owner_id": 10**400}),
    body({**GOOD, "object_id": None}),
    body({**GOOD, "event_time": "yesterday"}),
    body({**GOOD, "updates": "authorized=false"}),
    body({**GOOD, "updates": ["authorized", "false"]}),
    body({**GOOD, "updates": {"title": {"nested": 1}}}),
    body({**GOOD, "updates": {str(i): "x" for i in range(100)}}),
    body({**deauthorization(), "object_id": OTHER}),  # athlete event naming two athletes
    b'{"object_type":"activity","owner_id":1e400}',
    b'{"object_type":"activity","object_id":NaN}',
]


@pytest.mark.parametrize("raw", MALFORMED_BODIES, ids=range(len(MALFORMED_BODIES)))
def test_malformed_bodies_give_a_reason_never_an_exception(raw: bytes) -> None:
    result = parse_event(raw)
    assert isinstance(result, Malformed)
    assert result.reason


def test_decoded_json_is_accepted_too() -> None:
    assert isinstance(parse_event(GOOD), WebhookEvent)
    assert isinstance(parse_event(["not", "an", "event"]), Malformed)


def test_long_update_text_is_cut() -> None:
    result = parsed(event(aspect_type="update", object_id=1, updates={"title": "x" * 5000}))
    assert len(result.updates["title"]) == 1024


# ----- handling ----------------------------------------------------------------------------


def test_deauthorization_deletes_every_row_of_that_athlete_only(
    store: SqlStore, db_path: Path
) -> None:
    seed(store, ATHLETE)
    seed(store, OTHER)
    before_other = rows_in_sqlite(db_path, OTHER)
    assert all(rows_in_sqlite(db_path, ATHLETE).values())

    outcome = handle_event(store, parsed(deauthorization()), SUBSCRIPTION_ID)

    assert outcome is Outcome.DELETED_ATHLETE
    assert rows_in_sqlite(db_path, ATHLETE) == dict.fromkeys(rows_in_sqlite(db_path, ATHLETE), 0)
    assert rows_in_sqlite(db_path, OTHER) == before_other


def test_deauthorization_of_an_unknown_athlete_changes_nothing(
    store: SqlStore, db_path: Path
) -> None:
    seed(store, OTHER)
    before = rows_in_sqlite(db_path, OTHER)
    assert handle_event(store, parsed(deauthorization(ATHLETE)), SUBSCRIPTION_ID) is (
        Outcome.NOT_STORED
    )
    assert rows_in_sqlite(db_path, OTHER) == before


@pytest.mark.parametrize("updates", [{"authorized": "true"}, {}, {"title": "x"}])
def test_other_athlete_updates_keep_the_data(
    store: SqlStore, db_path: Path, updates: dict[str, str]
) -> None:
    seed(store, ATHLETE)
    before = rows_in_sqlite(db_path, ATHLETE)
    payload = {**deauthorization(), "updates": updates}
    assert handle_event(store, parsed(payload), SUBSCRIPTION_ID) is Outcome.IGNORED
    assert rows_in_sqlite(db_path, ATHLETE) == before


def test_activity_delete_removes_that_activity_and_its_stream(
    store: SqlStore, db_path: Path
) -> None:
    records = seed(store, ATHLETE)
    seed(store, OTHER)
    other_before = rows_in_sqlite(db_path, OTHER)
    gone = records[0]["id"]  # the one with a stored stream

    outcome = handle_event(
        store, parsed(event(aspect_type="delete", object_id=gone)), SUBSCRIPTION_ID
    )

    assert outcome is Outcome.DELETED_ACTIVITY
    counts = rows_in_sqlite(db_path, ATHLETE)
    assert counts["activities"] == len(records) - 1
    assert counts["streams"] == 0
    assert gone not in store.visit(ATHLETE, scopes=["read"], now=NOW).records
    assert rows_in_sqlite(db_path, OTHER) == other_before


def test_activity_delete_names_the_owner_not_just_the_id(store: SqlStore, db_path: Path) -> None:
    records = seed(store, ATHLETE)
    before = rows_in_sqlite(db_path, ATHLETE)
    # Same activity id, claimed by another owner: nothing of ATHLETE may go.
    payload = event(OTHER, aspect_type="delete", object_id=records[1]["id"])
    assert handle_event(store, parsed(payload), SUBSCRIPTION_ID) is Outcome.NOT_STORED
    assert rows_in_sqlite(db_path, ATHLETE) == before


def test_update_marks_recheck_from_the_changed_activity(store: SqlStore, db_path: Path) -> None:
    records = seed(store, ATHLETE)
    changed = records[3]
    assert recheck_from(db_path, ATHLETE) is None

    outcome = handle_event(
        store,
        parsed(event(aspect_type="update", object_id=changed["id"], updates={"title": "x"})),
        SUBSCRIPTION_ID,
        now=NOW,
    )

    assert outcome is Outcome.NOTED_CHANGE
    # The next head walk re-reads down to the changed activity's start, no further.
    assert recheck_from(db_path, ATHLETE) == start_epoch(changed)
    assert store.visit(ATHLETE, scopes=["read"], now=NOW).recheck_from == start_epoch(changed)


def test_create_notes_the_change_without_a_recheck(store: SqlStore, db_path: Path) -> None:
    seed(store, ATHLETE)
    outcome = handle_event(
        store, parsed(event(aspect_type="create", object_id=999)), SUBSCRIPTION_ID, now=NOW
    )
    assert outcome is Outcome.NOTED_CHANGE
    assert recheck_from(db_path, ATHLETE) is None
    with sqlite3.connect(db_path) as connection:
        (changed_at,) = connection.execute(
            "SELECT changed_at FROM athletes WHERE athlete_id = ?", (ATHLETE,)
        ).fetchone()
    assert changed_at is not None


def test_change_for_an_athlete_not_stored_creates_nothing(store: SqlStore, db_path: Path) -> None:
    outcome = handle_event(store, parsed(event(aspect_type="create", object_id=9)), SUBSCRIPTION_ID)
    assert outcome is Outcome.NOT_STORED
    assert sum(rows_in_sqlite(db_path, ATHLETE).values()) == 0


def test_private_without_read_all_deletes_the_activity(store: SqlStore, db_path: Path) -> None:
    records = seed(store, ATHLETE, scopes=("read", "activity:read"))
    hidden = records[2]["id"]
    payload = event(aspect_type="update", object_id=hidden, updates={"private": "true"})

    assert handle_event(store, parsed(payload), SUBSCRIPTION_ID) is Outcome.DELETED_ACTIVITY
    stored = store.visit(ATHLETE, scopes=["read", "activity:read"], now=NOW).records
    assert hidden not in stored
    assert len(stored) == len(records) - 1


def test_private_with_read_all_keeps_the_activity_and_rechecks(
    store: SqlStore, db_path: Path
) -> None:
    records = seed(store, ATHLETE, scopes=("read", "activity:read_all"))
    hidden = records[2]["id"]
    payload = event(aspect_type="update", object_id=hidden, updates={"private": "true"})

    assert handle_event(store, parsed(payload), SUBSCRIPTION_ID) is Outcome.NOTED_CHANGE
    assert rows_in_sqlite(db_path, ATHLETE)["activities"] == len(records)
    assert recheck_from(db_path, ATHLETE) is not None


def test_private_for_an_activity_not_stored_deletes_nothing(store: SqlStore, db_path: Path) -> None:
    seed(store, ATHLETE, scopes=("read", "activity:read"))
    before = rows_in_sqlite(db_path, ATHLETE)
    payload = event(aspect_type="update", object_id=12345, updates={"private": "true"})
    assert handle_event(store, parsed(payload), SUBSCRIPTION_ID) is Outcome.NOT_STORED
    assert rows_in_sqlite(db_path, ATHLETE) == before


def test_made_public_again_is_only_a_change(store: SqlStore, db_path: Path) -> None:
    records = seed(store, ATHLETE, scopes=("read", "activity:read"))
    payload = event(aspect_type="update", object_id=records[0]["id"], updates={"private": "false"})
    assert handle_event(store, parsed(payload), SUBSCRIPTION_ID) is Outcome.NOTED_CHANGE
    assert rows_in_sqlite(db_path, ATHLETE)["activities"] == len(records)


def test_foreign_subscription_is_ignored_and_logged(
    store: SqlStore, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seed(store, ATHLETE)
    before = rows_in_sqlite(db_path, ATHLETE)
    caplog.set_level(logging.INFO, logger="strava_dash.webhook")

    outcome = handle_event(
        store, parsed(deauthorization(subscription_id=SUBSCRIPTION_ID + 1)), SUBSCRIPTION_ID
    )

    assert outcome is Outcome.FOREIGN
    assert rows_in_sqlite(db_path, ATHLETE) == before
    assert "foreign subscription" in caplog.text
    # Info-level logs carry no athlete id (personal data).
    assert str(ATHLETE) not in caplog.text


def test_without_a_known_subscription_nothing_is_applied(store: SqlStore, db_path: Path) -> None:
    seed(store, ATHLETE)
    before = rows_in_sqlite(db_path, ATHLETE)
    assert handle_event(store, parsed(deauthorization()), None) is Outcome.NO_SUBSCRIPTION
    assert rows_in_sqlite(db_path, ATHLETE) == before


def test_subscription_id_from_settings_else_from_the_store(store: SqlStore) -> None:
    assert app_subscription_id(HostingSettings(database_url=None), store) is None
    store.set_meta(SUBSCRIPTION_META_KEY, "777")
    assert app_subscription_id(HostingSettings(database_url=None), store) == 777
    configured = HostingSettings(database_url=None, webhook_subscription_id=5)
    assert app_subscription_id(configured, store) == 5
    assert app_subscription_id(HostingSettings(database_url=None), None) is None


# ----- process_body: the route's background work -------------------------------------------


def test_process_body_applies_a_deauthorization(store: SqlStore, db_path: Path) -> None:
    seed(store, ATHLETE)
    store.set_meta(SUBSCRIPTION_META_KEY, str(SUBSCRIPTION_ID))
    hosting = HostingSettings(database_url=f"sqlite:///{db_path}")
    outcome = process_body(body(deauthorization()), lambda: (store, hosting))
    assert outcome is Outcome.DELETED_ATHLETE
    assert sum(rows_in_sqlite(db_path, ATHLETE).values()) == 0


@pytest.mark.parametrize("raw", MALFORMED_BODIES[:12], ids=range(12))
def test_process_body_never_opens_the_store_for_junk(raw: bytes) -> None:
    def no_store() -> tuple[SqlStore | None, HostingSettings]:
        raise AssertionError("junk must not open the store")

    assert process_body(raw, no_store) is Outcome.MALFORMED


def test_process_body_without_a_store_does_nothing() -> None:
    outcome = process_body(body(deauthorization()), lambda: (None, HostingSettings(None)))
    assert outcome is Outcome.NO_STORE


def test_process_body_reports_a_broken_store_without_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    seed(store, ATHLETE)
    store.set_meta(SUBSCRIPTION_META_KEY, str(SUBSCRIPTION_ID))
    with sqlite3.connect(tmp_path / "db.sqlite3") as connection:
        connection.execute("DROP TABLE streams")
    outcome = process_body(body(deauthorization()), lambda: (store, HostingSettings(None)))
    store.dispose()
    assert outcome is Outcome.FAILED
    assert "could not be applied" in caplog.text


def test_process_body_survives_any_exception(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> tuple[SqlStore | None, HostingSettings]:
        raise RuntimeError("boom")

    assert process_body(body(deauthorization()), broken) is Outcome.FAILED
    assert "handling failed" in caplog.text
