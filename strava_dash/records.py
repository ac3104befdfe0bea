"""Personal records, streaks and the Eddington number: pure statistics over the activity frame.

Everything here counts *local* calendar days (``local_date`` of docs/schema.md): a ride at
23:30 in New York is on that day even though it is already tomorrow in UTC.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from strava_dash.activities import FOOT_SPORTS, SPORT_GROUPS
from strava_dash.charts.style import (
    column_floats,
    floats,
    format_hmm,
    format_pace,
    local_days,
)
from strava_dash.charts.style import sports as sport_column
from strava_dash.units import M_PER_KM, M_PER_MI, Units, column_for, label_for

# Every kind of ride (the activities module's "Ride" group), virtual and e-bike included.
CYCLING_SPORTS: Final = frozenset(s for s, group in SPORT_GROUPS.items() if group == "Ride")

RECORDS: Final = ("Longest", "Biggest climb", "Fastest average speed", "Most moving time")

# Average speeds above these (m/s, by sport_group) are GPS glitches or a phone left in a car:
# 90 km/h on a bike, 25 km/h running, 14 km/h walking...
_SPEED_CAP: Final = {
    "Ride": 25.0,
    "Run": 7.0,
    "Walk": 4.0,
    "Swim": 3.0,
    "Water": 20.0,
    "Winter": 30.0,
    "Fitness": 25.0,
}
_SPEED_CAP_OTHER: Final = 50.0
# A speed record needs a real effort: at least 1 km and a minute of moving time.
_SPEED_MIN_DISTANCE_M: Final = 1000.0
_SPEED_MIN_MOVING_S: Final = 60.0
# Unit conversions leave 100 mi at 99.99999999999999: a day that is E by the numbers counts.
_EPSILON: Final = 1e-9


@dataclass(frozen=True)
class Streak:
    """A run of consecutive active days (or ISO weeks).

    ``start``/``end`` are the first and last active day; for weeks, the Mondays of the first
    and last week. ``length`` 0 (and no dates) when there is no streak.
    """

    length: int
    start: date | None = None
    end: date | None = None
    unit: Literal["day", "week"] = "day"


@dataclass(frozen=True)
class Eddington:
    """E = the largest number with E days of at least E (km or mi).

    ``days_at_next`` days already reach E + 1; ``days_needed`` more are needed for E + 1.
    ``days`` is the number of active days counted.
    """

    number: int
    unit: Literal["km", "mi"]
    days_needed: int
    days_at_next: int
    days: int


def _records_frame(df: pd.DataFrame, units: Units) -> pd.DataFrame:
    moving = column_floats(df, "moving_time")
    metres = column_floats(df, "distance")
    speed = floats(df[column_for("speed", units)])
    manual = (
        df["manual"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if "manual" in df.columns
        else np.zeros(len(df), dtype=bool)
    )
    sport = sport_column(df)
    cap = sport.map(lambda s: _SPEED_CAP.get(SPORT_GROUPS.get(s, ""), _SPEED_CAP_OTHER))
    cap_values = cap.to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        metres_per_s = metres / moving
    plausible = (
        ~manual
        & (moving >= _SPEED_MIN_MOVING_S)
        & (metres >= _SPEED_MIN_DISTANCE_M)
        & (metres_per_s <= cap_values)
    )
    start = (
        pd.to_datetime(df["start_date_local"]).to_numpy()
        if "start_date_local" in df.columns
        else local_days(df).to_numpy()
    )
    return pd.DataFrame(
        {
            "sport_type": sport.to_numpy(),
            "Longest": floats(df[column_for("distance", units)]),
            "Biggest climb": floats(df[column_for("elevation", units)]),
            "Fastest average speed": np.where(plausible, speed, np.nan),
            "Most moving time": moving / 3600.0,
            "id": df["id"].to_numpy(),
            "name": df["name"].astype("string").to_numpy() if "name" in df.columns else None,
            "local_date": local_days(df).to_numpy(),
            "start": start,
            "strava_url": (
                df["strava_url"].astype("string").to_numpy() if "strava_url" in df.columns else None
            ),
        }
    )


def _display(record: str, value: float, sport: str, units: Units) -> tuple[str, str]:
    """(unit, display text) of one record value."""
    if record == "Longest":
        unit = label_for("distance", units)
        return unit, f"{value:,.1f} {unit}"
    if record == "Biggest climb":
        unit = label_for("elevation", units)
        return unit, f"{value:,.0f} {unit}"
    if record == "Most moving time":
        return "h", f"{format_hmm(value * 3600.0)} h"
    unit = label_for("speed", units)
    if sport in FOOT_SPORTS:
        pace = 3600.0 / value  # km/h -> s per km, mph -> s per mile
        return unit, f"{format_pace(pace)} {label_for('pace', units)} ({value:.1f} {unit})"
    return unit, f"{value:.1f} {unit}"


def personal_records(df: pd.DataFrame, units: Units = "metric") -> pd.DataFrame:
    """Per sport: longest, biggest climb, fastest average speed, most moving time.

    One row per (sport, record) that has a positive value, sports with most activities first.
    Columns: ``sport_type, record, value, unit, display, id, name, local_date, strava_url``;
    ``value`` is in km/mi, m/ft, km/h/mph or hours (``unit``), ``display`` is ready to show
    (pace for foot sports' speed record, h:mm for time). Ties go to the earliest activity.
    The speed record ignores manual entries, activities under 1 km or 1 minute of moving
    time, and implausible averages (e.g. over 90 km/h on a bike, 25 km/h running).
    Needs ``id``, ``name``, ``sport_type``, ``local_date``, ``distance``, ``moving_time`` and the
    unit columns; uses ``manual``, ``start_date_local`` and ``strava_url`` when present.
    """
    columns = [
        "sport_type",
        "record",
        "value",
        "unit",
        "display",
        "id",
        "name",
        "local_date",
        "strava_url",
    ]
    if df.empty:
        return pd.DataFrame(columns=columns)
    frame = _records_frame(df, units)
    order = frame["sport_type"].value_counts(sort=True)
    rank = {sport: i for i, sport in enumerate(order.index)}
    rows: list[dict[str, Any]] = []
    for record in RECORDS:
        candidates = frame[frame[record] > 0].sort_values(
            [record, "start"], ascending=[False, True], kind="stable"
        )
        best = candidates.drop_duplicates("sport_type", keep="first")
        for _, row in best.iterrows():
            sport = str(row["sport_type"])
            value = float(row[record])
            unit, display = _display(record, value, sport, units)
            rows.append(
                {
                    "sport_type": sport,
                    "record": record,
                    "value": value,
                    "unit": unit,
                    "display": display,
                    "id": row["id"],
                    "name": row["name"],
                    "local_date": row["local_date"],
                    "strava_url": row["strava_url"],
                    "_order": (rank[sport], RECORDS.index(record)),
                }
            )
    if not rows:
        return pd.DataFrame(columns=columns)
    result = pd.DataFrame(rows).sort_values("_order", kind="stable").reset_index(drop=True)
    result["id"] = result["id"].astype("Int64")
    result["name"] = result["name"].astype("string")
    result["strava_url"] = result["strava_url"].astype("string")
    return result[columns]


def _active_days(df: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    """Distinct local days with at least one activity, ascending (two on one day count once)."""
    days = local_days(df).dropna().to_numpy().astype("datetime64[D]")
    return np.unique(days)


def _active_weeks(df: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    """Distinct ISO-week Mondays with at least one activity, ascending."""
    days = _active_days(df)
    # 1970-01-01 was a Thursday: shifting by 3 makes numpy's 7-day buckets start on Monday.
    weekday = (days.astype(np.int64) + 3) % 7
    return np.unique(days - weekday.astype("timedelta64[D]"))


def _runs(points: np.ndarray[Any, np.dtype[np.datetime64]], step: int) -> list[tuple[int, int]]:
    """(first index, last index) of each run of points exactly ``step`` days apart."""
    if len(points) == 0:
        return []
    gaps = np.diff(points.astype(np.int64)) != step
    starts = np.concatenate(([0], np.flatnonzero(gaps) + 1))
    ends = np.concatenate((np.flatnonzero(gaps), [len(points) - 1]))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _as_date(value: np.datetime64) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(value.astype(np.int64)))


def _longest(
    points: np.ndarray[Any, np.dtype[np.datetime64]], step: int, unit: Literal["day", "week"]
) -> Streak:
    runs = _runs(points, step)
    if not runs:
        return Streak(0, unit=unit)
    # Ties go to the most recent run: the one the athlete remembers.
    first, last = max(runs, key=lambda run: (run[1] - run[0], run[0]))
    return Streak(last - first + 1, _as_date(points[first]), _as_date(points[last]), unit)


def longest_streak_days(df: pd.DataFrame) -> Streak:
    """Longest run of consecutive local days with at least one activity (ties: the latest)."""
    return _longest(_active_days(df), 1, "day")


def longest_streak_weeks(df: pd.DataFrame) -> Streak:
    """Longest run of consecutive ISO weeks (Monday–Sunday) with at least one activity."""
    return _longest(_active_weeks(df), 7, "week")


def _current(
    points: np.ndarray[Any, np.dtype[np.datetime64]],
    step: int,
    unit: Literal["day", "week"],
    latest_ok: date,
) -> Streak:
    """The run ending at ``latest_ok`` or one step before it (today not yet done is fine)."""
    runs = _runs(points, step)
    if not runs:
        return Streak(0, unit=unit)
    first, last = runs[-1]
    end = _as_date(points[last])
    if (latest_ok - end).days > step:
        return Streak(0, unit=unit)
    return Streak(last - first + 1, _as_date(points[first]), end, unit)


def current_streak_days(df: pd.DataFrame, *, today: date | None = None) -> Streak:
    """The streak still alive: ending today, or yesterday when today has no activity yet."""
    today = today or date.today()
    return _current(_active_days(df[local_days(df) <= pd.Timestamp(today)]), 1, "day", today)


def current_streak_weeks(df: pd.DataFrame, *, today: date | None = None) -> Streak:
    """The week streak still alive: ending this ISO week, or last week."""
    today = today or date.today()
    monday = today - timedelta(days=today.weekday())
    kept = df[local_days(df) <= pd.Timestamp(today)]
    return _current(_active_weeks(kept), 7, "week", monday)


def daily_distance(
    df: pd.DataFrame, *, unit: Literal["km", "mi"], sports: Collection[str] | None
) -> pd.Series[float]:
    """Total distance per local day (km or mi) over the given sports (None: all sports)."""
    metres = column_floats(df, "distance")
    keep = np.isfinite(metres) & (metres > 0)
    if sports is not None:
        keep &= sport_column(df).isin(list(sports)).to_numpy(dtype=bool)
    per = M_PER_KM if unit == "km" else M_PER_MI
    days = local_days(df).to_numpy()[keep]
    return pd.Series(metres[keep] / per, index=days).groupby(level=0).sum()


def eddington(
    df: pd.DataFrame,
    *,
    unit: Literal["km", "mi"] = "km",
    sports: Collection[str] | None = CYCLING_SPORTS,
) -> Eddington:
    """The Eddington number: the largest E with E days of at least E km (or mi).

    A day's distance is the sum of all its activities in ``sports`` (default: every kind of
    ride, virtual and e-bike included; pass a narrower set to exclude them, None for all
    sports) — the usual definition, so a morning and an evening ride add up. Days are local
    calendar days. ``days_needed`` is how many more days of at least E + 1 are needed for E + 1.
    """
    totals = daily_distance(df, unit=unit, sports=sports).to_numpy(dtype=np.float64)
    whole = np.floor(np.sort(totals)[::-1] + _EPSILON)
    number = int(np.count_nonzero(whole >= np.arange(1, len(whole) + 1)))
    at_next = int(np.count_nonzero(whole >= number + 1))
    return Eddington(
        number=number,
        unit=unit,
        days_needed=number + 1 - at_next,
        days_at_next=at_next,
        days=len(totals),
    )
