"""Maps: every route of the filtered activities, where rides start, and one activity's route.

Routes come from ``map_summary_polyline`` (Google's encoded polyline, precision 5), decoded
by the `polyline` library; a per-session cache of decoded routes keeps filter changes quick.

All routes of one sport are one ``Scattermap`` trace with the routes separated by NaN (what
``None`` becomes in a float array; plotly draws a gap), so 10,000 routes are a handful of
traces. Above ``max_points`` the routes are thinned for display only (every route keeps its
start and end); exports never go through here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import polyline

from strava_dash import map_simplify, polyline_np
from strava_dash.charts.style import (
    base_layout,
    date_labels,
    distance_values,
    empty_figure,
    escape_hover,
    escaped_names,
    local_days,
    sport_colour,
    sports,
)
from strava_dash.route_tiles import RouteRaster
from strava_dash.units import Units, label_for

MapMode = Literal["routes", "starts"]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

MAP_STYLE: Final = "open-street-map"
#: Basemaps plotly draws without an access token. ``DASH_MAP_STYLE`` picks one: a server
#: that cannot reach OpenStreetMap's tiles (an intranet, the offline test machines) needs
#: "white-bg", since MapLibre never finishes loading a style whose tiles fail, and a map
#: that never loaded takes no box or lasso selection.
MAP_STYLES: Final = frozenset(
    {
        "open-street-map",
        "white-bg",
        "carto-positron",
        "carto-darkmatter",
        "carto-voyager",
        "basic",
        "dark",
        "light",
    }
)
POLYLINE_COLUMN: Final = "map_summary_polyline"
NO_GPS_MESSAGE: Final = "None of these activities has a GPS route"
NO_ROUTE_MESSAGE: Final = "No GPS route for this activity"
_PRECISION: Final = 1e5
# MapLibre draws the world 512 px wide at zoom 0; the figure is about this big.
_TILE_PX: Final = 512.0
_MAP_PX: Final = (700.0, 560.0)
# What 20,000 distinct routes may cost: a point is 8 bytes of float32 (10.7 in base64), a
# hover marker that plus its text (about 70 bytes). 50,000 points (+ one gap a route) and
# 3,000 markers keep 14,000 distinct routes under 1 MB of JSON.
MAX_POINTS: Final = 50_000
HOVER_POINTS: Final = 3_000
HOVER_PER_ROUTE: Final = 12
# Start places that get a text naming their latest activity; past it, only the count.
START_TEXTS: Final = 3_000


def decode_polylines(
    encoded: Sequence[str | None], *, cache: MutableMapping[str, FloatArray] | None = None
) -> tuple[FloatArray, IntArray]:
    """Decode many encoded polylines at once (``polyline_np``: the `polyline` library's
    numbers, vectorised).

    Returns ``(points, offsets)``: ``points`` is an ``(N, 2)`` array of (lat, lng) degrees and
    route ``i`` is ``points[offsets[i]:offsets[i + 1]]``. None, empty and malformed strings
    give an empty route (no exception), so one bad record cannot break the map. Each
    distinct string is decoded once per call; pass ``cache`` (one per athlete session, never
    shared) so a filter change only decodes routes not seen before.
    """
    texts = [text if isinstance(text, str) else "" for text in encoded]
    known: MutableMapping[str, FloatArray] = {} if cache is None else cache
    todo = list(dict.fromkeys(text for text in texts if text and text not in known))
    if todo:
        points, offsets = polyline_np.decode_many(todo)
        for i, text in enumerate(todo):
            known[text] = points[offsets[i] : offsets[i + 1]]
    empty = np.zeros((0, 2))
    routes = [known[text] if text else empty for text in texts]
    counts = np.fromiter((len(r) for r in routes), dtype=np.int64, count=len(routes))
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    points = np.concatenate(routes) if routes else empty
    return points.astype(np.float64).reshape(-1, 2), offsets


def point_budget(counts: IntArray, max_points: int, *, minimum: int = 2) -> IntArray:
    """How many points each route keeps so that the total stays within ``max_points``.

    Routes share the budget in proportion to their length, each keeping at least
    ``minimum`` points (2: its endpoints; never more than it has). Zero means the route is
    left out: only when the budget cannot give every route its minimum, and then every n-th
    route is kept.
    """
    counts = np.array(counts, dtype=np.int64)
    total = int(counts.sum())
    if total <= max_points:
        return counts
    floor = np.minimum(counts, minimum)
    if int(floor.sum()) >= max_points:
        keep = np.zeros(len(counts), dtype=np.int64)
        drawn = np.flatnonzero(counts > 0)
        step = math.ceil(int(floor.sum()) / max(max_points, 1))
        chosen = drawn[::step]
        allowed = chosen[np.cumsum(floor[chosen]) <= max_points]
        keep[allowed] = floor[allowed]
        return keep

    def kept(scale: float) -> IntArray:
        share: IntArray = np.floor(counts * scale).astype(np.int64)
        return np.minimum(counts, np.maximum(floor, share))

    # The largest share that fits: kept() only grows with the scale, so bisect it.
    low, high = 0.0, max_points / total
    while int(kept(high).sum()) <= max_points:
        low, high = high, high * 2
    for _ in range(40):
        middle = (low + high) / 2
        if int(kept(middle).sum()) <= max_points:
            low = middle
        else:
            high = middle
    return kept(low)


def thin(points: FloatArray, offsets: IntArray, keep: IntArray) -> tuple[FloatArray, IntArray]:
    """Keep ``keep[i]`` evenly spaced points of route ``i``, its first and last always included.

    Returns the kept points and their offsets, in the layout of :func:`decode_polylines`.
    """
    counts = np.diff(offsets)
    keep = np.minimum(np.asarray(keep, dtype=np.int64), counts)
    route = np.repeat(np.arange(len(keep)), keep)
    kept_offsets = np.concatenate(([0], np.cumsum(keep))).astype(np.int64)
    rank = np.arange(int(kept_offsets[-1])) - kept_offsets[:-1][route]
    span = (counts - 1)[route]
    last = np.maximum(keep - 1, 1)[route]
    index = offsets[:-1][route] + np.rint(rank * span / last).astype(np.int64)
    return points[index], kept_offsets


def _has_route(df: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.bool_]]:
    if POLYLINE_COLUMN not in df.columns:
        return np.zeros(len(df), dtype=bool)
    encoded = df[POLYLINE_COLUMN].astype("string")
    return (encoded.notna() & (encoded.str.len() > 0)).to_numpy(dtype=bool, na_value=False)


def without_gps(df: pd.DataFrame) -> pd.DataFrame:
    """The activities that have no route to draw, with a short reason, newest first as given.

    Columns: ``id, name, sport_type, local_date, reason`` (+ ``strava_url`` when present).
    Reasons: "Manual entry", "Indoor trainer", "Virtual activity", "No GPS route" (not
    recorded, or hidden by the athlete's privacy settings).
    """
    lacking = df[~_has_route(df)]
    reason = pd.Series("No GPS route", index=lacking.index, dtype="string")
    if "sport_type" in lacking.columns:
        virtual = lacking["sport_type"].astype("string").str.startswith("Virtual")
        reason[virtual.fillna(False).to_numpy(dtype=bool)] = "Virtual activity"
    for column, text in (("trainer", "Indoor trainer"), ("manual", "Manual entry")):
        if column in lacking.columns:
            reason[lacking[column].astype("boolean").fillna(False).to_numpy(dtype=bool)] = text
    out = pd.DataFrame(
        {
            "id": lacking["id"],
            "name": lacking["name"].astype("string") if "name" in lacking.columns else pd.NA,
            "sport_type": sports(lacking).astype("string"),
            "local_date": local_days(lacking),
            "reason": reason,
        },
        index=lacking.index,
    )
    if "strava_url" in lacking.columns:
        out["strava_url"] = lacking["strava_url"]
    return out.reset_index(drop=True)


def _view(lat: FloatArray, lon: FloatArray) -> dict[str, Any]:
    """Centre and zoom that frame most points (1st-99th percentile: one trip abroad must not
    zoom the athlete's home area out to a continent)."""
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return {"center": {"lat": 0.0, "lon": 0.0}, "zoom": 1}
    q = [1, 99] if ok.sum() >= 200 else [0, 100]
    lat_lo, lat_hi = np.percentile(lat[ok], q)
    lon_lo, lon_hi = np.percentile(lon[ok], q)
    # Web Mercator stretches latitude by 1/cos(lat): compare like with like.
    stretch = 1 / max(math.cos(math.radians((lat_lo + lat_hi) / 2)), 0.1)
    lon_span = max(float(lon_hi - lon_lo), 1e-4)
    lat_span = max(float(lat_hi - lat_lo) * stretch, 1e-4)
    zoom = min(
        math.log2(_MAP_PX[0] * 360 / (_TILE_PX * lon_span)),
        math.log2(_MAP_PX[1] * 360 / (_TILE_PX * lat_span)),
    )
    return {
        "center": {"lat": float(lat_lo + lat_hi) / 2, "lon": float(lon_lo + lon_hi) / 2},
        "zoom": round(min(max(zoom - 0.3, 0.0), 16.0), 2),
    }


def map_style() -> str:
    """The basemap: ``DASH_MAP_STYLE`` when it names one of :data:`MAP_STYLES`."""
    chosen = os.environ.get("DASH_MAP_STYLE", "").strip()
    return chosen if chosen in MAP_STYLES else MAP_STYLE


def _map_layout(
    fig: go.Figure,
    lat: FloatArray,
    lon: FloatArray,
    view: dict[str, Any] | None = None,
    **layout: Any,
) -> go.Figure:
    settings: dict[str, Any] = {
        "map": {"style": map_style(), **(view or _view(lat, lon))},
        "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
        "height": 600,
    }
    return base_layout(fig, **(settings | layout))


def _route_texts(
    df: pd.DataFrame, units: Units, rows: IntArray, copies: IntArray
) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Hover text of the given rows (name, local date, distance; how many more share the
    route). Only the routes that get a hover marker are formatted: 20,000 strings and
    dates cost half a second."""
    chosen = df.iloc[rows]
    distance = distance_values(chosen, units)
    unit = label_for("distance", units)
    days = local_days(chosen)
    # A long account has several activities a day: format each day once.
    unique_days = days.drop_duplicates()
    labels = dict(zip(unique_days, date_labels(unique_days), strict=True))
    texts = [
        f"<b>{name}</b><br>{labels[day]}"
        + (f" · {d:,.1f} {unit}" if d == d else "")
        + (f"<br>and {more - 1:,} more on this route" if more > 1 else "")
        for name, day, d, more in zip(
            escaped_names(chosen), days, distance, copies.tolist(), strict=True
        )
    ]
    return np.array(texts, dtype=object)


def routes_figure(
    df: pd.DataFrame,
    *,
    units: Units = "metric",
    max_points: int = MAX_POINTS,
    mode: MapMode = "routes",
    hover_points: int = HOVER_POINTS,
    cache: MutableMapping[str, FloatArray] | None = None,
    tiles: Callable[[RouteRaster], str] | None = None,
) -> go.Figure:
    """All routes on an OpenStreetMap basemap, coloured by sport; or start-point density.

    ``mode="routes"``: per sport (most activities first) one ``Scattermap`` line trace with
    the routes separated by NaN, then one trace of invisible hover markers (name, local date,
    distance) sharing its legend entry. Routes are first snapped to a grid of one pixel at
    two zoom levels past the fitted view (``map_simplify``: a point that stays in its
    predecessor's cell is dropped, endpoints kept), and routes of one sport whose snapped
    points coincide are drawn once (the hover says how many more share it). Then at most
    ``max_points`` route points are drawn (separators not counted), thinned evenly with
    every route's endpoints kept. Hover markers are a sample of those points, at most
    ``hover_points``, at least one per drawn route while the budget allows: a hover text on
    every vertex would make 10,000 routes a payload of tens of MB. Coordinates are sent as
    float32 (under 2 m of error, half the bytes).
    ``tiles``: when the routes would be thinned (more than ``max_points`` points after the
    snapping), and a way to serve tiles is given, every point of every distinct route goes
    into a :class:`~strava_dash.route_tiles.RouteRaster` instead, ``tiles(raster)`` names
    its XYZ tile URL, and the figure draws it as a raster layer under the hover markers
    (the legend then names the sports but cannot hide them: they are one image).
    ``mode="starts"``: one ``Densitymap`` of start points binned to a grid ("where do I ride
    most"). ``fig.layout.meta`` holds ``routes`` (activities drawn), ``shapes`` (distinct
    routes drawn), ``points`` (drawn), ``points_total`` (decoded) and ``without_gps``
    (activities with no route, listed by :func:`without_gps`).
    Needs ``map_summary_polyline``, ``name``, ``sport_type``, ``local_date``, distance;
    starts also use ``start_lat``/``start_lng``.
    """
    if df.empty:
        return empty_figure()
    has_route = _has_route(df)
    routed = df[has_route]
    if routed.empty:
        return empty_figure(NO_GPS_MESSAGE)
    if mode == "starts":
        return _starts_figure(routed, units, int((~has_route).sum()), cache)
    routes = routed[POLYLINE_COLUMN].astype(object).tolist()
    points, offsets = decode_polylines(routes, cache=cache)
    view = _view(points[:, 0], points[:, 1])
    cell = map_simplify.cell_size(float(view["zoom"]), float(view["center"]["lat"]))
    simple, simple_offsets = map_simplify.snap_simplify(points, offsets, cell)
    sport = sports(routed).to_numpy()
    sport_codes = pd.factorize(sport)[0].astype(np.int64)
    _, copies = map_simplify.distinct_routes(simple, simple_offsets, cell, sport_codes)
    counts = np.where(copies > 0, np.diff(simple_offsets), 0)
    raster = None
    if tiles is not None and int(counts.sum()) > max_points:
        distinct = np.flatnonzero(copies > 0)
        names = pd.unique(sport[distinct])
        raster = _raster(points, offsets, distinct, sport, copies, list(names))
    # Tiles draw every route: the budget then bounds only what is sent (hover markers).
    budget = counts if raster is not None else point_budget(counts, max_points)
    kept, kept_offsets = thin(simple, simple_offsets, budget)
    kept_counts = np.diff(kept_offsets)
    # A route needs a few markers to be hoverable along its length, not one per vertex:
    # each marker repeats the route's text.
    wanted = np.minimum(kept_counts, HOVER_PER_ROUTE)
    hover, hover_offsets = thin(kept, kept_offsets, point_budget(wanted, hover_points, minimum=1))
    hover_counts = np.diff(hover_offsets)
    hovered = np.flatnonzero(hover_counts > 0)
    # Texts only for routes with a marker; hover_text[i] is route hovered[i]'s.
    hover_text = _route_texts(routed, units, hovered, copies[hovered])
    hover_route = np.repeat(np.arange(len(hovered)), hover_counts[hovered])
    drawn = kept_counts > 0
    on_marker = sport[hovered][hover_route]

    def hover_trace(name: str, on_sport: np.ndarray[Any, np.dtype[np.bool_]]) -> go.Scattermap:
        return go.Scattermap(
            lat=hover[on_sport, 0].astype(np.float32),
            lon=hover[on_sport, 1].astype(np.float32),
            mode="markers",
            name=f"{name} (hover)" if name else "Routes (hover)",
            legendgroup=name or None,
            showlegend=False,
            marker={"size": 8, "color": sport_colour(name) if name else "#000000", "opacity": 0},
            text=hover_text[hover_route[on_sport]],
            hovertext=escaped_sports(on_marker[on_sport]),
            hovertemplate="%{text}<extra>%{hovertext}</extra>",
        )

    fig = go.Figure()
    for name in pd.Series(sport[drawn]).value_counts().index:
        chosen = np.flatnonzero(drawn & (sport == name))
        if raster is None:
            lat, lon = _joined(kept, kept_offsets, chosen)
        else:
            lat = lon = np.array([np.nan], dtype=np.float32)  # the legend's entry only
        fig.add_trace(
            go.Scattermap(
                lat=lat,
                lon=lon,
                mode="lines",
                name=f"{name} ({int(copies[chosen].sum()):,})",
                legendgroup=str(name),
                line={"color": sport_colour(str(name)), "width": 2},
                opacity=0.75,
                hoverinfo="skip",
            )
        )
        if raster is None:
            # In the sport's legend group: hiding a sport hides its hover too.
            fig.add_trace(hover_trace(str(name), on_marker == name))
    if raster is not None:
        # Tiles are one image (the legend cannot hide a sport): one trace of markers for
        # every sport, since each plotly trace is four MapLibre sources to load and draw.
        fig.add_trace(hover_trace("", np.ones(len(on_marker), dtype=bool)))
    meta = {
        "routes": int(copies[drawn].sum()),
        "shapes": int(drawn.sum()),
        "points": int(kept_offsets[-1]) if raster is None else raster.points,
        "points_total": int(offsets[-1]),
        "without_gps": int((~has_route).sum()),
        "tiles": raster is not None,
    }
    fig = _map_layout(fig, kept[:, 0], kept[:, 1], view, meta=meta)
    if raster is not None and tiles is not None:
        layer = {"sourcetype": "raster", "source": [tiles(raster)], "below": "traces"}
        fig.update_layout(map_layers=[layer], legend={"itemclick": False, "itemdoubleclick": False})
    return fig


def _raster(
    points: FloatArray,
    offsets: IntArray,
    routes: IntArray,
    sport: np.ndarray[Any, Any],
    copies: IntArray,
    names: list[Any],
) -> RouteRaster:
    """Every point of the given routes, coloured by sport, weighted by their copies."""
    counts = np.diff(offsets)[routes]
    starts = offsets[:-1][routes]
    index = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    code = {name: i for i, name in enumerate(names)}
    palette = np.array([_rgb(sport_colour(str(name))) for name in names], dtype=np.uint8)
    return RouteRaster.build(
        points[index],
        np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        np.array([code[name] for name in sport[routes]], dtype=np.int64),
        palette,
        weight=copies[routes].astype(np.float64),
    )


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as an (r, g, b) triple."""
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def escaped_sports(values: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Each value's sport name escaped for a hover label (each distinct name escaped once)."""
    names, codes = np.unique(values.astype(str), return_inverse=True)
    return np.array([escape_hover(str(n)) for n in names], dtype=object)[codes]


def _joined(
    points: FloatArray, offsets: IntArray, routes: IntArray
) -> tuple[np.ndarray[Any, np.dtype[np.float32]], np.ndarray[Any, np.dtype[np.float32]]]:
    """The given routes end to end, one NaN (a gap) between consecutive routes; float32."""
    counts = (offsets[1:] - offsets[:-1])[routes]
    ordinal = np.repeat(np.arange(len(routes)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    source = offsets[:-1][routes][ordinal] + within
    target = np.arange(len(source)) + ordinal
    size = len(source) + max(len(routes) - 1, 0)
    lat = np.full(size, np.nan, dtype=np.float32)
    lon = np.full(size, np.nan, dtype=np.float32)
    lat[target] = points[source, 0]
    lon[target] = points[source, 1]
    return lat, lon


def _starts_figure(
    routed: pd.DataFrame,
    units: Units,
    lacking: int,
    cache: MutableMapping[str, FloatArray] | None,
) -> go.Figure:
    lat = _column(routed, "start_lat")
    lon = _column(routed, "start_lng")
    missing = ~(np.isfinite(lat) & np.isfinite(lon))
    if missing.any():
        # Start coordinates left out of the record: the route's first point is the start.
        routes = routed[POLYLINE_COLUMN].astype(object)[missing].tolist()
        first, offsets = decode_polylines(routes, cache=cache)
        has_point = np.diff(offsets) > 0
        at = np.flatnonzero(missing)[has_point]
        lat[at] = first[offsets[:-1][has_point], 0]
        lon[at] = first[offsets[:-1][has_point], 1]
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    lat, lon = lat[ok], lon[ok]
    view = _view(lat, lon)
    # Starts binned to cells of one pixel at the fitted view, weighted by how many start
    # there: the heat looks the same (the kernel is 12 px wide) and 20,000 starts from a few
    # hundred places become a few hundred points with one text each, not 20,000.
    cell = map_simplify.cell_size(float(view["zoom"]), float(view["center"]["lat"]), headroom=0)
    cells = np.floor(np.column_stack((lat, lon)) / np.array(cell)).astype(np.int64)
    _, where, counts = np.unique(cells, axis=0, return_index=True, return_counts=True)
    order = np.argsort(where)  # newest first, as the activities are
    place, counts = where[order], counts[order]
    hover: dict[str, Any] = {"hovertemplate": "%{z:,.0f} starts here<extra></extra>"}
    if len(place) <= START_TEXTS:
        # Few places (the usual: most starts are at home): name the latest start of each.
        hover = {
            "text": _start_texts(routed.iloc[ok[place]], units, counts),
            "hovertemplate": "%{text}<extra>start</extra>",
        }
    fig = go.Figure(
        go.Densitymap(
            lat=lat[place].astype(np.float32),
            lon=lon[place].astype(np.float32),
            z=counts.astype(np.float32),
            radius=12,
            colorscale="YlOrRd",
            showscale=False,
            name="Starts",
            **hover,
        )
    )
    meta = {"routes": len(ok), "places": len(place), "without_gps": lacking}
    return _map_layout(fig, lat, lon, view, meta=meta)


def _start_texts(
    newest: pd.DataFrame, units: Units, counts: IntArray
) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Per start place: how many start there, and the newest of them (name, date, distance)."""
    latest = _route_texts(newest, units, np.arange(len(newest)), np.ones(len(newest), np.int64))
    texts = [
        text if count == 1 else f"<b>{count:,} starts</b>, the latest:<br>{text}"
        for text, count in zip(latest.tolist(), counts.tolist(), strict=True)
    ]
    return np.array(texts, dtype=object)


def _column(df: pd.DataFrame, name: str) -> FloatArray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    values: FloatArray = pd.to_numeric(df[name], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return values


def route_figure(
    route: str | Sequence[Sequence[float]] | FloatArray | None,
    *,
    name: str | None = None,
    sport_type: str = "Ride",
) -> go.Figure:
    """One activity's route: the line plus start (green) and finish (dark) markers.

    ``route`` is an encoded polyline (``map_summary_polyline`` or the detailed ``map.polyline``)
    or the ``latlng`` stream's ``data`` (``[[lat, lng], ...]``). No points: the empty state.
    Traces: route, start, finish.
    """
    if isinstance(route, str):
        try:
            latlng = np.asarray(polyline.decode(route), dtype=np.float64).reshape(-1, 2)
        except (IndexError, ValueError, TypeError):
            latlng = np.zeros((0, 2))
    elif route is None:
        latlng = np.zeros((0, 2))
    else:
        latlng = np.asarray(route, dtype=np.float64).reshape(-1, 2)
    latlng = latlng[np.isfinite(latlng).all(axis=1)]
    if len(latlng) == 0:
        return empty_figure(NO_ROUTE_MESSAGE)
    label = escape_hover(name) if name else "Route"
    colour = sport_colour(sport_type)
    fig = go.Figure(
        [
            go.Scattermap(
                lat=latlng[:, 0],
                lon=latlng[:, 1],
                mode="lines",
                name=label,
                line={"color": colour, "width": 4},
                hoverinfo="skip",
            ),
            go.Scattermap(
                lat=latlng[:1, 0],
                lon=latlng[:1, 1],
                mode="markers",
                name="Start",
                marker={"size": 14, "color": "#2F9E44"},
                hovertemplate="Start<extra></extra>",
            ),
            go.Scattermap(
                lat=latlng[-1:, 0],
                lon=latlng[-1:, 1],
                mode="markers",
                name="Finish",
                marker={"size": 14, "color": "#212529"},
                hovertemplate="Finish<extra></extra>",
            ),
        ]
    )
    return _map_layout(fig, latlng[:, 0], latlng[:, 1], height=480)
