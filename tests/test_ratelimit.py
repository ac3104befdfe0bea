from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strava_dash.ratelimit import (
    Window,
    next_utc_midnight,
    next_window_start,
    parse_rate_limits,
)

NOW = datetime(2026, 5, 4, 10, 7, 30, tzinfo=UTC)


def test_parses_both_pairs_case_insensitively() -> None:
    headers = {
        "X-Ratelimit-Limit": "200,2000",
        "x-ratelimit-usage": "31,1536",
        "X-ReadRateLimit-Limit": "100,1000",
        "X-ReadRateLimit-Usage": "30,998",
    }
    limits = parse_rate_limits(headers, now=NOW)
    assert limits is not None
    assert limits.overall == Window(31, 200, 1536, 2000)
    assert limits.read == Window(30, 100, 998, 1000)
    assert limits.read.remaining == 2  # the daily read budget binds, not the 15-minute one
    assert limits.for_method("GET") == limits.read
    assert limits.for_method("POST") == limits.overall
    assert not limits.exhausted


def test_no_headers_means_none() -> None:
    assert parse_rate_limits({"Content-Type": "application/json"}, now=NOW) is None


@pytest.mark.parametrize("value", ["", "100", "a,b", "1,2,3"])
def test_malformed_values_are_ignored(value: str) -> None:
    assert (
        parse_rate_limits({"X-RateLimit-Limit": value, "X-RateLimit-Usage": "1,1"}, now=NOW) is None
    )


def test_resets_at_next_quarter_hour_or_midnight() -> None:
    spent_15 = parse_rate_limits(
        {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "200,500"}, now=NOW
    )
    assert spent_15 is not None
    assert spent_15.exhausted
    assert not spent_15.daily_exhausted
    assert spent_15.resets_at() == datetime(2026, 5, 4, 10, 15, tzinfo=UTC)
    spent_day = parse_rate_limits(
        {
            "X-RateLimit-Limit": "200,2000",
            "X-RateLimit-Usage": "12,1100",
            "X-ReadRateLimit-Limit": "100,1000",
            "X-ReadRateLimit-Usage": "12,1001",
        },
        now=NOW,
    )
    assert spent_day is not None
    assert spent_day.daily_exhausted
    assert spent_day.resets_at() == datetime(2026, 5, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC), datetime(2026, 1, 1, 0, 15, tzinfo=UTC)),
        (datetime(2026, 1, 1, 0, 14, 59, tzinfo=UTC), datetime(2026, 1, 1, 0, 15, tzinfo=UTC)),
        (datetime(2026, 1, 1, 23, 50, tzinfo=UTC), datetime(2026, 1, 2, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_window_start(now: datetime, expected: datetime) -> None:
    assert next_window_start(now) == expected


def test_window_boundaries_are_utc_whatever_the_input_zone() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 3, 1, 23, 40, tzinfo=ZoneInfo("Asia/Kolkata"))  # 18:10 UTC
    assert next_window_start(local) == datetime(2026, 3, 1, 18, 15, tzinfo=UTC)
    assert next_utc_midnight(local) == datetime(2026, 3, 2, tzinfo=UTC)
