"""Training volume: stacked bars per week, month or year (the year-over-year race is in
:mod:`strava_dash.charts.years`)."""

from __future__ import annotations

from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strava_dash.charts.style import (
    Measure,
    base_layout,
    dated,
    empty_figure,
    escape_hover,
    local_days,
    measure_title,
    measure_unit,
    measure_values,
    sport_colour,
    sports,
)
from strava_dash.units import Units

Period = Literal["week", "month", "year"]

_FREQ: Final = {"week": "W-MON", "month": "MS", "year": "YS"}
# Bars are centred on their period (plotly's xperiod): a week in ms, months as "M<n>".
_XPERIOD: Final[dict[str, int | str]] = {"week": 7 * 24 * 3600 * 1000, "month": "M1", "year": "M12"}


def period_start(days: pd.Series[pd.Timestamp], period: Period) -> pd.Series[pd.Timestamp]:
    """The first day of each day's week (Monday, ISO), month or year."""
    if period == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    if period == "month":
        return days - pd.to_timedelta(days.dt.day - 1, unit="D")
    return days - pd.to_timedelta(days.dt.day_of_year - 1, unit="D")


# d3-time-format of a bar's period in the hover, from its x (the period's first day).
PERIOD_FORMAT: Final[dict[str, str]] = {
    "week": "Week of %a %d %b %Y",
    "month": "%B %Y",
    "year": "%Y",
}
_WEEK_MS: Final = 7 * 24 * 3600 * 1000
# Past this many periods a bar is under about 3 px at the page's width: each sport is then
# drawn as one stepped area (an SVG path) instead of a bar per period, which plotly.js
# draws as a path each (55 years of weeks: 20,000 bars, seconds in the browser).
MAX_BARS: Final = 400


def volume_table(
    df: pd.DataFrame, *, period: Period, measure: Measure, units: Units
) -> pd.DataFrame:
    """Totals per period (rows, every period between first and last, zeros included) and sport.

    Columns are sport types, largest total first. Values in km/mi, hours, m/ft or counts.
    Rows without a local day are left out.
    """
    df = dated(df)
    frame = pd.DataFrame(
        {
            "start": period_start(local_days(df), period).to_numpy(),
            "sport": sports(df).to_numpy(),
            "value": measure_values(df, measure, units),
        }
    )
    table = frame.groupby(["start", "sport"])["value"].sum().unstack("sport", fill_value=0)
    # Empty periods must be rows of zeros, or the rolling average would skip over them.
    every = pd.date_range(table.index.min(), table.index.max(), freq=_FREQ[period])
    table = table.reindex(every, fill_value=0.0)
    order = table.sum().sort_values(ascending=False, kind="stable").index
    return table[order]


def _value(name: str, measure: Measure, units: Units) -> str:
    """ "Ride: 1,234.5 km" through plotly's number formats (format_measure's decimals);
    moving time as h:mm from customdata ``[hours, minutes]``."""
    if measure == "moving_time":
        return f"{name}: %{{customdata[0]}}:%{{customdata[1]:02d}} h"
    if measure == "count":
        return f"Activities, {name}: %{{y:,d}}"
    decimals = 0 if measure == "elevation" else 1
    return f"{name}: %{{y:,.{decimals}f}} {measure_unit(measure, units)}"


