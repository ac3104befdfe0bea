"""Goals: a target of distance, time, elevation or activities, for a sport group, over a
week, a month, a year or dates of one's choosing; progress, pace needed and projection.

Targets are kept in base units (metres, seconds, count) so a goal means the same in
metric and imperial; :func:`to_display` and :func:`from_display` convert for the page.
Goals travel as a small JSON file (:func:`dumps` / :func:`loads`), which is validated
field by field: an upload is user input.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from strava_dash.errors import DataError
from strava_dash.filters import SPORT_GROUPS, sport_group_members
from strava_dash.insights.gear import Service
from strava_dash.units import M_PER_FT, M_PER_KM, M_PER_MI, Units

GoalMeasure = Literal["distance", "moving_time", "elevation", "count"]
Period = Literal["week", "month", "year", "custom"]
GOAL_MEASURES: Final[tuple[GoalMeasure, ...]] = get_args(GoalMeasure)
PERIODS: Final[tuple[Period, ...]] = get_args(Period)
ALL_SPORTS: Final = "All sports"
#: The sidebar's quick-pick groups, plus every sport and "Other" (what none covers).
SPORT_CHOICES: Final[tuple[str, ...]] = (ALL_SPORTS, *SPORT_GROUPS, "Other")
FILE_VERSION: Final = 1
MAX_GOALS: Final = 100
MAX_FILE_BYTES: Final = 256 * 1024
MAX_LABEL: Final = 80
MAX_GEAR_ID: Final = 200  # an archive's gear id is its name


class GoalFileError(DataError):
    """An uploaded goals file that cannot be used, with a message for the athlete."""


@dataclass(frozen=True)
class Goal:
    """One goal; ``target`` in metres (distance, elevation), seconds (time) or a count."""

    measure: GoalMeasure
    target: float
    period: Period
    sport: str = ALL_SPORTS
    start: date | None = None
    end: date | None = None
    label: str = ""
    id: str = ""

    def window(self, today: date) -> tuple[date, date]:
        """The first and last day (inclusive) the goal counts: the period holding
        ``today``, or the custom dates."""
        if self.period == "week":
            first = today - timedelta(days=today.weekday())
            return first, first + timedelta(days=6)
        if self.period == "month":
            first = today.replace(day=1)
            following = (first + timedelta(days=32)).replace(day=1)
            return first, following - timedelta(days=1)
        if self.period == "year":
            return date(today.year, 1, 1), date(today.year, 12, 31)
        if self.start is None or self.end is None:
            raise ValueError("a custom goal needs a start and an end")
        return self.start, self.end


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def base_values(df: pd.DataFrame, measure: GoalMeasure) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per activity: metres, seconds of moving time, metres climbed, or 1; NA counts 0."""
    column = {"distance": "distance", "moving_time": "moving_time"}.get(
        measure, "total_elevation_gain"
    )
    if measure == "count":
        return np.ones(len(df))
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isfinite(values), values, 0.0)


def _factor(measure: GoalMeasure, units: Units) -> float:
    if measure == "distance":
        return M_PER_KM if units == "metric" else M_PER_MI
    if measure == "elevation":
        return 1.0 if units == "metric" else M_PER_FT
    if measure == "moving_time":
        return 3600.0
    return 1.0


def to_display(value: float, measure: GoalMeasure, units: Units) -> float:
    """Base units -> km/mi, m/ft, hours or count."""
    return value / _factor(measure, units)


def from_display(value: float, measure: GoalMeasure, units: Units) -> float:
    """km/mi, m/ft, hours or count -> base units."""
    return value * _factor(measure, units)


def unit_label(measure: GoalMeasure, units: Units) -> str:
    if measure == "distance":
        return "km" if units == "metric" else "mi"
    if measure == "elevation":
        return "m" if units == "metric" else "ft"
    return "h" if measure == "moving_time" else "activities"


def describe(goal: Goal, units: Units) -> str:
    """E.g. "1,000 km of All rides per month"; the athlete's label first when given."""
    shown = to_display(goal.target, goal.measure, units)
    amount = f"{shown:,.0f} {unit_label(goal.measure, units)}"
    what = {"distance": "", "moving_time": " of moving time", "elevation": " climbed", "count": ""}
    span = (
        f"{goal.start:%d %b %Y} – {goal.end:%d %b %Y}"
        if goal.period == "custom" and goal.start and goal.end
        else f"per {goal.period}"
    )
    text = f"{amount}{what[goal.measure]}, {goal.sport}, {span}"
    return f"{goal.label}: {text}" if goal.label else text


