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
from strava_dash.sync import ActivityStore, SyncJob

SESSION = "dash_session"
LOGIN_MESSAGE = "login_message"
OAUTH_BUTTON = "strava_oauth"
OAUTH_ATTEMPT = "strava_oauth_attempt"
UNITS = "units"
TABLE_COLUMNS = "table_columns"
SELECTED_IDS = "selected_ids"

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
    #: Streams fetched on demand, by activity id (key_by_type shape); never fetched twice.
    streams: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Decoded route polylines for the map, by encoded string (maps.decode_polylines).
    decoded_routes: dict[str, Any] = field(default_factory=dict, repr=False)
    job: SyncJob | None = None
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

    def close(self) -> None:
        """Release the uploaded archive (log out, or another athlete takes over)."""
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


def current() -> AthleteSession | None:
    value = st.session_state.get(SESSION)
    return value if isinstance(value, AthleteSession) else None


def set_current(session: AthleteSession) -> None:
    previous = current()
    if previous is not None and previous is not session:
        previous.close()
    st.session_state[SESSION] = session


def clear() -> None:
    """Forget everything of this browser session (log out)."""
    session = current()
    if session is not None:
        session.close()
    for key in list(st.session_state.keys()):
        del st.session_state[key]
