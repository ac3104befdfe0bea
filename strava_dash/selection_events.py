"""Plotly selection events (as Streamlit hands them over) -> selection specs. Pure.

Streamlit's ``st.plotly_chart(on_select="rerun")`` gives ``{"points": [...], "box":
[...], "lasso": [...]}``: points carry ``x``, ``y``, ``customdata``, a box ``{"xref",
"yref", "x": [x0, x1], "y": [y0, y1]}``, a lasso the same with the polygon's vertices.
The map is drawn by a component of its own, which returns the shape drawn in degrees
(:func:`map_shape`). Anything malformed gives None (nothing selected), never an error:
the event comes from the browser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

import pandas as pd

from strava_dash.charts.volume import Period
from strava_dash.geo_select import Vertex
from strava_dash.selection import (
    WEEKDAYS,
    CalendarSelection,
    HistogramSelection,
    MapMode,
    MapSelection,
    Panel,
    ScatterSelection,
    VolumeSelection,
    WhenSelection,
    YearsSelection,
)
from strava_dash.selection_codec import MAX_VERTICES
from strava_dash.units import Units

Event = Mapping[str, Any]
_REFERENCE: Final = pd.Timestamp(2000, 1, 1)
_EPOCH: Final = datetime(1970, 1, 1)
_ROWS_PER_YEAR: Final = 8
# A lasso longer than this is not a mouse gesture: refused before any work on it.
MAX_MAP_VERTICES_IN: Final = 100_000


def _list(event: Event, key: str) -> list[Any]:
    value = event.get(key) if isinstance(event, Mapping) else None
    return list(value) if isinstance(value, list | tuple) else []


def _points(event: Event) -> list[Mapping[str, Any]]:
    return [p for p in _list(event, "points") if isinstance(p, Mapping)]


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _span(values: object) -> tuple[float, float] | None:
    if not isinstance(values, list | tuple) or len(values) < 2:
        return None
    numbers = [_float(v) for v in values]
    clean = [n for n in numbers if n is not None]
    return (min(clean), max(clean)) if len(clean) >= 2 else None


def _last_shape(event: Event) -> tuple[str, Mapping[str, Any]] | None:
    """The lasso or box drawn last (a lasso wins when both are present)."""
    for kind in ("lasso", "box"):
        shapes = [s for s in _list(event, kind) if isinstance(s, Mapping)]
        if shapes:
            return kind, shapes[-1]
    return None


def is_empty(event: Event) -> bool:
    """True when the event selects nothing (no points, no box, no lasso)."""
    return not (_points(event) or _list(event, "box") or _list(event, "lasso"))


def _date_of(value: object) -> date | None:
    """A point's x on a date axis: "YYYY-MM-DD[ HH:MM…]" or milliseconds since 1970."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return (_EPOCH + timedelta(milliseconds=value)).date()
        except (OverflowError, ValueError):  # NaN, infinite or beyond year 9999
            return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _period_start(day: date, period: Period) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def volume(event: Event, period: Period) -> VolumeSelection | None:
    """Clicked or boxed bars -> (period start, sport) cells.

    The sport is the bar trace's ``legendgroup`` (Streamlit copies the trace's into each
    point; the average line has none, so it is ignored), the period is the one holding the
    point's x: a click reports the bar's first day, a box the middle of its period.
    """
    cells: set[tuple[date, str]] = set()
    for point in _points(event):
        sport = point.get("legendgroup")
        day = _date_of(point.get("x"))
        if isinstance(sport, str) and sport and day is not None:
            cells.add((_period_start(day, period), sport))
    return VolumeSelection(period, frozenset(cells)) if cells else None


def _reference_days(low: float, high: float) -> tuple[int, int] | None:
    first = max(0, math.ceil(low))
    last = min(365, math.floor(high))
    return (first, last) if first <= last else None


def _day_of(value: object) -> float | None:
    number = _float(value)
    if number is not None:
        # Plotly's date axes count milliseconds since 1970.
        return (number - _REFERENCE.value / 1e6) / 86_400_000
    moment = pd.to_datetime(str(value), errors="coerce")
    if not isinstance(moment, pd.Timestamp) or pd.isna(moment):
        return None
    return float((moment - _REFERENCE) / pd.Timedelta(days=1))


