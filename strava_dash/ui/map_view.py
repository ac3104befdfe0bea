"""The Map page's body: routes or start density, what is drawn, and what has no GPS.

The figure for 10,000 routes takes a noticeable moment to build, so it is kept in this
browser session's state, keyed by the filtered activities, the data revision, units and
mode: switching pages or modes back and forth does not rebuild it. Never a shared cache:
routes are the athlete's own data.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from strava_dash import charts, maps, selection_events, table_pages, tile_registry
from strava_dash.maps import MapMode
from strava_dash.route_tiles import RouteRaster
from strava_dash.selection import MapSelection
from strava_dash.ui import map_component, map_host, state, tile_routes
from strava_dash.ui.charts_view import show_figure
from strava_dash.ui.pager import pager
from strava_dash.ui.selection_view import take_shape
from strava_dash.ui.views import FilteredView

MODES: Final[dict[MapMode, str]] = {"routes": "Routes", "starts": "Start density"}
MAP_HEIGHT: Final = 650
_KEPT: Final = 4
#: Rows of the "Activities without GPS" list per page: 1,000 of its 5 columns are about
#: 120 kB of Arrow (the 6,000 of 20,000 activities over 12 years were 704 kB).
WITHOUT_GPS_PAGE: Final = 1_000
#: The "Activities without GPS" expander's key: its open state, in session state.
WITHOUT_GPS_OPEN: Final = "without_gps_open"
WITHOUT_GPS_TITLE: Final = "Activities without GPS"
#: The map component's widget key; tests inject a drawn shape under it.
SHAPE_KEY: Final = map_host.MAP_KEY

CacheKey = tuple[str, int, str, str]


def _cache_key(view: FilteredView, rows: pd.DataFrame, mode: MapMode) -> CacheKey:
    ids = rows["id"].to_numpy(dtype=np.int64)
    digest = hashlib.blake2b(ids.tobytes(), digest_size=16).hexdigest()
    return (digest, view.session.store.revision, view.units, mode)


def map_figure(view: FilteredView, mode: MapMode) -> go.Figure:
    """The routes (or starts) figure of the filtered activities, built once per session/key.

    A figure drawn as tiles keeps its raster beside it here: the tile route holds only a
    weak reference, so the tiles live exactly as long as this session keeps the figure.
    """
    kept: dict[CacheKey, tuple[go.Figure, list[RouteRaster]]] = st.session_state.setdefault(
        state.MAP_FIGURES, {}
    )
    # The map's own selection does not thin the map: another box can still be drawn.
    rows = view.for_chart("map")
    key = _cache_key(view, rows, mode)
    found = kept.get(key)
    if found is not None:
        return found[0]
    rasters: list[RouteRaster] = []

    def publish(raster: RouteRaster) -> str:
        rasters.append(raster)
        return tile_routes.tile_url(tile_registry.publish(raster))

    fig = maps.routes_figure(
        rows,
        units=view.units,
        mode=mode,
        cache=view.session.decoded_routes,
        max_points=maps.MAX_POINTS,  # read now: tests lower it to reach the tiles
        tiles=publish,
    )
    if not charts.is_empty(fig):
        fig.update_layout(height=MAP_HEIGHT)
    while len(kept) >= _KEPT:
        kept.pop(next(iter(kept)))
    kept[key] = (fig, rasters)
    return fig


def _caption(meta: dict[str, Any], total: int, mode: MapMode) -> str:
    return _drawn(meta, total, mode) + _lacking(int(meta.get("without_gps", 0)))


def _drawn(meta: dict[str, Any], total: int, mode: MapMode) -> str:
    routes = int(meta.get("routes", 0))
    if mode == "starts":
        return f"Start points of {routes:,} of {total:,} activities."
    points, decoded = int(meta.get("points", 0)), int(meta.get("points_total", 0))
    shapes = int(meta.get("shapes", routes))
    distinct = f"{shapes:,} distinct, " if shapes < routes else ""
    if meta.get("tiles"):
        return (
            f"Showing {routes:,} of {total:,} activities' routes ({distinct}every one of "
            f"{decoded:,} points, drawn as map tiles: zoom in for detail)."
        )
    thinned = f", simplified from {decoded:,} for speed" if points < decoded else ""
    return (
        f"Showing {routes:,} of {total:,} activities' routes "
        f"({distinct}{points:,} points{thinned})."
    )


def _lacking(count: int) -> str:
    if not count:
        return ""
    which = "has" if count == 1 else "have"
    return f" {count:,} {which} no GPS route: see Activities without GPS below the map."


def _without_gps(view: FilteredView) -> None:
    # Drawn only while open (Streamlit's lazy expander): closed, as it usually is, its
    # list cost every Map visit and filter change a 120 kB page of rows and a grid. The
    # label stays the same (the count is in the map's caption): a new label would be a
    # new expander, closed again after every filter change.
    box = st.expander(
        WITHOUT_GPS_TITLE, icon=":material/location_off:", key=WITHOUT_GPS_OPEN, on_change="rerun"
    )
    if not box.open:
        return
    lacking = maps.without_gps(view.filtered)
    with box:
        if lacking.empty:
            st.caption("Every activity shown has a GPS route.")
            return
        st.caption(
            f"{len(lacking):,} not on the map: manual entries, indoor sessions and hidden routes."
        )
        if table_pages.needs_pages(len(lacking), WITHOUT_GPS_PAGE):
            # Sent even while the expander is closed: a page, not 6,000 rows (700 kB).
            context = table_pages.page_token(lacking["id"].to_numpy())
            part = pager("without_gps", len(lacking), context, size=WITHOUT_GPS_PAGE)
            st.caption(f"{part.rows}, newest first · {part.position}")
            lacking = lacking.iloc[part.start : part.stop]
        shown = pd.DataFrame(
            {
                "Name": lacking["name"].fillna("(unnamed)"),
                "Date": pd.to_datetime(lacking["local_date"]).dt.date,
                "Sport": lacking["sport_type"],
                "Reason": lacking["reason"],
            }
        )
        config: dict[str, Any] = {"Date": st.column_config.DateColumn("Date", format="YYYY-MM-DD")}
        if "strava_url" in lacking.columns:
            shown["Strava"] = lacking["strava_url"]
            config["Strava"] = st.column_config.LinkColumn("Strava", display_text="View on Strava")
        st.dataframe(shown, hide_index=True, column_config=config, key="without_gps_table")


def route_map(view: FilteredView) -> None:
    """Mode toggle, the map with its caption, and the list of activities without GPS."""
    mode = st.segmented_control(
        "Show",
        list(MODES),
        format_func=MODES.__getitem__,
        default="routes",
        required=True,
        key=map_host.MAP_PAGE_MARK,  # on the page, it unfolds the map's slot
        persist_state="session",
    )
    fig = map_figure(view, mode)
    meta = fig.layout.meta
    if isinstance(meta, dict):
        st.caption(_caption(meta, len(view.for_chart("map")), mode))
    _map(view, fig, mode)
    with map_host.below_map():
        _without_gps(view)


def _payload(fig: go.Figure) -> tuple[bytes, str, str]:
    """The figure's JSON for the component, made once per kept figure (it is megabytes)."""
    made: dict[int, tuple[go.Figure, tuple[bytes, str, str]]] = st.session_state.setdefault(
        state.MAP_PAYLOADS, {}
    )
    found = made.get(id(fig))
    if found is not None and found[0] is fig:
        return found[1]
    payload = map_component.figure_payload(fig)
    while len(made) >= _KEPT:
        made.pop(next(iter(made)))
    made[id(fig)] = (fig, payload)
    return payload


def _map(view: FilteredView, fig: go.Figure, mode: MapMode) -> None:
    """Routes or start density in the map component (one iframe for both, so switching is
    a redraw, not a new map); on routes, the box or lasso drawn becomes the map's
    selection."""
    if charts.is_empty(fig):
        show_figure(fig, "route_map")  # the builder's message
        return
    routes = mode == "routes"
    st.caption(
        "Use the box or lasso tool (top right of the map) to keep the activities that start "
        "or pass inside the shape; double-click the map in that tool to remove it."
        if routes
        else "Where activities start: brighter is more often. Select an area on Routes."
    )
    if routes:
        # The component's value is in session state before it is drawn this run (app.py
        # draws it after the page: ui.map_host), so the shape is taken here, first.
        take_shape(
            "map",
            SHAPE_KEY,
            st.session_state.get(SHAPE_KEY),
            lambda v: selection_events.map_shape(v, "routes"),
            selection_events.map_cleared,
        )
    current = next((s for s in view.selections if isinstance(s, MapSelection)), None)
    request = map_host.MapRequest(
        payload=_payload(fig),
        height=MAP_HEIGHT,
        shape=selection_events.map_shape_value(current) if current else None,
        selectable=routes,
    )
    map_host.show_map(request)
