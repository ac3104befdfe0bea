"""Downloading an athlete's activities into an :class:`ActivityStore`, resumably.

Two walks over ``GET /athlete/activities`` (newest first, pages of 200):

* the **tail walk** downloads history from where it stopped (``before=`` the oldest
  start held, plus one second, so a same-second neighbour is re-read, never skipped)
  until the empty page that ends the list;
* the **head walk** re-reads from the top until a page holds nothing new. With nothing
  new it costs one request; it also catches renames of recent activities and late
  uploads of older ones, which an ``after=`` cursor would miss.

Every page is merged by id as it arrives, so a failure keeps what came before it and
the next :func:`sync` continues where the last one stopped, without duplicates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from strava_dash.client import MAX_PER_PAGE, StravaClient
from strava_dash.errors import DataError, StravaDashError
from strava_dash.ratelimit import RateLimits

log = logging.getLogger(__name__)

Phase = Literal["head", "tail"]


def start_epoch(record: dict[str, Any]) -> int | None:
    """``start_date`` of a raw record as epoch seconds, None when absent or malformed."""
    raw = record.get("start_date")
    if not isinstance(raw, str):
        return None
    try:
        return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


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
    revision: int = 0
    last_synced: datetime | None = None
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

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


@dataclass(frozen=True)
class SyncReport:
    """How a sync ended. ``error`` is set when it stopped early; nothing was lost."""

    added: int
    updated: int
    requests: int
    complete: bool
    error: StravaDashError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


OnProgress = Callable[[SyncProgress], None]


class _Walk:
    def __init__(self, client: StravaClient, store: ActivityStore, on_progress: OnProgress | None):
        self.client = client
        self.store = store
        self.on_progress = on_progress
        self.added = self.updated = self.requests = self.pages = 0

    def run(self, phase: Phase, before: int | None) -> bool:
        """Walk pages from ``before``; True when the walk reached its natural end."""
        pages = self.client.iter_pages(before=before, per_page=MAX_PER_PAGE)
        while True:
            self.requests += 1
            page = next(pages, None)
            if page is None:
                return True
            all_known = phase == "head" and all(r.get("id") in self.store.records for r in page)
            added, updated = self.store.merge(page)
            self.added += added
            self.updated += updated
            self.pages += 1
            starts = [s for s in map(start_epoch, page) if s is not None]
            cursor = min(starts) + 1 if starts else before
            with self.store.lock:
                if phase == "tail":
                    self.store.tail_before = cursor
                else:
                    self.store.head_before = cursor
            self._report(phase)
            if all_known:
                return False

    def _report(self, phase: Phase) -> None:
        if self.on_progress is not None:
            held = len(self.store.records)
            limits = self.client.rate_limits
            self.on_progress(SyncProgress(phase, self.pages, self.added, held, limits))


def sync(
    client: StravaClient,
    store: ActivityStore,
    *,
    on_progress: OnProgress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SyncReport:
    """Bring ``store`` up to date: new and changed activities first, then missing history.

    Errors from Strava (rate limit, network, expired grant, bad page) end the sync with
    a report carrying the error; everything merged before it stays in the store.
    """
    walk = _Walk(client, store, on_progress)
    try:
        if store.records:
            if store.head_before is not None:
                # An interrupted head walk left a gap below what it had read: fill it first.
                walk.run("head", store.head_before)
            walk.run("head", None)
            store.head_before = None
        if not store.complete and walk.run("tail", store.tail_before):
            with store.lock:
                store.complete = True
                store.tail_before = None
                store.head_before = None
    except StravaDashError as error:
        return SyncReport(walk.added, walk.updated, walk.requests, store.complete, error)
    store.last_synced = now()
    return SyncReport(walk.added, walk.updated, walk.requests, store.complete)


class SyncJob:
    """Runs :func:`sync` in a daemon thread so it outlives a page switch in the UI.

    The UI keeps one job per session and polls ``progress``/``report``; starting a
    job while another runs on the same store is the caller's bug, so :meth:`start`
    refuses it.
    """

    def __init__(
        self,
        client: StravaClient,
        store: ActivityStore,
        *,
        after: Callable[[StravaClient, ActivityStore], None] | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self._after = after
        self.progress: SyncProgress | None = None
        self.report: SyncReport | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            raise RuntimeError("this sync is already running")
        self.report = None
        self._thread = threading.Thread(target=self._run, name="strava-sync", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> SyncReport | None:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.report

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progress = progress

    def _run(self) -> None:
        try:
            report = sync(self.client, self.store, on_progress=self._on_progress)
            if self._after is not None and report.ok:
                try:
                    self._after(self.client, self.store)
                except StravaDashError as error:
                    report = SyncReport(
                        report.added, report.updated, report.requests, report.complete, error
                    )
        except Exception:
            # A bug in a worker thread would otherwise vanish and leave the page waiting
            # forever: log it with its traceback and end the job with a plain message.
            log.exception("sync crashed")
            crash = StravaDashError("the sync stopped on an internal error")
            report = SyncReport(0, 0, 0, self.store.complete, crash)
        self.report = report
