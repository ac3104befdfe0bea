"""The sync line with Strava's 15-minute limit: a countdown, then it resumes by itself."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
import streamlit.testing.v1.local_script_runner as local_script_runner
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest

from strava_dash import clock
from strava_dash.client import MAX_IN_FLIGHT
from strava_dash.ui import sync_panel
from tests.apptest_support import (
    button,
    log_in,
    new_app,
    oauth_redirect,
    strava_env,
    wait_for_sync,
)
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava, make_activities

pytestmark = pytest.mark.usefixtures("no_strava_credentials")
WINDOW_S = 900


@pytest.fixture
def clocked_fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStrava]:
    """A fake Strava and the app (this process) on one test clock (``DASH_CLOCK_FILE``),
    10 s into a fresh window so no quarter hour turns mid-test."""
    path = tmp_path / "clock"
    monkeypatch.setattr(clock, "_CLOCK_FILE", path)
    with FakeStrava(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, clock_file=path) as fake:
        now = fake.now()
        fake.advance((now // WINDOW_S + 1) * WINDOW_S + 10 - now)
        yield fake


def test_a_spent_window_shows_a_countdown_and_resumes_by_itself(
    monkeypatch: pytest.MonkeyPatch, clocked_fake: FakeStrava
) -> None:
    fake_strava = clocked_fake
    fake_strava.add_athlete(activities=make_activities(650, athlete_id=0, seed=4))
    fake_strava.set_rate_limits(read=(2, 1000))
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    log_in(at, oauth_redirect(fake_strava, at))
    report = wait_for_sync(at)
    assert report.error is not None
    assert report.error.status is None  # the shared budget stopped it: no 429 was needed
    assert all(r.status != 429 for r in fake_strava.requests)
    warning = " ".join(w.value for w in at.warning)
    assert "15-minute request limit" in warning
    assert "400 activities are downloaded" in warning
    assert "It resumes by itself at" in warning
    resume_at = report.error.retry_at
    assert f"{resume_at:%H:%M} UTC (in " in warning

    # The quarter hour passes (on Strava's clock and on the app's: one test clock).
    fake_strava.set_rate_limits()
    fake_strava.advance((resume_at - clock.utc_now()).total_seconds() + 1)
    session = at.session_state["dash_session"]
    first_job = session.job
    at.run()  # the countdown fragment sees the reset and starts the sync again
    assert session.job is not first_job
    assert wait_for_sync(at).ok
    assert len(session.store.records) == 650
    assert session.store.complete


def api_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path.startswith("/api/v3/"))


def token_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == "/oauth/token")


@pytest.mark.parametrize("revoke_fails", [False, True])
def test_log_out_stops_the_download_and_strava_hears_nothing_more(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, revoke_fails: bool
) -> None:
    fake_strava.add_athlete(activities=make_activities(20_000, athlete_id=0, seed=8))
    fake_strava.set_rate_limits(read=(1_000, 10_000), overall=(2_000, 20_000))
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    log_in(at, oauth_redirect(fake_strava, at))
    fake_strava.latency = 0.5  # a slow Strava: the download has many seconds to go
    session = at.session_state["dash_session"]
    deadline = time.monotonic() + 30
    while len(session.store.records) < 400:
        assert time.monotonic() < deadline, "the download did not start"
        time.sleep(0.05)
    if revoke_fails:  # e.g. Strava hiccups: the token stays valid, only the app can stop
        fake_strava.fail(path="/oauth/deauthorize", status=503)
    tokens_before = token_requests(fake_strava)
    button(at, "Log out").click().run()
    assert not at.exception
    assert "dash_session" not in at.session_state
    logged_out = api_requests(fake_strava)
    time.sleep(2.5)  # pages already on the wire are answered meanwhile (0.5 s each)
    settled = api_requests(fake_strava)
    time.sleep(2.0)
    assert api_requests(fake_strava) == settled  # nothing more reaches Strava
    assert settled - logged_out <= MAX_IN_FLIGHT  # only what was on the wire at log out
    assert token_requests(fake_strava) == tokens_before  # no refresh of a revoked grant
    assert not session.syncing
    assert len(session.store.records) < 20_000


def test_a_session_that_ends_stops_its_download(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava
) -> None:
    fake_strava.add_athlete(activities=make_activities(20_000, athlete_id=0, seed=9))
    fake_strava.set_rate_limits(read=(1_000, 10_000), overall=(2_000, 20_000))
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    log_in(at, oauth_redirect(fake_strava, at))
    fake_strava.latency = 0.5
    session = at.session_state["dash_session"]
    deadline = time.monotonic() + 30
    while len(session.store.records) < 400:
        assert time.monotonic() < deadline, "the download did not start"
        time.sleep(0.05)
    # What Streamlit does with a session's resources when its browser tab goes away.
    st.cache_resource.clear()
    deadline = time.monotonic() + 5
    while session.syncing:
        assert time.monotonic() < deadline, "the download went on without anyone watching"
        time.sleep(0.05)
    time.sleep(2.5)  # pages already on the wire are answered meanwhile (0.5 s each)
    settled = api_requests(fake_strava)
    time.sleep(2.0)
    assert api_requests(fake_strava) == settled
    assert len(session.store.records) < 20_000


def run_timed_fragments(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the browser's timer does for ``st.fragment(run_every=…)``: run the page's
    fragments on their own (AppTest only runs whole pages)."""
    ids = list(at._fragment_storage._fragments)
    assert ids, "the page has no fragment"
    with monkeypatch.context() as patch:
        rerun = functools.partial(RerunData, fragment_id_queue=ids, is_fragment_scoped_rerun=True)
        patch.setattr(local_script_runner, "RerunData", rerun)
        at.run()
    assert not at.exception, at.exception


