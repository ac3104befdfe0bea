"""Distribution and trend: distance against speed (pace for foot sports), and distance counts."""

from __future__ import annotations

import itertools
import math
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from strava_dash.activities import FOOT_SPORTS
from strava_dash.charts.style import (
    base_layout,
    distance_values,
    empty_figure,
    escape_hover,
    escaped_names,
    floats,
    local_days,
    pace_ticks,
    sport_colour,
    sports,
)
from strava_dash.units import Units, column_for, label_for

SPEED_PANEL: Final = "Speed — rides and other sports"
PACE_PANEL: Final = "Pace — foot sports"
_NICE_STEPS: Final = (1.0, 2.0, 2.5, 5.0)
# d3-time-format of the hover's day, as style.date_labels writes it: "Mon 04 Mar 2024".
DAY_FORMAT: Final = "%a %d %b %Y"
# Room for the y tick labels and title (left) and x tick labels and title (bottom) in
# Streamlit's theme, so plotly.js need not grow the margins and draw the figure a second
# time. Measured in Chromium: speeds need 67 px on the left, counts to 9,999 79; 90 leaves
# room for a pace axis ("10:00") when only foot sports are shown.
FITTED_MARGIN: Final = {"l": 90, "b": 70}


def _is_foot(df: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.bool_]]:
    if "is_foot" in df.columns:
        return df["is_foot"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return sports(df).isin(FOOT_SPORTS).to_numpy(dtype=bool)


def _pace_seconds(df: pd.DataFrame, units: Units) -> np.ndarray[Any, np.dtype[np.float64]]:
    pace = pd.to_timedelta(df[column_for("pace", units)])
    return floats(pace.dt.total_seconds())


def _iso_days(df: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Local days as "YYYY-MM-DD" (the hover formats them), "" for a missing day."""
    days = local_days(df).to_numpy(dtype="datetime64[D]")
    iso = np.datetime_as_string(days, unit="D").astype(object)
    iso[np.isnat(days)] = ""
    return iso


def pace_clock(pace: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
    """Pace in whole seconds as clock rows (uint16) for the hover: ``[minutes, seconds]``
    when every pace is under an hour, else ``[hours, minutes, seconds]`` (see PACE_CLOCKS)."""
    total = np.round(pace).astype(np.int64)
    minutes, seconds = np.divmod(total, 60)
    if total.size == 0 or total.max() < 3600:
        return np.column_stack((minutes, seconds)).astype(np.uint16)
    hours, minutes = np.divmod(minutes, 60)
    return np.column_stack((hours, minutes, seconds)).astype(np.uint16)


# The hover of a pace_clock row, by its length: "5:30", or "1:02:05" rather than "62:05".
PACE_CLOCKS: Final = {
    2: "%{customdata[0]}:%{customdata[1]:02d}",
    3: "%{customdata[0]}:%{customdata[1]:02d}:%{customdata[2]:02d}",
}


def _pace_groups(
    rows: np.ndarray[Any, np.dtype[np.bool_]], pace: np.ndarray[Any, np.dtype[np.float64]]
) -> list[np.ndarray[Any, np.dtype[np.bool_]]]:
    """A sport's rows split into paces under an hour and the rest, empty parts dropped.

    A template cannot leave out a zero hour, so the rare paces of an hour or more (a walk
    with a long stop) get a trace of their own, in the same legend group.
    """
    slow = np.round(pace) >= 3600
    return [part for part in (rows & ~slow, rows & slow) if part.any()]


def speed_scatter_figure(df: pd.DataFrame, *, units: Units = "metric") -> go.Figure:
    """Distance (x) against average speed, in two panels when both kinds of sport are present.

    Left: speed (km/h or mph) of non-foot sports. Right: pace (m:ss per km or mi) of foot
    sports, on a reversed axis so faster is up. One WebGL scatter trace per sport (a sport is
    in one panel only), and a second, legend-less one in its legend group for paces of an
    hour or more (shown h:mm:ss). Activities without distance or speed are left out. Hover:
    name, local date, distance and speed/pace. Needs ``name``, ``sport_type``, ``is_foot``,
    ``local_date``, distance, ``average_speed_*`` and ``pace_per_*``.

    Light to send (issue 14): x and y are float32, the escaped name is ``text``, the local
    day ``hovertext`` as "YYYY-MM-DD" (the hovertemplate writes it "Mon 04 Mar 2024"), speed
    comes from y through a number format, and pace from ``customdata`` ``[minutes,
    seconds]`` (or ``[hours, minutes, seconds]``, uint16); no formatted string per point.
    """
    if df.empty:
        return empty_figure()
    distance = distance_values(df, units)
    speed = floats(df[column_for("speed", units)])
    pace = _pace_seconds(df, units)
    foot = _is_foot(df)
    ok_distance = np.isfinite(distance) & (distance > 0)
    speed_ok = ok_distance & ~foot & np.isfinite(speed) & (speed > 0)
    pace_ok = ok_distance & foot & np.isfinite(pace) & (pace > 0)
    if not (speed_ok.any() or pace_ok.any()):
        return empty_figure("No activities with distance and speed match the filters")
    panels = [name for name, ok in ((SPEED_PANEL, speed_ok), (PACE_PANEL, pace_ok)) if ok.any()]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels, horizontal_spacing=0.1)
    names = escaped_names(df).to_numpy()
    days = _iso_days(df)
    sport = sports(df).to_numpy()
    dist_unit = label_for("distance", units)
    speed_unit = label_for("speed", units)
    pace_unit = label_for("pace", units)
    head = f"<b>%{{text}}</b><br>%{{hovertext|{DAY_FORMAT}}}<br>%{{x:,.1f}} {dist_unit} · "
    for col, panel in enumerate(panels, start=1):
        mask = speed_ok if panel == SPEED_PANEL else pace_ok
        y = speed if panel == SPEED_PANEL else pace
        for name in pd.Series(sport[mask]).value_counts().index:
            sport_rows = mask & (sport == name)
            parts = [sport_rows] if panel == SPEED_PANEL else _pace_groups(sport_rows, pace)
            label = escape_hover(str(name))
            for part, rows in enumerate(parts):
                extra: dict[str, Any] = {}
                if panel == SPEED_PANEL:
                    shown = f"%{{y:.1f}} {speed_unit}"
                else:
                    clock = pace_clock(y[rows])
                    shown = f"{PACE_CLOCKS[clock.shape[1]]} {pace_unit}"
                    extra["customdata"] = clock
                fig.add_trace(
                    go.Scattergl(
                        x=distance[rows].astype(np.float32),
                        y=y[rows].astype(np.float32),
                        mode="markers",
                        name=str(name),
                        legendgroup=str(name),
                        showlegend=part == 0,
                        marker={"color": sport_colour(str(name)), "size": 7, "opacity": 0.7},
                        text=names[rows],
                        hovertext=days[rows],
                        hovertemplate=f"{head}{shown}<extra>{label}</extra>",
                        **extra,
                    ),
                    row=1,
                    col=col,
                )
        fig.update_xaxes(title_text=f"Distance ({dist_unit})", row=1, col=col)
        if panel == SPEED_PANEL:
            fig.update_yaxes(title_text=f"Average speed ({speed_unit})", row=1, col=col)
        else:
            values = pace[pace_ok]
            tickvals, ticktext = pace_ticks(float(values.min()), float(values.max()))
            fig.update_yaxes(
                title_text=f"Pace ({pace_unit})",
                autorange="reversed",
                tickvals=tickvals,
                ticktext=ticktext,
                row=1,
                col=col,
            )
    # Legend above the panel titles, not on top of them. The left and bottom margins already
    # hold the tick labels and axis titles: when plotly.js has to widen them itself it draws
    # the whole figure again, 20,000 WebGL points included.
    return base_layout(
        fig,
        height=480,
        hovermode="closest",
        margin=FITTED_MARGIN | {"t": 90},
        legend={"y": 1.12},
    )


def nice_bin_width(span: float, *, target: int = 30) -> float:
    """A round bin width (1, 2, 2.5 or 5 × 10^k) giving at most about ``target`` bins."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / target
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next((s * magnitude for s in _NICE_STEPS if s * magnitude >= raw), 10.0 * magnitude)


def distance_histogram_figure(df: pd.DataFrame, *, units: Units = "metric") -> go.Figure:
    """Histogram of activity distances, stacked by sport, with round bins starting at 0.

    Bars are precomputed (one ``Bar`` trace per sport, most activities first), so the counts
    are in ``trace.y`` and every sport shares the same bins. Activities without a distance
    (gym sessions, manual entries) are left out. Needs ``sport_type`` and distance. Each
    bar's ``customdata`` is ``[range text, low, high]`` (the bin, in display units), so a
    selection event carries its bin's edges.
    """
    if df.empty:
        return empty_figure()
    distance = distance_values(df, units)
    ok = np.isfinite(distance) & (distance > 0)
    if not ok.any():
        return empty_figure("No activities with a distance match the filters")
    values = distance[ok]
    sport = sports(df).to_numpy()[ok]
    width = nice_bin_width(float(values.max()))
    edges = np.arange(0.0, values.max() + width, width)
    if edges[-1] <= values.max():
        edges = np.append(edges, edges[-1] + width)
    centres = (edges[:-1] + edges[1:]) / 2
    unit = label_for("distance", units)
    ranges = [[f"{lo:g}–{hi:g} {unit}", lo, hi] for lo, hi in itertools.pairwise(edges)]
    fig = go.Figure()
    for name in pd.Series(sport).value_counts().index:
        counts, _ = np.histogram(values[sport == name], bins=edges)
        fig.add_trace(
            go.Bar(
                x=centres,
                y=counts,
                width=width,
                name=str(name),
                marker_color=sport_colour(str(name)),
                customdata=ranges,
                hovertemplate=f"%{{customdata[0]}}<br>{name}: %{{y}}<extra></extra>",
            )
        )
    return base_layout(
        fig,
        margin=FITTED_MARGIN,
        barmode="stack",
        bargap=0.05,
        legend_traceorder="normal",
        xaxis_title=f"Distance ({unit})",
        yaxis_title="Activities",
        hovermode="closest",
    )
