"""A small Strava API client: one ``requests.Session``, bearer auth, paging, rate limits.

Transport concerns (retries, timeouts, error mapping) live in :mod:`strava_dash.transport`;
this module holds the domain calls. Records are returned exactly as Strava sent them.
"""

from __future__ import annotations

import logging
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
from strava_dash.errors import (
    AuthError,
    RateLimitError,
    ScopeError,
    StravaAPIError,
    StravaDashError,
)
from strava_dash.hints import StatsHint, count_hint
from strava_dash.paging import END, FixedHint, LengthHint, Page, PagePlan, Records
from strava_dash.ratelimit import RateLimits, next_window_start, parse_rate_limits
from strava_dash.streams import STREAM_KEYS
from strava_dash.transport import DEFAULT_TIMEOUT, Clock, build_session, json_body, send, utc_now

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://www.strava.com/api/v3"
MAX_PER_PAGE = 200
#: Activity pages in flight at once when the length of the list is hinted.
MAX_IN_FLIGHT = 8
#: The stats look-up (two requests) only pays off when the budget has room for
#: concurrent pages; with less, every request left goes to activity pages.
STATS_MIN_REMAINING = 2 * MAX_IN_FLIGHT
# Epoch seconds beyond this are almost surely milliseconds (year 5138), which Strava rejects.
_MAX_EPOCH_S = 100_000_000_000

Timestamp = datetime | date | int | float
# How often to ask the budget again while other requests of the app are in flight, and
# how long at most: a reservation nobody releases must not stall a sync forever.
_BUDGET_POLL_S = 0.02
_BUDGET_POLL_MAX_S = 60.0


#: What ``expected=`` accepts: a number of activities, or a :class:`LengthHint`.
Expected = int | LengthHint
#: Receives the pages that came back fine after a failed one (see :meth:`iter_pages`).
OnStranded = Callable[[list[Page]], None]
#: How often a walk waiting for its pages checks whether the client was closed.
_CLOSED_POLL_S = 0.25


