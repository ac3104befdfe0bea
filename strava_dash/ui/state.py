"""Session-state keys, in one place, and the per-session objects stored under them.

Everything about one athlete lives in ``st.session_state`` (server-side, one browser
session); nothing per-athlete goes into a cache shared between sessions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import pandas as pd
import streamlit as st

from strava_dash.activities import to_frame
from strava_dash.archive import Archive
from strava_dash.auth import TokenManager
from strava_dash.client import StravaClient
from strava_dash.errors import AuthError
from strava_dash.store import AthleteRecorder
from strava_dash.sync import ActivityStore, SyncJob

SESSION = "dash_session"
LOGIN_MESSAGE = "login_message"
DELETED_MESSAGE = "deleted_message"
#: The OAuth button's key is this plus the attempt number (a fresh widget per attempt).
OAUTH_BUTTON = "strava_oauth"
OAUTH_ATTEMPT = "strava_oauth_attempt"
UNITS = "units"
TABLE_COLUMNS = "table_columns"
SELECTED_IDS = "selected_ids"
#: A table longer than a page (table_pages.PAGE_SIZE): sort column, descending?, page
#: number and what it was chosen for (order and rows: ui.pager's keys for the prefix
#: "table"), and the generation of the grid's key (a new one clears the selection).
TABLE_SORT = "table_sort"
TABLE_SORT_DESC = "table_sort_desc"
TABLE_PAGE = "table_page"
TABLE_PAGE_CONTEXT = "table_page_context"
TABLE_GRID_GENERATION = "table_grid_generation"
#: (store revision, monotonic s) of the last full run of the page during a download.
SHOWN_REVISION = "sync_shown_revision"
#: The sidebar filters' widget keys, which are also their URL query parameters.
FILTER_KEYS: tuple[str, ...] = (
    "period",
    "dates",
    "sport",
    "dist",
    "hours",
    "elev",
    "q",
    "commute",
    "indoor",
    "manual",
    "private",
    "gear",
)
#: The sport-group picker, an action that adds a group's sports to the "sport" filter.
SPORT_GROUP_PICK = "sport_group_pick"
#: Activity detail: the activity shown, and the table selection it last jumped to.
DETAIL_ACTIVITY = "detail_activity"
DETAIL_SEEN_SELECTION = "detail_seen_selection"
#: Activity detail: the picker's search text (name, date or sport).
DETAIL_SEARCH = "detail_search"
#: The search text the picker last acted on: only a new search moves the picker.
DETAIL_SEARCH_SEEN = "detail_search_seen"
#: The last RateLimitError of a streams request: no new request before its ``retry_at``
#: (set by the detail page and by the tracks download alike).
STREAMS_LIMIT = "streams_rate_limit"
#: Tracks (GPX): how the last Fetch tracks ended, tracks that failed, the CSV checkbox.
TRACKS_OUTCOME = "tracks_outcome"
TRACKS_FAILED = "tracks_failed"
TRACKS_INCLUDE_CSV = "tracks_include_csv"
#: The map's kept figures: {cache key: figure}, the latest few only.
MAP_FIGURES = "map_figures"
#: Their JSON for the map component: {id(figure): (figure, payload)}, as few.
MAP_PAYLOADS = "map_payloads"
#: The visual filter (selections on charts and the map), the generation of each chart's
#: widget key, which chart each widget belongs to, and the last event taken per widget.
SELECTIONS = "visual_selections"
CHART_GENERATIONS = "chart_generations"
CHART_OWNERS = "chart_owners"
SEEN_EVENTS = "seen_selection_events"
#: A bookmarked data page opened without data: (page, its query parameters), kept until
#: the demo or a login can show it.
BOOKMARK = "pending_bookmark"
#: The archive uploader's key for this attempt, and the last refused upload's message.
ARCHIVE_UPLOAD_KEY = "archive_upload_key"
ARCHIVE_REFUSED = "archive_refused"


def range_top_key(key: str) -> str:
    """Where a range filter remembers the data's maximum it was last drawn with."""
    return f"_{key}_top"


Source = Literal["demo", "strava", "archive"]