def years(event: Event) -> YearsSelection | None:
    """A box on the year-over-year chart (x is a date on the reference year) -> day window."""
    shape = _last_shape(event)
    if shape is not None:
        xs = [_day_of(v) for v in _list(shape[1], "x")]
    else:
        xs = [_day_of(p.get("x")) for p in _points(event)]
    clean = [x for x in xs if x is not None]
    if not clean:
        return None
    window = _reference_days(min(clean), max(clean))
    return YearsSelection(*window) if window else None


def _cells_in_box(shape: Mapping[str, Any], rows: int, columns: int) -> list[tuple[int, int]]:
    """Cells (row, column) whose centres lie in the box: heatmap cells sit on integers."""
    xs, ys = _span(shape.get("x")), _span(shape.get("y"))
    if xs is None or ys is None:
        return []
    cols = range(max(0, math.ceil(xs[0])), min(columns - 1, math.floor(xs[1])) + 1)
    return [
        (r, c)
        for r in range(max(0, math.ceil(ys[0])), min(rows - 1, math.floor(ys[1])) + 1)
        for c in cols
    ]


def _calendar_day(row: int, week: int, shown_years: Sequence[int]) -> date | None:
    block, weekday = divmod(row, _ROWS_PER_YEAR)
    weekday -= 1  # the first row of a block carries the year's label
    if weekday < 0 or not 0 <= block < len(shown_years):
        return None
    first = date(shown_years[block], 1, 1)
    day = first + timedelta(days=week * 7 + weekday - first.weekday())
    return day if day.year == first.year else None


def calendar(event: Event, shown_years: Sequence[int]) -> CalendarSelection | None:
    """Clicked or boxed cells of the calendar heatmap -> local days.

    ``shown_years`` are the figure's years, newest first (the blocks top to bottom).
    Points of any trace but the heatmap (trace 0; after it the gutter lines and the
    weekday labels, which a box at the left edge can catch) are ignored.
    """
    cells: list[tuple[int, int]] = []
    for point in _points(event):
        if point.get("curve_number", 0) != 0:
            continue
        x, y = _float(point.get("x")), _float(point.get("y"))
        if x is not None and y is not None:
            cells.append((round(y), round(x)))
    shape = _last_shape(event)
    if shape is not None:
        cells += _cells_in_box(shape[1], len(shown_years) * _ROWS_PER_YEAR, 54)
    days = {d for r, c in cells if (d := _calendar_day(r, c, shown_years)) is not None}
    return CalendarSelection(frozenset(days)) if days else None


def when(event: Event) -> WhenSelection | None:
    """Clicked or boxed weekday × hour cells (categories "Mon"… and "00"…"23")."""
    cells: set[tuple[int, int]] = set()
    for point in _points(event):
        hour, day = str(point.get("x", "")), str(point.get("y", ""))
        if hour.isdigit() and int(hour) < 24 and day in WEEKDAYS:
            cells.add((WEEKDAYS.index(day), int(hour)))
    shape = _last_shape(event)
    if shape is not None:
        cells |= set(_cells_in_box(shape[1], 7, 24))
    return WhenSelection(frozenset(cells)) if cells else None


def _panel_of(shape: Mapping[str, Any], panels: Sequence[Panel]) -> Panel | None:
    ref = str(shape.get("xref", "x"))
    suffix = ref[1:]
    index = int(suffix) - 1 if suffix.isdigit() else 0
    return panels[index] if 0 <= index < len(panels) else None


def scatter(event: Event, panels: Sequence[Panel], units: Units) -> ScatterSelection | None:
    """A box or lasso on a panel of the distance × speed/pace scatter.

    ``panels`` are the figure's panels left to right (its subplot titles).
    """
    shape = _last_shape(event)
    if shape is None:
        return None
    kind, drawn = shape
    panel = _panel_of(drawn, panels)
    xs, ys = _list(drawn, "x"), _list(drawn, "y")
    x, y = _span(xs), _span(ys)
    if panel is None or x is None or y is None:
        return None
    polygon: tuple[tuple[float, float], ...] = ()
    if kind == "lasso":
        pairs = [(_float(a), _float(b)) for a, b in zip(xs, ys, strict=False)]
        polygon = tuple((a, b) for a, b in pairs if a is not None and b is not None)
        if len(polygon) < 3:
            return None
    return ScatterSelection(panel, units, x, y, polygon)


