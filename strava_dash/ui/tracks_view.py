"""The Activities page's "Tracks (GPX)" section: fetch the chosen activities' streams within
Strava's rate limit, then download them as one ZIP of GPX files (and stream CSVs).

Which activities: the rows selected in the table, else the filtered ones, newest first; at
most :data:`MAX_TRACKS` at a time. Each activity with GPS costs one
``/activities/{id}/streams`` request (none for the demo athlete or an uploaded archive).
Streams are kept in the session, shared with the Activity detail page, and never fetched
twice: when Strava's 15-minute budget runs low the fetch stops, and pressing Fetch tracks
again after the reset continues with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import pandas as pd
import streamlit as st

from strava_dash.budget import RESET_MARGIN
from strava_dash.clock import utc_now
from strava_dash.errors import AuthError, DataError, RateLimitError, StravaAPIError
from strava_dash.export import download_name
from strava_dash.gpx import tracks_zip
from strava_dash.ratelimit import next_window_start
from strava_dash.ui import state
from strava_dash.ui.state import AthleteSession
from strava_dash.ui.streams import get_streams
from strava_dash.ui.text import literal
from strava_dash.ui.views import FilteredView

#: Activities per ZIP. About what one 15-minute window of Strava's default read limit
#: (100 requests) allows, and streams of 100 long rides already take a few hundred MB.
MAX_TRACKS: Final = 100
#: Requests left unspent for the rest of the app (Activity detail, Refresh).
RESERVE: Final = 5

MANUAL: Final = "manual activity: entered by hand, no recorded track"
INDOOR: Final = "indoor activity: recorded without GPS"
NO_GPS: Final = "no GPS track: recorded without GPS"
NO_FILE: Final = "no activity file in your archive (manual, or the file is missing)"
NO_POSITIONS: Final = "no GPS positions in its streams"


def _now() -> datetime:
    # Compared with rate-limit resets: the clock the budget judges windows by.
    return utc_now()


# --------------------------------------------------------------------------- the budget


def remaining_requests(session: AthleteSession, *, now: datetime | None = None) -> int | None:
    """Strava requests this app may still start now, or None when not known or not needed.

    Asked of the app's shared rate budget (:mod:`strava_dash.budget`), which counts the
    requests of every session and those still in flight: one answer for the whole app,
    whoever spent the requests. None for the demo and archive (no requests), and before
    the app has seen Strava's usage headers.
    """
    client = session.client if session.source == "strava" else None
    budget = client.budget if client is not None else None
    if client is None or budget is None:
        return None
    return budget.remaining(now or client.clock())


def _resets_at(session: AthleteSession) -> tuple[datetime, bool]:
    """When the app's budget frees up again (UTC), and whether it waits for the daily one."""
    client = session.client
    budget = client.budget if client is not None else None
    if client is None or budget is None:
        return next_window_start(_now()), False
    now = client.clock()
    reset = budget.resets_at(now)
    # The budget names the next quarter hour, or the next UTC midnight for the daily limit.
    return reset, reset - now > timedelta(minutes=15) + RESET_MARGIN


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class TrackPlan:
    """Where each target activity stands; ids in the order they go into the ZIP."""

    ids: list[int]
    total: int
    """How many activities the selection (or the filter) holds, before the cap."""
    from_selection: bool
    with_track: list[int] = field(default_factory=list)
    """Activities that have (or should have) a GPS track."""
    ready: list[int] = field(default_factory=list)
    """Streams kept, with positions: they become GPX files."""
    to_fetch: list[int] = field(default_factory=list)
    """Not fetched yet (one request each for Strava)."""
    skipped: dict[int, str] = field(default_factory=dict)
    """No GPX for these, and why."""

    @property
    def fetched(self) -> int:
        return len(self.with_track) - len(self.to_fetch)


def target_ids(filtered: pd.DataFrame, selected: Sequence[int]) -> tuple[list[int], int, bool]:
    """The selected ids still shown, else the filtered ones newest first; capped at
    :data:`MAX_TRACKS`. Returns (ids, how many before the cap, whether from the selection)."""
    shown = set(filtered["id"].tolist())
    chosen = [int(i) for i in dict.fromkeys(selected) if i in shown]
    if chosen:
        return chosen[:MAX_TRACKS], len(chosen), True
    newest = filtered.sort_values(
        ["start_date", "id"], ascending=False, na_position="last", kind="stable"
    )
    ids = [int(i) for i in newest["id"].tolist()]
    return ids[:MAX_TRACKS], len(ids), False


def _flag(row: Mapping[Any, Any], column: str) -> bool:
    value = row.get(column)
    return False if value is None or pd.isna(value) else bool(value)


