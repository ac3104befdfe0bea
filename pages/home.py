"""Home: what the app is, and the three ways in (Strava, your Strava archive, the demo)."""

from __future__ import annotations

import streamlit as st

from strava_dash import APP_NAME
from strava_dash.ui import state, storage
from strava_dash.ui.archive_view import archive_summary, archive_uploader
from strava_dash.ui.bookmark import data_link, go_to_data
from strava_dash.ui.config import load_settings
from strava_dash.ui.login import connect_button, start_demo
from strava_dash.ui.sync_panel import start_sync, sync_status
from strava_dash.ui.text import literal
from strava_dash.ui.views import account_sidebar

settings, config_error = load_settings()
session = account_sidebar()

st.title(APP_NAME)
st.markdown(
    "**Your Strava activities, in your hands.** Connect once, see every activity you have "
    "ever recorded, filter them, and download exactly what you filtered as CSV, Excel or "
    "the raw Strava JSON."
)
hosting, hosting_error = storage.hosting()
st.caption(storage.privacy_text(hosting))

message = st.session_state.pop(state.LOGIN_MESSAGE, None)
if message:
    st.error(message, icon="🔒")
if config_error is not None:
    st.error(f"Strava login is unavailable: {config_error}", icon="⚙️")
if hosting_error is not None:
    st.error(
        f"Storage is misconfigured: {hosting_error}. Until it is fixed, this server keeps "
        "activities in the browser session only.",
        icon="⚙️",
    )

if session is not None and not session.needs_reconnect:
    if session.source == "strava":
        if session.private_warning:
            st.warning(session.private_warning)
        if session.job is None:
            start_sync(session)
        sync_status(session)
    elif session.source == "archive":
        archive_summary(session)
    else:
        st.success(f"Exploring the demo athlete {literal(session.display_name)}.")
    data_link("See your activities", icon="📋")
else:
    if session is not None and session.needs_reconnect:
        sync_status(session)  # says what ended, what is kept, and to connect again
    left, middle, right = st.columns(3, gap="large")
    with left:
        st.subheader("Your own data")
        if settings.has_credentials:
            connect_button(settings)
            st.caption("You choose on Strava's page what to share; read-only access.")
        elif config_error is not None:
            # Configured, but wrongly: the error above names the key; "not configured"
            # would contradict it.
            st.info(
                "Connect with Strava is off until the configuration error above is fixed. "
                "The archive upload and the demo work meanwhile."
            )
        else:
            st.info(
                "Strava login is not configured on this server. Set `STRAVA_CLIENT_ID` and "
                "`STRAVA_CLIENT_SECRET` (see the README). The archive upload and the demo "
                "work without them."
            )
    with middle:
        st.subheader("Your Strava archive")
        archive_uploader()
    with right:
        st.subheader("Just looking?")
        if st.button("Explore with demo data", type="primary", use_container_width=True):
            start_demo()
            go_to_data()  # a bookmarked view that led here, else Activities
        st.caption("A made-up athlete from Girona with six years of rides, runs and swims.")

st.divider()
st.caption(
    "Powered by Strava. Dash for Strava is an independent project and is not made, "
    "sponsored or endorsed by Strava."
)