def histogram(event: Event, units: Units) -> HistogramSelection | None:
    """Clicked or boxed histogram bars -> their bins, from each bar's customdata."""
    ranges: set[tuple[float, float]] = set()
    for point in _points(event):
        data = point.get("customdata")
        if isinstance(data, list | tuple) and len(data) == 3:
            low, high = _float(data[1]), _float(data[2])
            if low is not None and high is not None and low < high:
                ranges.add((low, high))
    return HistogramSelection(units, tuple(sorted(ranges))) if ranges else None


def _degrees(value: object, limit: float) -> float | None:
    number = _float(value)
    return number if number is not None and abs(number) <= limit else None


def _map_range(values: object, limit: float) -> tuple[float, float] | None:
    """Two finite numbers within ±``limit``, low first; None when not exactly that."""
    if not isinstance(values, list | tuple) or len(values) != 2:
        return None
    a, b = _degrees(values[0], limit), _degrees(values[1], limit)
    if a is None or b is None or a == b:
        return None
    return (min(a, b), max(a, b))


def _thin(vertices: Sequence[Vertex], most: int) -> list[Vertex]:
    if len(vertices) <= most:
        return list(vertices)
    step = len(vertices) / most
    return [vertices[int(i * step)] for i in range(most)]


def _map_polygon(values: object) -> tuple[Vertex, ...] | None:
    """``[[lat, lng], ...]`` -> vertices; any vertex out of range rejects the whole lasso.

    A lng > 90 in the lat place is how a swapped (lng, lat) list shows; it is refused, not
    guessed at. Repeated consecutive vertices (a mouse that paused) are dropped.
    """
    if not isinstance(values, list | tuple) or not 3 <= len(values) <= MAX_MAP_VERTICES_IN:
        return None
    vertices: list[Vertex] = []
    for pair in values:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            return None
        lat, lng = _degrees(pair[0], 90.0), _degrees(pair[1], 180.0)
        if lat is None or lng is None:
            return None
        if not vertices or vertices[-1] != (lat, lng):
            vertices.append((lat, lng))
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()  # closed by repeating the first vertex: the polygon closes itself
    if len(set(vertices)) < 3:
        return None
    return tuple(_thin(vertices, MAX_VERTICES))


def map_shape(value: object, mode: MapMode = "routes") -> MapSelection | None:
    """The shape drawn on the map component -> a map selection (None for anything else).

    ``{"kind": "box", "lat": [south, north], "lng": [west, east]}`` or ``{"kind": "lasso",
    "polygon": [[lat, lng], ...]}`` (see :mod:`strava_dash.ui.map_component`). Degrees out of
    range, NaN, a flat box or fewer than three distinct vertices select nothing; a lasso of
    thousands of vertices is thinned to :data:`~strava_dash.selection_codec.MAX_VERTICES`
    (what a bookmark keeps), and one beyond :data:`MAX_MAP_VERTICES_IN` is refused unread.
    """
    if not isinstance(value, Mapping):
        return None
    kind = value.get("kind")
    if kind == "box":
        lat, lng = _map_range(value.get("lat"), 90.0), _map_range(value.get("lng"), 180.0)
        if lat is None or lng is None:
            return None
        return MapSelection(mode, lat, lng)
    if kind == "lasso":
        polygon = _map_polygon(value.get("polygon"))
        if polygon is None:
            return None
        lats, lngs = [v[0] for v in polygon], [v[1] for v in polygon]
        if min(lats) == max(lats) or min(lngs) == max(lngs):
            return None
        return MapSelection(mode, (min(lats), max(lats)), (min(lngs), max(lngs)), polygon)
    return None


def map_cleared(value: object) -> bool:
    """True when the map component reports a deselection (a double click on the map)."""
    return isinstance(value, Mapping) and value.get("kind") == "clear"


def map_shape_value(selection: MapSelection) -> dict[str, Any]:
    """The map's selection in the component's own terms, to draw it back (:func:`map_shape`)."""
    if selection.polygon:
        return {"kind": "lasso", "polygon": [[lat, lng] for lat, lng in selection.polygon]}
    return {"kind": "box", "lat": list(selection.lat), "lng": list(selection.lng)}
