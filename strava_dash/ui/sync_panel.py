"""Starting a sync, showing its progress, and saying plainly how it ended."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import streamlit as st

from strava_dash.budget import RESET_MARGIN
from strava_dash.client import Cancelled, StravaClient
from strava_dash.clock import utc_now
from strava_dash.errors import (
    AppInactiveError,
    AuthError,
    NotFoundError,
    RateLimitError,
    StravaAPIError,
    TransportError,
)
from strava_dash.sync import ActivityStore, SyncJob, SyncReport, budget_room
from strava_dash.ui import state
from strava_dash.ui.state import AthleteSession

#: Gear names are a nicety: they never take the last requests of the app's budget.
GEAR_BUDGET_RESERVE = 10
#: While a download runs, the page is redrawn with what has arrived at most this often
#: (s): the athlete browses the first activities while the rest arrives, and a page
#: with thousands of rows is not rebuilt for every page of 200.
LIVE_REFRESH_S = 2.0


def _gear_fetcher(session: AthleteSession) -> Callable[[StravaClient, ActivityStore], None]:
    """After a sync: one ``/gear/{id}`` request per gear not named yet (kept for the session)."""

    def fetch(client: StravaClient, store: ActivityStore) -> None:
        known = set(session.gear_names)
        try:
            _fetch_gear_names(session, client, store)
        finally:
            # Named once, kept across visits: a gear request is never spent twice.
            if session.recorder is not None:
                learned = {k: v for k, v in session.gear_names.items() if k not in known}
                session.recorder.save_gear(learned)

    return fetch


def _fetch_gear_names(session: AthleteSession, client: StravaClient, store: ActivityStore) -> None:
    with store.lock:
        wanted = {r.get("gear_id") for r in store.records.values()}
    for gear_id in sorted(g for g in wanted if isinstance(g, str) and g):
        if gear_id in session.gear_names:
            continue
        room = budget_room(client)
        if room is not None and room < GEAR_BUDGET_RESERVE:
            return
        try:
            gear = client.gear(gear_id)
        except NotFoundError:
            session.gear_names[gear_id] = gear_id
            continue
        except StravaAPIError:
            # Names are a nicety: never let them cost the sync or the rate budget.
            return
        session.gear_names[gear_id] = str(gear.get("nickname") or gear.get("name") or gear_id)
        if gear.get("retired") is True:  # Insights shows retired gear apart
            session.gear_retired.add(gear_id)


def start_sync(session: AthleteSession, *, retry_now: bool = False) -> None:
    """Start (or continue) downloading, unless a sync already runs for this session.

    ``retry_now`` (the Continue button) sends the first request even if the app's shared
    budget believes Strava's window is still spent: Strava's answer decides.
    """
    if session.source != "strava" or session.client is None or session.syncing:
        return
    job = SyncJob(session.client, session.store, after=_gear_fetcher(session), retry_now=retry_now)
    session.job = job
    job.start()


def _now() -> datetime:
    """The clock countdowns and the automatic resume go by: the one the budget's waits are
    on (:func:`strava_dash.clock.utc_now`), so a test clock moves them alike (patched in
    AppTest page tests)."""
    return utc_now()


def _clock() -> float:
    """Monotonic seconds the live redraw is throttled by (patched in tests)."""
    return time.monotonic()


def _page_drawn(session: AthleteSession) -> None:
    st.session_state[state.SHOWN_REVISION] = (session.store.revision, _clock())


def _page_behind(session: AthleteSession) -> bool:
    """Activities arrived since the page was drawn, and it was not drawn just now."""
    shown = st.session_state.get(state.SHOWN_REVISION)
    revision, drawn_at = shown if isinstance(shown, tuple) else (-1, float("-inf"))
    due: bool = _clock() - drawn_at >= LIVE_REFRESH_S
    return session.store.revision != revision and due


def _when(moment: datetime) -> str:
    minutes = max(int((moment - _now()).total_seconds() // 60) + 1, 1)
    wait = f"in {minutes} min" if minutes < 120 else f"in about {round(minutes / 60)} h"
    return f"{moment:%H:%M} UTC ({wait})"


def countdown(moment: datetime, now: datetime) -> str:
    """``14:15 UTC (in 7:32)``: the time and what is left of the wait, to the second."""
    left = max(int((moment - now).total_seconds()), 0)
    minutes, seconds = divmod(left, 60)
    return f"{moment.astimezone(UTC):%H:%M} UTC (in {minutes}:{seconds:02d})"


def paused_text(moment: datetime, now: datetime) -> str:
    return (
        f"Strava's 15-minute limit reached — resuming at {countdown(moment, now)}. "
        "Nothing is lost while it waits."
    )


def resume_moment(error: RateLimitError) -> datetime:
    """When the automatic resume goes: the budget's own moment when the budget stopped the
    sync; after Strava's 429, which names the bare quarter hour, the margin the budget
    keeps after it too, so that the budget agrees the window has turned."""
    return error.retry_at + (RESET_MARGIN if error.status is not None else timedelta())


def _window_wait(report: SyncReport) -> datetime | None:
    """When a sync stopped by the 15-minute limit resumes by itself (None: it does not)."""
    error = report.error
    if isinstance(error, RateLimitError) and not error.daily:
        return resume_moment(error)
    return None


def _missing(session: AthleteSession) -> str:
    store = session.store
    if not store.complete:
        oldest = store.oldest_start()
        if oldest is None:
            return "No activities are downloaded yet."
        return (
            f"{len(store.records):,} activities are downloaded, back to {oldest:%d %b %Y}; "
            "older ones are still missing."
        )
    return (
        f"All {len(store.records):,} activities you had are kept; the newest changes may "
        "be missing."
    )


def describe_report(session: AthleteSession, report: SyncReport) -> str:
    """One paragraph: what happened, what is kept, what is missing, what to do."""
    error = report.error
    if error is None:
        return f"Up to date: {len(session.store.records):,} activities."
    missing = _missing(session)
    if isinstance(error, Cancelled):
        return (
            f"The download stopped when this page lost its connection. {missing} "
            "Continue picks up where it stopped."
        )
    if isinstance(error, RateLimitError):
        if error.daily:
            return (
                f"Strava's daily request limit for this app is used up. {missing} "
                f"Continue after {_when(error.retry_at)}; it picks up where it stopped."
            )
        return (
            f"Strava's 15-minute request limit for this app is used up. {missing} "
            f"It resumes by itself at {countdown(resume_moment(error), _now())} "
            "and picks up where it stopped."
        )
    if isinstance(error, AppInactiveError):
        return f"{error.message} {missing}"
    if isinstance(error, AuthError):
        return (
            f"Your Strava connection has ended ({error.message}). {missing} Connect with "
            "Strava again on the Home page to continue; nothing downloaded is lost."
        )
    if isinstance(error, TransportError):
        # The message already says what failed ("Could not reach Strava (…)").
        return f"{error.message}. {missing} Try Continue in a moment."
    return f"The download stopped: {error}. {missing} Try Continue; it resumes where it stopped."


@st.fragment(run_every=1.0)
def _live_progress(session: AthleteSession) -> None:
    job = session.job
    if job is None or not job.running or _page_behind(session):
        st.rerun()  # the whole page, so every view shows the data that has arrived
    progress = job.progress
    held = len(session.store.records)
    if progress is None:
        st.info("Connecting to Strava…", icon="⏳")
        return
    if progress.paused_until is not None:
        st.info(
            f"{paused_text(progress.paused_until, _now())} {held:,} activities so far.",
            icon="⏸️",
        )
        return
    usage = ""
    limits = progress.rate_limits
    if limits is not None:
        window = limits.for_method("GET")
        usage = f" · API usage {window.usage_15min}/{window.limit_15min} this 15 min"
    phase = "Checking for new activities" if progress.phase == "head" else "Downloading history"
    st.info(
        f"{phase}: page {progress.pages} · {held:,} activities so far{usage}",
        icon="⏳",
    )


@st.fragment(run_every=1.0)
def _paused(session: AthleteSession, report: SyncReport, resume_at: datetime) -> None:
    """The 15-minute limit: a live countdown, then the download resumes by itself."""
    if _now() >= resume_at and not session.syncing:
        # No probe: the shared budget decides. Another session or replica may have spent
        # the new window already, and a request past it would only be refused; then the
        # sync stops unsent and this countdown starts again. (Continue download probes:
        # a person asked for it.)
        start_sync(session)
        st.rerun()  # the whole page: the progress line takes over
    st.warning(describe_report(session, report), icon="⏸️")


def sync_status(session: AthleteSession) -> None:
    """The sync line on data pages: live progress, or how the last sync ended + actions."""
    if session.source != "strava":
        return
    if session.syncing:
        _page_drawn(session)
        _live_progress(session)
        return
    job = session.job
    report = job.report if job is not None else None
    if report is not None and report.error is not None:
        resume_at = _window_wait(report)
        if resume_at is not None:
            _paused(session, report, resume_at)
        else:
            st.warning(describe_report(session, report), icon="⚠️")
        if not session.needs_reconnect and st.button("Continue download", key="sync_continue"):
            start_sync(session, retry_now=True)
            st.rerun()
        return
    synced = session.store.last_synced
    when = f" · updated {synced:%d %b %H:%M} UTC" if synced else ""
    left, right = st.columns([4, 1])
    left.caption(f"{len(session.store.records):,} activities from Strava{when}")
    if right.button("Refresh", key="sync_refresh", help="Fetch new and changed activities"):
        start_sync(session)
        st.rerun()
