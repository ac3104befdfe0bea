"""Downloading an athlete's activities into an :class:`ActivityStore`, resumably.

Two walks over ``GET /athlete/activities`` (newest first, pages of 200):

* the **tail walk** downloads history from where it stopped (``before=`` the oldest
  start held, plus one second, so a same-second neighbour is re-read, never skipped)
  until the empty page that ends the list. When the athlete is known, it asks for
  their stats once (the Everyone-visible ride/run/swim counts: a lower bound of the
  list's length) and fetches the pages that count vouches for concurrently, plus up to
  two the share of counted activities on the pages seen says are likely there (an
  athlete with many walks or workouts; see :mod:`strava_dash.hints`);
* the **head walk** re-reads from the top until a page holds nothing new. With nothing
  new it costs one request; it also catches renames of recent activities and late
  uploads of older ones, which an ``after=`` cursor would miss.

Every page is merged by id as it arrives, so a failure keeps what came before it and
the next :func:`sync` continues where the last one stopped, without duplicates. Pages of
the concurrent tail walk that came back after a failed one are kept too; the resumed walk
refetches only the gap and skips them (:mod:`strava_dash.islands` says why that is
safe). With ``wait_for_window=True`` a spent 15-minute window does not end the sync: it
reports ``paused_until``, waits for the reset (in small, cancellable steps) and continues
from the cursor; the daily limit always ends it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from strava_dash.budget import RESET_MARGIN
from strava_dash.client import (
    MAX_PER_PAGE,
    STATS_MIN_REMAINING,
    Cancelled,
    Expected,
    StravaClient,
)
from strava_dash.errors import DataError, RateLimitError, StravaAPIError, StravaDashError
from strava_dash.hints import StatsHint, count_hint, counts_in_stats
from strava_dash.islands import Island, cross, islands_from
from strava_dash.paging import Page
from strava_dash.ratelimit import RateLimits
from strava_dash.transport import Clock

log = logging.getLogger(__name__)

Phase = Literal["head", "tail"]

#: Seconds per step while waiting for a rate window (the wait can be cancelled between).
PAUSE_STEP_S = 1.0
#: Pauses in a row without a page in between before the sync gives up (a clock that
#: disagrees with Strava's would otherwise wait forever).
MAX_IDLE_PAUSES = 2


def start_epoch(record: dict[str, Any]) -> int | None:
    """``start_date`` of a raw record as epoch seconds, None when absent or malformed."""
    raw = record.get("start_date")
    if not isinstance(raw, str):
        return None
    try:
        return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


@dataclass(frozen=True)
class Cursors:
    """Where a sync stands: what a store must keep for the next one to resume."""

    complete: bool = False
    tail_before: int | None = None
    head_before: int | None = None
    total_hint: int | None = None
    last_synced: datetime | None = None
    tail_islands: tuple[Island, ...] = ()


class Persistence(Protocol):
    """Where an :class:`ActivityStore` writes its pages through to (the athlete store).

    ``save`` must not raise: a store that cannot be written reports it and turns itself
    off, and the sync goes on in memory.
    """

    def save(self, page: list[dict[str, Any]], cursors: Cursors, *, recheck_done: bool) -> None:
        """Write ``page`` (merged already) and ``cursors`` in one transaction."""
        ...


@dataclass
class ActivityStore:
    """The raw records of one athlete, by id, plus where an interrupted walk resumes.

    Mutated only under ``lock`` (a sync runs in a worker thread while pages read).
    """

    athlete_id: int | None = None
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    complete: bool = False
    tail_before: int | None = None
    head_before: int | None = None
    #: Everyone-visible ride/run/swim activities per the athlete's stats: a lower bound
    #: of the list's length (a hint for concurrent paging, never proof of the end).
    total_hint: int | None = None
    #: Pages held below ``tail_before`` that a failed page cut off from it; the resumed
    #: tail walk refetches the gap and skips them (see :mod:`strava_dash.islands`).
    tail_islands: list[Island] = field(default_factory=list)
    revision: int = 0
    last_synced: datetime | None = None
    #: A webhook said an activity starting here (epoch s) changed: the next head walk
    #: reads down past it instead of stopping at the first page with nothing new.
    recheck_from: int | None = None
    #: Set for a proven Strava athlete when a store is configured; None: memory only.
    persistence: Persistence | None = field(default=None, repr=False, compare=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def cursors(self) -> Cursors:
        with self.lock:
            return Cursors(
                self.complete,
                self.tail_before,
                self.head_before,
                self.total_hint,
                self.last_synced,
                tuple(self.tail_islands),
            )

    def restore(self, records: dict[int, dict[str, Any]], cursors: Cursors) -> None:
        """Take over what a store kept (a returning visit), replacing what is held."""
        with self.lock:
            self.records = dict(records)
            self.complete = cursors.complete
            self.tail_before = cursors.tail_before
            self.head_before = cursors.head_before
            self.total_hint = cursors.total_hint
            self.last_synced = cursors.last_synced
            self.tail_islands = list(cursors.tail_islands)
            self.revision += 1

    def checkpoint(
        self, page: Sequence[dict[str, Any]] = (), *, recheck_done: bool = False
    ) -> None:
        """Write a merged page and the current cursors through to the persistence, if any."""
        if self.persistence is not None:
            self.persistence.save(list(page), self.cursors(), recheck_done=recheck_done)

    def merge(self, page: Iterable[dict[str, Any]]) -> tuple[int, int]:
        """Add or replace records by id; returns (added, updated)."""
        added = updated = 0
        with self.lock:
            for record in page:
                activity_id = record.get("id")
                if not isinstance(activity_id, int) or isinstance(activity_id, bool):
                    raise DataError(f"an activity without an integer id: {activity_id!r}")
                if activity_id in self.records:
                    if self.records[activity_id] != record:
                        updated += 1
                else:
                    added += 1
                self.records[activity_id] = record
            if added or updated:
                self.revision += 1
        return added, updated

    def snapshot(self) -> list[dict[str, Any]]:
        """The records newest first, as a list the caller may keep."""
        with self.lock:
            records = list(self.records.values())
        return sorted(records, key=lambda r: (start_epoch(r) or 0, r["id"]), reverse=True)

    def oldest_start(self) -> datetime | None:
        with self.lock:
            starts = [s for s in map(start_epoch, self.records.values()) if s is not None]
        return datetime.fromtimestamp(min(starts), UTC) if starts else None


@dataclass(frozen=True)
class SyncProgress:
    """Reported after every page of a sync."""

    phase: Phase
    pages: int
    added: int
    held: int
    rate_limits: RateLimits | None
    #: Set while the sync waits for Strava's 15-minute window to reset (UTC).
    paused_until: datetime | None = None


@dataclass(frozen=True)
class SyncReport:
    """How a sync ended. ``error`` is set when it stopped early; nothing was lost."""

    added: int
    updated: int
    requests: int
    complete: bool
    error: StravaDashError | None = None
    pauses: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


OnProgress = Callable[[SyncProgress], None]


def budget_room(client: StravaClient) -> int | None:
    """Requests that may start now per the shared budget (or the last headers); None: unknown."""
    if client.budget is not None:
        return client.budget.remaining(client.clock())
    limits = client.rate_limits
    return None if limits is None else limits.for_method("GET").remaining


class _Walk:
    def __init__(
        self,
        client: StravaClient,
        store: ActivityStore,
        on_progress: OnProgress | None,
        cancelled: Callable[[], bool],
    ):
        self.client = client
        self.store = store
        self.on_progress = on_progress
        self.cancelled = cancelled
        self.added = self.updated = self.pages = self.pauses = 0
        # Nothing held yet: there is no head to re-check, not even after a pause.
        self.head_done = not store.records
        self.phase: Phase = "head"
        self.first_request = client.request_count
        self._stats: Future[int | None] | None = None

    @property
    def requests(self) -> int:
        return self.client.request_count - self.first_request

    def bring_up_to_date(self) -> None:
        """Head walk (when anything is held), then the tail walk until the list's end."""
        store = self.store
        if store.records and not self.head_done:
            if store.head_before is not None:
                # An interrupted head walk left a gap below what it had read: fill it first.
                self.run("head", store.head_before)
            self.run("head", None)
            recheck_done = store.recheck_from is not None
            with store.lock:
                store.head_before = None
                store.recheck_from = None
            store.checkpoint(recheck_done=recheck_done)
            self.head_done = True
        while not store.complete:
            # Held pages ahead: page by page until past them, or concurrent requests
            # would ask for them again.
            expected = None if store.tail_islands else self._expected()
            if self.run("tail", store.tail_before, expected):
                with store.lock:
                    store.complete = True
                    store.tail_before = None
                    store.head_before = None
                    store.tail_islands = []
                store.checkpoint()

    def run(self, phase: Phase, before: int | None, expected: Expected | None = None) -> bool:
        """Walk pages from ``before``; True when the walk reached its natural end.

        False when it stopped early: a head walk that found nothing new, or a tail walk
        whose cursor jumped over held pages (it goes on from the new cursor).
        """
        self.phase = phase
        keep = self._keep_stranded if phase == "tail" else None
        # The walk's own hint is the store's business here (held records, a known
        # athlete): without one, page by page.
        pages = self.client.iter_pages(
            before=before,
            per_page=MAX_PER_PAGE,
            expected=expected,
            on_stranded=keep,
            look_ahead=False,
        )
        with closing(pages):
            for page in pages:
                starts = [s for s in map(start_epoch, page) if s is not None]
                all_known = (
                    phase == "head"
                    and all(r.get("id") in self.store.records for r in page)
                    and self._past_recheck(starts)
                )
                added, updated = self.store.merge(page)
                self.added += added
                self.updated += updated
                self.pages += 1
                cursor = min(starts) + 1 if starts else before
                jumped = False
                with self.store.lock:
                    if phase == "tail":
                        self.store.tail_before = cursor
                        jumped = self._cross_islands()
                    else:
                        self.store.head_before = cursor
                self.store.checkpoint(page)
                self.report(phase)
                if phase == "tail":
                    self._start_stats()
                if all_known or jumped:
                    return False
                if self.cancelled():
                    raise Cancelled("the sync was stopped")
        return True

    def _keep_stranded(self, pages: list[Page]) -> None:
        """Merge pages that came back after a failed one, and remember what they cover."""
        for page in pages:
            added, updated = self.store.merge(page.records)
            self.added += added
            self.updated += updated
        with self.store.lock:
            self.store.tail_islands = [
                *self.store.tail_islands,
                *islands_from(pages, start_epoch),
            ]
        # Kept across visits too: the records and the islands that say where they lie.
        self.store.checkpoint([record for page in pages for record in page.records])
        self.report("tail")

    def _cross_islands(self) -> bool:
        """Move the tail cursor past held islands it reached (store lock held)."""
        store = self.store
        if not store.tail_islands or store.tail_before is None:
            return False
        crossing = cross(store.tail_before, store.tail_islands)
        if crossing.cursor == store.tail_before and crossing.islands == store.tail_islands:
            return False
        store.tail_islands = crossing.islands
        if crossing.complete:
            store.complete = True
            store.head_before = None
        store.tail_before = crossing.cursor
        return True

    def _past_recheck(self, starts: list[int]) -> bool:
        """Whether a head walk has read down to what a webhook said changed (if anything)."""
        recheck = self.store.recheck_from
        return recheck is None or (bool(starts) and min(starts) <= recheck)

    # ------------------------------------------------------------ the length hint

    def _expected(self) -> Expected | None:
        """The tail walk's hint, or None (page by page) when the athlete is not known."""
        if self.store.athlete_id is None:
            return None
        self._start_stats()
        with self.store.lock:
            counted = sum(map(counts_in_stats, self.store.records.values()))
        return StatsHint(self._stats_total, counted)

    def _stats_total(self) -> int | None:
        """The stats count, kept by the store or once the look-up answered."""
        total = self.store.total_hint
        if total is None and self._stats is not None and self._stats.done():
            total = self._stats.result()
        return total

    def _start_stats(self) -> None:
        """Ask for the stats in the background, once, when the budget has room for it.

        With the budget unknown (nothing asked yet this process) the first activity page
        goes first: its headers say whether a look-up can be afforded.
        """
        store = self.store
        if self._stats is not None or store.total_hint is not None or store.athlete_id is None:
            return
        room = budget_room(self.client)
        if room is None or room < STATS_MIN_REMAINING:
            return
        athlete_id = store.athlete_id
        future: Future[int | None] = Future()
        self._stats = future

        def look_up() -> None:
            total = None
            try:
                total = count_hint(self.client.athlete_stats(athlete_id))
            except StravaAPIError as error:
                # Only a hint: the pages themselves say where the list ends.
                log.info("stats look-up failed, paging without a hint: %s", error)
            finally:
                if total is not None:
                    with store.lock:
                        store.total_hint = total
                future.set_result(total)

        threading.Thread(target=look_up, name="strava-stats", daemon=True).start()

    # ------------------------------------------------------------ reporting

    def report(self, phase: Phase, paused_until: datetime | None = None) -> None:
        if self.on_progress is not None:
            held = len(self.store.records)
            limits = self.client.rate_limits
            self.on_progress(
                SyncProgress(phase, self.pages, self.added, held, limits, paused_until)
            )

    def result(self, error: StravaDashError | None = None) -> SyncReport:
        return SyncReport(
            self.added, self.updated, self.requests, self.store.complete, error, self.pauses
        )


