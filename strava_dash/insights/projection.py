"""The year ahead: this year so far against the same day of earlier years, and where it
ends on the year's pace so far and on the last four weeks' pace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from strava_dash.charts.style import Measure, dated, local_days, measure_values
from strava_dash.charts.years import YearRace, year_race
from strava_dash.units import Units

RECENT_DAYS: Final = 28
#: The columns the year's numbers read (both unit systems): rows are picked from these
#: alone, not from the whole table.
_COLUMNS: Final = (
    "local_date",
    "distance_km",
    "distance_mi",
    "elevation_gain_m",
    "elevation_gain_ft",
    "moving_time",
)


def same_day(year: int, today: date) -> date:
    """``today``'s month and day in ``year`` (29 February becomes the 28th)."""
    try:
        return date(year, today.month, today.day)
    except ValueError:
        return date(year, 2, 28)


@dataclass(frozen=True)
class YearAhead:
    year: int
    to_date: float
    """This year up to and including today, in the measure's display unit."""
    days_elapsed: int
    days_in_year: int
    recent: float
    """The last 28 days (today included; last year's days count when January is young)."""
    on_year_pace: float
    """End of year if the rest goes like the year so far: to_date / elapsed × days."""
    on_recent_pace: float
    """End of year if the rest goes like the last 28 days: to_date + recent / 28 × left."""
    earlier: pd.DataFrame
    """Earlier years: ``year``, ``by_same_day``, ``full_year``, newest first."""
    race: YearRace


def year_ahead(df: pd.DataFrame, *, measure: Measure, units: Units, today: date) -> YearAhead:
    """The numbers of the Year ahead section (activities after ``today`` are ignored)."""
    rows = dated(df[[c for c in _COLUMNS if c in df.columns]])
    days = local_days(rows)
    rows = rows[(days <= pd.Timestamp(today)).to_numpy(dtype=bool)]
    race = year_race(rows, measure=measure, units=units, today=today)
    first = date(today.year, 1, 1)
    elapsed = (today - first).days + 1
    in_year = (date(today.year, 12, 31) - first).days + 1
    to_date = race.at(today.year, pd.Timestamp(today))
    start = pd.Timestamp(today - timedelta(days=RECENT_DAYS - 1))
    values = measure_values(rows, measure, units)
    recent_mask = (local_days(rows) >= start).to_numpy(dtype=bool)
    recent = float(values[recent_mask].sum())
    earlier = [
        {
            "year": year,
            "by_same_day": race.at(year, pd.Timestamp(same_day(year, today))),
            "full_year": float(np.nanmax(race.cumulative[race.years.index(year)])),
        }
        for year in race.years
        if year < today.year
    ]
    return YearAhead(
        year=today.year,
        to_date=to_date,
        days_elapsed=elapsed,
        days_in_year=in_year,
        recent=recent,
        on_year_pace=to_date / elapsed * in_year,
        on_recent_pace=to_date + recent / RECENT_DAYS * (in_year - elapsed),
        earlier=pd.DataFrame(earlier, columns=["year", "by_same_day", "full_year"]),
        race=race,
    )
