"""The test clock (``DASH_CLOCK_FILE``): one offset moves the app, its Redis budget and the
fake Strava past a quarter hour together; unset, nothing changes."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from strava_dash import clock
from strava_dash.budget import InProcessBudget
from strava_dash.budget_redis import RedisBudget
from strava_dash.client import StravaClient
from strava_dash.ratelimit import RateLimits, Window
from strava_dash.settings import clock_file_from_env
from strava_dash.sync import ActivityStore, SyncProgress, SyncReport, sync
from strava_dash.transport import utc_now
from tests.fake_strava import FakeStrava, make_activities


def test_the_clock_file_is_read_from_the_environment_only_when_set(tmp_path: Path) -> None:
    assert clock_file_from_env({}) is None
    assert clock_file_from_env({"DASH_CLOCK_FILE": "  "}) is None
    assert clock_file_from_env({"DASH_CLOCK_FILE": str(tmp_path / "c")}) == tmp_path / "c"


def test_without_a_clock_file_the_app_runs_on_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "_CLOCK_FILE", None)
    assert clock.offset_s() == 0.0
    assert abs(clock.utc_now() - datetime.now(UTC)) < timedelta(seconds=1)


def test_the_offset_in_the_file_moves_the_app_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clock"
    monkeypatch.setattr(clock, "_CLOCK_FILE", path)
    assert clock.offset_s() == 0.0  # not written yet: real time
    path.write_text("900.5\n")
    assert clock.offset_s() == 900.5
    shifted = clock.utc_now() - datetime.now(UTC)
    assert timedelta(seconds=899) < shifted < timedelta(seconds=902)
    assert utc_now is clock.utc_now  # the client's and auth's default clock is this one


def test_the_fake_strava_and_the_app_read_the_same_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clock"
    monkeypatch.setattr(clock, "_CLOCK_FILE", path)
    with FakeStrava(clock_file=path) as fake:
        fake.advance(600)
        fake.advance(300)
        assert clock.read_offset(path) == 900
        assert abs(fake.now() - clock.utc_now().timestamp()) < 1


# On the real clock (Redis TIME) until the offset moves: a window turning mid-test would
# reset the usage observed.
@pytest.mark.usefixtures("clear_of_the_quarter_hour")
def test_the_redis_budget_follows_the_offset_on_the_server_clock(redis_url: str) -> None:
    offset = [0.0]
    budget = RedisBudget(
        redis.Redis.from_url(redis_url), "www.strava.com", "1", clock_offset=lambda: offset[0]
    )
    now = datetime.now(UTC)
    spent = Window(30, 30, 30, 1000)
    budget.observe(RateLimits(overall=spent, read=spent, observed_at=now))
    refused = budget.reserve(1, now=now)
    assert refused.blocked
    assert refused.wait_until is not None
    # The quarter hour passes on the test clock: Redis TIME plus the offset is past it.
    offset[0] = (refused.wait_until - now).total_seconds() + 1
    later = now + timedelta(seconds=offset[0])
    assert budget.remaining(later) == 30
    assert budget.reserve(1, now=later).granted == 1


def test_a_sync_waiting_for_the_window_resumes_when_the_test_clock_passes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clock"
    monkeypatch.setattr(clock, "_CLOCK_FILE", path)
    with FakeStrava(clock_file=path) as fake:
        now = fake.now()
        fake.advance((now // 900 + 1) * 900 + 10 - now)  # clear of a quarter hour
        athlete = fake.add_athlete(activities=make_activities(650, athlete_id=0, seed=4))
        fake.set_rate_limits(read=(2, 1000))
        token = fake.issue_token(athlete.id)["access_token"]
        client = StravaClient(token, api_url=fake.api_url, budget=InProcessBudget())
        store = ActivityStore()
        paused = threading.Event()

        def on_progress(progress: SyncProgress) -> None:
            if progress.paused_until is not None:
                paused.set()

        reports: list[SyncReport] = []
        worker = threading.Thread(
            target=lambda: reports.append(
                sync(client, store, on_progress=on_progress, wait_for_window=True)
            )
        )
        worker.start()
        assert paused.wait(10)
        held = len(store.records)
        time.sleep(1.5)  # waiting on real time does not reach the quarter hour
        assert len(store.records) == held
        assert worker.is_alive()
        fake.set_rate_limits(read=(100, 1000))
        fake.advance(900)  # the client's clock (utc_now) reads the same file
        worker.join(20)
        assert not worker.is_alive()
    assert reports[0].ok
    assert reports[0].pauses == 1
    assert len(store.records) == 650
