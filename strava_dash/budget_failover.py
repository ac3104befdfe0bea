"""What a replica does when Redis, which holds the shared budget, cannot be reached.

It must neither stop (a Redis outage would take every sync down) nor run unlimited
(several replicas would then send several times what Strava allows). So it falls back to
an in-process budget that also caps its *own* requests at ``share`` of Strava's window
(``DASH_FALLBACK_SHARE``, default 1/4): with N replicas and ``share <= 1/N`` they stay
within the limit together, and Strava's headers still stop each one earlier if the window
is spent.

One log line when Redis goes away and one when it is back. While it is away, Redis is
tried again at most every :data:`RETRY_S` seconds on the next call; the first call that
succeeds switches back. Every reading also teaches the fallback, so it starts warm.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from datetime import datetime
from fractions import Fraction
from time import monotonic
from typing import Literal

from strava_dash.budget import (
    InProcessBudget,
    RateBudget,
    Reservation,
    day_index,
    resets_after,
    window_index,
)
from strava_dash.budget_redis import RedisBudget
from strava_dash.clock import utc_now
from strava_dash.ratelimit import RateLimits
from strava_dash.redis_conn import UNREACHABLE, describe_url, scrub, shared_client

log = logging.getLogger(__name__)

#: How often an unreachable Redis is tried again (seconds); calls in between use the fallback.
RETRY_S = 5.0


def share_text(share: float) -> str:
    """``1/4`` for 0.25: the form an operator wrote in ``DASH_FALLBACK_SHARE``."""
    fraction = Fraction(share).limit_denominator(100)
    return f"{fraction.numerator}/{fraction.denominator}"


class ShareCappedBudget:
    """An in-process budget that also never spends more than ``share`` of a window itself.

    Strava's headers count every replica's requests; this replica's own grants are counted
    here, per 15-minute window and per day, and capped at ``share`` of the limits.
    """

    def __init__(self, share: float, inner: InProcessBudget | None = None) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be above 0 and at most 1, not {share}")
        self.share = share
        self.inner = inner or InProcessBudget()
        self._lock = threading.Lock()
        self._window = self._day = -1
        self._own_15min = self._own_daily = 0

    def reserve(self, n: int = 1, *, now: datetime, probe: bool = False) -> Reservation:
        with self._lock:
            caps = self._caps(now)
            if caps is not None and min(caps) <= 0:
                daily = caps[1] <= 0
                return Reservation(0, resets_after(now, daily=daily), daily)
            ask = n if caps is None else min(n, *caps)
            grant = self.inner.reserve(max(ask, 1), now=now, probe=probe)
            self._own_15min += grant.granted
            self._own_daily += grant.granted
            return grant

    def release(self, n: int = 1) -> None:
        self.inner.release(n)

    def observe(self, limits: RateLimits) -> None:
        self.inner.observe(limits)

    def remaining(self, now: datetime) -> int | None:
        left = self.inner.remaining(now)
        with self._lock:
            caps = self._caps(now)
        if left is None or caps is None:
            return left
        return max(min(left, *caps), 0)

    def resets_at(self, now: datetime) -> datetime:
        with self._lock:
            caps = self._caps(now)
        if caps is not None and caps[1] <= 0:
            return resets_after(now, daily=True)
        return self.inner.resets_at(now)

    def _caps(self, now: datetime) -> tuple[int, int] | None:
        """(15-minute, daily) requests this replica may still start; None before a reading."""
        window, day = window_index(now), day_index(now)
        if window != self._window:
            self._window, self._own_15min = window, 0
        if day != self._day:
            self._day, self._own_daily = day, 0
        limits = self.inner.limits()
        if limits is None:
            return None
        cap_15, cap_day = (max(int(limit * self.share), 1) for limit in limits)
        return cap_15 - self._own_15min, cap_day - self._own_daily


Source = Literal["redis", "fallback"]


class FailoverBudget:
    """The Redis budget while Redis answers, the share-capped fallback while it does not."""

    def __init__(self, primary: RedisBudget, fallback: ShareCappedBudget, url: str) -> None:
        self.primary = primary
        self.fallback = fallback
        self._url = url
        self._where = describe_url(url)
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0
        # Which budget granted each request in flight, so each release goes back there.
        self._held: deque[Source] = deque()

    @property
    def using_redis(self) -> bool:
        with self._lock:
            return not self._down

    def check(self) -> bool:
        """Try Redis now (at start-up, so an outage is logged before the first sync)."""
        try:
            self.primary.remaining(utc_now())
        except UNREACHABLE as error:
            self._went_down(error)
            return False
        self._came_back()
        return True

    def reserve(self, n: int = 1, *, now: datetime, probe: bool = False) -> Reservation:
        if self._try_redis():
            try:
                grant = self.primary.reserve(n, now=now, probe=probe)
            except UNREACHABLE as error:
                self._went_down(error)
            else:
                self._came_back()
                self._hold("redis", grant.granted)
                return grant
        grant = self.fallback.reserve(n, now=now, probe=probe)
        self._hold("fallback", grant.granted)
        return grant

    def release(self, n: int = 1) -> None:
        with self._lock:
            sources = [self._held.popleft() for _ in range(min(n, len(self._held)))]
        to_redis = sources.count("redis")
        if sources.count("fallback"):
            self.fallback.release(sources.count("fallback"))
        if to_redis:
            try:
                self.primary.release(to_redis)
            except UNREACHABLE as error:
                self._went_down(error)  # the leases expire by their TTL

    def observe(self, limits: RateLimits) -> None:
        self.fallback.observe(limits)
        if self._try_redis():
            try:
                self.primary.observe(limits)
            except UNREACHABLE as error:
                self._went_down(error)
            else:
                self._came_back()

    def remaining(self, now: datetime) -> int | None:
        if self._try_redis():
            try:
                left = self.primary.remaining(now)
            except UNREACHABLE as error:
                self._went_down(error)
            else:
                self._came_back()
                return left
        return self.fallback.remaining(now)

    def resets_at(self, now: datetime) -> datetime:
        if self._try_redis():
            try:
                moment = self.primary.resets_at(now)
            except UNREACHABLE as error:
                self._went_down(error)
            else:
                self._came_back()
                return moment
        return self.fallback.resets_at(now)

    # ------------------------------------------------------------ state

    def _hold(self, source: Source, granted: int) -> None:
        with self._lock:
            self._held.extend([source] * granted)

    def _try_redis(self) -> bool:
        with self._lock:
            return not self._down or monotonic() >= self._retry_at

    def _went_down(self, error: Exception) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._retry_at = monotonic() + RETRY_S
        if first:
            log.warning(
                "Redis at %s is unreachable (%s); this replica's Strava rate budget falls "
                "back to %s of Strava's window until Redis answers again.",
                self._where,
                scrub(f"{type(error).__name__}: {error}", self._url),
                share_text(self.fallback.share),
            )

    def _came_back(self) -> None:
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            log.warning("Redis at %s answers again; the shared rate budget is back.", self._where)


def shared_budget(url: str, host: str, client_id: str, *, share: float) -> RateBudget:
    """The budget :func:`strava_dash.budget.budget_for` hands out when Redis is configured."""
    budget = FailoverBudget(
        RedisBudget(shared_client(url), host, client_id), ShareCappedBudget(share), url
    )
    budget.check()
    return budget
