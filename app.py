"""Dash for Strava — the entry script: page config, navigation, and the sidebar login state."""

from __future__ import annotations

import streamlit as st

from strava_dash import APP_NAME
from strava_dash.ui import state
from strava_dash.ui.config import load_settings
from strava_dash.ui.login import log_out
from strava_dash.ui.views import athlete_card

st.set_page_config(page_title=APP_NAME, page_icon="📈", layout="wide")

pages = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/activities.py", title="Activities", icon=":material/table_rows:"),
]
navigation = st.navigation(pages)

session = state.current()
if session is not None:
    athlete_card(session)
    if st.sidebar.button("Log out", key="logout", icon=":material/logout:"):
        log_out(load_settings()[0])
        st.switch_page("pages/home.py")

navigation.run()
