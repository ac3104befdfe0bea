"""A deterministic demo athlete in the exact Strava API shape, so the app runs without login.

Jordi Vilà rides and runs around Girona, Spain: road, gravel and mountain bike rides, Zwift
in winter, runs and a spring marathon, pool swims, hikes, gym and yoga. Each calendar day's
activities depend only on a fixed seed and that date, so history never changes while the
window (the last six years up to ``until``) follows the calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from strava_dash.demo._build import Activity, build_day
from strava_dash.demo._profile import athlete, gear_details, stats
from strava_dash.demo._streams import ALL_STREAM_KEYS, streams

__all__ = [
    "ALL_STREAM_KEYS",
    "DEMO_ATHLETE_ID",
    "HISTORY_YEARS",
    "demo_activities",
    "demo_athlete",
    "demo_gear",
    "demo_stats",
    "demo_streams",
]

DEMO_ATHLETE_ID = 48_213_657
HISTORY_YEARS = 6


def _first_day(until: date) -> date:
    try:
        year_before = until.replace(year=until.year - HISTORY_YEARS)
    except ValueError:  # 29 February
        year_before = until.replace(year=until.year - HISTORY_YEARS, day=28)
    return year_before + timedelta(days=1)


@lru_cache(maxsize=4)
def _history(until: date) -> tuple[Activity, ...]:
    """Every activity from ``HISTORY_YEARS`` years before ``until`` to ``until``, newest first."""
    out: list[Activity] = []
    day = _first_day(until)
    while day <= until:
        out.extend(build_day(day, DEMO_ATHLETE_ID))
        day += timedelta(days=1)
    out.sort(key=lambda a: (a["start_date"], a["id"]), reverse=True)
    return tuple(out)


def _copy(a: Activity) -> Activity:
    # The cache must survive callers that edit what they get; nested values are copied too.
    return {
        **a,
        "athlete": dict(a["athlete"]),
        "map": dict(a["map"]),
        "start_latlng": list(a["start_latlng"]),
        "end_latlng": list(a["end_latlng"]),
    }


def _resolve(until: date | None) -> tuple[date, datetime | None]:
    """The last day of history and, for "today", the moment nothing may finish after."""
    if until is not None:
        return until, None
    now = datetime.now(UTC)
    return now.date(), now


def demo_activities(*, until: date | None = None) -> list[dict[str, Any]]:
    """The demo athlete's SummaryActivity dicts, newest first, as ``/athlete/activities``
    returns them.

    ``until`` is the last calendar day included (default: today in UTC, leaving out what
    has not finished yet). The same ``until`` always gives the same list.
    """
    last_day, now = _resolve(until)
    history = _history(last_day)
    if now is not None:
        cutoff = now.replace(tzinfo=None)
        history = tuple(a for a in history if _finished_by(a, cutoff))
    return [_copy(a) for a in history]


def _finished_by(a: Activity, cutoff: datetime) -> bool:
    start = datetime.strptime(a["start_date"], "%Y-%m-%dT%H:%M:%SZ")
    return start + timedelta(seconds=a["elapsed_time"]) <= cutoff


def demo_athlete(*, until: date | None = None) -> dict[str, Any]:
    """The demo DetailedAthlete (``resource_state`` 3) with its bikes and shoes."""
    return athlete(DEMO_ATHLETE_ID, demo_activities(until=until))


def demo_gear(*, until: date | None = None) -> dict[str, dict[str, Any]]:
    """DetailedGear by gear id; ``distance`` (m) sums the demo activities with that gear."""
    return gear_details(demo_activities(until=until))


def demo_stats(*, until: date | None = None) -> dict[str, Any]:
    """ActivityStats as ``/athletes/{id}/stats`` returns them, counting only activities with
    Everyone visibility; "recent" is the 28 days before the end of ``until`` (or now)."""
    last_day, now = _resolve(until)
    moment = now or datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC)
    return stats(demo_activities(until=until), moment)


def demo_streams(
    activity: dict[str, Any], keys: Sequence[str] = ALL_STREAM_KEYS
) -> dict[str, dict[str, Any]]:
    """Streams of a demo activity in the ``key_by_type=true`` shape, deterministic per id.

    Raises :class:`~strava_dash.errors.NotFoundError` for manual activities, as Strava does.
    """
    return streams(activity, keys)
