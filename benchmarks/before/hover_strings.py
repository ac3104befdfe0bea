"""Frozen copy (main at 1518b76, before the 55-year payload work), for benchmarks.charts only.

The calendar heatmap with a date string in every day's hover text, and the volume bars with
a formatted hover string and a ``[start, sport]`` customdata per bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strava_dash.charts.calendar import WEEKDAYS, _calendar_layout, _grid, _weekday_labels
from strava_dash.charts.calendar_days import MAX_LISTED, ROWS_PER_YEAR, WEEKS
from strava_dash.charts.style import (
    Measure,
    base_layout,
    dated,
    empty_figure,
    escaped_names,
    format_measure,
    local_days,
    measure_title,
    measure_unit,
    measure_values,
    sport_colour,
)
from strava_dash.charts.volume import _XPERIOD, Period, volume_table
from strava_dash.units import Units

__all__ = ["WEEKDAYS", "calendar_heatmap_figure", "volume_figure"]

Days = np.ndarray[Any, np.dtype[np.datetime64]]
Ints = np.ndarray[Any, np.dtype[np.int64]]
Floats = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class CalendarDays:
    """One entry per day of every year shown (newest year first, then day by day)."""

    years: Ints
    """The years shown, newest first: those with at least one activity."""
    day: Days
    row: Ints
    """Row in the figure: the year's block, then 1 + weekday (Monday = 0)."""
    week: Ints
    """Column: weeks since the Monday on or before 1 January."""
    total: Floats
    count: Ints
    text: np.ndarray[Any, np.dtype[np.object_]]
    """Hover text: "01 Jan 2024<br>2 activities: Name, Name" (see _hover_texts)."""


def calendar_days(df: pd.DataFrame, measure: Measure, units: Units) -> CalendarDays:
    """Every day of every year with an activity in ``df`` (rows with a local day only)."""
    days = local_days(df).to_numpy(dtype="datetime64[D]")
    totals = pd.Series(measure_values(df, measure, units)).groupby(days).agg(["sum", "size"])
    active = totals.index.to_numpy(dtype="datetime64[D]")
    years = np.unique(active.astype("datetime64[Y]"))[::-1]
    first = years.astype("datetime64[D]")
    length = ((years + 1).astype("datetime64[D]") - first).astype(np.int64)
    offset = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    day = np.repeat(first, length) + offset
    # numpy's day 0, 1970-01-01, was a Thursday: shifted by 3, Monday is 0.
    weekday = (day.astype(np.int64) + 3) % 7
    first_weekday = np.repeat((first.astype(np.int64) + 3) % 7, length)
    at = np.searchsorted(active, day)
    found = (at < len(active)) & (active[np.minimum(at, len(active) - 1)] == day)
    total = np.zeros(len(day))
    count = np.zeros(len(day), dtype=np.int64)
    total[found] = totals["sum"].to_numpy(dtype=np.float64)[at[found]]
    count[found] = totals["size"].to_numpy(dtype=np.int64)[at[found]]
    block = np.repeat(np.arange(len(years)), length)
    names = _listed_names(df, days).reindex(pd.Index(day)).to_numpy()
    return CalendarDays(
        years=years.astype(np.int64) + 1970,
        day=day,
        row=block * ROWS_PER_YEAR + 1 + weekday,
        week=(offset + first_weekday) // 7,
        total=total,
        count=count,
        text=_hover_texts(day, count, names),
    )


def _listed_names(df: pd.DataFrame, days: Days) -> pd.Series[Any]:
    """Per local day with activities: its first names, oldest first, and how many more."""
    start = (
        pd.to_datetime(df["start_date_local"]).to_numpy()
        if "start_date_local" in df.columns
        else days
    )
    order = np.lexsort((start, days))
    frame = pd.DataFrame({"day": days[order], "name": escaped_names(df).to_numpy()[order]})
    rank = frame.groupby("day").cumcount().to_numpy()
    size = frame.groupby("day")["name"].transform("size").to_numpy()
    kept = frame[rank < MAX_LISTED].assign(rank=rank[rank < MAX_LISTED])
    # One column per rank, added column-wise: a few vectorised string additions instead of
    # a Python join per day.
    wide = kept.pivot(index="day", columns="rank", values="name")
    joined = wide[0].astype(object)
    for column in wide.columns[1:]:
        joined = joined + (", " + wide[column].astype(object)).fillna("")
    more = pd.Series(size - MAX_LISTED, index=frame["day"]).groupby(level=0).first()
    tail = ("<br>and " + more.astype(str) + " more").where(more > 0, "")
    return joined + tail


def _hover_texts(
    day: Days, count: Ints, names: np.ndarray[Any, Any]
) -> np.ndarray[Any, np.dtype[np.object_]]:
    """ "01 Jan 2024" alone on a day without activity, "…<br>Name" on a day with one,
    "…<br>A, B" on a day with two and "…<br>A, B<br>and 1 more" on a busier one.

    ASCII only: the JSON Streamlit sends escapes any other character in six bytes. No
    "3 activities:" count: the names and "and N more" already say how many, and on 55
    dense years the count was 6 % of the figure (it took the moving-time calendar over
    1 MB); nor the weekday, which labels the cell's row.
    """
    dates = pd.Series(pd.DatetimeIndex(day).strftime("%d %b %Y"), dtype=object)
    listed = dates + "<br>" + pd.Series(names, dtype=object)
    return np.where(count > 0, listed.to_numpy(dtype=object), dates.to_numpy(dtype=object))