class Cancelled(StravaDashError):
    """The work was called off (log out, the session ended): nothing more is sent."""


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
        self._closed = threading.Event()

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

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Send nothing more: every later request, refresh or wait for the budget raises
        :class:`Cancelled`, and walks stop asking for pages. Requests already on the wire
        are left to finish (their answers still teach the budget)."""
        self._closed.set()

    def _check_open(self) -> None:
        if self._closed.is_set():
            raise Cancelled("the Strava connection was closed (logged out)")

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
            self._check_open()
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
        self._check_open()
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
            self._check_open()  # before token(), which may refresh at Strava
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
            self._check_open()  # a revoked grant after log out: no refresh attempt
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
        on_stranded: OnStranded | None = None,
        look_ahead: bool = True,
    ) -> Generator[list[dict[str, Any]], None, None]:
        """Activity pages in order until an empty page (a short page is not the end).

        With ``expected`` (a lower bound of the activities this walk returns, or a
        :class:`LengthHint` refined by the pages that arrive), every page the hint vouches
        for is fetched concurrently, at most ``max_in_flight`` at once and never more than
        the budget grants. The page right after the vouched ones is the list's end at the
        latest, so it goes along when there are several; any later page waits until the
        one before it came back with activities. So no request goes past the empty page
        that ends the list (while the hint is a true lower bound): the requests are the
        sequential loop's.

        Without ``expected``, a walk over the whole list (no ``after``, ``before`` or
        ``first_page``: the stats count the whole list, not a part of it) finds its own
        hint: it asks ``/athlete`` alongside page 1, then the athlete's stats (two more
        requests, skipped when the budget cannot spare them), and pages with a
        :class:`~strava_dash.hints.StatsHint`. The stats count only Everyone-visible
        rides, runs and swims, so their bound lags the list; the hint's estimate (the
        share of counted activities on the pages seen) may have pages asked for past
        what the bound proves, but never more than
        :data:`~strava_dash.paging.MAX_SPECULATIVE` past the empty page. Any other walk
        without ``expected``, or with ``look_ahead=False``, goes one page at a time,
        each asked for when the previous one has been consumed: exactly the sequential
        loop.

        Pages are yielded in order all the same. An error on page k is raised after
        pages before k were yielded. Pages after k that were already asked for are
        waited for (they are paid for) and, when they came back fine, handed to
        ``on_stranded`` before the error is raised, in order, an empty page included
        (without ``on_stranded`` they are dropped). The walk's scheduling lives in
        :class:`~strava_dash.paging.PagePlan`.
        """
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
        params: dict[str, Any] = {"per_page": per_page}
        if after is not None:
            params["after"] = to_epoch(after)
        if before is not None:
            params["before"] = to_epoch(before)
        whole = after is None and before is None and first_page == 1
        own = self._stats_hint() if expected is None and look_ahead and whole else None
        if own is not None:
            stats, found, walk_over = own
            plan = PagePlan(first_page, per_page, stats, self.max_in_flight)
            try:
                yield from self._pages_concurrently(params, plan, on_stranded, found)
            finally:
                walk_over.set()
        elif expected is None:
            yield from self._pages_in_turn(params, first_page)
        else:
            hint = FixedHint(expected) if isinstance(expected, int) else expected
            plan = PagePlan(first_page, per_page, hint, self.max_in_flight)
            yield from self._pages_concurrently(params, plan, on_stranded)

    def _stats_hint(self) -> tuple[StatsHint, Future[int | None], threading.Event] | None:
        """A hint from the athlete's stats, the look-up running in the background, and
        the event that says the walk is over (the stats are then not worth a request);
        None when the budget cannot spare the look-up."""
        room = self._room()
        if room is not None and room < STATS_MIN_REMAINING:
            return None
        found: Future[int | None] = Future()
        walk_over = threading.Event()

        def look_up() -> None:
            total = None
            try:
                athlete_id = self.athlete().get("id")
                if isinstance(athlete_id, int) and not walk_over.is_set():
                    total = count_hint(self.athlete_stats(athlete_id))
            except StravaDashError as error:
                # Only a hint: the pages themselves say where the list ends.
                log.info("stats look-up failed, paging without a hint: %s", error)
            finally:
                found.set_result(total)

        threading.Thread(target=look_up, name="strava-stats", daemon=True).start()
        hint = StatsHint(lambda: found.result() if found.done() else None)
        return hint, found, walk_over

    def _room(self) -> int | None:
        """Requests that may start now per the budget (or the last headers); None: unknown."""
        if self._budget is not None:
            return self._budget.remaining(self._now())
        limits = self._rate_limits
        return None if limits is None else limits.for_method("GET").remaining

    def _pages_in_turn(self, params: dict[str, Any], page: int) -> Iterator[list[dict[str, Any]]]:
        while True:
            data = self.get("/athlete/activities", {**params, "page": page})
            if not isinstance(data, list):
                raise StravaAPIError(200, f"activity page {page} is not a JSON array")
            if not data:
                return
            yield [r for r in data if isinstance(r, dict)]
            page += 1

    def _fetch_page(self, params: dict[str, Any], page: int) -> Records:
        """One page with a reservation already held: its records (empty: the list's end)."""
        data = self._get_held("/athlete/activities", {**params, "page": page})
        if not isinstance(data, list):
            raise StravaAPIError(200, f"activity page {page} is not a JSON array")
        records = [r for r in data if isinstance(r, dict)]
        if data and not records:
            # An empty list means the end to the plan: this page must not pass for it.
            raise StravaAPIError(200, f"activity page {page} holds no activity objects")
        return records

    def _pages_concurrently(
        self,
        params: dict[str, Any],
        plan: PagePlan,
        on_stranded: OnStranded | None,
        news: Future[Any] | None = None,
    ) -> Iterator[Records]:
        """The walk; ``news`` completes when the hint learns more than pages tell it
        (the stats came back), so pages it allows go out then, not a round trip later."""
        pool = ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="strava-page")
        running: dict[Future[Records], int] = {}
        try:
            while True:
                self._check_open()
                grant = self._launch(params, plan, pool, running)
                if not running:
                    if grant.wait_until is not None:
                        raise _spent(grant)
                    sleep(_BUDGET_POLL_S)  # the app's other requests are in flight
                    continue
                self._settle(plan, running, wait_for=FIRST_COMPLETED, news=news)
                if news is not None and news.done():
                    news = None
                while (step := plan.next_step()) is not None:
                    if step is END:
                        # A page an estimate sent past the end may still be on the wire:
                        # the walk's requests are over when it is (its count is final).
                        self._settle(plan, running, wait_for=None)
                        return
                    if isinstance(step, BaseException):
                        if on_stranded is not None:
                            self._settle(plan, running, wait_for=None)
                            on_stranded(plan.stranded())
                        raise step
                    if isinstance(step, Page):
                        yield step.records
        finally:
            for future in running:
                if future.cancel():
                    self._release()
            # When the walk is left early (closed, the consumer stopped), requests
            # already on the wire finish in the background: their answers still teach
            # the budget, their records are dropped.
            pool.shutdown(wait=False, cancel_futures=True)

    def _launch(
        self,
        params: dict[str, Any],
        plan: PagePlan,
        pool: ThreadPoolExecutor,
        running: dict[Future[Records], int],
    ) -> Reservation:
        """Send what the plan has room for and the budget grants; the budget's answer."""
        count = plan.room()
        grant = self._reserve(count) if count > 0 else Reservation(0)
        for number in plan.launch(grant.granted):
            running[pool.submit(self._fetch_page, params, number)] = number
        return grant

    def _settle(
        self,
        plan: PagePlan,
        running: dict[Future[Records], int],
        *,
        wait_for: str | None,
        news: Future[Any] | None = None,
    ) -> None:
        """Tell the plan about answers: the first one (``FIRST_COMPLETED``, or ``news``
        completing) or, with None, every page still on the wire, unless the client is
        closed meanwhile."""
        while running and not self._closed.is_set():
            waiting: set[Future[Any]] = set(running)
            if news is not None and not news.done() and wait_for == FIRST_COMPLETED:
                waiting.add(news)
            done, _ = wait(waiting, timeout=_CLOSED_POLL_S, return_when=FIRST_COMPLETED)
            if news in done and wait_for == FIRST_COMPLETED:
                done.discard(news)
                if not done:
                    return
            for future in done:
                number = running.pop(future)
                error = future.exception()
                plan.settle(number, future.result() if error is None else error)
            if done and wait_for == FIRST_COMPLETED:
                return

    def iter_activities(
        self,
        *,
        after: Timestamp | None = None,
        before: Timestamp | None = None,
        per_page: int = MAX_PER_PAGE,
        on_page: OnPage | None = None,
        expected: Expected | None = None,
        look_ahead: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """Every activity, newest first (oldest first when ``after`` is given).

        Records are yielded as each page arrives, so a failure on page k leaves the
        caller holding pages 1..k-1; it resumes with ``before=`` the oldest start it
        holds (plus one second) and drops ids it already has. Pages are fetched
        concurrently over the whole list, or with ``expected`` (see :meth:`iter_pages`;
        ``look_ahead=False``: the sequential loop); the order stays the same.
        """
        fetched = 0
        pages = self.iter_pages(
            after=after,
            before=before,
            per_page=per_page,
            expected=expected,
            look_ahead=look_ahead,
        )
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
