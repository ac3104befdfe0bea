"""A small Strava API client: one ``requests.Session``, bearer auth, paging, rate limits.

Transport concerns (retries, timeouts, error mapping) live in :mod:`strava_dash.transport`;
this module holds the domain calls. Records are returned exactly as Strava sent them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from time import monotonic, sleep
from typing import Any, Protocol
from urllib.parse import quote

import requests

from strava_dash.budget import RateBudget, Reservation
from strava_dash.errors import AuthError, RateLimitError, ScopeError, StravaAPIError
from strava_dash.ratelimit import RateLimits, next_window_start, parse_rate_limits
from strava_dash.transport import DEFAULT_TIMEOUT, Clock, build_session, json_body, send, utc_now

DEFAULT_API_URL = "https://www.strava.com/api/v3"
MAX_PER_PAGE = 200
#: Activity pages in flight at once when the length of the list is hinted.
MAX_IN_FLIGHT = 8
STREAM_KEYS: tuple[str, ...] = (
    "time",
    "distance",
    "latlng",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
    "grade_smooth",
)
# Epoch seconds beyond this are almost surely milliseconds (year 5138), which Strava rejects.
_MAX_EPOCH_S = 100_000_000_000

Timestamp = datetime | date | int | float
# How often to ask the budget again while other requests of the app are in flight, and
# how long at most: a reservation nobody releases must not stall a sync forever.
_BUDGET_POLL_S = 0.02
_BUDGET_POLL_MAX_S = 60.0


class LengthHint(Protocol):
    """A lower bound of how many activities a walk returns, refined as pages arrive.

    Only a hint for how many pages to ask for at once: an empty page still ends the list.
    """

    def page_arrived(self, records: list[dict[str, Any]]) -> None:
        """One more page of this walk came back (any order; called once per page)."""
        ...

    def lower_bound(self) -> int | None:
        """Activities the walk returns at least, counting arrived pages; None: no idea yet."""
        ...


class FixedHint:
    """A :class:`LengthHint` that is a number known up front."""

    def __init__(self, total: int) -> None:
        self.total = total

    def page_arrived(self, records: list[dict[str, Any]]) -> None:
        del records

    def lower_bound(self) -> int | None:
        return self.total


#: What ``expected=`` accepts: a number of activities, or a :class:`LengthHint`.
Expected = int | LengthHint


class TokenSource(Protocol):
    """Something that hands out a valid access token and can refresh after a 401."""

    def access_token(self) -> str: ...

    def refresh_after_401(self, rejected: str) -> str: ...


@dataclass(frozen=True)
class PageProgress:
    """Reported after each activity page: for progress bars and usage displays."""

    page: int
    page_size: int
    fetched: int
    rate_limits: RateLimits | None


OnPage = Callable[[PageProgress], None]


def to_epoch(value: Timestamp) -> int:
    """Epoch seconds from a datetime (naive = UTC), a date (its UTC midnight) or a number."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    if isinstance(value, date):
        return int(datetime.combine(value, time(), tzinfo=UTC).timestamp())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a datetime, date or epoch seconds, got {type(value).__name__}")
    if not 0 <= value < _MAX_EPOCH_S:
        raise ValueError(f"{value!r} is not epoch seconds (milliseconds are not accepted)")
    return int(value)