def _hover_template(measure: Measure, units: Units) -> str:
    """The day's total in format_measure's units and decimals, then the date and names (``text``).

    The total comes from z (and hours:minutes from customdata) through plotly's own number
    formats, so no per-day string carries it over the websocket.
    """
    unit = measure_unit(measure, units)
    if measure == "count":
        value = "%{z:,d}"
    elif measure == "moving_time":
        value = "%{customdata[0]}:%{customdata[1]:02d} h"
    else:
        value = f"%{{z:,.{1 if measure == 'distance' else 0}f}} {unit}"
    return f"<b>{value}</b> on %{{text}}<extra></extra>"


def calendar_heatmap_figure(
    df: pd.DataFrame, *, measure: Measure = "distance", units: Units = "metric"
) -> go.Figure:
    """Every year with activities (newest on top) as a GitHub-style block, a cell per day.

    One heatmap trace, however many years: each year is 7 weekday rows (Monday on top) under
    a blank row with the year's label; columns are weeks, the first holding 1 January. z is
    the day's total (NaN outside the year); days without activity are grey. The colour scale
    tops out at the 95th percentile of active days so one epic day does not wash out the rest.
    Hover: the total, the date, the count and the first names. Needs ``local_date``, ``name``
    and the measure's column.

    Drawn for the browser's sake (55 dense years are 20,000 cells): the heatmap has no
    ``xgap``/``ygap``, so plotly.js paints it as one small image, a pixel per cell, scaled
    up (with gaps it paints every brick on a canvas the size of the plot and encodes it as a
    PNG); the gutters are one white line trace over it (``_grid``). The weekday labels are a
    text trace (``_weekday_labels``), not y-axis ticks: plotly.js lays out tick labels in
    time that grows with their square (385 at 55 years took 1.5-2.5 s). Traces after the
    first are neither hovered nor selected.
    """
    df = dated(df)
    if df.empty:
        return empty_figure()
    cal = calendar_days(df, measure, units)
    shape = (len(cal.years) * ROWS_PER_YEAR, WEEKS)
    z = np.full(shape, np.nan, dtype=np.float32)
    z[cal.row, cal.week] = cal.total
    text = np.full(shape, "", dtype=object)
    text[cal.row, cal.week] = cal.text
    extra: dict[str, Any] = {}
    if measure == "moving_time":
        minutes = np.round(cal.total * 60.0).astype(np.int64)
        # One byte each: a day beyond 255 hours would be a recording error.
        hm = np.zeros((*shape, 2), dtype=np.uint8)
        hours = np.minimum(minutes // 60, 255)
        hm[cal.row, cal.week] = np.column_stack((hours, minutes % 60))
        extra["customdata"] = hm
    positive = cal.total[cal.total > 0]
    top = float(np.quantile(positive, 0.95)) if len(positive) else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            hovertemplate=_hover_template(measure, units),
            hoverongaps=False,
            coloraxis="coloraxis",
            name="Calendar",
            **extra,
        )
    )
    fig.add_trace(_grid(len(cal.years)))
    fig.add_trace(_weekday_labels(len(cal.years)))
    return base_layout(fig, **_calendar_layout(cal.years, top, measure, units))


def _period_labels(starts: pd.DatetimeIndex, period: Period) -> list[str]:
    if period == "week":
        return [f"Week of {d:%a %d %b %Y}" for d in starts]
    if period == "month":
        return [f"{d:%B %Y}" for d in starts]
    return [f"{d:%Y}" for d in starts]


def volume_figure(
    df: pd.DataFrame,
    *,
    period: Period = "week",
    measure: Measure = "distance",
    units: Units = "metric",
    rolling: int = 4,
) -> go.Figure:
    """Stacked bars of a measure per period, one trace per sport, plus a rolling-average line.

    Needs ``local_date``, ``sport_type`` and the measure's column. The line is the mean of the
    total over the last ``rolling`` periods (zero periods included); ``rolling < 2`` omits it.
    Traces: one bar per sport (largest first, so at the bottom), then the line. Each bar's
    ``customdata`` is ``[period start "YYYY-MM-DD", sport]``: a selection event names the
    bucket itself, whatever trace order the browser saw.
    """
    df = dated(df)
    if df.empty:
        return empty_figure()
    table = volume_table(df, period=period, measure=measure, units=units)
    labels = _period_labels(pd.DatetimeIndex(table.index), period)
    x = table.index
    starts = [f"{d:%Y-%m-%d}" for d in pd.DatetimeIndex(x)]
    fig = go.Figure()
    for sport in table.columns:
        values = table[sport].to_numpy(dtype=np.float64)
        hover = [
            f"{label}<br>{sport}: {format_measure(v, measure, units)}"
            for label, v in zip(labels, values, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=x,
                y=values,
                name=str(sport),
                marker_color=sport_colour(str(sport)),
                hovertext=hover,
                hoverinfo="text",
                customdata=[[start, str(sport)] for start in starts],
                xperiod=_XPERIOD[period],
                xperiodalignment="middle",
            )
        )
    if rolling >= 2:
        total = table.sum(axis=1)
        average = total.rolling(rolling, min_periods=1).mean().to_numpy(dtype=np.float64)
        name = f"{rolling}-{period} average"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=average,
                name=name,
                mode="lines",
                line={"color": "#212529", "width": 2},
                hovertext=[
                    f"{label}<br>{name}: {format_measure(v, measure, units)}"
                    for label, v in zip(labels, average, strict=True)
                ],
                hoverinfo="text",
                xperiod=_XPERIOD[period],
                xperiodalignment="middle",
            )
        )
    return base_layout(
        fig,
        barmode="stack",
        bargap=0.15,
        # Plotly lists stacked bars top-down by default; keep the biggest sport first.
        legend_traceorder="normal",
        yaxis_title=measure_title(measure, units),
        xaxis_title=period.capitalize(),
        hovermode="closest",
    )
