"""Frozen copy (before issue 14), for benchmarks.charts only.

Training volume: stacked bars per week/month/year, and the year-over-year race."""

from __future__ import annotations

from datetime import date
from typing import Any, Final, Literal

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

# A leap year, so that every month/day of any year has a place on the shared x axis.
_REFERENCE_YEAR: Final = 2000
_HIGHLIGHT: Final = "#C92A2A"
_LAST_YEAR: Final = "#1C7ED6"
_OLDER: Final = ("#868E96", "#ADB5BD", "#CED4DA")


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
    Traces: one bar per sport (largest first, so at the bottom), then the line.
    """
    df = dated(df)
    if df.empty:
        return empty_figure()
    table = volume_table(df, period=period, measure=measure, units=units)
    labels = _period_labels(pd.DatetimeIndex(table.index), period)
    x = table.index
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


def _reference_dates(days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Put each day on the reference leap year, keeping month and day (Mar 1 stays Mar 1)."""
    offset = days.day_of_year - 1
    # After Feb 28 a common year is one day behind the leap year.
    offset = offset + ((~days.is_leap_year) & (offset >= 59)).astype(int)
    return pd.Timestamp(_REFERENCE_YEAR, 1, 1) + pd.to_timedelta(offset, unit="D")


def _same_day(year: int, today: date) -> pd.Timestamp:
    """``today``'s month and day in ``year`` (Feb 29 becomes Feb 28 in a common year)."""
    try:
        return pd.Timestamp(year, today.month, today.day)
    except ValueError:
        return pd.Timestamp(year, 2, 28)


def cumulative_by_year(
    df: pd.DataFrame, *, measure: Measure, units: Units, today: date
) -> dict[int, pd.Series[float]]:
    """Running total per year on a daily grid (Jan 1 to Dec 31, or to ``today`` this year).

    Keys are years, newest first; values are indexed by the real local day.
    """
    daily = (
        pd.Series(measure_values(df, measure, units), index=local_days(df).to_numpy())
        .groupby(level=0)
        .sum()
    )
    result: dict[int, pd.Series[float]] = {}
    years = pd.DatetimeIndex(daily.index).year
    for year in sorted({int(y) for y in years}, reverse=True):
        end = pd.Timestamp(year, 12, 31)
        if year == today.year:
            end = min(end, pd.Timestamp(today))
        grid = pd.date_range(pd.Timestamp(year, 1, 1), end, freq="D")
        in_year = daily[years == year]
        result[year] = in_year.reindex(grid, fill_value=0.0).cumsum()
    return result


def _style(year: int, highlight: int, rank: int) -> tuple[dict[str, Any], int]:
    """Line style and z-order: the highlighted year on top, last year above the rest."""
    if year == highlight:
        return {"color": _HIGHLIGHT, "width": 3.5}, 2
    if year == highlight - 1:
        return {"color": _LAST_YEAR, "width": 2}, 1
    return {"color": _OLDER[min(rank, len(_OLDER) - 1)], "width": 1.2}, 0


def year_over_year_figure(
    df: pd.DataFrame,
    *,
    measure: Measure = "distance",
    units: Units = "metric",
    today: date | None = None,
) -> go.Figure:
    """Cumulative measure against the calendar day, one line per year, newest first.

    The current year (``today``'s, else the newest year with data) is drawn thick and red, the
    year before blue, older years grey; hover is unified so one position compares all years on
    the same date. The title answers "am I ahead?": this year to date against last year by the
    same day. Needs ``local_date``, ``sport_type`` and the measure's column.
    """
    df = dated(df)
    if df.empty:
        return empty_figure()
    today = today or date.today()
    series = cumulative_by_year(df, measure=measure, units=units, today=today)
    highlight = today.year if today.year in series else max(series)
    fig = go.Figure()
    older_rank = 0
    for year, cumulative in series.items():
        days = pd.DatetimeIndex(cumulative.index)
        values = cumulative.to_numpy(dtype=np.float64)
        style, zorder = _style(year, highlight, older_rank)
        if year < highlight - 1:
            older_rank += 1
        fig.add_trace(
            go.Scatter(
                x=_reference_dates(days),
                y=values,
                name=str(year),
                mode="lines",
                line=style,
                zorder=zorder,
                customdata=np.column_stack(
                    (
                        [f"{d:%a %d %b %Y}" for d in days],
                        [format_measure(float(v), measure, units) for v in values],
                    )
                ),
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>" + str(year) + "</extra>",
            )
        )
    title = _ahead_text(series, highlight, measure, units, today)
    return base_layout(
        fig,
        title={"text": title, "font": {"size": 15}},
        margin={"t": 80},
        legend={"y": 1.0, "yanchor": "top", "x": 1.01, "orientation": "v"},
        hovermode="x unified",
        xaxis={
            "title": "Day of year",
            "tickformat": "%b",
            "dtick": "M1",
            "hoverformat": "%d %b",
            "range": [f"{_REFERENCE_YEAR}-01-01", f"{_REFERENCE_YEAR}-12-31"],
        },
        yaxis_title=f"Cumulative {measure_title(measure, units)[0].lower()}"
        + measure_title(measure, units)[1:],
    )


def _ahead_text(
    series: dict[int, pd.Series[float]], year: int, measure: Measure, units: Units, today: date
) -> str:
    """E.g. "2025 to 05 Jun: 1,234.0 km · 2024 by then: 1,100.0 km (+134.0 km ahead)"."""
    current = series[year]
    cutoff = _same_day(year, today) if year == today.year else pd.Timestamp(year, 12, 31)
    now = float(current[current.index <= cutoff].iloc[-1]) if len(current) else 0.0
    text = f"{year} to {cutoff:%d %b}: {format_measure(now, measure, units)}"
    before = series.get(year - 1)
    if before is None:
        return text
    then = before[before.index <= _same_day(year - 1, cutoff.date())]
    past = float(then.iloc[-1]) if len(then) else 0.0
    gap = now - past
    verdict = "ahead" if gap >= 0 else "behind"
    return (
        f"{text} · {year - 1} by then: {format_measure(past, measure, units)} "
        f"({format_measure(abs(gap), measure, units)} {verdict})"
    )