def _wait_until(
    moment: datetime, clock: Clock, sleep: Callable[[float], object], cancelled: Callable[[], bool]
) -> bool:
    """Sleep in small steps until ``moment``; False when cancelled first."""
    while (left := (moment - clock()).total_seconds()) > 0:
        if cancelled():
            return False
        sleep(min(left, PAUSE_STEP_S))
    return not cancelled()


def sync(
    client: StravaClient,
    store: ActivityStore,
    *,
    on_progress: OnProgress | None = None,
    now: Clock | None = None,
    wait_for_window: bool = False,
    sleep: Callable[[float], object] = time.sleep,
    cancelled: Callable[[], bool] = lambda: False,
    retry_now: bool = False,
) -> SyncReport:
    """Bring ``store`` up to date: new and changed activities first, then missing history.

    Errors from Strava (rate limit, network, expired grant, bad page) end the sync with
    a report carrying the error; everything merged before it stays in the store. With
    ``wait_for_window``, a spent 15-minute window is waited out instead (progress says
    ``paused_until``; ``sleep`` and ``now`` default to real time and the client's clock,
    ``cancelled`` is checked between steps). ``retry_now`` sends the first request even
    if the shared budget believes the window is spent (an explicit "Continue").
    """
    clock = now or client.clock
    if retry_now:
        client.allow_probe()
    walk = _Walk(client, store, on_progress, cancelled)
    idle = 0
    while True:
        pages_before = walk.pages
        try:
            walk.bring_up_to_date()
        except RateLimitError as error:
            idle = 0 if walk.pages > pages_before else idle + 1
            if not wait_for_window or error.daily or idle > MAX_IDLE_PAUSES:
                return walk.result(error)
            # A 429 names the quarter hour by our clock; Strava's may lag a little.
            resume = error.retry_at + (RESET_MARGIN if error.status is not None else timedelta())
            walk.pauses += 1
            walk.report(walk.phase, resume)
            if not _wait_until(resume, clock, sleep, cancelled):
                return walk.result(error)
            continue
        except StravaDashError as error:
            return walk.result(error)
        break
    store.last_synced = clock()
    store.checkpoint()
    return walk.result()