class StravaClient:
    """Read-only access to one athlete's data.

    ``access_token`` is either the token string or a :class:`TokenSource` (for example
    :class:`strava_dash.auth.TokenManager`), which lets a long sync refresh transparently.
    The token only ever travels in the ``Authorization`` header.

    ``budget`` is the application's shared :class:`~strava_dash.budget.RateBudget`: every
    request is checked against it first, and a spent window raises
    :class:`~strava_dash.errors.RateLimitError` without sending anything. None (the
    default) checks nothing and lets Strava's 429 say so.
    """

    def __init__(
        self,
        access_token: str | TokenSource,
        *,
        api_url: str = DEFAULT_API_URL,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        now: Clock = utc_now,
        budget: RateBudget | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
        self._tokens = access_token
        self.api_url = api_url.rstrip("/")
        self.session = session or build_session()
        self.timeout = timeout
        self.max_in_flight = max_in_flight
        self._now = now
        self._budget = budget
        self._rate_limits: RateLimits | None = None
        self._sent = 0
        self._probe = False
        self._lock = threading.Lock()

    @property
    def rate_limits(self) -> RateLimits | None:
        """The usage Strava reported on the latest API response, or None before any."""
        return self._rate_limits

    @property
    def budget(self) -> RateBudget | None:
        return self._budget

    @property
    def clock(self) -> Clock:
        """The clock rate-limit windows are judged by (injectable for tests)."""
        return self._now

    @property
    def request_count(self) -> int:
        """API requests this client has sent (urllib3's transparent retries not counted)."""
        return self._sent

    def allow_probe(self) -> None:
        """Send the next request even if the budget believes the window is spent.

        For an explicit "retry now": Strava's answer is the authority, and its headers
        correct the budget either way. Costs at most one refused request.
        """
        with self._lock:
            self._probe = True

    def _token(self) -> str:
        return self._tokens if isinstance(self._tokens, str) else self._tokens.access_token()

    # ---------------------------------------------------------------- budget

    def _take_probe(self) -> bool:
        with self._lock:
            probe, self._probe = self._probe, False
            return probe

    def _reserve(self, n: int) -> Reservation:
        """Up to ``n`` requests from the budget (all of them when there is none)."""
        if self._budget is None:
            return Reservation(n)
        probe = self._take_probe()
        grant = self._budget.reserve(n, now=self._now(), probe=probe)
        if probe and not grant.granted:
            self.allow_probe()  # not used up: keep it for the next request
        return grant

    def _release(self) -> None:
        if self._budget is not None:
            self._budget.release(1)

    def _acquire(self) -> None:
        """Hold one request of the budget, or raise when its window is spent."""
        deadline = monotonic() + _BUDGET_POLL_MAX_S
        while True:
            grant = self._reserve(1)
            if grant.granted:
                return
            if grant.wait_until is not None:
                raise _spent(grant)
            if monotonic() > deadline and self._budget is not None:
                # Requests in flight never reported back: send anyway, the headers of
                # this one re-teach the budget.
                self._budget.reserve(1, now=self._now(), probe=True)
                return
            sleep(_BUDGET_POLL_S)

    # ---------------------------------------------------------------- HTTP

    def _send(self, path: str, params: dict[str, Any] | None, token: str) -> requests.Response:
        with self._lock:
            self._sent += 1
        return send(
            self.session,
            "GET",
            f"{self.api_url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.timeout,
            now=self._now,
            on_response=self._note_limits,
        )

    def _note_limits(self, response: requests.Response) -> None:
        limits = parse_rate_limits(response.headers, now=self._now())
        if limits is None:
            return
        with self._lock:
            # Concurrent answers arrive in any order: keep the one that counted most.
            old = self._rate_limits
            if old is None or _later(limits, old):
                self._rate_limits = limits
        if self._budget is not None:
            self._budget.observe(limits)

    def _send_held(
        self, path: str, params: dict[str, Any] | None, token: Callable[[], str]
    ) -> requests.Response:
        """Send with one budget reservation already held; it is given back here."""
        try:
            return self._send(path, params, token())
        finally:
            self._release()

    def _get_held(self, path: str, params: dict[str, Any] | None) -> Any:
        tokens = self._tokens
        sent_with: list[str] = []

        def current() -> str:
            sent_with.append(self._token())
            return sent_with[-1]

        try:
            response = self._send_held(path, params, current)
        except ScopeError:
            raise
        except AuthError:
            if isinstance(tokens, str) or not sent_with:
                raise
            fresh = tokens.refresh_after_401(sent_with[-1])
            self._acquire()
            response = self._send_held(path, params, lambda: fresh)
        return json_body(response)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``{api_url}{path}`` and return the decoded JSON.

        A 401 for an invalid token is retried once after a refresh (when the client
        holds a :class:`TokenSource`); a missing scope is not, since a refresh cannot add it.
        """
        self._acquire()
        return self._get_held(path, params)

    # ---------------------------------------------------------------- resources

    def athlete(self) -> dict[str, Any]:
        """The authenticated athlete (summary, or detailed with ``profile:read_all``)."""
        return _expect_object(self.get("/athlete"), "/athlete")

    def athlete_stats(self, athlete_id: int) -> dict[str, Any]:
        """Totals of the athlete's Everyone-visible activities (recent, year to date, all)."""
        path = f"/athletes/{int(athlete_id)}/stats"
        return _expect_object(self.get(path), path)

    def activity(self, activity_id: int) -> dict[str, Any]:
        path = f"/activities/{int(activity_id)}"
        return _expect_object(self.get(path), path)

    def gear(self, gear_id: str) -> dict[str, Any]:
        """DetailedGear: ``name``, ``brand_name``, ``distance`` (m), …"""
        path = f"/gear/{quote(gear_id, safe='')}"
        return _expect_object(self.get(path), path)

    def streams(
        self, activity_id: int, keys: Sequence[str] = STREAM_KEYS
    ) -> dict[str, dict[str, Any]]:
        """Streams keyed by type: ``{"heartrate": {"data": [...], ...}, ...}``.

        Streams the activity does not have are absent; a manual activity has none
        (:class:`~strava_dash.errors.NotFoundError`).
        """
        path = f"/activities/{int(activity_id)}/streams"
        data = self.get(path, {"keys": ",".join(keys), "key_by_type": "true"})
        if isinstance(data, list):  # the un-keyed form: [{"type": "time", ...}, ...]
            data = {s["type"]: s for s in data if isinstance(s, dict) and "type" in s}
        return _expect_object(data, path)

    # ---------------------------------------------------------------- activity pages

    def iter_pages(
        self,
        *,
        after: Timestamp | None = None,
        before: Timestamp | None = None,
        per_page: int = MAX_PER_PAGE,
        first_page: int = 1,
        expected: Expected | None = None,
    ) -> Generator[list[dict[str, Any]], None, None]:
        """Activity pages in order until an empty page (a short page is not the end).

        Without ``expected``, one page at a time, each asked for when the previous one
        has been consumed: exactly the sequential loop. With it (a lower bound of the
        activities this walk returns, or a :class:`LengthHint` refined by the pages that
        arrive), every page the hint vouches for is fetched concurrently, at most
        ``max_in_flight`` at once and never more than the budget grants. The page right
        after the vouched ones is the list's end at the latest, so it goes along when
        there are several; any later page waits until the one before it came back with
        activities. So no request goes past the empty page that ends the list (while the
        hint is a true lower bound): the requests are the sequential loop's.

        Pages are yielded in order all the same. An error on page k is raised after
        pages before k were yielded; pages after k that already arrived are discarded
        (the caller resumes from its cursor, without duplicates).
        """
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
        params: dict[str, Any] = {"per_page": per_page}
        if after is not None:
            params["after"] = to_epoch(after)
        if before is not None:
            params["before"] = to_epoch(before)
        if expected is None:
            yield from self._pages_in_turn(params, first_page)
        else:
            hint = FixedHint(expected) if isinstance(expected, int) else expected
            yield from self._pages_concurrently(params, first_page, per_page, hint)

    def _pages_in_turn(self, params: dict[str, Any], page: int) -> Iterator[list[dict[str, Any]]]:
        while True:
            data = self.get("/athlete/activities", {**params, "page": page})
            if not isinstance(data, list):
                raise StravaAPIError(200, f"activity page {page} is not a JSON array")
            if not data:
                return
            yield [r for r in data if isinstance(r, dict)]
            page += 1

    def _fetch_page(self, params: dict[str, Any], page: int) -> tuple[bool, list[dict[str, Any]]]:
        """One page with a reservation already held: (the list was empty, its records)."""
        data = self._get_held("/athlete/activities", {**params, "page": page})
        if not isinstance(data, list):
            raise StravaAPIError(200, f"activity page {page} is not a JSON array")
        return not data, [r for r in data if isinstance(r, dict)]

    def _pages_concurrently(
        self,
        params: dict[str, Any],
        first_page: int,
        per_page: int,
        hint: LengthHint,
    ) -> Iterator[list[dict[str, Any]]]:
        pool = ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="strava-page")
        # Pages want..launched are in flight or done, keyed by number; yielded in order.
        pending: dict[int, Future[tuple[bool, list[dict[str, Any]]]]] = {}
        want = first_page
        launched = known = first_page - 1  # `known`: the last page seen holding activities
        end: int | None = None  # the first page seen empty
        noticed: set[int] = set()  # pages whose answer the hint has seen
        bulk = False
        try:
            while True:
                total = hint.lower_bound()
                vouched = first_page - 1 + (-(-total // per_page) if total else 0)
                # A page nothing vouches for waits until the page before it is known.
                # Except in bulk (once two vouched pages were still to come): the page
                # after the last vouched one is the list's end at the latest, so it
                # is needed anyway and goes out alongside.
                bulk = bulk or vouched >= known + 2
                limit = max(known + 1, vouched + 1 if bulk else vouched)
                if end is not None:
                    limit = min(limit, end - 1)
                # Pages that arrived ahead of their turn wait here without holding a slot,
                # but no further than two rounds ahead of the page to yield next.
                in_flight = sum(1 for f in pending.values() if not f.done())
                ahead = want + 2 * self.max_in_flight - 1
                count = min(limit, ahead) - launched
                count = min(count, self.max_in_flight - in_flight)
                grant = self._reserve(count) if count > 0 else Reservation(0)
                for _ in range(grant.granted):
                    launched += 1
                    pending[launched] = pool.submit(self._fetch_page, params, launched)
                if not pending:
                    if grant.wait_until is not None:
                        raise _spent(grant)
                    sleep(_BUDGET_POLL_S)  # the app's other requests are in flight
                    continue
                running = [f for f in pending.values() if not f.done()]
                if running:
                    wait(running, return_when=FIRST_COMPLETED)
                for number, future in pending.items():
                    if number in noticed or not future.done() or future.exception() is not None:
                        continue
                    noticed.add(number)
                    empty, records = future.result()
                    if empty:
                        end = number if end is None else min(end, number)
                    else:
                        known = max(known, number)
                        hint.page_arrived(records)
                while want in pending and pending[want].done():
                    empty, records = pending.pop(want).result()  # a failed page raises here
                    if empty:
                        return
                    if want not in noticed:
                        # It arrived while the caller held the previous page (a slow
                        # consumer, e.g. a database write): count it before it leaves,
                        # or the next page waits for news of it forever.
                        noticed.add(want)
                        known = max(known, want)
                        hint.page_arrived(records)
                    yield records
                    want += 1
        finally:
            for future in pending.values():
                if future.cancel():
                    self._release()
            # Requests already on the wire finish in the background; their answers
            # still teach the budget, their records are dropped.
            pool.shutdown(wait=False, cancel_futures=True)

    def iter_activities(
        self,
        *,
        after: Timestamp | None = None,
        before: Timestamp | None = None,
        per_page: int = MAX_PER_PAGE,
        on_page: OnPage | None = None,
        expected: Expected | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every activity, newest first (oldest first when ``after`` is given).

        Records are yielded as each page arrives, so a failure on page k leaves the
        caller holding pages 1..k-1; it resumes with ``before=`` the oldest start it
        holds (plus one second) and drops ids it already has. ``expected`` turns on
        concurrent paging (see :meth:`iter_pages`); the order stays the same.
        """
        fetched = 0
        pages = self.iter_pages(after=after, before=before, per_page=per_page, expected=expected)
        for number, records in enumerate(pages, start=1):
            fetched += len(records)
            yield from records
            if on_page is not None:
                on_page(PageProgress(number, len(records), fetched, self._rate_limits))


def _later(new: RateLimits, old: RateLimits) -> bool:
    """True when ``new`` is from a later window, or counted at least as many requests."""
    if next_window_start(new.observed_at) != next_window_start(old.observed_at):
        return new.observed_at > old.observed_at
    return new.overall.usage_15min >= old.overall.usage_15min


def _spent(grant: Reservation) -> RateLimitError:
    if grant.wait_until is None:
        raise ValueError("a reservation without wait_until is not a spent budget")
    which = "daily" if grant.daily else "15-minute"
    return RateLimitError(
        None,
        f"Strava's {which} request limit for this app is used up (request not sent)",
        retry_at=grant.wait_until,
        daily=grant.daily,
    )


def _expect_object(data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise StravaAPIError(200, f"{path} did not return a JSON object")
    return data
