"""Training volume: stacked bars per week, month or year (the year-over-year race is in
:mod:`strava_dash.charts.years`)."""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strava_dash.charts.style import (
    Measure,
    base_layout,
    dated,
    empty_figure,
    format_measure,
    local_days,
    measure_title,
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


def _period_labels(starts: pd.DatetimeIndex, period: Period) -> list[str]:
    if period == "week":
        return [f"Week of {d:%a %d %b %Y}" for d in starts]
    if period == "month":
        return [f"{d:%B %Y}" for d in starts]
    return [f"{d:%Y}" for d in starts]


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