#: The columns a goal reads: picking rows from these alone copies a handful of columns,
#: not the whole table.
_COLUMNS: Final = ("local_date", "sport_type", "distance", "moving_time", "total_elevation_gain")


def matching(df: pd.DataFrame, sport: str) -> pd.DataFrame:
    """The activities a goal's sport choice counts (only the columns a goal reads)."""
    df = df[[c for c in _COLUMNS if c in df.columns]]
    if sport == ALL_SPORTS or "sport_type" not in df.columns:
        return df
    sports = df["sport_type"].astype("string").fillna("Other")
    members = sport_group_members(sport, sports.dropna().unique().tolist())
    return df[sports.isin(members).to_numpy(dtype=bool)]


@dataclass(frozen=True)
class Progress:
    """Where a goal stands on ``today`` (all amounts in base units)."""

    goal: Goal
    first: date
    last: date
    done: float
    remaining: float
    days_total: int
    days_elapsed: int
    """Days of the window up to and including today (0 before it starts)."""
    needed_per_week: float | None
    """What each remaining week needs; None when no day is left (or it is reached)."""
    projected: float | None
    """The total at the end on the pace so far; None before the window starts."""
    daily: pd.Series
    """Running total per day of the window, up to today (NaN after)."""

    @property
    def fraction(self) -> float:
        return self.done / self.goal.target if self.goal.target > 0 else 0.0

    @property
    def days_left(self) -> int:
        return self.days_total - self.days_elapsed

    @property
    def on_track(self) -> bool:
        return self.done >= self.goal.target or (
            self.projected is not None and self.projected >= self.goal.target
        )