def _hours_minutes(hours: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
    """Hours as ``[hours, minutes]`` rows (uint16, minutes rounded) for an h:mm hover."""
    minutes = np.round(np.nan_to_num(hours) * 60.0).astype(np.int64)
    return np.column_stack(np.divmod(np.minimum(minutes, 65_535 * 60), 60)).astype(np.uint16)


def _positions(starts: pd.DatetimeIndex, period: Period) -> dict[str, Any]:
    """Where the bars go: weeks as x0 + dx (a week's milliseconds: nothing per bar), months
    and years as "YYYY-MM-DD" (their lengths differ)."""
    if period == "week":
        return {"x0": f"{starts[0]:%Y-%m-%d}", "dx": _WEEK_MS}
    return {"x": np.asarray(starts.strftime("%Y-%m-%d"), dtype=object)}


def _area(trace: dict[str, Any], colour: str) -> go.Scatter:
    """A sport's periods as one stepped, stacked area: each value held across its period
    ("hvh" steps around the period middles). Drawn only: its handles hover and select."""
    drawn = {k: v for k, v in trace.items() if k not in ("hovertemplate", "customdata")}
    return go.Scatter(
        mode="lines",
        stackgroup="volume",
        line={"shape": "hvh", "width": 0, "color": colour},
        fillcolor=colour,
        hoverinfo="skip",
        **drawn,
    )


def _handles(trace: dict[str, Any], below: np.ndarray[Any, Any]) -> go.Scattergl:
    """Invisible WebGL markers in the middle of each of a sport's area segments, carrying
    its hover, legend group and x: plotly.js selects points, never a lines-only trace, so
    these make a click or a box over the areas select like one over bars. WebGL: one
    canvas, not an SVG element per period."""
    values = np.asarray(trace["y"], dtype=np.float64)
    middle = np.where(values > 0, below + values / 2, np.nan)
    carried = {k: v for k, v in trace.items() if k != "y"}
    if "customdata" not in carried:  # moving time carries its h:mm already
        # The handle sits at the segment's middle: the hover reads the value, not its y.
        carried["customdata"] = trace["y"]
        carried["hovertemplate"] = str(trace["hovertemplate"]).replace("%{y", "%{customdata")
    return go.Scattergl(
        **carried,
        y=middle.astype(np.float32),
        mode="markers",
        marker={"size": 10, "opacity": 0},
        showlegend=False,
    )


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
    Traces: one bar per sport (largest first, so at the bottom), then the line. Each bar
    trace's ``legendgroup`` is its sport and a bar's x its period's first day, so a
    selection event names the bucket itself, whatever trace order the browser saw. Past
    ``MAX_BARS`` periods each sport is a stepped stacked area instead (the same values and
    legend groups), with invisible WebGL handles at the segments' middles that hover and
    select as the bars would (after the areas, before the line).

    Light to send (issue 14: 55 years of weeks were 2.5 MB of hover strings): y is float32,
    weeks are x0 + dx, the hover is a template (the period from x through a date format,
    the value through a number format, moving time's h:mm from uint16 customdata); no
    string per bar.
    """
    df = dated(df)
    if df.empty:
        return empty_figure()
    table = volume_table(df, period=period, measure=measure, units=units)
    starts = pd.DatetimeIndex(table.index)
    where = _positions(starts, period) | {
        "xperiod": _XPERIOD[period],
        "xperiodalignment": "middle",
    }
    head = f"%{{x|{PERIOD_FORMAT[period]}}}<br>"
    areas = len(starts) > MAX_BARS
    fig = go.Figure()
    handles: list[go.Scattergl] = []
    below = np.zeros(len(table), dtype=np.float64)  # stacked so far: the sports drawn under
    for sport in table.columns:
        values = table[sport].to_numpy(dtype=np.float64)
        extra: dict[str, Any] = {}
        if measure == "moving_time":
            extra["customdata"] = _hours_minutes(values)
        label = escape_hover(str(sport))
        common = {
            "y": values.astype(np.float32),
            "name": str(sport),
            "legendgroup": str(sport),
            "hovertemplate": f"{head}{_value(label, measure, units)}<extra></extra>",
            **where,
            **extra,
        }
        if areas:
            fig.add_trace(_area(common, sport_colour(str(sport))))
            # The hover shows the sport's own value, not the middle the handle sits at.
            handles.append(_handles(common, below))
            below = below + values
        else:
            fig.add_trace(go.Bar(marker_color=sport_colour(str(sport)), **common))
    fig.add_traces(handles)
    if rolling >= 2:
        total = table.sum(axis=1)
        average = total.rolling(rolling, min_periods=1).mean().to_numpy(dtype=np.float64)
        name = f"{rolling}-{period} average"
        extra = {"customdata": _hours_minutes(average)} if measure == "moving_time" else {}
        fig.add_trace(
            go.Scatter(
                y=average.astype(np.float32),
                name=name,
                mode="lines",
                line={"color": "#212529", "width": 2},
                hovertemplate=f"{head}{_value(name, measure, units)}<extra></extra>",
                **where,
                **extra,
            )
        )
    return base_layout(
        fig,
        barmode="stack",
        bargap=0.15,
        # Plotly lists stacked bars top-down by default; keep the biggest sport first.
        legend_traceorder="normal",
        yaxis_title=measure_title(measure, units),
        xaxis={"title": {"text": period.capitalize()}, "type": "date"},
        hovermode="closest",
    )


def drawn_as_areas(fig: go.Figure) -> bool:
    """True when :func:`volume_figure` drew stepped areas (with invisible handles)."""
    return any(t.type == "scatter" and t.stackgroup for t in fig.data)
