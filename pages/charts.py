"""Charts: volume, year over year, calendar, training times, distributions and records."""

from __future__ import annotations

import streamlit as st

from strava_dash.ui.charts_view import charts_body
from strava_dash.ui.sync_panel import sync_status
from strava_dash.ui.views import data_sidebar, no_matches, powered_by_strava, require_session

session = require_session("pages/charts.py")
st.title("Charts")
sync_status(session)
view = data_sidebar(session)

if not no_matches(view):
    charts_body(view)
powered_by_strava()