class SyncJob:
    """Runs :func:`sync` in a daemon thread so it outlives a page switch in the UI.

    The UI keeps one job per session and polls ``progress``/``report``; starting a
    job while another runs on the same store is the caller's bug, so :meth:`start`
    refuses it. ``wait_for_window`` and ``retry_now`` are passed to :func:`sync`;
    :meth:`cancel` ends a wait for the rate window at once and the walk after the page
    in hand (the session also closes the client on log out, which stops requests even
    mid-page).
    """

    def __init__(
        self,
        client: StravaClient,
        store: ActivityStore,
        *,
        after: Callable[[StravaClient, ActivityStore], None] | None = None,
        wait_for_window: bool = False,
        retry_now: bool = False,
    ) -> None:
        self.client = client
        self.store = store
        self._after = after
        self._wait_for_window = wait_for_window
        self._retry_now = retry_now
        self.progress: SyncProgress | None = None
        self.report: SyncReport | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            raise RuntimeError("this sync is already running")
        self.report = None
        self._thread = threading.Thread(target=self._run, name="strava-sync", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop: a wait for the rate window ends now (the report names the limit), and
        no page is asked for after the one in hand (the report says it was stopped)."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> SyncReport | None:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.report

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progress = progress

    def _run(self) -> None:
        try:
            report = sync(
                self.client,
                self.store,
                on_progress=self._on_progress,
                wait_for_window=self._wait_for_window,
                sleep=self._stop.wait,
                cancelled=self._stop.is_set,
                retry_now=self._retry_now,
            )
            if self._after is not None and report.ok:
                try:
                    self._after(self.client, self.store)
                except StravaDashError as error:
                    report = replace(report, error=error)
        except Exception:
            # A bug in a worker thread would otherwise vanish and leave the page waiting
            # forever: log it with its traceback and end the job with a plain message.
            log.exception("sync crashed")
            crash = StravaDashError("the sync stopped on an internal error")
            report = SyncReport(0, 0, 0, self.store.complete, crash)
        self.report = report
