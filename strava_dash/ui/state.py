"""Session-state keys, in one place, and the per-session objects stored under them.

Everything about one athlete lives in ``st.session_state`` (server-side, one browser
session); nothing per-athlete goes into a cache shared between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import streamlit as st

from strava_dash.activities import to_frame
from strava_dash.auth import TokenManager
from strava_dash.client import StravaClient
from strava_dash.sync import ActivityStore, SyncJob

SESSION = "dash_session"
LOGIN_MESSAGE = "login_message"
OAUTH_BUTTON = "strava_oauth"
OAUTH_ATTEMPT = "strava_oauth_attempt"
UNITS = "units"
TABLE_COLUMNS = "table_columns"
SELECTED_IDS = "selected_ids"

Source = Literal["demo", "strava"]


@dataclass
class AthleteSession:
    """One connected (or demo) athlete: their records, token and sync."""

    source: Source
    athlete: dict[str, Any]
    store: ActivityStore
    tokens: TokenManager | None = None
    client: StravaClient | None = None
    gear_names: dict[str, str] = field(default_factory=dict)
    #: Streams fetched on demand, by activity id (key_by_type shape); never fetched twice.
    streams: dict[int, dict[str, Any]] = field(default_factory=dict)
    job: SyncJob | None = None
    private_warning: str | None = None
    #: The grant died (revoked or refresh failed): data stays, the athlete must reconnect.
    needs_reconnect: bool = False
    _frame: pd.DataFrame | None = field(default=None, repr=False)
    _frame_revision: int = -1

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
            self._frame = to_frame(self.store.snapshot())
            self._frame_revision = revision
        return self._frame

    def records_by_id(self) -> dict[int, dict[str, Any]]:
        with self.store.lock:
            return dict(self.store.records)


def current() -> AthleteSession | None:
    value = st.session_state.get(SESSION)
    return value if isinstance(value, AthleteSession) else None


def set_current(session: AthleteSession) -> None:
    st.session_state[SESSION] = session


def clear() -> None:
    """Forget everything of this browser session (log out)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
