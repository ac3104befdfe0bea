"""Frozen copy (before issue 14), for benchmarks.charts only.

When the athlete trains: a GitHub-style calendar per year and a weekday × hour heatmap."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from strava_dash.charts.style import (
    Measure,
    base_layout,
    dated,
    distance_values,
    empty_figure,
    escaped_names,
    format_measure,
    local_days,
    measure_title,
    measure_values,
    sports,
)
from strava_dash.units import Units, label_for

WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_EMPTY_CELL: Final = "#EBEDF0"
# Zero is grey, anything above zero starts at a visible light green (GitHub's look).
_CALENDAR_SCALE: Final = [
    [0.0, _EMPTY_CELL],
    [1e-9, "#C6F6D5"],
    [0.5, "#40C057"],
    [1.0, "#1B5E20"],
]
_HOUR_SCALE: Final = [[0.0, _EMPTY_CELL], [1e-9, "#D0EBFF"], [1.0, "#1864AB"]]
_PANEL_PX: Final = 150
_GAP_PX: Final = 45
# Days beyond this many activities are summarised, so one busy day cannot swamp the tooltip.
_MAX_LISTED: Final = 8


def _day_texts(df: pd.DataFrame, units: Units) -> pd.DataFrame:
    """Per local day: the hover list of that day's activities ("• Name — 12.3 km (Ride)")."""
    distance = distance_values(df, units)
    unit = label_for("distance", units)
    dist_text = np.where(np.isfinite(distance) & (distance > 0), distance, np.nan)
    pieces = pd.Series(
        [
            f"• {name} — {d:,.1f} {unit} ({sport})" if d == d else f"• {name} ({sport})"
            for name, d, sport in zip(escaped_names(df), dist_text, sports(df), strict=True)
        ],
        index=df.index,
        dtype=object,
    )
    frame = pd.DataFrame({"day": local_days(df).to_numpy(), "line": pieces.to_numpy()})
    # Oldest first within the day, like a diary.
    if "start_date_local" in df.columns:
        frame["start"] = pd.to_datetime(df["start_date_local"]).to_numpy()
        frame = frame.sort_values("start", kind="stable")

    def join(lines: pd.Series[str]) -> str:
        items = list(lines)
        if len(items) > _MAX_LISTED:
            extra = len(items) - _MAX_LISTED
            items = [*items[:_MAX_LISTED], f"… and {extra} more"]
        return "<br>".join(items)

    return frame.groupby("day")["line"].agg(join).to_frame("lines")


def calendar_heatmap_figure(
    df: pd.DataFrame, *, measure: Measure = "distance", units: Units = "metric"
) -> go.Figure:
    """One GitHub-style panel per year (newest on top): a cell per day, coloured by its total.

    Columns are ISO weeks (Monday first), rows weekdays. Days without activity are grey; the
    colour scale tops out at the 95th percentile of active days so one epic day does not wash
    out the rest. Hover lists the day's activities. One heatmap trace per year, sharing one
    colour axis. Needs ``local_date``, ``name``, ``sport_type``, distance and the measure.
    """
    df = dated(df)
    if df.empty:
        return empty_figure()
    days = local_days(df)
    totals = (
        pd.Series(measure_values(df, measure, units), index=days.to_numpy()).groupby(level=0).sum()
    )
    texts = _day_texts(df, units)["lines"]
    years = sorted({int(y) for y in pd.DatetimeIndex(totals.index).year}, reverse=True)
    height = len(years) * _PANEL_PX + (len(years) - 1) * _GAP_PX + 90
    fig = make_subplots(
        rows=len(years),
        cols=1,
        subplot_titles=[str(y) for y in years],
        vertical_spacing=_GAP_PX / height if len(years) > 1 else 0.0,
    )
    for row, year in enumerate(years, start=1):
        z, text, month_cols = _year_grid(year, totals, texts, measure, units)
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=np.arange(z.shape[1]),
                y=list(WEEKDAYS),
                text=text,
                hovertemplate="%{text}<extra></extra>",
                coloraxis="coloraxis",
                xgap=3,
                ygap=3,
                name=str(year),
            ),
            row=row,
            col=1,
        )
        fig.update_xaxes(
            tickvals=month_cols, ticktext=list(_MONTHS), showgrid=False, row=row, col=1
        )
        fig.update_yaxes(autorange="reversed", showgrid=False, row=row, col=1)
    positive = totals[totals > 0]
    top = float(positive.quantile(0.95)) if len(positive) else 1.0
    return base_layout(
        fig,
        height=height,
        plot_bgcolor="white",
        coloraxis={
            "colorscale": _CALENDAR_SCALE,
            "cmin": 0.0,
            "cmax": max(top, 1e-6),
            "colorbar": {"title": {"text": measure_title(measure, units)}, "len": 0.6},
        },
    )


