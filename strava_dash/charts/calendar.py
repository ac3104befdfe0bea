"""When the athlete trains: a GitHub-style calendar of every year and a weekday × hour heatmap."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strava_dash.charts.calendar_days import ROWS_PER_YEAR, WEEKS, CalendarDays, calendar_days
from strava_dash.charts.style import (
    Measure,
    base_layout,
    dated,
    empty_figure,
    measure_title,
    measure_unit,
)
from strava_dash.units import Units

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
_ROW_PX: Final = 19
# The white gutter between day cells, in pixels (GitHub's bricks).
_GAP_PX: Final = 3


# The day as YYYY-MM-DD from customdata's first four bytes (century, year in it, month,
# day): plotly's number formats write it, so no per-day date string is sent.
_DATE: Final = "%{customdata[0]}%{customdata[1]:02d}-%{customdata[2]:02d}-%{customdata[3]:02d}"


def _hover_template(measure: Measure, units: Units) -> str:
    """The day's total in format_measure's units and decimals, the date, then the names.

    The total comes from z (hours:minutes from customdata's last two bytes), the date from
    customdata, the names (``text``) are the only string per day; "" on a day without any
    (the tooltip then ends with an empty line).
    """
    unit = measure_unit(measure, units)
    if measure == "count":
        value = "%{z:,d}"
    elif measure == "moving_time":
        value = "%{customdata[4]}:%{customdata[5]:02d} h"
    else:
        value = f"%{{z:,.{1 if measure == 'distance' else 0}f}} {unit}"
    return f"<b>{value}</b> on {_DATE}<br>%{{text}}<extra></extra>"


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
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            customdata=_customdata(cal, shape, measure),
            hovertemplate=_hover_template(measure, units),
            hoverongaps=False,
            coloraxis="coloraxis",
            name="Calendar",
        )
    )
    positive = cal.total[cal.total > 0]
    top = float(np.quantile(positive, 0.95)) if len(positive) else 1.0
    fig.add_trace(_grid(len(cal.years)))
    fig.add_trace(_weekday_labels(len(cal.years)))
    return base_layout(fig, **_calendar_layout(cal.years, top, measure, units))


def _customdata(
    cal: CalendarDays, shape: tuple[int, int], measure: Measure
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """Per cell, one byte each: century, year in the century, month, day (the hover's date),
    then for moving time hours and minutes (h:mm). Cells outside the years stay 0 (never
    hovered: their z is NaN).

    A uint8 array travels as base64 (``bdata``): 4 bytes a day cost 5.3 characters of JSON,
    where "05 Jan 2024" in every day's text cost 14 (a third of the densest calendar).
    """
    stamp = pd.DatetimeIndex(cal.day)
    year = stamp.year.to_numpy()
    fields = [year // 100, year % 100, stamp.month.to_numpy(), stamp.day.to_numpy()]
    if measure == "moving_time":
        minutes = np.round(cal.total * 60.0).astype(np.int64)
        # A day beyond 255 hours would be a recording error.
        fields += [np.minimum(minutes // 60, 255), minutes % 60]
    data = np.zeros((*shape, len(fields)), dtype=np.uint8)
    data[cal.row, cal.week] = np.column_stack(fields)
    return data


def _grid(years: int) -> go.Scatter:
    """White lines between the cells, as xgap/ygap drew them: one path, whatever the years.

    A line on every row and week boundary of the blocks, ``_GAP_PX`` wide, so each cell
    keeps a gutter of that width. Each set is one zig-zag (there and back along the plot's
    edges, which are cell edges too, or across the blank label rows), so the path needs no
    breaks; float32 keeps the payload small (every coordinate is a multiple of 0.5).
    """
    rows = years * ROWS_PER_YEAR
    # The row boundaries of each block: above its Monday, …, below its Sunday.
    horizontal = (np.arange(years)[:, None] * ROWS_PER_YEAR + 0.5 + np.arange(8)[None, :]).ravel()
    vertical = np.arange(WEEKS + 1) - 0.5
    ends = np.array([[-0.5, WEEKS - 0.5], [WEEKS - 0.5, -0.5]])
    hx = ends[np.arange(len(horizontal)) % 2].ravel()
    hy = np.repeat(horizontal, 2)
    vx = np.repeat(vertical, 2)
    vy = np.array([[-0.5, rows - 0.5], [rows - 0.5, -0.5]])[np.arange(len(vertical)) % 2].ravel()
    return go.Scatter(
        x=np.concatenate((hx, [np.nan], vx)).astype(np.float32),
        y=np.concatenate((hy, [np.nan], vy)).astype(np.float32),
        mode="lines",
        line={"color": "white", "width": _GAP_PX},
        hoverinfo="skip",
        showlegend=False,
        name="grid",
    )


def _weekday_labels(years: int) -> go.Scatter:
    """Mon … Sun left of every block's rows: a text trace, cheap where 385 ticks are not.

    Row r (from 1) carries ``text[r - 1]``; the blank after Sun falls on the next label row.
    Small types keep the payload small; x is the plot's left edge (labels further left would
    be outside the x range, which plotly hides even with ``cliponaxis=False``).
    """
    rows = years * ROWS_PER_YEAR
    return go.Scatter(
        x=np.full(rows, -0.5, dtype=np.float32),
        y=np.arange(1, rows + 1, dtype=np.int16),
        text=[*WEEKDAYS, ""] * years,
        mode="text",
        textposition="middle left",
        textfont={"size": 10},
        cliponaxis=False,
        hoverinfo="skip",
        showlegend=False,
        name="weekdays",
    )


def _calendar_layout(
    years: np.ndarray[Any, Any], top: float, measure: Measure, units: Units
) -> dict[str, Any]:
    """The year over each block, month names over the week columns (weekdays: a trace)."""
    blocks = np.arange(len(years)) * ROWS_PER_YEAR
    # Where the 1st of each month falls, taking 1 January on a Thursday (the middle case).
    starts = pd.date_range("2001-01-01", periods=12, freq="MS").day_of_year.to_numpy() - 1
    year_labels = [
        {
            "text": f"<b>{year}</b>",
            "x": 0,
            "y": row,
            "xref": "paper",
            "xanchor": "left",
            "yanchor": "middle",
            "showarrow": False,
        }
        for year, row in zip(years.tolist(), blocks.tolist(), strict=True)
    ]
    return {
        "height": len(years) * ROWS_PER_YEAR * _ROW_PX + 90,
        "plot_bgcolor": "white",
        "margin": {"t": 40},
        "annotations": year_labels,
        "xaxis": {
            "side": "top",
            "tickvals": ((starts + 3) / 7).round(1).tolist(),
            "ticktext": list(_MONTHS),
            "showgrid": False,
            "zeroline": False,
            "range": [-0.5, WEEKS - 0.5],
        },
        "yaxis": {
            "range": [len(years) * ROWS_PER_YEAR - 0.5, -0.5],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
        },
        "coloraxis": {
            "colorscale": _CALENDAR_SCALE,
            "cmin": 0.0,
            "cmax": max(top, 1e-6),
            "colorbar": {
                "title": {"text": measure_title(measure, units)},
                "len": 300,
                "lenmode": "pixels",
                "y": 1.0,
                "yanchor": "top",
            },
        },
    }


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
