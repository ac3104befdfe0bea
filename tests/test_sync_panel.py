"""The sync line's wording: the countdown while Strava's 15-minute window resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from strava_dash.budget import RESET_MARGIN
from strava_dash.client import Cancelled
from strava_dash.errors import RateLimitError, TransportError
from strava_dash.sync import ActivityStore, SyncReport
from strava_dash.transport import send
from strava_dash.ui.state import AthleteSession
from strava_dash.ui.sync_panel import _window_wait, countdown, describe_report, paused_text

NOW = datetime(2026, 5, 4, 14, 7, 28, tzinfo=UTC)
RESET = datetime(2026, 5, 4, 14, 15, tzinfo=UTC)


def test_countdown_shows_the_reset_and_minutes_and_seconds_left() -> None:
    assert countdown(RESET, NOW) == "14:15 UTC (in 7:32)"
    assert countdown(RESET, RESET + timedelta(seconds=3)) == "14:15 UTC (in 0:00)"


def test_paused_text_says_what_happens() -> None:
    text = paused_text(RESET, NOW)
    assert text.startswith("Strava's 15-minute limit reached — resuming at 14:15 UTC (in 7:32)")


def test_only_the_15_minute_limit_resumes_by_itself() -> None:
    window = RateLimitError(429, "Rate Limit Exceeded", retry_at=RESET)
    daily = RateLimitError(429, "Rate Limit Exceeded", retry_at=RESET, daily=True)
    unsent = RateLimitError(None, "used up (request not sent)", retry_at=RESET + RESET_MARGIN)
    # Strava's 429 names the bare quarter hour; the budget counts the window as turned
    # only after its margin, and the resume (which no longer overrides it) waits as long.
    assert _window_wait(SyncReport(0, 0, 1, False, window)) == RESET + RESET_MARGIN
    assert _window_wait(SyncReport(0, 0, 0, False, unsent)) == RESET + RESET_MARGIN
    assert _window_wait(SyncReport(0, 0, 1, False, daily)) is None
    assert _window_wait(SyncReport(0, 0, 1, False, TransportError(None, "down"))) is None


def test_a_download_stopped_with_the_session_says_continue_resumes_it() -> None:
    session = AthleteSession("strava", {}, ActivityStore())
    report = SyncReport(0, 0, 1, False, Cancelled("the sync was stopped"))
    text = describe_report(session, report)
    assert text.startswith("The download stopped when this page lost its connection.")
    assert "No activities are downloaded yet." in text
    assert "Continue picks up where it stopped" in text


def test_a_network_failure_is_said_once() -> None:
    # Issue 11: "Could not reach Strava (Could not reach Strava (ConnectionError))".
    with pytest.raises(TransportError) as caught:
        send(requests.Session(), "GET", "http://127.0.0.1:9/api/v3/athlete", timeout=(2, 2))
    session = AthleteSession("strava", {}, ActivityStore())
    text = describe_report(session, SyncReport(0, 0, 1, False, caught.value))
    assert text.startswith("Could not reach Strava (ConnectionError). ")
    assert text.count("reach") == 1
    assert "Try Continue in a moment." in text
