"""One rate-limit budget per Strava application, shared by every sync in the process.

Strava counts requests per *application* (100 reads per 15 minutes, 1,000 per day),
not per athlete, so every athlete syncing through this server spends the same budget.
The client asks the budget before each request (:meth:`RateBudget.reserve`), hands it
the usage headers of every response (:meth:`RateBudget.observe`) and gives the
reservation back when the request is over (:meth:`RateBudget.release`).

:class:`InProcessBudget` is the default: a lock, the latest usage per window and the
requests in flight. With ``DASH_REDIS_URL`` set, :func:`budget_for` hands out a
:class:`~strava_dash.budget_redis.RedisBudget` instead (several replicas, one budget),
wrapped so an unreachable Redis falls back to a share of the window
(:mod:`strava_dash.budget_failover`). Both budgets merge readings with the one
:func:`merge_reading`. :func:`use_budget_factory` swaps the implementation without
touching callers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from strava_dash.ratelimit import RateLimits, Window, next_utc_midnight, next_window_start

#: Strava's clock and ours differ by a little: a window counts as reset only this long
#: after the quarter hour, so the first request of a new window is not refused as late.
RESET_MARGIN = timedelta(seconds=5)
#: A reading may come back lower than the stored one when responses overtake each other
#: (at most the requests in flight at once). A larger drop, or changed limits, means the
#: counter behind the key was reset: the new reading wins.
REORDER_SLACK = 16

_WINDOW_S = 900
_DAY_S = 86_400


@dataclass(frozen=True)
class Reservation:
    """The budget's answer: send ``granted`` requests now, or wait.

    ``granted == 0`` with ``wait_until`` set: a window is spent until then (the daily one
    when ``daily``). ``granted == 0`` without it: requests in flight will tell how much is
    left; ask again when one of them is answered.
    """

    granted: int
    wait_until: datetime | None = None
    daily: bool = False

    @property
    def blocked(self) -> bool:
        return self.granted == 0 and self.wait_until is not None


class RateBudget(Protocol):
    """What the client needs from a shared rate-limit budget (thread-safe)."""

    def reserve(self, n: int = 1, *, now: datetime, probe: bool = False) -> Reservation:
        """Ask for up to ``n`` requests; ``probe`` gets one even past a spent window."""
        ...

    def release(self, n: int = 1) -> None:
        """``n`` granted requests are over (answered, failed or never sent)."""
        ...

    def observe(self, limits: RateLimits) -> None:
        """Learn from one response's usage headers."""
        ...

    def remaining(self, now: datetime) -> int | None:
        """Requests that may start now (in-flight ones deducted); None before any reading."""
        ...

    def resets_at(self, now: datetime) -> datetime:
        """When a spent budget can be used again (next quarter hour, or UTC midnight)."""
        ...


