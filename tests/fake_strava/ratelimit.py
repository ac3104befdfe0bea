"""Strava's per-application request counters (strava-api.md §4).

Two pairs of (15-minute, daily) limits: "overall" counts every API request, "read"
counts GETs. The 15-minute window starts at :00/:15/:30/:45 UTC and the daily one at
UTC midnight; both are measured on the fake's clock so ``advance()`` moves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WINDOW = 900  # s; epoch 0 is a UTC midnight, so floor(now / 900) aligns with :00/:15/:30/:45
DAY = 86_400  # s

DEFAULT_READ_LIMITS = (100, 1000)
DEFAULT_OVERALL_LIMITS = (200, 2000)


@dataclass
class RateLimiter:
    read_limits: tuple[int, int] = DEFAULT_READ_LIMITS
    overall_limits: tuple[int, int] = DEFAULT_OVERALL_LIMITS
    read_usage: list[int] = field(default_factory=lambda: [0, 0])
    overall_usage: list[int] = field(default_factory=lambda: [0, 0])
    _window: int = -1
    _day: int = -1

    def count(self, now: float, *, is_read: bool) -> bool:
        """Count one request at ``now``; False when it is over a limit (it still counts)."""
        self._roll(now)
        self.overall_usage[0] += 1
        self.overall_usage[1] += 1
        over = _over(self.overall_usage, self.overall_limits)
        if is_read:
            self.read_usage[0] += 1
            self.read_usage[1] += 1
            over = over or _over(self.read_usage, self.read_limits)
        return not over

    def headers(self, now: float) -> dict[str, str]:
        """The four X-*RateLimit-* headers, "15-minute,daily" with no space (as Strava sends)."""
        self._roll(now)
        return {
            "X-RateLimit-Limit": _pair(self.overall_limits),
            "X-RateLimit-Usage": _pair(self.overall_usage),
            "X-ReadRateLimit-Limit": _pair(self.read_limits),
            "X-ReadRateLimit-Usage": _pair(self.read_usage),
        }

    def reset(self) -> None:
        self.read_usage = [0, 0]
        self.overall_usage = [0, 0]

    def _roll(self, now: float) -> None:
        window, day = int(now // WINDOW), int(now // DAY)
        if window != self._window:
            self._window = window
            self.read_usage[0] = self.overall_usage[0] = 0
        if day != self._day:
            self._day = day
            self.read_usage[1] = self.overall_usage[1] = 0


def _over(usage: list[int], limits: tuple[int, int]) -> bool:
    return usage[0] > limits[0] or usage[1] > limits[1]


def _pair(values: tuple[int, int] | list[int]) -> str:
    return f"{values[0]},{values[1]}"
