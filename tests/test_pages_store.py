"""The store through the pages (AppTest): a returning athlete, leaving, failures.

Every test runs on its own SQLite store (``isolated_store`` in conftest).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from strava_dash.budget import use_budget_factory
from strava_dash.paging import MAX_SPECULATIVE
from strava_dash.store import SqlStore
from tests.apptest_support import (
    button,
    log_in,
    new_app,
    oauth_redirect,
    strava_env,
    wait_for_sync,
)
from tests.fake_strava import FakeAthlete, FakeStrava, make_activities

LIST_PATH = "/api/v3/athlete/activities"


@pytest.fixture
def athlete(fake_strava: FakeStrava) -> FakeAthlete:
    return fake_strava.add_athlete(activities=make_activities(450, athlete_id=0, seed=5))


def list_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == LIST_PATH)


def visit(monkeypatch: pytest.MonkeyPatch, server: FakeStrava) -> AppTest:
    """A new browser session that logs in through the fake Strava."""
    strava_env(monkeypatch, server)
    at = new_app()
    return log_in(at, oauth_redirect(server, at))


def stored(url: str) -> SqlStore:
    return SqlStore.open(url)


def test_a_returning_athlete_sees_everything_for_one_request(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete, isolated_store: str
) -> None:
    first = visit(monkeypatch, fake_strava)
    assert wait_for_sync(first).ok
    # 200 + 200 + 50 + the empty page, and pages the look-ahead sent before the short
    # page said the end is near (while the stats were on their way): at most two.
    assert 4 <= list_requests(fake_strava) <= 4 + MAX_SPECULATIVE
    fake_strava.clear_requests()

    again = visit(monkeypatch, fake_strava)
    session = again.session_state["dash_session"]
    # Shown at once, before the head walk has said anything.
    assert len(session.frame()) == 450
    assert wait_for_sync(again).ok
    assert list_requests(fake_strava) == 1
    assert sorted(session.store.records) == sorted(a["id"] for a in athlete.activities)
    assert session.store_problem is None


def test_new_activities_cost_ceil_k_over_200_plus_one(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    assert wait_for_sync(visit(monkeypatch, fake_strava)).ok
    newer = make_activities(250, athlete_id=athlete.id, seed=9, end=time.time() + 400 * 86400)
    for record in newer:
        record["id"] += 10**12  # distinct from the 450 held
    athlete.activities[:0] = newer
    fake_strava.clear_requests()
    again = visit(monkeypatch, fake_strava)
    assert wait_for_sync(again).ok
    assert list_requests(fake_strava) <= 2 + 1
    assert len(again.session_state["dash_session"].store.records) == 700


def test_an_interrupted_first_download_resumes_on_the_next_visit(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.set_rate_limits(read=(2, 1000))  # the window allows two pages
    first = visit(monkeypatch, fake_strava)
    report = wait_for_sync(first)
    assert report.error is not None
    assert len(first.session_state["dash_session"].store.records) == 400
    fake_strava.set_rate_limits()
    fake_strava.advance(900)
    fake_strava.clear_requests()
    use_budget_factory(None)  # as after a server restart: a new process, a new budget

    again = visit(monkeypatch, fake_strava)  # a new session: only the store remembers
    assert len(again.session_state["dash_session"].frame()) == 400
    assert wait_for_sync(again).ok
    pages = [r.query.get("before") for r in fake_strava.requests if r.path == LIST_PATH]
    assert len(pages) <= 3  # the head check, then the tail from its cursor, then the end
    assert all(p is not None for p in pages[1:])  # the tail did not start over
    ids = [r["id"] for r in again.session_state["dash_session"].store.snapshot()]
    assert sorted(ids) == sorted(a["id"] for a in athlete.activities)


def test_log_out_keeps_the_grant_and_the_stored_data(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete, isolated_store: str
) -> None:
    at = visit(monkeypatch, fake_strava)
    assert wait_for_sync(at).ok
    button(at, "Log out").click().run()
    assert not at.exception
    assert "dash_session" not in at.session_state
    assert fake_strava.deauthorized == []  # revoking would oblige us to delete the data
    assert stored(isolated_store).row_counts(athlete.id)["activities"] == 450


def test_disconnect_and_delete_revokes_deletes_and_starts_over(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete, isolated_store: str
) -> None:
    other = fake_strava.add_athlete(activities=make_activities(30, athlete_id=0, seed=6))
    fake_strava.default_athlete_id = other.id
    assert wait_for_sync(visit(monkeypatch, fake_strava)).ok
    fake_strava.default_athlete_id = athlete.id
    at = visit(monkeypatch, fake_strava)
    assert wait_for_sync(at).ok
    assert stored(isolated_store).row_counts(athlete.id)["activities"] == 450

    button(at, "Disconnect and delete").click().run()
    assert not at.exception
    assert "dash_session" not in at.session_state
    assert fake_strava.deauthorized == [athlete.id]
    assert any("deleted from this server" in s.value for s in at.success)
    engine = sa.create_engine(isolated_store)
    with engine.connect() as connection:
        for table in ("athletes", "activities", "gear", "streams"):
            rows = connection.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE athlete_id = :a"), {"a": athlete.id}
            ).scalar_one()
            assert rows == 0, table
        others = connection.execute(
            sa.text("SELECT count(*) FROM activities WHERE athlete_id = :a"), {"a": other.id}
        ).scalar_one()
    engine.dispose()
    assert others == 30  # the other athlete keeps theirs

    fake_strava.clear_requests()
    fresh = visit(monkeypatch, fake_strava)
    assert len(fresh.session_state["dash_session"].store.records) == 0
    assert wait_for_sync(fresh).ok
    assert 4 <= list_requests(fake_strava) <= 4 + MAX_SPECULATIVE  # everything again


def test_two_athletes_never_see_each_others_stored_data(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    other = fake_strava.add_athlete(activities=make_activities(20, athlete_id=0, seed=8))
    assert wait_for_sync(visit(monkeypatch, fake_strava)).ok  # the first athlete (450)
    fake_strava.default_athlete_id = other.id
    at = visit(monkeypatch, fake_strava)
    session = at.session_state["dash_session"]
    assert session.athlete_id == other.id
    assert session.store.records == {}  # nothing of the first athlete, even for a moment
    assert wait_for_sync(at).ok
    assert sorted(session.store.records) == sorted(a["id"] for a in other.activities)


def test_a_store_that_fails_mid_sync_keeps_the_session_going(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete, isolated_store: str
) -> None:
    fake_strava.latency = 0.05
    at = visit(monkeypatch, fake_strava)
    session = at.session_state["dash_session"]
    # The database becomes unwritable under the running sync (as a full disk would).
    engine = sa.create_engine(isolated_store)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE activities"))
    engine.dispose()
    report = wait_for_sync(at)
    assert report.ok
    assert len(session.store.records) == 450  # nothing lost in memory
    assert session.store_problem is not None
    assert "could not be saved" in session.store_problem
    assert any("could not be saved" in w.value for w in at.warning)


def test_a_store_that_cannot_be_opened_means_a_session_only_visit(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    monkeypatch.setenv("DASH_DATABASE_URL", "postgresql+psycopg://u:pw@127.0.0.1:1/none")
    at = visit(monkeypatch, fake_strava)
    assert wait_for_sync(at).ok
    session = at.session_state["dash_session"]
    assert len(session.store.records) == 450
    assert session.store_problem is not None
    assert "could not be loaded" in session.store_problem
    assert all("pw" not in w.value.split("@")[0] for w in at.warning)


def test_a_narrower_grant_forgets_stored_private_activities(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete, isolated_store: str
) -> None:
    assert wait_for_sync(visit(monkeypatch, fake_strava)).ok
    private = {a["id"] for a in athlete.activities if a.get("visibility") == "only_me"}
    assert private, "the fixture needs some Only-You activities"
    fake_strava.grant_scopes = ("read", "activity:read")
    at = visit(monkeypatch, fake_strava)
    session = at.session_state["dash_session"]
    assert not private & set(session.store.records)
    kept = stored(isolated_store).visit(athlete.id, scopes=(), now=datetime.now(UTC)).records
    assert not private & set(kept)
    assert wait_for_sync(at).ok
    assert not private & set(session.store.records)


def test_a_wider_grant_walks_the_list_again_for_private_activities(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.grant_scopes = ("read", "activity:read")
    assert wait_for_sync(visit(monkeypatch, fake_strava)).ok
    fake_strava.grant_scopes = None  # this time the private box stays ticked
    at = visit(monkeypatch, fake_strava)
    assert wait_for_sync(at).ok
    assert sorted(at.session_state["dash_session"].store.records) == sorted(
        a["id"] for a in athlete.activities
    )


def test_the_privacy_text_says_what_is_kept_and_for_how_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASH_RETENTION_DAYS", "30")
    at = new_app()
    text = " ".join(c.value for c in at.caption)
    assert "deleted 30 days after your last visit" in text
    assert "token is never stored" in text
    monkeypatch.setenv("DASH_DATABASE_URL", "none")
    at = new_app()
    assert any("Nothing is stored anywhere else" in c.value for c in at.caption)
