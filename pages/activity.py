"""Activity detail: one activity's summary, route and streams (fetched once, kept)."""

from __future__ import annotations

import streamlit as st

from strava_dash.ui.detail_view import activity_detail
from strava_dash.ui.sync_panel import sync_status
from strava_dash.ui.views import data_sidebar, no_matches, powered_by_strava, require_session

session = require_session("pages/activity.py")
st.title("Activity detail")
sync_status(session)
view = data_sidebar(session)

if not no_matches(view):
    activity_detail(view)
powered_by_strava()
