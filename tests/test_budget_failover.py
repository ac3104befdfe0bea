"""Redis goes away and comes back: the replica keeps a share of the window, never unlimited."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from strava_dash import budget_failover
from strava_dash.budget import RESET_MARGIN, InProcessBudget
from strava_dash.budget_failover import (
    FailoverBudget,
    ShareCappedBudget,
    share_text,
    shared_budget,
)
from strava_dash.ratelimit import RateLimits, Window
from strava_dash.redis_conn import describe_url, scrub
from tests.redis_server import RedisServer, free_port

# These run on the real clock (Redis TIME): a window turning mid-test would reset usage.
pytestmark = pytest.mark.usefixtures("clear_of_the_quarter_hour")

NOW = datetime(2026, 5, 4, 10, 7, 30, tzinfo=UTC)
PASSWORD = "s3cret-redis-password"


def reading(used: int, *, at: datetime = NOW, daily: int | None = None) -> RateLimits:
    read = Window(used, 100, used if daily is None else daily, 1000)
    return RateLimits(overall=Window(0, 200, 0, 2000), read=read, observed_at=at)


def spend(
    budget: ShareCappedBudget | FailoverBudget, now: datetime, used: int, daily_used: int = 0
) -> int:
    """Send one at a time until refused, learning Strava's usage from each answer.

    ``used``/``daily_used``: what Strava counted before (every replica's requests).
    """
    sent = 0
    while (grant := budget.reserve(1, now=now)).granted:
        sent += 1
        budget.observe(reading(used + sent, at=now, daily=daily_used + used + sent))
        budget.release()
        assert sent <= 1000, "never unlimited"
    assert grant.blocked
    return sent


# ---------------------------------------------------------------- the share cap


def test_the_fallback_spends_its_share_of_each_window() -> None:
    budget = ShareCappedBudget(0.25)
    budget.observe(reading(10))
    assert budget.remaining(NOW) == 25
    assert spend(budget, NOW, 10) == 25
    refused = budget.reserve(1, now=NOW, probe=True)  # not even a probe past the share
    assert refused.blocked
    assert refused.wait_until == datetime(2026, 5, 4, 10, 15, tzinfo=UTC) + RESET_MARGIN
    next_window = NOW + timedelta(minutes=15)
    assert spend(budget, next_window, 0, daily_used=35) == 25  # a new window, a new share


def test_the_fallback_also_stops_where_strava_says_the_window_is_spent() -> None:
    budget = ShareCappedBudget(0.5)
    budget.observe(reading(90))
    assert spend(budget, NOW, 90) == 10


def test_the_fallback_share_of_the_day() -> None:
    budget = ShareCappedBudget(0.01)  # one request per 15 minutes, ten a day
    budget.observe(reading(0, daily=0))
    sent = 0
    for i in range(12):
        sent += spend(budget, NOW + timedelta(minutes=15 * i), 0, daily_used=sent)
    assert sent == 10
    refused = budget.reserve(1, now=NOW + timedelta(hours=3))
    assert refused.daily
    assert budget.resets_at(NOW) == datetime(2026, 5, 5, tzinfo=UTC) + RESET_MARGIN


def test_before_any_reading_the_fallback_grants_one_at_a_time() -> None:
    budget = ShareCappedBudget(0.25)
    assert budget.reserve(8, now=NOW).granted == 1
    assert budget.reserve(8, now=NOW).granted == 0


@pytest.mark.parametrize(("share", "text"), [(0.25, "1/4"), (1 / 3, "1/3"), (1.0, "1/1")])
def test_share_text(share: float, text: str) -> None:
    assert share_text(share) == text


def test_log_lines_name_the_server_without_credentials() -> None:
    url = f"redis://dash:{PASSWORD}@redis.internal:6380/2"
    assert describe_url(url) == "redis://redis.internal:6380/2"
    assert scrub(f"AuthenticationError: bad password {PASSWORD}", url).endswith("password ***")


# ---------------------------------------------------------------- a real outage


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path, password=PASSWORD) as running:
        yield running


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget_failover, "RETRY_S", 0.0)


def failover(url: str) -> FailoverBudget:
    budget = shared_budget(url, "www.strava.com", "1", share=0.25)
    assert isinstance(budget, FailoverBudget)
    return budget


def test_redis_down_falls_back_to_a_share_and_comes_back(
    server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="strava_dash.budget_failover")
    budget = failover(server.url)
    now = datetime.now(UTC)
    budget.observe(reading(10, at=now))
    assert budget.using_redis
    assert budget.remaining(now) == 90
    assert not caplog.records

    server.stop()
    assert budget.remaining(now) == 25  # the fallback knew the usage already
    assert not budget.using_redis
    assert spend(budget, now, 10) == 25
    assert len(caplog.records) == 1  # one line for the outage, not one per call
    line = caplog.records[0].getMessage()
    assert f"redis://127.0.0.1:{server.port}/0" in line
    assert "1/4" in line
    assert PASSWORD not in caplog.text

    server.start()
    assert budget.remaining(now) is None  # back on Redis (empty after its restart)
    assert budget.using_redis
    assert "answers again" in caplog.records[-1].getMessage()
    budget.observe(reading(10, at=now))
    assert budget.remaining(now) == 90


def test_requests_granted_during_the_outage_are_released_to_the_fallback(
    server: RedisServer,
) -> None:
    budget = failover(server.url)
    now = datetime.now(UTC)
    budget.observe(reading(0, at=now))
    assert budget.reserve(3, now=now).granted == 3  # Redis leases
    server.stop()
    assert budget.reserve(2, now=now).granted == 2  # the fallback's
    budget.release(3)  # a Redis release fails quietly: those leases expire by TTL
    budget.release(2)
    assert budget.fallback.inner.in_flight == 0


def test_redis_unreachable_at_start_up(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="strava_dash.budget_failover")
    url = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"
    budget = failover(url)  # logs now, before anyone syncs
    assert not budget.using_redis
    assert len(caplog.records) == 1
    assert "unreachable" in caplog.text
    assert PASSWORD not in caplog.text
    # Nothing learned yet: one request at a time, whose answer teaches the fallback.
    assert budget.reserve(8, now=NOW).granted == 1
    assert budget.reserve(8, now=NOW).granted == 0
    budget.observe(reading(1))
    budget.release()
    assert budget.remaining(NOW) == 24  # a quarter of 100, less the one it sent
    assert isinstance(budget.fallback.inner, InProcessBudget)


def test_a_wrong_password_falls_back_with_a_clear_line(
    server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="strava_dash.budget_failover")
    wrong = f"redis://:not-{PASSWORD}@127.0.0.1:{server.port}/0"
    budget = failover(wrong)
    assert not budget.using_redis
    assert "AuthenticationError" in caplog.text
    assert PASSWORD not in caplog.text
    assert budget.reserve(1, now=NOW).granted == 1  # the fallback serves meanwhile
