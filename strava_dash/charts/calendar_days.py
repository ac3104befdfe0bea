"""The calendar heatmap's arrays: every day of the years shown, its cell, total and hover.

Array operations only (numpy, pandas string methods): the cost grows with activities and
days, never with years squared, and nothing loops over rows in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from strava_dash.charts.style import Measure, escaped_names, local_days, measure_values
from strava_dash.units import Units

# A year is 7 weekday rows under one blank row that carries its label.
ROWS_PER_YEAR: Final = 8
WEEKS: Final = 54
# A day's hover names this many of its activities and counts the rest, so neither a busy
# day swamps the tooltip nor a long history the websocket (every name is sent).
MAX_LISTED: Final = 2

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
    """Hover names: "Name, Name<br>and 1 more", "" on a day without activity (see
    _hover_texts; the date comes from the figure's customdata)."""


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
        text=_hover_texts(count, names),
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


def _hover_texts(count: Ints, names: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.object_]]:
    """ "" on a day without activity, "Name" on a day with one, "A, B" on a day with two
    and "A, B<br>and 1 more" on a busier one.

    Names only: the date is four bytes of customdata formatted by the hovertemplate (as a
    string in every day's text it was a third of the densest calendar's JSON), the total
    is z. ASCII markup only: the JSON Streamlit sends escapes other characters. No
    "3 activities:" count: the names and "and N more" already say how many.
    """
    listed = pd.Series(names, dtype=object).fillna("")
    return np.where(count > 0, listed.to_numpy(dtype=object), "").astype(object)
