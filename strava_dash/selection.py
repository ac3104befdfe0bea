"""Visual filters: what the athlete selects on a chart or the map, as data. Pure: no Streamlit.

Each kind of selection is a frozen dataclass holding *shapes, ranges and cells in the
chart's own terms* (period buckets, days, weekday × hour cells, a box or lasso in the
chart's units, a box or lasso in degrees), never activity ids: the same selection means
the same thing after a sync, on another device, or from a bookmarked URL
(:mod:`strava_dash.selection_codec`). :func:`selection_mask` turns any number of them
into one boolean mask over the activity frame (AND of all), vectorised.

Local times are the naive ``start_date_local`` wall clock (and ``local_date`` from it),
so a DST change day needs no special case: a 07:30 start is in hour 7 on either side of it.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any, ClassVar, Final, Literal

import numpy as np
import pandas as pd

from strava_dash.activities import FOOT_SPORTS
from strava_dash.charts.style import format_pace, local_days, sports
from strava_dash.charts.volume import Period, period_start
from strava_dash.charts.years import reference_day
from strava_dash.geo_select import BoolArray, FloatArray, Vertex, in_polygon, in_range
from strava_dash.maps import POLYLINE_COLUMN, decode_polylines
from strava_dash.units import M_PER_KM, M_PER_MI, Units, column_for, label_for

ChartName = Literal["volume", "years", "calendar", "when", "scatter", "histogram", "map"]
Panel = Literal["speed", "pace"]
MapMode = Literal["routes", "starts"]
RouteCache = MutableMapping[str, FloatArray]

CHART_TITLES: Final[dict[ChartName, str]] = {
    "volume": "Volume",
    "years": "Year over year",
    "calendar": "Calendar",
    "when": "When you train",
    "scatter": "Distance against speed",
    "histogram": "Distances",
    "map": "Map",
}
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MI_PER_KM: Final = M_PER_KM / M_PER_MI
# The reference leap year of the year-over-year chart (day 0 = 1 January).
_REFERENCE: Final = pd.Timestamp(2000, 1, 1)


def _none(df: pd.DataFrame) -> BoolArray:
    return np.zeros(len(df), dtype=bool)


def _floats(df: pd.DataFrame, column: str) -> FloatArray:
    if column not in df.columns:
        return np.full(len(df), np.nan)
    values = df[column]
    if pd.api.types.is_timedelta64_dtype(values.dtype):
        values = values.dt.total_seconds()
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _days(df: pd.DataFrame) -> pd.Series[pd.Timestamp]:
    if "local_date" not in df.columns and "start_date_local" not in df.columns:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return local_days(df)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def int_runs(values: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted distinct integers as inclusive runs: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for _, group in groupby(enumerate(sorted(set(values))), key=lambda p: p[1] - p[0]):
        members = [v for _, v in group]
        out.append((members[0], members[-1]))
    return out


def _listed(items: Sequence[str], most: int = 3) -> str:
    if len(items) <= most:
        return ", ".join(items)
    return ", ".join(items[:most]) + f" +{len(items) - most}"


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.0f}"


# -- volume ----------------------------------------------------------------------------


def period_index(day: date, period: Period) -> int:
    """A period start as a small integer (weeks since 5 Jan 1970, months, years)."""
    if period == "week":
        return (date.toordinal(day) - date(1970, 1, 5).toordinal()) // 7
    if period == "month":
        return day.year * 12 + day.month - 1
    return day.year


def period_from_index(index: int, period: Period) -> date:
    """The inverse of :func:`period_index`; raises ValueError outside the calendar."""
    if period == "week":
        return date.fromordinal(date(1970, 1, 5).toordinal() + 7 * index)
    if period == "month":
        return date(index // 12, index % 12 + 1, 1)
    return date(index, 1, 1)


def _period_label(day: date, period: Period, *, year: bool = True) -> str:
    if period == "week":
        return f"week of {day:%d %b %Y}" if year else f"week of {day:%d %b}"
    if period == "month":
        return f"{day:%b %Y}" if year else f"{day:%b}"
    return f"{day:%Y}"


def _span_label(starts: Sequence[date], period: Period) -> str:
    """ "Jun–Aug 2024" for consecutive periods, "Jun 2024" for one, a count otherwise."""
    indexes = sorted({period_index(d, period) for d in starts})
    runs = int_runs(indexes)
    if len(runs) != 1:
        return _plural(len(indexes), period)
    first, last = (period_from_index(i, period) for i in runs[0])
    if first == last:
        return _period_label(first, period)
    same_year = first.year == last.year and period == "month"
    return f"{_period_label(first, period, year=not same_year)}–{_period_label(last, period)}"


@dataclass(frozen=True)
class VolumeSelection:
    """Bars of the volume chart: (first day of the week/month/year, sport type) cells."""

    period: Period
    cells: frozenset[tuple[date, str]]
    chart: ClassVar[ChartName] = "volume"

    def matches(self, df: pd.DataFrame, routes: RouteCache | None = None) -> BoolArray:
        days = _days(df)
        if not self.cells or days.isna().all():
            return _none(df)
        valid = days.notna().to_numpy(dtype=bool)
        starts = period_start(days.fillna(pd.Timestamp(0)), self.period)
        # Integer keys (period index × sports + sport code): no per-row strings or tuples.
        codes, names = pd.factorize(sports(df))
        width = len(names) + 1
        keys = _period_keys(starts, self.period) * width + codes
        code_of = {str(name): i for i, name in enumerate(names)}
        wanted = [
            period_index(day, self.period) * width + code_of[sport]
            for day, sport in self.cells
            if sport in code_of
        ]
        return np.isin(keys, np.asarray(wanted, dtype=np.int64)) & valid

    def describe(self, units: Units) -> str:
        del units
        if not self.cells:
            return "nothing"
        starts = sorted({d for d, _ in self.cells})
        names = sorted({s for _, s in self.cells})
        return f"{_span_label(starts, self.period)}, {_listed(names)}"


def _period_keys(starts: pd.Series[pd.Timestamp], period: Period) -> np.ndarray[Any, Any]:
    if period == "week":
        days = starts.to_numpy(dtype="datetime64[D]").astype(np.int64)
        return (days - 4) // 7  # 1970-01-05, the first Monday, is day 4
    if period == "month":
        return (starts.dt.year * 12 + starts.dt.month - 1).to_numpy(dtype=np.int64)
    return starts.dt.year.to_numpy(dtype=np.int64)


# -- year over year ----------------------------------------------------------------------


@dataclass(frozen=True)
class YearsSelection:
    """A window of calendar days (every year) on the year-over-year chart's x axis.

    Days are places on the reference leap year, 0 (1 Jan) to 365 (31 Dec), as the chart
    draws them, so 1 March is day 60 in every year.
    """

    first_day: int
    last_day: int
    chart: ClassVar[ChartName] = "years"

    def matches(self, df: pd.DataFrame, routes: RouteCache | None = None) -> BoolArray:
        days = _days(df)
        valid = days.notna().to_numpy(dtype=bool)
        if not valid.any():
            return _none(df)
        place = reference_day(pd.DatetimeIndex(days.fillna(_REFERENCE)))
        lo, hi = sorted((self.first_day, self.last_day))
        return valid & (place >= lo) & (place <= hi)

    def describe(self, units: Units) -> str:
        del units
        lo, hi = sorted((self.first_day, self.last_day))
        first = _REFERENCE + pd.Timedelta(days=lo)
        last = _REFERENCE + pd.Timedelta(days=hi)
        if lo == hi:
            return f"{first:%d %b} of every year"
        return f"{first:%d %b}–{last:%d %b} of every year"


# -- calendar ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarSelection:
    """Local calendar days picked on the calendar heatmap (a click or a box of cells)."""

    days: frozenset[date]
    chart: ClassVar[ChartName] = "calendar"

    def matches(self, df: pd.DataFrame, routes: RouteCache | None = None) -> BoolArray:
        days = _days(df)
        if not self.days:
            return _none(df)
        wanted = np.array(sorted(self.days), dtype="datetime64[D]")
        values = days.to_numpy(dtype="datetime64[D]")
        return np.isin(values, wanted)

    def describe(self, units: Units) -> str:
        del units
        if not self.days:
            return "no days"
        ordinals = sorted(d.toordinal() for d in self.days)
        runs = int_runs(ordinals)
        first, last = date.fromordinal(ordinals[0]), date.fromordinal(ordinals[-1])
        if first == last:
            return f"{first:%a %d %b %Y}"
        if len(runs) == 1:
            return f"{first:%d %b %Y}–{last:%d %b %Y}"
        return f"{_plural(len(ordinals), 'day')} between {first:%d %b %Y} and {last:%d %b %Y}"


# -- when you train ----------------------------------------------------------------------


@dataclass(frozen=True)
class WhenSelection:
    """Weekday × local start hour cells (0 = Monday; hours 0–23 on the wall clock)."""

    cells: frozenset[tuple[int, int]]
    chart: ClassVar[ChartName] = "when"

    def matches(self, df: pd.DataFrame, routes: RouteCache | None = None) -> BoolArray:
        if not self.cells or "start_date_local" not in df.columns:
            return _none(df)
        starts = pd.to_datetime(df["start_date_local"], errors="coerce")
        valid = starts.notna().to_numpy(dtype=bool)
        weekday = starts.dt.day_of_week.fillna(-1).to_numpy(dtype=np.int64)
        hour = starts.dt.hour.fillna(-1).to_numpy(dtype=np.int64)
        wanted = np.zeros(7 * 24, dtype=bool)
        for day, hour_of in self.cells:
            if 0 <= day < 7 and 0 <= hour_of < 24:
                wanted[day * 24 + hour_of] = True
        cell = np.where(valid, weekday * 24 + hour, 0)
        return valid & wanted[cell]

    def describe(self, units: Units) -> str:
        del units
        if not self.cells:
            return "no hours"
        days = sorted({d for d, _ in self.cells})
        hours = sorted({h for _, h in self.cells})
        if len(self.cells) == len(days) * len(hours):  # a rectangle of cells
            hour_runs = int_runs(hours)
            hour_text = ", ".join(f"{a:02d}:00–{(b + 1) % 24:02d}:00" for a, b in hour_runs)
            day_runs = int_runs(days)
            day_text = ", ".join(
                WEEKDAYS[a] if a == b else f"{WEEKDAYS[a]}–{WEEKDAYS[b]}" for a, b in day_runs
            )
            return f"{day_text} {hour_text}"
        return _plural(len(self.cells), "weekday-hour cell")


# -- distribution: scatter and histogram ---------------------------------------------------


def _distance(df: pd.DataFrame, units: Units) -> FloatArray:
    return _floats(df, column_for("distance", units))


def _foot(df: pd.DataFrame) -> BoolArray:
    if "is_foot" in df.columns:
        return df["is_foot"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return sports(df).isin(FOOT_SPORTS).to_numpy(dtype=bool)


def _scale(measure: Literal["distance", "speed", "pace"], source: Units, target: Units) -> float:
    """Factor turning a value in ``source`` units into ``target`` units."""
    if source == target:
        return 1.0
    per_km = _MI_PER_KM if target == "imperial" else 1.0 / _MI_PER_KM
    return 1.0 / per_km if measure == "pace" else per_km


def _range_text(
    low: float, high: float, measure: Literal["distance", "speed", "pace"], units: Units
) -> str:
    lo, hi = sorted((low, high))
    if measure == "pace":
        return f"pace {format_pace(lo)}–{format_pace(hi)} {label_for('pace', units)}"
    word = "" if measure == "distance" else "speed "
    return f"{word}{_number(lo)}–{_number(hi)} {label_for(measure, units)}"


@dataclass(frozen=True)
class ScatterSelection:
    """A box or lasso on one panel of the distance × speed/pace scatter, in its units.

    x is distance (km or mi); y is speed (km/h or mph) on the speed panel, pace (seconds
    per km or mi) on the pace panel. ``polygon`` empty means the box ``x`` × ``y``; a lasso
    also sets ``x``/``y`` to its bounding box. Only activities drawn on that panel match.
    """

    panel: Panel
    units: Units
    x: tuple[float, float]
    y: tuple[float, float]
    polygon: tuple[Vertex, ...] = ()
    chart: ClassVar[ChartName] = "scatter"

    def matches(self, df: pd.DataFrame, routes: RouteCache | None = None) -> BoolArray:
        distance = _distance(df, self.units)
        foot = _foot(df)
        if self.panel == "speed":
            y = _floats(df, column_for("speed", self.units))
            drawn = ~foot
        else:
            y = _floats(df, column_for("pace", self.units))
            drawn = foot
        with np.errstate(invalid="ignore"):
            drawn = drawn & (distance > 0) & (y > 0)
        inside = in_range(distance, *self.x) & in_range(y, *self.y)
        if self.polygon:
            inside &= in_polygon(distance, y, self.polygon)
        return drawn & inside

    def describe(self, units: Units) -> str:
        dist = _scale("distance", self.units, units)
        y_measure: Literal["speed", "pace"] = self.panel
        ys = _scale(y_measure, self.units, units)
        box = (
            f"distance {_range_text(self.x[0] * dist, self.x[1] * dist, 'distance', units)}, "
            f"{_range_text(self.y[0] * ys, self.y[1] * ys, y_measure, units)}"
        )
        return f"lasso within {box}" if self.polygon else box


@dataclass(frozen=True)
class HistogramSelection:
    """Distance bins of the histogram, each ``[low, high)`` in km or mi."""

    units: Units
    ranges: tuple[tuple[float, float], ...]
    chart: ClassVar[ChartName] = "histogram"

    def matches(self, df: pd.DataFrame, routes: RouteCache | None = None) -> BoolArray:
        distance = _distance(df, self.units)
        hit = _none(df)
        with np.errstate(invalid="ignore"):
            for low, high in self.ranges:
                lo, hi = sorted((low, high))
                hit |= (distance >= lo) & (distance < hi)
            return hit & (distance > 0)

    def describe(self, units: Units) -> str:
        if not self.ranges:
            return "no distances"
        scale = _scale("distance", self.units, units)
        merged = _merge_ranges(self.ranges)
        parts = [f"{_number(lo * scale)}–{_number(hi * scale)}" for lo, hi in merged]
        return f"distance {_listed(parts)} {label_for('distance', units)}"


def _merge_ranges(ranges: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(tuple(sorted(r)) for r in ranges):
        if out and lo <= out[-1][1] + 1e-9:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


# -- map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapSelection:
    """A box (``lat``/``lng`` ranges) or lasso (``polygon`` of (lat, lng)) on the map.

    ``starts``: the start point must be inside. ``routes``: the start point, or any point
    of the decoded summary polyline. Activities without GPS never match.
    """

    mode: MapMode
    lat: tuple[float, float]
    lng: tuple[float, float]
    polygon: tuple[Vertex, ...] = ()
    chart: ClassVar[ChartName] = "map"

    def _inside(self, lat: FloatArray, lng: FloatArray) -> BoolArray:
        hit = in_range(lat, *self.lat) & in_range(lng, *self.lng)
        if self.polygon and hit.any():
            at = np.flatnonzero(hit)
            hit[at] = in_polygon(lat[at], lng[at], self.polygon)
        return hit

    def matches(self, df: pd.DataFrame, routes: RouteCache | None = None) -> BoolArray:
        lat, lng = _floats(df, "start_lat"), _floats(df, "start_lng")
        if POLYLINE_COLUMN not in df.columns:
            return self._inside(lat, lng)
        encoded = df[POLYLINE_COLUMN].astype("string")
        # A record without start_latlng starts where its route starts (as the map draws it).
        lacking = np.flatnonzero(
            ~(np.isfinite(lat) & np.isfinite(lng))
            & encoded.notna().to_numpy(dtype=bool, na_value=False)
        )
        if len(lacking):
            first, offsets = decode_polylines(encoded.iloc[lacking].tolist(), cache=routes)
            has_point = np.diff(offsets) > 0
            lat[lacking[has_point]] = first[offsets[:-1][has_point], 0]
            lng[lacking[has_point]] = first[offsets[:-1][has_point], 1]
        hit = self._inside(lat, lng)
        if self.mode == "starts":
            return hit
        todo = np.flatnonzero(~hit & encoded.notna().to_numpy(dtype=bool, na_value=False))
        if len(todo) == 0:
            return hit
        points, offsets = decode_polylines(encoded.iloc[todo].tolist(), cache=routes)
        inside = self._inside(points[:, 0], points[:, 1])
        counts = np.diff(offsets)
        route_of = np.repeat(np.arange(len(todo)), counts)
        passes = np.bincount(route_of[inside], minlength=len(todo)) > 0
        hit[todo[passes]] = True
        return hit

    def describe(self, units: Units) -> str:
        del units
        shape = "a lasso" if self.polygon else "a box"
        lat = (self.lat[0] + self.lat[1]) / 2
        lng = (self.lng[0] + self.lng[1]) / 2
        north, east = ("N" if lat >= 0 else "S"), ("E" if lng >= 0 else "W")
        where = f"{abs(lat):.3f}°{north}, {abs(lng):.3f}°{east}"
        what = "starts" if self.mode == "starts" else "routes"
        return f"{what} in {shape} around {where}"


Selection = (
    VolumeSelection
    | YearsSelection
    | CalendarSelection
    | WhenSelection
    | ScatterSelection
    | HistogramSelection
    | MapSelection
)


def selection_mask(
    selections: Selection | Iterable[Selection],
    df: pd.DataFrame,
    *,
    routes: RouteCache | None = None,
) -> pd.Series[bool]:
    """Rows of ``df`` inside every selection (AND), as a bool Series on ``df``'s index.

    No selection selects everything. ``routes`` is the session's cache of decoded
    polylines (see :func:`strava_dash.maps.decode_polylines`), used by map selections.
    """
    items = [selections] if not isinstance(selections, Iterable) else list(selections)
    mask = np.ones(len(df), dtype=bool)
    for item in items:
        if not mask.any():
            break
        mask &= item.matches(df, routes)
    return pd.Series(mask, index=df.index, dtype=bool)


def apply_selections(
    df: pd.DataFrame, selections: Sequence[Selection], *, routes: RouteCache | None = None
) -> pd.DataFrame:
    """The rows of ``df`` inside every selection (``df`` itself when there is none)."""
    if not selections or df.empty:
        return df
    return df[selection_mask(selections, df, routes=routes).to_numpy()]


def chip_text(selection: Selection, units: Units, count: int) -> str:
    """ "Selected on Volume: Jun–Aug 2024, Ride · 87 activities"."""
    noun = "activity" if count == 1 else "activities"
    where = CHART_TITLES[selection.chart]
    return f"Selected on {where}: {selection.describe(units)} · {count:,} {noun}"


def replace_chart(selections: Sequence[Selection], new: Selection) -> list[Selection]:
    """The list with ``new`` instead of any earlier selection on the same chart (at the end)."""
    return [s for s in selections if s.chart != new.chart] + [new]
