"""Map: every route of the filtered activities, or where they start; what has no GPS."""

from __future__ import annotations

import streamlit as st

from strava_dash.ui.map_host import below_map
from strava_dash.ui.map_view import route_map
from strava_dash.ui.sync_panel import sync_status
from strava_dash.ui.views import data_sidebar, no_matches, powered_by_strava, require_session

session = require_session("pages/map.py")
st.title("Map")
sync_status(session)
view = data_sidebar(session)

if not no_matches(view):
    route_map(view)
with below_map():
    powered_by_strava()
