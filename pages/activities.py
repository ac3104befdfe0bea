"""Activities: filters, headline numbers, the table and its downloads."""

from __future__ import annotations

import streamlit as st

from strava_dash.ui.sync_panel import sync_status
from strava_dash.ui.table_view import activity_table, download_buttons, headline_metrics
from strava_dash.ui.tracks_view import tracks_section
from strava_dash.ui.views import data_sidebar, no_matches, powered_by_strava, require_session

session = require_session("pages/activities.py")
st.title("Activities")
sync_status(session)
view = data_sidebar(session)

if not no_matches(view):
    headline_metrics(view)
shown = activity_table(view)
download_buttons(view, shown)
tracks_section(view)
powered_by_strava()