def plan_tracks(
    session: AthleteSession,
    filtered: pd.DataFrame,
    selected: Sequence[int],
    failed: Mapping[int, str],
) -> TrackPlan:
    """Sort the target activities into ready, to fetch and skipped (with a reason)."""
    ids, total, from_selection = target_ids(filtered, selected)
    plan = TrackPlan(ids, total, from_selection)
    rows = filtered.set_index("id").loc[ids].reset_index().to_dict("records") if ids else []
    archive = session.archive if session.source == "archive" else None
    for row in rows:
        activity_id = int(row["id"])
        if _flag(row, "manual"):
            plan.skipped[activity_id] = MANUAL
            continue
        has_track = archive.has_track(activity_id) if archive is not None else _flag(row, "has_gps")
        if not has_track:
            indoor = _flag(row, "trainer")
            plan.skipped[activity_id] = (
                INDOOR if indoor else NO_FILE if archive is not None else NO_GPS
            )
            continue
        plan.with_track.append(activity_id)
        streams = session.streams.get(activity_id)
        if streams is None:
            if activity_id in failed:
                plan.skipped[activity_id] = failed[activity_id]
            else:
                plan.to_fetch.append(activity_id)
        elif _has_positions(streams):
            plan.ready.append(activity_id)
        else:
            plan.skipped[activity_id] = INDOOR if _flag(row, "trainer") else NO_POSITIONS
    return plan


def _has_positions(streams: Mapping[str, Any]) -> bool:
    latlng = streams.get("latlng")
    return isinstance(latlng, Mapping) and bool(latlng.get("data"))


# --------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class Outcome:
    """How the last press of Fetch tracks ended."""

    kind: Literal["done", "limit", "error"]
    reset_at: datetime | None = None
    daily: bool = False
    message: str = ""

    @property
    def until(self) -> datetime:
        """No request before this (UTC)."""
        return self.reset_at or datetime.min.replace(tzinfo=UTC)


def _stop_message(plan: TrackPlan, outcome: Outcome) -> str:
    when = outcome.reset_at or _now()
    which = "daily limit" if outcome.daily else "limit"
    return (
        f"{plan.fetched} of {len(plan.with_track)} tracks fetched; Strava's {which} resets at "
        f"{when:%H:%M} UTC — press Fetch tracks again then to continue."
    )


def fetch_tracks(session: AthleteSession, plan: TrackPlan) -> Outcome:
    """Fetch the plan's missing streams one by one, keeping each; stop before the budget
    runs out (or on Strava's 429) with what is kept, kept."""
    last = st.session_state.get(state.TRACKS_OUTCOME)
    waiting = isinstance(last, Outcome) and last.kind == "limit" and _now() < last.until
    if waiting and isinstance(last, Outcome):
        return last  # not before the reset: a request now would only be refused
    failed: dict[int, str] = st.session_state.setdefault(state.TRACKS_FAILED, {})
    todo = plan.to_fetch + [i for i in plan.with_track if i in failed]
    failed.clear()
    records = session.records_by_id()
    bar = st.progress(0.0, text=f"Fetching {len(todo)} tracks…")
    for done, activity_id in enumerate(todo, start=1):
        left = remaining_requests(session)
        if left is not None and left <= RESERVE:
            reset_at, daily = _resets_at(session)
            return Outcome("limit", reset_at, daily)
        try:
            get_streams(session, records.get(activity_id, {"id": activity_id}))
        except RateLimitError as error:
            st.session_state[state.STREAMS_LIMIT] = error  # the detail page waits for it too
            return Outcome("limit", error.retry_at, error.daily)
        except AuthError as error:
            session.grant_lost = True
            return Outcome(
                "error",
                message=f"Strava refused the request ({error.message}). Connect again on the "
                "Home page; the tracks fetched so far are kept.",
            )
        except StravaAPIError as error:
            return Outcome(
                "error",
                message=f"Fetching stopped: {error.message}. The tracks fetched so far are "
                "kept; press Fetch tracks to try the rest again.",
            )
        except DataError as error:
            failed[activity_id] = f"its track could not be read: {error}"
        left = remaining_requests(session)
        budget = f" · {left} Strava requests left this 15 minutes" if left is not None else ""
        bar.progress(done / len(todo), text=f"Fetched {done} of {len(todo)} tracks{budget}")
    return Outcome("done")


# --------------------------------------------------------------------------- the section


def _which(plan: TrackPlan) -> str:
    limit = f"at most {MAX_TRACKS} at a time"
    if plan.from_selection:
        if plan.total > len(plan.ids):
            return f"Tracks of the first {len(plan.ids)} of the {plan.total:,} selected ({limit})."
        return f"Tracks of the {plan.total:,} selected activities ({limit})."
    if plan.total > len(plan.ids):
        chosen = f"the newest {len(plan.ids)} of the {plan.total:,} filtered activities"
    else:
        chosen = f"the {plan.total:,} filtered activities"
    return f"No rows selected: tracks of {chosen} ({limit}). Select rows in the table to choose."


