"""What every figure shares: sport colours, the empty state, hover escaping, number formats.

Maps (:mod:`strava_dash.maps`) use the same colours, so a sport looks the same everywhere.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strava_dash.units import Units, column_for, label_for

Measure = Literal["distance", "moving_time", "elevation", "count"]
"""What a volume chart adds up (not :data:`strava_dash.units.Measure`, which names columns)."""

EMPTY_MESSAGE: Final = "No activities match the filters"
TEMPLATE: Final = "plotly_white"
UNKNOWN_SPORT: Final = "Other"

# Families share a hue (rides warm, foot sports blue/green, water purple, snow pink, gym grey)
# so related sports read as related; deliberately not Strava's single-orange look.
SPORT_COLOURS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Ride": "#E8590C",
        "GravelRide": "#B5651D",
        "MountainBikeRide": "#8C3B0F",
        "EBikeRide": "#F59F00",
        "EMountainBikeRide": "#C77700",
        "VirtualRide": "#FFA94D",
        "Velomobile": "#D6336C",
        "Handcycle": "#E67700",
        "Run": "#1C7ED6",
        "TrailRun": "#0B7285",
        "VirtualRun": "#74C0FC",
        "Walk": "#2F9E44",
        "Hike": "#5C940D",
        "Snowshoe": "#8CE99A",
        "Swim": "#15AABF",
        "Rowing": "#7048E8",
        "VirtualRow": "#B197FC",
        "Kayaking": "#5F3DC4",
        "Canoeing": "#845EF7",
        "StandUpPaddling": "#9775FA",
        "Surfing": "#3B5BDB",
        "Kitesurf": "#4C6EF5",
        "Windsurf": "#748FFC",
        "Sail": "#364FC7",
        "AlpineSki": "#C2255C",
        "BackcountrySki": "#A61E4D",
        "NordicSki": "#E64980",
        "Snowboard": "#F06595",
        "IceSkate": "#FAA2C1",
        "RollerSki": "#D6336C",
        "InlineSkate": "#AE3EC9",
        "Skateboard": "#BE4BDB",
        "WeightTraining": "#495057",
        "Workout": "#868E96",
        "Crossfit": "#343A40",
        "HighIntensityIntervalTraining": "#5C5F66",
        "Yoga": "#ADB5BD",
        "Pilates": "#A6A7AB",
        "Elliptical": "#6C757D",
        "StairStepper": "#909296",
    }
)
# Sports Strava adds later get a stable colour from their name (crc32, not hash(): that one
# changes between processes and the colour must not change between reruns).
_FALLBACK_COLOURS: Final = (
    "#099268",
    "#F76707",
    "#1864AB",
    "#862E9C",
    "#E03131",
    "#66A80F",
    "#0C8599",
    "#D9480F",
)

# Shown instead of a missing activity name in hover texts.
UNNAMED: Final = "(unnamed)"


def sport_colour(sport: str) -> str:
    """The hex colour of a sport type, the same in every chart and map."""
    known = SPORT_COLOURS.get(sport)
    if known is not None:
        return known
    return _FALLBACK_COLOURS[zlib.crc32(sport.encode("utf-8")) % len(_FALLBACK_COLOURS)]


def empty_figure(message: str = EMPTY_MESSAGE) -> go.Figure:
    """The empty state of every builder: no traces, one centred friendly annotation.

    Pages can test for it with :func:`is_empty` (or ``len(fig.data) == 0``).
    """
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#6C757D"},
    )
    fig.update_layout(
        template=TEMPLATE,
        height=260,
        xaxis={"visible": False},
        yaxis={"visible": False},
        margin={"l": 20, "r": 20, "t": 20, "b": 20},
    )
    return fig


def is_empty(fig: go.Figure) -> bool:
    """True for the empty state returned by every builder."""
    return len(fig.data) == 0


def base_layout(fig: go.Figure, **layout: Any) -> go.Figure:
    """Apply the common look (template, legend on top, compact margins) and extra layout."""
    fig.update_layout(
        template=TEMPLATE,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"align": "left"},
    )
    fig.update_layout(**layout)
    return fig


def escape_hover(text: str) -> str:
    """Escape a user string for plotly's hover/label pseudo-HTML.

    Plotly renders ``<b>``, ``<br>`` etc. and decodes ``&amp; &lt; &gt;`` but not ``&quot;``,
    so only ``& < >`` are escaped: quotes are plain text in an SVG label and stay as typed.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped_names(df: pd.DataFrame) -> pd.Series[str]:
    """Activity names escaped for hover texts; a missing name becomes "(unnamed)"."""
    if "name" not in df.columns:
        return pd.Series(UNNAMED, index=df.index, dtype=object)
    names = df["name"].astype("string").fillna(UNNAMED)
    names = names.mask(names.str.strip() == "", UNNAMED)
    escaped = names.str.replace("&", "&amp;", regex=False)
    escaped = escaped.str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False)
    return escaped.astype(object)