@dataclass
class AthleteSession:
    """One athlete (Strava login, demo or uploaded archive): their records, token and sync."""

    source: Source
    athlete: dict[str, Any]
    store: ActivityStore
    tokens: TokenManager | None = None
    client: StravaClient | None = None
    gear_names: dict[str, str] = field(default_factory=dict)
    #: Gear ids Strava's gear answer marked ``retired`` (this session's fetches only: the
    #: store keeps names, so a returning athlete's retired gear is known from the profile).
    gear_retired: set[str] = field(default_factory=set)
    #: Streams fetched on demand, by activity id (key_by_type shape); never fetched twice.
    streams: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Decoded route polylines for the map, by encoded string (maps.decode_polylines).
    decoded_routes: dict[str, Any] = field(default_factory=dict, repr=False)
    job: SyncJob | None = None
    #: Writes this athlete's data through to the server's store (Strava logins only).
    recorder: AthleteRecorder | None = None
    #: Why this session's data is not being stored, in words for the athlete.
    store_notice: str | None = None
    private_warning: str | None = None
    #: Set when a request outside the sync (tracks, streams) found the grant dead.
    grant_lost: bool = False
    #: The opened Strava export (source "archive"): its table is the session's table,
    #: records and tracks are made from it on demand (the store holds none of them).
    archive: Archive | None = None
    #: The uploaded file the archive reads from; must stay open as long as the archive.
    upload: IO[bytes] | None = field(default=None, repr=False)
    _frame: pd.DataFrame | None = field(default=None, repr=False)
    _frame_revision: int = -1

    @property
    def needs_reconnect(self) -> bool:
        """The grant died (revoked, or its refresh failed): data stays, reconnect to go on."""
        report = self.job.report if self.job is not None else None
        return self.grant_lost or (report is not None and isinstance(report.error, AuthError))

    @property
    def store_problem(self) -> str | None:
        """What went wrong with storing this athlete's data, if anything."""
        if self.store_notice:
            return self.store_notice
        return self.recorder.error if self.recorder is not None else None

    @property
    def athlete_id(self) -> int | None:
        value = self.athlete.get("id")
        return value if isinstance(value, int) else None

    @property
    def display_name(self) -> str:
        first = str(self.athlete.get("firstname") or "").strip()
        last = str(self.athlete.get("lastname") or "").strip()
        return f"{first} {last}".strip() or "Strava athlete"

    @property
    def syncing(self) -> bool:
        return self.job is not None and self.job.running

    def frame(self) -> pd.DataFrame:
        """The activity table, rebuilt only when the store changed since the last call."""
        revision = self.store.revision
        if self._frame is None or revision != self._frame_revision:
            if self.archive is not None:  # its table already; no records to rebuild it from
                frame = _with_archive_gear(self.archive.activities)
            else:
                frame = to_frame(self.store.snapshot())
            self._frame = frame
            self._frame_revision = revision
        return self._frame

    @property
    def times_in_utc(self) -> bool:
        """True for archive data where no activity got a local time (no GPS activity to
        tell the zone, no FIT device clock): "local" times are then all UTC."""
        if self.archive is None:
            return False
        return bool(self.archive.activities["utc_offset"].isna().all())

    @property
    def times_inferred(self) -> bool:
        """True when some archive activities (without GPS) have the local time of the GPS
        activity nearest in time: see :mod:`strava_dash.archive`."""
        if self.archive is None:
            return False
        return bool(self.archive.activities["local_time_inferred"].eq(True).any())

    @property
    def times_partly_utc(self) -> bool:
        """True when some dated archive activities kept the UTC clock (no GPS activity
        at all, but FIT device clocks gave others their local time)."""
        if self.archive is None:
            return False
        table = self.archive.activities
        return bool((table["utc_offset"].isna() & table["start_date"].notna()).any())

    def stop_sync(self) -> None:
        """Stop the download: a wait for the rate window ends now, no page is asked for
        after the one in hand."""
        if self.job is not None:
            self.job.cancel()

    def close(self) -> None:
        """End this athlete's session here (log out, or another athlete takes over): the
        sync stops, nothing more is sent to Strava, the uploaded archive is released."""
        self.stop_sync()
        if self.client is not None:
            self.client.close()
        if self.archive is not None:
            self.archive.close()
        if self.upload is not None:
            self.upload.close()

    def records_by_id(self) -> Mapping[int, dict[str, Any]]:
        if self.archive is not None:
            return _ArchiveRecords(self.archive)
        with self.store.lock:
            return dict(self.store.records)

    def records_for(self, ids: list[int]) -> list[dict[str, Any]]:
        """The raw records of ``ids``, in that order (ids no longer held are skipped)."""
        if self.archive is not None:  # made from its table on demand (memory, issue 11)
            return self.archive.records_for(ids)
        with self.store.lock:
            held = self.store.records
            return [held[i] for i in ids if i in held]


class _ArchiveRecords(Mapping[int, dict[str, Any]]):
    """An archive's records by id, each made when looked up (not 60,000 dicts at once)."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive
        self._ids = archive.activities["id"]

    def __getitem__(self, activity_id: int) -> dict[str, Any]:
        found = self._archive.records_for([activity_id])
        if not found:
            raise KeyError(activity_id)
        return found[0]

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids.tolist())

    def __len__(self) -> int:
        return len(self._ids)


def _with_archive_gear(table: pd.DataFrame) -> pd.DataFrame:
    # The export names gear but has no Strava gear id; the name stands in as the key of
    # the Gear column and filter (shown as is: no gear_names entry). Raw records keep NA.
    # A shallow copy: the other columns stay shared with the archive's table.
    frame = table.copy(deep=False)
    frame["gear_id"] = frame["gear_id"].fillna(frame["gear_name"])
    return frame


class _SessionEnd:
    """Stops the athlete's download when Streamlit lets this browser session go."""

    def __init__(self) -> None:
        self.athlete: AthleteSession | None = None

    def release(self) -> None:
        # Called on every disconnect, also one the browser recovers from, when the
        # session state lives on: stop the download (Continue restarts it), keep the rest.
        if self.athlete is not None:
            self.athlete.stop_sync()


# Streamlit clears session-scoped resources when the browser session disconnects or
# ends (tab closed): the one hook there is for a session's end.
@st.cache_resource(scope="session", on_release=_SessionEnd.release, show_spinner=False)
def _session_end() -> _SessionEnd:
    return _SessionEnd()


def current() -> AthleteSession | None:
    value = st.session_state.get(SESSION)
    if not isinstance(value, AthleteSession):
        return None
    # After a reconnect the hook is a new resource: tie it to the athlete again.
    _session_end().athlete = value
    return value


def athlete_key() -> str | None:
    """Who this browser session is looking at ("strava:123", "demo:…"), or None: what
    per-athlete things kept in the session are tagged with, so they never outlive a
    change of athlete."""
    session = current()
    return None if session is None else f"{session.source}:{session.athlete_id}"


def set_current(session: AthleteSession) -> None:
    previous = current()
    if previous is not None and previous is not session:
        previous.close()
    st.session_state[SESSION] = session
    _session_end().athlete = session


def clear() -> None:
    """Forget everything of this browser session (log out)."""
    session = current()
    if session is not None:
        session.close()
    for key in list(st.session_state.keys()):
        del st.session_state[key]