def _numbers(session: AthleteSession, plan: TrackPlan) -> None:
    strava = session.source == "strava"
    cols = st.columns(4)
    cols[0].metric("With GPS", f"{len(plan.with_track)} of {len(plan.ids)}")
    cols[1].metric("Fetched", f"{plan.fetched}")
    cols[2].metric("Requests needed" if strava else "Still to read", f"{len(plan.to_fetch)}")
    left = remaining_requests(session)
    if not strava:
        cols[3].metric("Strava requests", "none")
        where = "the demo data" if session.source == "demo" else "your archive"
        st.caption(f"Tracks come from {where}: no Strava requests, no limit.")
        return
    cols[3].metric("Budget left (15 min)", "not known yet" if left is None else f"{left}")
    if left is None:
        st.caption(
            "Each track is one Strava request. Strava's 15-minute budget shows after the "
            "first request."
        )
        return
    reset_at, _ = _resets_at(session)
    usable = max(left - RESERVE, 0)
    note = (
        f"Each track is one Strava request; this app has {left} left in this 15-minute "
        f"window, for all its athletes (it resets at {reset_at:%H:%M} UTC). {RESERVE} are "
        "kept for the rest of the app."
    )
    if len(plan.to_fetch) > usable:
        now = f"About {usable} tracks can be fetched now" if usable else "None can be fetched now"
        note += f" {now}; press Fetch tracks again after {reset_at:%H:%M} UTC for the rest."
    st.caption(note)


def _outcome_message(plan: TrackPlan) -> None:
    outcome = st.session_state.get(state.TRACKS_OUTCOME)
    if not isinstance(outcome, Outcome):
        return
    if outcome.kind == "error":
        st.error(outcome.message, icon="⚠️")
    elif outcome.kind == "limit" and plan.to_fetch:
        if outcome.reset_at is not None and _now() >= outcome.reset_at:
            st.info(
                f"Strava's limit has reset: press Fetch tracks to fetch the other "
                f"{len(plan.to_fetch)}.",
                icon="🔄",
            )
        else:
            st.warning(_stop_message(plan, outcome), icon="⏳")
    elif not plan.to_fetch and plan.with_track:
        st.success(f"All {len(plan.with_track)} tracks are fetched.", icon="✅")


def _download(view: FilteredView, plan: TrackPlan) -> None:
    session = view.session
    records = session.records_by_id()
    failed = st.session_state.get(state.TRACKS_FAILED) or {}

    def streams_of(activity_id: int) -> dict[str, Any] | None:
        # Known to have no track: {} (the ZIP's README says "no GPS track"); not fetched
        # yet, or failed: None (README: "streams not fetched").
        if activity_id in plan.ready:
            return session.streams.get(activity_id)
        if activity_id in plan.skipped and activity_id not in failed:
            return {}
        return None

    items = [(records.get(i, {"id": i}), streams_of(i)) for i in plan.ids]
    include_csv = st.checkbox(
        "Include a CSV of all streams per activity",
        key=state.TRACKS_INCLUDE_CSV,
        help="One CSV per activity: time, distance, position, altitude, heart rate, cadence, "
        "power, temperature… one row per sample.",
    )
    stamp = datetime.now(UTC)
    st.download_button(
        "Download tracks (ZIP)",
        data=lambda: tracks_zip(items, include_csv=include_csv)[0],
        file_name=download_name("tracks", session.display_name, stamp.date(), "zip"),
        mime="application/zip",
        key="download_tracks",
        on_click="ignore",  # a rerun would drop the deferred file the browser is fetching
        icon=":material/route:",
        disabled=not plan.ready,
        help="One GPX 1.1 file per activity with a track; skipped ones are listed in "
        "README.txt inside the ZIP.",
    )
    missing = f"; {len(plan.to_fetch)} not fetched yet are left out" if plan.to_fetch else ""
    st.caption(f"{len(plan.ready)} GPX files{missing}.")


def _skipped_list(plan: TrackPlan, filtered: pd.DataFrame) -> None:
    if not plan.skipped:
        return
    rows = filtered.set_index("id")
    lines = []
    for activity_id, reason in plan.skipped.items():
        row = rows.loc[activity_id]
        day: Any = row["local_date"]
        day_text = "no date" if pd.isna(day) else f"{pd.Timestamp(day):%Y-%m-%d}"
        name: Any = row["name"]
        name = "(unnamed)" if pd.isna(name) else str(name)
        lines.append(f"- {day_text} · {literal(str(name))} — {literal(reason)}")
    with st.expander(f"Skipped: {len(plan.skipped)} without a GPS track", icon="🚫"):
        st.markdown("\n".join(lines))


def tracks_section(view: FilteredView) -> None:
    """Tracks (GPX) of the selected (else filtered) activities: fetch, then one ZIP."""
    st.subheader("Tracks (GPX)", divider="gray")
    session = view.session
    if view.filtered.empty:
        st.caption("No activities to export: widen the filters.")
        return
    selected = st.session_state.get(state.SELECTED_IDS) or []
    failed: dict[int, str] = st.session_state.get(state.TRACKS_FAILED) or {}
    plan = plan_tracks(session, view.filtered, selected, failed)
    st.caption(_which(plan))
    _numbers(session, plan)
    if st.button(
        "Fetch tracks",
        key="fetch_tracks",
        icon=":material/download_for_offline:",
        disabled=not (plan.to_fetch or failed) or session.needs_reconnect,
        help="Fetches each missing track once; the ones fetched are kept while you browse.",
    ):
        st.session_state[state.TRACKS_OUTCOME] = fetch_tracks(session, plan)
        st.rerun()
    _outcome_message(plan)
    _download(view, plan)
    _skipped_list(plan, view.filtered)
