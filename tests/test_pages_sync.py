"""The sync line with Strava's 15-minute limit: a countdown, then it resumes by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest

from strava_dash.ui import sync_panel
from tests.apptest_support import log_in, new_app, oauth_redirect, strava_env, wait_for_sync
from tests.fake_strava import FakeStrava, make_activities

pytestmark = pytest.mark.usefixtures("no_strava_credentials")


def test_a_spent_window_shows_a_countdown_and_resumes_by_itself(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava
) -> None:
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

    # The quarter hour passes (on Strava's clock and on the page's).
    fake_strava.set_rate_limits()
    fake_strava.advance(15 * 60)
    monkeypatch.setattr(sync_panel, "_now", lambda: resume_at + timedelta(seconds=1))
    session = at.session_state["dash_session"]
    first_job = session.job
    at.run()  # the countdown fragment sees the reset and starts the sync again
    assert session.job is not first_job
    assert wait_for_sync(at).ok
    assert len(session.store.records) == 650
    assert session.store.complete