def window_index(moment: datetime) -> int:
    """The 15-minute window ``moment`` falls in (epoch quarter hours, shifted by the margin)."""
    return int((moment - RESET_MARGIN).timestamp() // _WINDOW_S)


def day_index(moment: datetime) -> int:
    """The UTC day ``moment`` falls in (epoch days, shifted by the margin)."""
    return int((moment - RESET_MARGIN).timestamp() // _DAY_S)


@dataclass(frozen=True)
class Count:
    """One header pair's usage, with the 15-minute window and the day it belongs to.

    The one place the merge rules live (:func:`merge_reading`): the Redis budget stores
    these values and calls the same function, so both budgets learn alike.
    """

    window: int
    usage_15min: int
    limit_15min: int
    day: int
    usage_daily: int
    limit_daily: int

    @property
    def until_15min(self) -> float:
        """Epoch seconds from which ``usage_15min`` no longer counts (its window passed)."""
        return (self.window + 1) * _WINDOW_S + RESET_MARGIN.total_seconds()

    @property
    def until_daily(self) -> float:
        return (self.day + 1) * _DAY_S + RESET_MARGIN.total_seconds()

    def left(self, now: datetime) -> tuple[int, int]:
        """(15-minute, daily) requests left at ``now``; a passed window is empty again."""
        at = now.timestamp()
        used_15 = self.usage_15min if at < self.until_15min else 0
        used_day = self.usage_daily if at < self.until_daily else 0
        return self.limit_15min - used_15, self.limit_daily - used_day


def merge_reading(old: Count | None, new: Window, at: datetime) -> Count:
    """The stored count after a reading taken at ``at``: the merge rules of both budgets.

    The highest usage of a window wins (answers overtake each other), a new window or day
    starts afresh, a late reading from a passed window is ignored, and a large drop or
    changed limits mean Strava's counter was reset.
    """
    window, day = window_index(at), day_index(at)
    if old is None:
        return Count(
            window, new.usage_15min, new.limit_15min, day, new.usage_daily, new.limit_daily
        )
    reset = (new.limit_15min, new.limit_daily) != (old.limit_15min, old.limit_daily)
    if reset or window > old.window or new.usage_15min < old.usage_15min - REORDER_SLACK:
        w, u15 = window, new.usage_15min
    elif window == old.window:
        w, u15 = window, max(old.usage_15min, new.usage_15min)
    else:  # a reading from an earlier window arriving late says nothing new
        w, u15 = old.window, old.usage_15min
    if reset or day > old.day or new.usage_daily < old.usage_daily - REORDER_SLACK:
        d, ud = day, new.usage_daily
    elif day == old.day:
        d, ud = day, max(old.usage_daily, new.usage_daily)
    else:
        d, ud = old.day, old.usage_daily
    return Count(w, u15, new.limit_15min, d, ud, new.limit_daily)


def resets_after(now: datetime, *, daily: bool) -> datetime:
    """When a spent budget opens again: the next quarter hour, or UTC midnight, plus margin."""
    shifted = now - RESET_MARGIN
    if daily:
        return next_utc_midnight(shifted) + RESET_MARGIN
    return next_window_start(shifted) + RESET_MARGIN


class InProcessBudget:
    """A :class:`RateBudget` for one process: usage from the headers, minus requests in flight.

    Before the first reading nothing is known, so only one request at a time is granted
    (its answer tells the usage). Usage is counted per header pair (overall and read);
    the tighter one binds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Count] = {}
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def reserve(self, n: int = 1, *, now: datetime, probe: bool = False) -> Reservation:
        if n < 1:
            raise ValueError(f"reserve at least one request, not {n}")
        with self._lock:
            left = self._left(now)
            if left is None:
                granted = 1 if self._in_flight == 0 or probe else 0
            elif left <= 0:
                if not probe:
                    return Reservation(0, self._resets_at(now), self._daily_spent(now))
                granted = 1
            else:
                granted = min(n, max(left - self._in_flight, 0))
                if granted == 0 and probe:
                    granted = 1
            self._in_flight += granted
            return Reservation(granted)

    def release(self, n: int = 1) -> None:
        with self._lock:
            self._in_flight = max(self._in_flight - n, 0)

    def observe(self, limits: RateLimits) -> None:
        pairs = {"overall": limits.overall, "read": limits.read}
        with self._lock:
            for kind, window in pairs.items():
                if window is not None:
                    self._counts[kind] = merge_reading(
                        self._counts.get(kind), window, limits.observed_at
                    )

    def remaining(self, now: datetime) -> int | None:
        with self._lock:
            left = self._left(now)
            return None if left is None else max(left - self._in_flight, 0)

    def resets_at(self, now: datetime) -> datetime:
        with self._lock:
            return self._resets_at(now)

    def limits(self) -> tuple[int, int] | None:
        """The tightest (15-minute, daily) limits Strava reported; None before any reading."""
        with self._lock:
            if not self._counts:
                return None
            counts = self._counts.values()
            return min(c.limit_15min for c in counts), min(c.limit_daily for c in counts)

    def _left(self, now: datetime) -> int | None:
        if not self._counts:
            return None
        return min(min(c.left(now)) for c in self._counts.values())

    def _daily_spent(self, now: datetime) -> bool:
        return any(c.left(now)[1] <= 0 for c in self._counts.values())

    def _resets_at(self, now: datetime) -> datetime:
        return resets_after(now, daily=self._daily_spent(now))


BudgetFactory = Callable[[str, str], RateBudget]

_registry: dict[tuple[str, str], RateBudget] = {}
_registry_lock = threading.Lock()


def budget_from_env(host: str, client_id: str) -> RateBudget:
    """Shared through Redis when ``DASH_REDIS_URL`` is set, else this process's own budget.

    Read here rather than passed in, so every process using the core (the app, a script,
    a worker) shares the budget with no other call.
    """
    from strava_dash.settings import HostingSettings

    hosting = HostingSettings.from_env()
    if hosting.redis_url is None:
        return InProcessBudget()
    # Imported late: redis-py is only loaded by processes that use it.
    from strava_dash.budget_failover import shared_budget

    return shared_budget(hosting.redis_url, host, client_id, share=hosting.fallback_share)


_factory: BudgetFactory = budget_from_env


def budget_key(api_url: str, client_id: str | int) -> tuple[str, str]:
    """``(host, client id)``: Strava limits each application on each API host."""
    host = urlsplit(api_url).netloc.lower() or api_url.lower()
    return host, str(client_id).strip()


def budget_for(api_url: str, client_id: str | int) -> RateBudget:
    """The one budget of this application on this API host, created on first use."""
    key = budget_key(api_url, client_id)
    with _registry_lock:
        budget = _registry.get(key)
        if budget is None:
            budget = _registry[key] = _factory(*key)
        return budget


def use_budget_factory(factory: BudgetFactory | None) -> None:
    """Build later budgets with ``factory(host, client_id)``; None: :func:`budget_from_env`.

    Budgets already handed out stay as they are; call this at start-up.
    """
    global _factory
    with _registry_lock:
        _factory = factory or budget_from_env
        _registry.clear()
