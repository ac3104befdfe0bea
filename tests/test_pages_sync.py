"""The sync line with Strava's 15-minute limit: a countdown, then it resumes by itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from strava_dash import clock
from tests.apptest_support import log_in, new_app, oauth_redirect, strava_env, wait_for_sync
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
