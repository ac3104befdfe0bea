"""Dash for Strava — the entry script: page config and navigation."""

from __future__ import annotations

import streamlit as st

from strava_dash import APP_NAME, memory

memory.configure()  # what an upload frees goes back to the system
st.set_page_config(page_title=APP_NAME, page_icon="📈", layout="wide")

pages = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/activities.py", title="Activities", icon=":material/table_rows:"),
    st.Page("pages/charts.py", title="Charts", icon=":material/bar_chart:"),
    st.Page("pages/map.py", title="Map", icon=":material/map:"),
    st.Page("pages/activity.py", title="Activity detail", icon=":material/directions_run:"),
]
# Each page draws the sidebar's account block itself (ui.views.account_sidebar): pages
# also run on their own when Streamlit treats pages/ as a plain multipage folder
# (AppTest does), and the login state must show either way.
st.navigation(pages).run()
