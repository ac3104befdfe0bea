"""The athlete store: what a returning athlete needs so a visit costs one request.

Core, no Streamlit. :class:`SqlStore` keeps per athlete the raw records, the resume
cursors, gear names and streams, on SQLite (embedded default) or PostgreSQL (several
replicas); :class:`AthleteRecorder` writes a running sync through to it page by page;
:mod:`strava_dash.store.service` opens one store per process and sweeps out athletes
past the retention period.
"""

from __future__ import annotations

from strava_dash.store.recorder import AthleteRecorder
from strava_dash.store.sql import SqlStore, StoredAthlete

__all__ = ["AthleteRecorder", "SqlStore", "StoredAthlete"]