def sports(df: pd.DataFrame) -> pd.Series[str]:
    """The sport_type column as plain strings, NA becoming "Other"."""
    if "sport_type" not in df.columns:
        return pd.Series(UNKNOWN_SPORT, index=df.index, dtype=object)
    return df["sport_type"].astype("string").fillna(UNKNOWN_SPORT).astype(object)


def local_days(df: pd.DataFrame) -> pd.Series[pd.Timestamp]:
    """The local calendar day of each activity (``local_date``, else ``start_date_local``)."""
    if "local_date" in df.columns:
        return pd.to_datetime(df["local_date"]).dt.normalize()
    return pd.to_datetime(df["start_date_local"]).dt.normalize()


def dated(df: pd.DataFrame) -> pd.DataFrame:
    """The rows that have a local day (a start time); others cannot be placed on a calendar."""
    return df[local_days(df).notna().to_numpy(dtype=bool)]


def date_labels(days: pd.Series[pd.Timestamp]) -> pd.Series[str]:
    """Local dates as hover text, e.g. "Sat 01 Mar 2025"."""
    return days.dt.strftime("%a %d %b %Y").astype(object)


def floats(series: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A (nullable) numeric column as a float array, NA as NaN."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def column_floats(df: pd.DataFrame, column: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Like :func:`floats` for a column that may be absent (then all NaN)."""
    if column not in df.columns:
        return np.full(len(df), np.nan)
    return floats(df[column])


def distance_values(df: pd.DataFrame, units: Units) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Distance in km or mi (the schema's derived ``distance_km`` / ``distance_mi``)."""
    return floats(df[column_for("distance", units)])


def elevation_values(df: pd.DataFrame, units: Units) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Elevation gain in m or ft (``elevation_gain_m`` / ``elevation_gain_ft``)."""
    return floats(df[column_for("elevation", units)])


def measure_values(
    df: pd.DataFrame, measure: Measure, units: Units
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per-activity value of a measure: km/mi, hours, m/ft or 1 (count); NA counts as 0."""
    if measure == "distance":
        values = distance_values(df, units)
    elif measure == "elevation":
        values = elevation_values(df, units)
    elif measure == "moving_time":
        values = column_floats(df, "moving_time") / 3600.0
    else:
        values = np.ones(len(df))
    # A manual activity without distance still happened: it adds nothing rather than NaN.
    return np.where(np.isnan(values), 0.0, values)


def measure_unit(measure: Measure, units: Units) -> str:
    """Unit text of a measure: km/mi, h, m/ft, or "activities"."""
    if measure == "distance":
        return label_for("distance", units)
    if measure == "elevation":
        return label_for("elevation", units)
    if measure == "moving_time":
        return "h"
    return "activities"


def measure_title(measure: Measure, units: Units) -> str:
    """Axis title with unit, e.g. "Distance (km)", "Moving time (h)", "Activities"."""
    if measure == "count":
        return "Activities"
    name = {"distance": "Distance", "elevation": "Elevation gain", "moving_time": "Moving time"}
    return f"{name[measure]} ({measure_unit(measure, units)})"


def format_measure(value: float, measure: Measure, units: Units) -> str:
    """One value for hover text: "1,234.5 km", "12:05 h", "850 m", "3 activities"."""
    if measure == "moving_time":
        return f"{format_hmm(value * 3600.0)} h"
    if measure == "count":
        count = round(value)
        return f"{count:,} activit{'y' if count == 1 else 'ies'}"
    if measure == "elevation":
        return f"{value:,.0f} {measure_unit(measure, units)}"
    return f"{value:,.1f} {measure_unit(measure, units)}"


def format_hmm(seconds: float) -> str:
    """A duration as h:mm (minutes rounded), e.g. 3725 s -> "1:02"; NaN -> ""."""
    if not math.isfinite(seconds):
        return ""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60}:{minutes % 60:02d}"


def format_pace(seconds: float) -> str:
    """A pace or short duration as m:ss, e.g. 275 s -> "4:35"; hours shown when over 60 min."""
    if not math.isfinite(seconds):
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


# Tick steps for pace axes, in seconds: from 5 s up to an hour.
_PACE_STEPS: Final = (5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600)


def pace_ticks(low: float, high: float, *, target: int = 6) -> tuple[list[float], list[str]]:
    """Tick positions (s) and m:ss labels covering [low, high], about ``target`` of them.

    Plotly cannot format seconds as m:ss itself, so pace axes get explicit ticks.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        return [], []
    span = max(high - low, 1.0)
    step = next((s for s in _PACE_STEPS if span / s <= target), _PACE_STEPS[-1])
    first = math.floor(low / step) * step
    values = [float(v) for v in np.arange(first, high + step, step)]
    return values, [format_pace(v) for v in values]