def wait_for_records(at: AppTest, count: int) -> None:
    session = at.session_state["dash_session"]
    deadline = time.monotonic() + 30
    while len(session.store.records) < count:
        assert time.monotonic() < deadline, f"the download did not reach {count}"
        time.sleep(0.05)


def table_rows(at: AppTest) -> int | None:
    """Activities the table holds in the last run's output (every page of a paged table:
    its caption's "Rows 1–2,000 of N"); None: the table was not drawn."""
    if not at.dataframe:
        return None
    for caption in at.caption:
        paged = re.match(r"Rows [\d,]+–[\d,]+ of ([\d,]+) ", str(caption.value))
        if paged:
            return int(paged.group(1).replace(",", ""))
    return len(at.dataframe[0].value)


def test_the_page_follows_a_running_download(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava
) -> None:
    fake_strava.add_athlete(activities=make_activities(20_000, athlete_id=0, seed=6))
    fake_strava.set_rate_limits(read=(1_000, 10_000), overall=(2_000, 20_000))
    strava_env(monkeypatch, fake_strava)
    clock = [1_000.0]
    monkeypatch.setattr(sync_panel, "_clock", lambda: clock[0], raising=False)
    at = new_app()
    log_in(at, oauth_redirect(fake_strava, at))
    fake_strava.latency = 0.5
    at.switch_page("pages/activities.py").run()  # a first visit, before much has arrived
    session = at.session_state["dash_session"]
    wait_for_records(at, 1_000)
    clock[0] += 2.0
    run_timed_fragments(at, monkeypatch)
    rows = table_rows(at)
    assert rows is not None, "the page was not redrawn"
    assert rows >= 1_000  # browsable while the rest arrives
    assert session.syncing, "the download ended: this test needs a slower Strava"
    wait_for_records(at, rows + 400)
    clock[0] += 1.0  # a second later only the progress line moves
    run_timed_fragments(at, monkeypatch)
    assert table_rows(at) is None
    clock[0] += 1.0  # two seconds after the last redraw, the page shows what has arrived
    run_timed_fragments(at, monkeypatch)
    more = table_rows(at)
    assert more is not None
    assert more >= rows + 400
    session.close()  # nobody needs the rest of the download


def test_the_automatic_resume_never_sends_what_another_session_spent_first(
    monkeypatch: pytest.MonkeyPatch, clocked_fake: FakeStrava
) -> None:
    fake = clocked_fake
    ada = fake.add_athlete(activities=make_activities(650, athlete_id=0, seed=4))
    bo = fake.add_athlete(firstname="Bo", activities=make_activities(650, athlete_id=0, seed=5))
    fake.set_rate_limits(read=(3, 1000))
    strava_env(monkeypatch, fake)
    fake.default_athlete_id = ada.id
    at_ada = new_app()
    log_in(at_ada, oauth_redirect(fake, at_ada))
    paused = wait_for_sync(at_ada)
    assert paused.error is not None
    assert paused.error.status is None  # the shared budget stopped it
    resume_at = paused.error.retry_at

    # The quarter hour passes, and Bo (another session, or another replica sharing the
    # budget) spends the whole new window before Ada's countdown fires.
    fake.advance((resume_at - clock.utc_now()).total_seconds() + 1)
    fake.default_athlete_id = bo.id
    at_bo = new_app()
    log_in(at_bo, oauth_redirect(fake, at_bo))
    assert wait_for_sync(at_bo).error is not None
    assert all(r.status != 429 for r in fake.requests)

    fake.clear_requests()
    session = at_ada.session_state["dash_session"]
    held = len(session.store.records)
    at_ada.run()  # Ada's page is still open: its countdown sees the moment
    report = wait_for_sync(at_ada)
    # Nothing went to Strava: the budget knew the window was spent, so Ada's page counts
    # down to the next quarter hour instead of having a request refused.
    assert [r.status for r in fake.requests if r.path.startswith("/api/v3/")] == []
    assert report.error is not None
    assert report.error.retry_at > resume_at + timedelta(minutes=14)
    assert len(session.store.records) == held
    assert "It resumes by itself at" in " ".join(w.value for w in at_ada.warning)