def _year_grid(
    year: int,
    totals: pd.Series[float],
    texts: pd.Series[str],
    measure: Measure,
    units: Units,
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], list[list[str]], list[int]]:
    """z (7 weekdays × weeks; NaN outside the year), hover text, and each month's first column."""
    first = pd.Timestamp(year, 1, 1)
    dates = pd.date_range(first, pd.Timestamp(year, 12, 31), freq="D")
    monday = first - pd.Timedelta(days=first.weekday())
    cols = np.asarray((dates - monday).days // 7)
    rows = np.asarray(dates.day_of_week)
    z = np.full((7, int(cols.max()) + 1), np.nan)
    values = totals.reindex(dates, fill_value=0.0).to_numpy(dtype=np.float64)
    z[rows, cols] = values
    text = [[""] * z.shape[1] for _ in range(7)]
    lines: list[Any] = texts.reindex(dates).tolist()
    for day, row, col, value, listed in zip(dates, rows, cols, values, lines, strict=True):
        head = f"<b>{day:%a %d %b %Y}</b>"
        if isinstance(listed, str):
            text[row][col] = f"{head}: {format_measure(float(value), measure, units)}<br>{listed}"
        else:
            text[row][col] = f"{head}: no activity"
    month_cols = [int(cols[(dates.month == m).argmax()]) for m in range(1, 13)]
    return z, text, month_cols


def weekday_hour_figure(df: pd.DataFrame) -> go.Figure:
    """Heatmap of activity starts: weekday (rows, Monday on top) × local hour of day (columns).

    Uses ``start_date_local`` (naive local wall clock), so a 7 am ride is at 7 wherever it was.
    One trace; z are counts.
    """
    if df.empty:
        return empty_figure()
    starts = pd.to_datetime(df["start_date_local"])
    valid = starts.notna().to_numpy(dtype=bool)
    if not valid.any():
        return empty_figure()
    weekday = starts.dt.day_of_week.to_numpy()[valid].astype(int)
    hour = starts.dt.hour.to_numpy()[valid].astype(int)
    counts = np.zeros((7, 24), dtype=np.int64)
    np.add.at(counts, (weekday, hour), 1)
    text = [
        [
            f"{WEEKDAYS[d]} {h:02d}:00–{(h + 1) % 24:02d}:00<br>"
            f"{counts[d, h]} activit{'y' if counts[d, h] == 1 else 'ies'}"
            for h in range(24)
        ]
        for d in range(7)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=counts,
            x=[f"{h:02d}" for h in range(24)],
            y=list(WEEKDAYS),
            text=text,
            hovertemplate="%{text}<extra></extra>",
            colorscale=_HOUR_SCALE,
            zmin=0,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "Activities"}},
            name="Starts",
        )
    )
    return base_layout(
        fig,
        plot_bgcolor="white",
        xaxis={"title": "Hour of day (local time)", "type": "category", "showgrid": False},
        yaxis={"autorange": "reversed", "type": "category", "showgrid": False},
        height=340,
    )
