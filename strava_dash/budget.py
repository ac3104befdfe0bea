"""One rate-limit budget per Strava application, shared by every sync in the process.

Strava counts requests per *application* (100 reads per 15 minutes, 1,000 per day),
not per athlete, so every athlete syncing through this server spends the same budget.
The client asks the budget before each request (:meth:`RateBudget.reserve`), hands it
the usage headers of every response (:meth:`RateBudget.observe`) and gives the
reservation back when the request is over (:meth:`RateBudget.release`).

:class:`InProcessBudget` is the default: a lock, the latest usage per window and the
requests in flight. The interface is small on purpose: a Redis-backed budget shared by
several replicas keeps the same state in one hash per ``(host, client id)`` and does
``reserve`` as one Lua script (read usage and in-flight count, grant, increment); the
in-flight count then needs a TTL so a crashed replica cannot hold it forever.
:func:`budget_for` is the registry the app calls; :func:`use_budget_factory` swaps the
implementation without touching callers.
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


def _window_index(moment: datetime) -> int:
    return int((moment - RESET_MARGIN).timestamp() // _WINDOW_S)


def _day_index(moment: datetime) -> int:
    return int((moment - RESET_MARGIN).timestamp() // _DAY_S)


@dataclass(frozen=True)
class _Count:
    """One header pair's usage, with the 15-minute window and the day it belongs to."""

    window: int
    usage_15min: int
    limit_15min: int
    day: int
    usage_daily: int
    limit_daily: int

    def left(self, now: datetime) -> tuple[int, int]:
        """(15-minute, daily) requests left at ``now``; a passed window is empty again."""
        used_15 = self.usage_15min if _window_index(now) <= self.window else 0
        used_day = self.usage_daily if _day_index(now) <= self.day else 0
        return self.limit_15min - used_15, self.limit_daily - used_day


def _merge(old: _Count | None, new: Window, at: datetime) -> _Count:
    window, day = _window_index(at), _day_index(at)
    if old is None:
        return _Count(
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
    return _Count(w, u15, new.limit_15min, d, ud, new.limit_daily)


class InProcessBudget:
    """A :class:`RateBudget` for one process: usage from the headers, minus requests in flight.

    Before the first reading nothing is known, so only one request at a time is granted
    (its answer tells the usage). Usage is counted per header pair (overall and read);
    the tighter one binds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, _Count] = {}
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
                    self._counts[kind] = _merge(self._counts.get(kind), window, limits.observed_at)

    def remaining(self, now: datetime) -> int | None:
        with self._lock:
            left = self._left(now)
            return None if left is None else max(left - self._in_flight, 0)

    def resets_at(self, now: datetime) -> datetime:
        with self._lock:
            return self._resets_at(now)

    def _left(self, now: datetime) -> int | None:
        if not self._counts:
            return None
        return min(min(c.left(now)) for c in self._counts.values())

    def _daily_spent(self, now: datetime) -> bool:
        return any(c.left(now)[1] <= 0 for c in self._counts.values())

    def _resets_at(self, now: datetime) -> datetime:
        shifted = now - RESET_MARGIN
        if self._daily_spent(now):
            return next_utc_midnight(shifted) + RESET_MARGIN
        return next_window_start(shifted) + RESET_MARGIN


BudgetFactory = Callable[[str, str], RateBudget]

_registry: dict[tuple[str, str], RateBudget] = {}
_registry_lock = threading.Lock()
_factory: BudgetFactory = lambda host, client_id: InProcessBudget()  # noqa: E731


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
    """Build later budgets with ``factory(host, client_id)`` (e.g. Redis); None: in-process.

    Budgets already handed out stay as they are; call this at start-up.
    """
    global _factory
    with _registry_lock:
        _factory = factory or (lambda host, client_id: InProcessBudget())
        _registry.clear()
