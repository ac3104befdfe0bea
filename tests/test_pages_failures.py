"""AppTest: failures after login that the athlete must understand and recover from."""

from __future__ import annotations

import pytest

from strava_dash.errors import AppInactiveError
from tests.apptest_support import (
    button,
    log_in,
    new_app,
    oauth_redirect,
    strava_env,
    wait_for_sync,
)
from tests.fake_strava import FakeStrava, make_activities


@pytest.fixture
def athlete(fake_strava: FakeStrava):  # type: ignore[no-untyped-def]
    return fake_strava.add_athlete(activities=make_activities(300, athlete_id=0, seed=4))


def logged_in(monkeypatch: pytest.MonkeyPatch, server: FakeStrava):  # type: ignore[no-untyped-def]
    strava_env(monkeypatch, server)
    at = new_app()
    log_in(at, oauth_redirect(server, at))
    assert wait_for_sync(at).ok
    return at


def test_revoked_access_sends_the_athlete_back_to_connect_keeping_data(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = logged_in(monkeypatch, fake_strava)
    # The athlete revokes the app on strava.com: every token, refresh token included, dies.
    fake_strava.revoke_athlete(athlete.id)
    button(at, "Refresh").click().run()
    wait_for_sync(at)
    warning = " ".join(w.value for w in at.warning)
    assert "connection has ended" in warning
    assert "Connect with Strava again" in warning
    assert at.get("component_instance"), "Connect with Strava is offered again"
    assert len(at.session_state["dash_session"].store.records) == 300  # nothing lost
    # Reconnecting as the same athlete keeps the downloaded activities and syncs on.
    log_in(at, oauth_redirect(fake_strava, at))
    report = wait_for_sync(at)
    assert report.ok
    assert len(at.session_state["dash_session"].store.records) == 300


def test_strava_unreachable_during_refresh_keeps_everything(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = logged_in(monkeypatch, fake_strava)
    fake_strava.fail(page=None, status=503, times=None)
    button(at, "Refresh").click().run()
    wait_for_sync(at)
    warning = " ".join(w.value for w in at.warning)
    assert "All 300 activities you had are kept" in warning
    assert not at.exception
    fake_strava.clear_failures()
    button(at, "Continue download").click().run()
    assert wait_for_sync(at).ok


def test_an_inactive_app_says_who_can_fix_it_not_to_reconnect(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = logged_in(monkeypatch, fake_strava)
    # The app's owner let the subscription lapse: Strava answers every call 403 Inactive.
    fake_strava.fail(status=403, times=None)
    fake_strava.clear_requests()
    button(at, "Refresh").click().run()
    report = wait_for_sync(at)
    assert isinstance(report.error, AppInactiveError)
    warning = " ".join(w.value for w in at.warning)
    assert "only the person who runs this app can" in warning
    assert "subscription" in warning
    assert "Connect with Strava again" not in warning
    assert "connection has ended" not in warning
    assert not at.session_state["dash_session"].needs_reconnect
    assert not [r for r in fake_strava.requests if r.path.startswith("/oauth")]  # no refresh
    assert len(at.session_state["dash_session"].store.records) == 300  # nothing lost
