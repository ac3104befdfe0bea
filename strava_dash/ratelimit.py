"""Strava's rate-limit headers, parsed by pure functions into small typed values.

Strava sends two pairs on every API response: the overall limit
(``X-RateLimit-Limit`` / ``X-RateLimit-Usage``) and the read ("non-upload") limit
(``X-ReadRateLimit-*``). Each value is ``"<15-minute>,<daily>"``. The 15-minute window
resets on the clock at :00, :15, :30 and :45 UTC; the daily one at midnight UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Window:
    """Requests used and allowed in the 15-minute and the daily window."""

    usage_15min: int
    limit_15min: int
    usage_daily: int
    limit_daily: int

    @property
    def remaining_15min(self) -> int:
        return max(self.limit_15min - self.usage_15min, 0)

    @property
    def remaining_daily(self) -> int:
        return max(self.limit_daily - self.usage_daily, 0)

    @property
    def remaining(self) -> int:
        """Requests that can still be made now (the tighter of both windows)."""
        return min(self.remaining_15min, self.remaining_daily)


@dataclass(frozen=True)
class RateLimits:
    """The usage Strava reported on one response, and when it was seen (UTC)."""

    overall: Window
    read: Window | None
    observed_at: datetime

    def for_method(self, method: str) -> Window:
        """The pair that binds a request: the read pair for GET (when sent), else overall."""
        if method.upper() == "GET" and self.read is not None:
            return min((self.read, self.overall), key=lambda w: w.remaining)
        return self.overall

    @property
    def daily_exhausted(self) -> bool:
        return any(w.remaining_daily == 0 for w in self._windows())

    @property
    def exhausted(self) -> bool:
        return any(w.remaining == 0 for w in self._windows())

    def resets_at(self) -> datetime:
        """When requests can succeed again: next UTC midnight if a daily limit is spent."""
        if self.daily_exhausted:
            return next_utc_midnight(self.observed_at)
        return next_window_start(self.observed_at)

    def _windows(self) -> tuple[Window, ...]:
        return (self.overall,) if self.read is None else (self.overall, self.read)


def _pair(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    parts = value.replace(" ", "").split(",")
    if len(parts) != 2:
        return None
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        return None


def _window(headers: Mapping[str, str], limit_key: str, usage_key: str) -> Window | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    limit = _pair(lowered.get(limit_key))
    usage = _pair(lowered.get(usage_key))
    if limit is None or usage is None:
        return None
    return Window(usage[0], limit[0], usage[1], limit[1])


def parse_rate_limits(headers: Mapping[str, str], *, now: datetime) -> RateLimits | None:
    """Parse both header pairs; None when the response carried none (token endpoints)."""
    overall = _window(headers, "x-ratelimit-limit", "x-ratelimit-usage")
    read = _window(headers, "x-readratelimit-limit", "x-readratelimit-usage")
    if overall is None:
        if read is None:
            return None
        overall = read
    return RateLimits(overall=overall, read=read, observed_at=now.astimezone(UTC))


def next_window_start(now: datetime) -> datetime:
    """The next quarter hour (:00, :15, :30, :45) after ``now``, in UTC."""
    now = now.astimezone(UTC)
    floored = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    return floored + WINDOW


def next_utc_midnight(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