def progress(goal: Goal, df: pd.DataFrame, today: date) -> Progress:
    """How far ``goal`` is on ``today`` with the activities of ``df``.

    Today counts as elapsed (its activities are in). The pace needed spreads what is
    left over the remaining days, per 7 of them; the projection extends the average
    per elapsed day to the whole window.
    """
    first, last = goal.window(today)
    days = pd.date_range(first, last, freq="D")
    rows = matching(df, goal.sport)
    local = pd.to_datetime(rows["local_date"]) if "local_date" in rows.columns else None
    n = len(days)
    daily = np.zeros(n)
    if local is not None and len(rows):
        offsets = ((local - pd.Timestamp(first)) // pd.Timedelta(days=1)).to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        inside = np.isfinite(offsets) & (offsets >= 0) & (offsets < n)
        daily = np.bincount(
            offsets[inside].astype(np.int64),
            weights=base_values(rows, goal.measure)[inside],
            minlength=n,
        ).astype(np.float64)
    elapsed = max(0, min(n, (today - first).days + 1))
    running = np.cumsum(daily)
    running[elapsed:] = np.nan
    done = float(running[elapsed - 1]) if elapsed else 0.0
    remaining = max(goal.target - done, 0.0)
    days_left = n - elapsed
    needed = remaining / days_left * 7.0 if days_left > 0 and remaining > 0 else None
    projected = done / elapsed * n if elapsed else None
    return Progress(
        goal=goal,
        first=first,
        last=last,
        done=done,
        remaining=remaining,
        days_total=n,
        days_elapsed=elapsed,
        needed_per_week=needed,
        projected=projected,
        daily=pd.Series(running, index=days, name="done"),
    )


# ------------------------------------------------------------------------ the file


def to_dict(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.id,
        "label": goal.label,
        "measure": goal.measure,
        "target": goal.target,
        "period": goal.period,
        "sport": goal.sport,
        "start": goal.start.isoformat() if goal.start else None,
        "end": goal.end.isoformat() if goal.end else None,
    }


def dumps(goals: list[Goal], services: Sequence[Service] = ()) -> str:
    """The goals file: ``{"version": 1, "goals": [...]}`` (targets in base units), plus
    the gear service intervals when there are any (``every_m`` in metres)."""
    document: dict[str, Any] = {
        "app": "Dash for Strava",
        "version": FILE_VERSION,
        "units": "targets in metres (distance, elevation), seconds (time) or a count",
        "goals": [to_dict(g) for g in goals],
    }
    if services:
        document["service_intervals"] = [
            {
                "gear_id": s.gear_id,
                "every_m": s.every_m,
                "since": s.since.isoformat() if s.since else None,
            }
            for s in services
        ]
    return json.dumps(document, ensure_ascii=False, indent=2)


def loads(data: bytes | str) -> list[Goal]:
    """Goals from a goals file.

    Raises:
        GoalFileError: not a goals file, or a goal that cannot be used (says which and why).
    """
    return load_plans(data)[0]


def load_plans(data: bytes | str) -> tuple[list[Goal], list[Service]]:
    """Goals and service intervals from a goals file (a file without intervals has none).

    Raises:
        GoalFileError: not a goals file, or an entry that cannot be used (says which, why).
    """
    if len(data) > MAX_FILE_BYTES:
        raise GoalFileError("This file is too large to be a goals file (256 kB at most).")
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise GoalFileError(f"This is not a goals file: it is not valid JSON ({error}).") from error
    if not isinstance(document, dict) or not isinstance(document.get("goals"), list):
        raise GoalFileError('This is not a goals file: it has no "goals" list.')
    if document.get("version") != FILE_VERSION:
        raise GoalFileError(
            f"This goals file has version {document.get('version')!r}; this app reads "
            f"version {FILE_VERSION}."
        )
    items = document["goals"]
    services = document.get("service_intervals", [])
    if not isinstance(services, list):
        raise GoalFileError('This goals file\'s "service_intervals" is not a list.')
    if len(items) > MAX_GOALS or len(services) > MAX_GOALS:
        raise GoalFileError(f"This file holds more than {MAX_GOALS} goals or intervals.")
    goals = [_goal(item, position + 1) for position, item in enumerate(items)]
    return goals, [_service(item, position + 1) for position, item in enumerate(services)]


def _service(item: Any, number: int) -> Service:
    def bad(why: str) -> GoalFileError:
        return GoalFileError(f"Service interval {number} in the file cannot be used: {why}.")

    if not isinstance(item, dict):
        raise bad("it is not an object")
    gear_id = item.get("gear_id")
    if not isinstance(gear_id, str) or not 0 < len(gear_id) <= MAX_GEAR_ID:
        raise bad("gear_id must be the gear's id")
    every = item.get("every_m")
    if isinstance(every, bool) or not isinstance(every, int | float):
        raise bad("every_m must be a number of metres")
    if not math.isfinite(every) or not 0 < every <= 1e9:
        raise bad("every_m must be a positive number of metres")
    return Service(gear_id, float(every), _day(item.get("since"), bad))


def _goal(item: Any, number: int) -> Goal:
    def bad(why: str) -> GoalFileError:
        return GoalFileError(f"Goal {number} in the file cannot be used: {why}.")

    if not isinstance(item, dict):
        raise bad("it is not an object")
    measure = item.get("measure")
    if measure not in GOAL_MEASURES:
        raise bad(f"measure must be one of {', '.join(GOAL_MEASURES)}")
    period = item.get("period")
    if period not in PERIODS:
        raise bad(f"period must be one of {', '.join(PERIODS)}")
    target = item.get("target")
    if isinstance(target, bool) or not isinstance(target, int | float):
        raise bad("target must be a number")
    if not math.isfinite(target) or target <= 0 or target > 1e12:
        raise bad("target must be a positive number")
    sport = item.get("sport", ALL_SPORTS)
    if sport not in SPORT_CHOICES:
        raise bad(f"sport must be one of {', '.join(SPORT_CHOICES)}")
    label = item.get("label") or ""
    if not isinstance(label, str):
        raise bad("label must be text")
    start, end = _day(item.get("start"), bad), _day(item.get("end"), bad)
    if period == "custom" and (start is None or end is None or end < start):
        raise bad("a custom period needs a start and an end on or after it")
    goal_id = item.get("id")
    return Goal(
        measure=measure,
        target=float(target),
        period=period,
        sport=sport,
        start=start if period == "custom" else None,
        end=end if period == "custom" else None,
        label=label.strip()[:MAX_LABEL],
        id=goal_id if isinstance(goal_id, str) and 0 < len(goal_id) <= 40 else new_id(),
    )


def _day(value: Any, bad: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad("dates must be written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise bad(f"{value[:20]!r} is not a date (YYYY-MM-DD)") from error
