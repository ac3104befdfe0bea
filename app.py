"""Dash for Strava — the entry script: page config and navigation, plus the server's routes.

``streamlit run app.py`` finds the module-level ``app = st.App(...)`` below (by reading
this file, not running it) and serves it with uvicorn, which imports this file once as
the module ``app``. Streamlit then runs the same file as ``__main__`` for every rerun
of every session (AppTest does too). The branch on ``__name__`` keeps the two apart:
reruns draw pages and never build the server's routes; the import builds them once and
draws nothing (it runs outside any session).
"""

from __future__ import annotations

import streamlit as st

from strava_dash import APP_NAME, memory

if __name__ == "__main__":
    from strava_dash.ui import map_host

    MAP_PAGE = "map"
    memory.configure()  # what an upload frees goes back to the system
    st.set_page_config(page_title=APP_NAME, page_icon="📈", layout="wide")

    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/activities.py", title="Activities", icon=":material/table_rows:"),
        st.Page("pages/charts.py", title="Charts", icon=":material/bar_chart:"),
        st.Page("pages/insights.py", title="Insights", icon=":material/insights:"),
        st.Page("pages/map.py", title="Map", icon=":material/map:", url_path=MAP_PAGE),
        st.Page("pages/activity.py", title="Activity detail", icon=":material/directions_run:"),
    ]
    # Each page draws the sidebar's account block itself (ui.views.account_sidebar): pages
    # also run on their own when Streamlit treats pages/ as a plain multipage folder
    # (AppTest does), and the login state must show either way.
    page = st.navigation(pages)
    # The page runs inside the host's first container; the map's iframe lives after it
    # and stays when the athlete leaves the Map (ui.map_host: a revisit is then fast).
    with map_host.hosting(map_page=page.url_path == MAP_PAGE):
        page.run()
else:
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    from strava_dash.store.service import open_in_background
    from strava_dash.ui.config import load_hosting
    from strava_dash.ui.map_component import asset_routes
    from strava_dash.ui.tile_routes import tile_routes
    from strava_dash.webhook.routes import webhook_routes

    @asynccontextmanager
    async def _start_store(_app: object) -> AsyncIterator[None]:
        # Migrations and the first retention sweep run when the server starts, not when
        # the first athlete happens to log in.
        open_in_background(load_hosting)
        yield

    # Strava's webhook (GET handshake, POST events) beside the app; settings are read
    # as the pages read them ([dash] secrets, then the environment), so both use the
    # same store.
    # plotly.js for the map component, with a cache lifetime its own folder lacks; the
    # tiles of route maps too large to send as lines.
    routes = [*webhook_routes(load_hosting), *asset_routes(), *tile_routes()]
    app = st.App(__file__, routes=routes, lifespan=_start_store)
