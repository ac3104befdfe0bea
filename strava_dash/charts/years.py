"""The year-over-year race: cumulative measure against the calendar day, one line per year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

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
    measure_unit,
    measure_values,
)
from strava_dash.units import Units

# A leap year, so that every month/day of any year has a place on the shared x axis.
_REFERENCE_YEAR: Final = 2000
_DAYS: Final = 366
_FEB_29: Final = 59
_DAY_MS: Final = 24 * 3600 * 1000
_HIGHLIGHT: Final = "#C92A2A"
_LAST_YEAR: Final = "#1C7ED6"
_OLDER: Final = ("#868E96", "#ADB5BD", "#CED4DA")


def reference_day(days: pd.DatetimeIndex) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Each day's place on the reference leap year, 0 to 365 (Mar 1 is 60 in every year)."""
    offset = days.day_of_year.to_numpy(dtype=np.int64) - 1
    # After Feb 28 a common year is one day behind the leap year.
    return offset + ((~days.is_leap_year) & (offset >= _FEB_29)).astype(np.int64)


def _same_day(year: int, today: date) -> pd.Timestamp:
    """``today``'s month and day in ``year`` (Feb 29 becomes Feb 28 in a common year)."""
    try:
        return pd.Timestamp(year, today.month, today.day)
    except ValueError:
        return pd.Timestamp(year, 2, 28)


@dataclass(frozen=True)
class YearRace:
    """Running totals per year on the reference leap year's 366 days."""

    years: list[int]
    """Years with activities, newest first."""
    cumulative: np.ndarray[Any, np.dtype[np.float64]]
    """One row per year, one column per reference day; NaN on 29 February of a common year
    and after ``today`` in today's year."""

    def at(self, year: int, day: pd.Timestamp) -> float:
        """The running total of ``year`` at the end of ``day`` (0 for a year without data)."""
        if year not in self.years:
            return 0.0
        row = self.cumulative[self.years.index(year)]
        return float(row[int(reference_day(pd.DatetimeIndex([day]))[0])])


def year_race(df: pd.DataFrame, *, measure: Measure, units: Units, today: date) -> YearRace:
    """Running totals of every year with activities, from array operations only."""
    days = pd.DatetimeIndex(local_days(df))
    year = days.year.to_numpy(dtype=np.int64)
    years = np.unique(year)[::-1]
    block = len(years) - 1 - np.searchsorted(years[::-1], year)
    flat = block * _DAYS + reference_day(days)
    sums = np.bincount(
        flat, weights=measure_values(df, measure, units), minlength=len(years) * _DAYS
    )
    cumulative = sums.reshape(len(years), _DAYS).cumsum(axis=1)
    leap = (years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))
    cumulative[~leap, _FEB_29] = np.nan
    if today.year in years:
        now = int(reference_day(pd.DatetimeIndex([pd.Timestamp(today)]))[0])
        cumulative[years.tolist().index(today.year), now + 1 :] = np.nan
    return YearRace(years=years.tolist(), cumulative=cumulative)


def _style(year: int, highlight: int, rank: int) -> tuple[dict[str, Any], int]:
    """Line style and z-order: the highlighted year on top, last year above the rest."""
    if year == highlight:
        return {"color": _HIGHLIGHT, "width": 3.5}, 2
    if year == highlight - 1:
        return {"color": _LAST_YEAR, "width": 2}, 1
    return {"color": _OLDER[min(rank, len(_OLDER) - 1)], "width": 1.2}, 0


def _hover(year: int, measure: Measure, units: Units) -> str:
    """ "2024: 1,234.5 km" through plotly's number format: no string per point is sent."""
    decimals = 0 if measure == "elevation" else 1
    return f"{year}: %{{y:,.{decimals}f}} {measure_unit(measure, units)}<extra></extra>"


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
    same day. Each line is its daily running total as float32 on x0 + day × dx (the reference
    leap year; a common year's 29 February is a gap the line bridges), so a year costs about
    2 kB of JSON. Needs ``local_date``, ``sport_type`` and the measure's column.
    """
    df = dated(df)
    if df.empty:
        return empty_figure()
    today = today or date.today()
    race = year_race(df, measure=measure, units=units, today=today)
    highlight = today.year if today.year in race.years else race.years[0]
    fig = go.Figure()
    older_rank = 0
    for year, row in zip(race.years, race.cumulative, strict=True):
        style, zorder = _style(year, highlight, older_rank)
        if year < highlight - 1:
            older_rank += 1
        shown = row if year != today.year else row[: _last_valid(row) + 1]
        fig.add_trace(
            go.Scatter(
                x0=f"{_REFERENCE_YEAR}-01-01",
                dx=_DAY_MS,
                y=shown.astype(np.float32),
                name=str(year),
                mode="lines",
                line=style,
                connectgaps=True,
                zorder=zorder,
                hovertemplate=_hover(year, measure, units),
            )
        )
    return base_layout(
        fig,
        title={"text": _ahead_text(race, highlight, measure, units, today), "font": {"size": 15}},
        margin={"t": 80},
        legend={"y": 1.0, "yanchor": "top", "x": 1.01, "orientation": "v"},
        hovermode="x unified",
        xaxis={
            "type": "date",
            "title": "Day of year",
            "tickformat": "%b",
            "dtick": "M1",
            "hoverformat": "%d %b",
            "range": [f"{_REFERENCE_YEAR}-01-01", f"{_REFERENCE_YEAR}-12-31"],
        },
        yaxis_title=f"Cumulative {measure_title(measure, units)[0].lower()}"
        + measure_title(measure, units)[1:],
    )


def _last_valid(row: np.ndarray[Any, np.dtype[np.float64]]) -> int:
    return int(np.flatnonzero(~np.isnan(row))[-1])


def _ahead_text(race: YearRace, year: int, measure: Measure, units: Units, today: date) -> str:
    """E.g. "2025 to 05 Jun: 1,234.0 km · 2024 by then: 1,100.0 km (+134.0 km ahead)"."""
    cutoff = _same_day(year, today) if year == today.year else pd.Timestamp(year, 12, 31)
    now = race.at(year, cutoff)
    text = f"{year} to {cutoff:%d %b}: {format_measure(now, measure, units)}"
    if year - 1 not in race.years:
        return text
    past = race.at(year - 1, _same_day(year - 1, cutoff.date()))
    gap = now - past
    verdict = "ahead" if gap >= 0 else "behind"
    return (
        f"{text} · {year - 1} by then: {format_measure(past, measure, units)} "
        f"({format_measure(abs(gap), measure, units)} {verdict})"
    )
