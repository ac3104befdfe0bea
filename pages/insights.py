"""Insights: fitness and form, goals, gear mileage and the year ahead."""

from __future__ import annotations

import streamlit as st

from strava_dash.ui.insights_view import insights_body
from strava_dash.ui.sync_panel import sync_status
from strava_dash.ui.views import data_sidebar, no_matches, powered_by_strava, require_session

session = require_session("pages/insights.py")
st.title("Insights")
sync_status(session)
view = data_sidebar(session)

if not no_matches(view):
    insights_body(view)
powered_by_strava()
