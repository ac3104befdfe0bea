"""Synthesized activity streams (strava-api.md §3, ``GET /activities/{id}/streams``).

Deterministic per activity id and consistent with the summary: the distance stream ends
at ``distance``, latlng follows the decoded summary polyline, heart rate, cadence, watts
and temperature hover around the summary averages. One point per ~10 s, at most 2,000.
"""

from __future__ import annotations

import bisect
import math
import random
from functools import lru_cache
from typing import Any

import polyline

from tests.fake_strava.factory import path_length

STREAM_TYPES = (
    "time",
    "distance",
    "latlng",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
    "grade_smooth",
)
SAMPLE_INTERVAL = 10  # s between points
MAX_POINTS = 2000
RESOLUTION_POINTS = {"low": 100, "medium": 1000, "high": MAX_POINTS}


def available(activity: dict[str, Any]) -> set[str]:
    """The stream types this activity has (a manual activity has none)."""
    if activity.get("manual"):
        return set()
    have = {"time", "distance", "moving"}
    moved = float(activity.get("distance") or 0.0) > 0
    if (activity.get("map") or {}).get("summary_polyline"):
        have.add("latlng")
    if "elev_high" in activity:
        have.add("altitude")
        if moved:
            have.add("grade_smooth")
    if moved:
        have.add("velocity_smooth")
    if activity.get("has_heartrate"):
        have.add("heartrate")
    if "average_cadence" in activity:
        have.add("cadence")
    if activity.get("device_watts") or "average_watts" in activity:
        have.add("watts")
    if "average_temp" in activity:
        have.add("temp")
    return have


def point_count(activity: dict[str, Any]) -> int:
    elapsed = int(activity.get("elapsed_time") or 0)
    return max(2, min(MAX_POINTS, elapsed // SAMPLE_INTERVAL + 1))


def build(
    activity: dict[str, Any], keys: list[str], *, resolution: str | None = None
) -> list[tuple[str, list[Any]]]:
    """``(type, data)`` pairs for the requested keys the activity has, distance always included.

    Order: as requested, then ``distance`` if it was not asked for. ``resolution``
    (``low``/``medium``/``high``) caps the number of points like Strava's legacy parameter.
    """
    have = available(activity)
    wanted = [k for k in dict.fromkeys(keys) if k in have]
    if "distance" not in wanted:
        wanted.append("distance")
    size = point_count(activity)
    if resolution in RESOLUTION_POINTS:
        size = min(size, RESOLUTION_POINTS[resolution])
    series = _synthesize(activity, size)
    return [(k, series[k]) for k in wanted]


def _synthesize(activity: dict[str, Any], size: int) -> dict[str, list[Any]]:
    rng = random.Random(int(activity.get("id") or 0))
    elapsed = max(int(activity.get("elapsed_time") or 0), size - 1)
    total = float(activity.get("distance") or 0.0)
    times = [round(i * elapsed / (size - 1)) for i in range(size)]

    # Pace varies smoothly; the cumulative sum is scaled so the last point is the total.
    phase = rng.uniform(0, math.tau)
    weights = [1 + 0.25 * math.sin(phase + i / 17) + rng.uniform(-0.1, 0.1) for i in range(size)]
    weights[0] = 0.0
    scale = total / sum(weights) if total else 0.0
    distance, run = [], 0.0
    for w in weights:
        run += w * scale
        distance.append(round(run, 1))
    distance[-1] = round(total, 1)

    velocity = [0.0] + [
        round((distance[i] - distance[i - 1]) / max(times[i] - times[i - 1], 1), 2)
        for i in range(1, size)
    ]
    low = float(activity.get("elev_low") or 0.0)
    high = float(activity.get("elev_high") or low)
    hills = rng.uniform(1.5, 4.0)
    altitude = [
        round(low + (high - low) * (0.5 + 0.5 * math.sin(phase + math.tau * hills * i / size)), 1)
        for i in range(size)
    ]
    grade = [0.0] + [
        round(100 * (altitude[i] - altitude[i - 1]) / (distance[i] - distance[i - 1]), 1)
        if distance[i] - distance[i - 1] > 0.5
        else 0.0
        for i in range(1, size)
    ]
    series: dict[str, list[Any]] = {
        "time": times,
        "distance": distance,
        "velocity_smooth": velocity,
        "altitude": altitude,
        "grade_smooth": grade,
        "moving": [total == 0 or i == 0 or v > 0.3 for i, v in enumerate(velocity)],
    }
    route = (activity.get("map") or {}).get("summary_polyline")
    if route:
        series["latlng"] = _follow(route, [d / total if total else 0.0 for d in distance])
    series["heartrate"] = _around(
        rng, size, activity.get("average_heartrate"), 8, 60, activity.get("max_heartrate")
    )
    series["cadence"] = _around(rng, size, activity.get("average_cadence"), 4, 0, None)
    series["watts"] = _around(
        rng, size, activity.get("average_watts"), 45, 0, activity.get("max_watts")
    )
    series["temp"] = _around(rng, size, activity.get("average_temp"), 1, -30, None)
    return series


def _around(
    rng: random.Random, size: int, mean: Any, spread: float, floor: int, ceiling: Any
) -> list[int]:
    """Integers wandering around ``mean`` within [floor, ceiling]."""
    centre = float(mean or 0.0)
    top = float(ceiling) if ceiling is not None else math.inf
    phase = rng.uniform(0, math.tau)
    values = (centre + spread * math.sin(phase + i / 23) + rng.uniform(-1, 1) for i in range(size))
    return [int(max(floor, min(top, round(v)))) for v in values]


@lru_cache(maxsize=256)
def _decoded(route: str) -> tuple[list[tuple[float, float]], list[float]]:
    """Decoded points and the cumulative distance (m) at each."""
    points = [(float(lat), float(lng)) for lat, lng in polyline.decode(route, 5)]
    cumulative = [0.0]
    for i in range(1, len(points)):
        cumulative.append(cumulative[-1] + path_length(points[i - 1 : i + 1]))
    return points, cumulative


def _follow(route: str, fractions: list[float]) -> list[list[float]]:
    """Positions at each fraction of the route's length, interpolated between its points."""
    points, cumulative = _decoded(route)
    length = cumulative[-1]
    if len(points) < 2 or length <= 0:
        return [list(points[0]) for _ in fractions] if points else []
    out = []
    for fraction in fractions:
        target = min(max(fraction, 0.0), 1.0) * length
        j = min(max(bisect.bisect_right(cumulative, target), 1), len(points) - 1)
        span = cumulative[j] - cumulative[j - 1]
        t = (target - cumulative[j - 1]) / span if span else 0.0
        (lat1, lng1), (lat2, lng2) = points[j - 1], points[j]
        out.append([round(lat1 + (lat2 - lat1) * t, 6), round(lng1 + (lng2 - lng1) * t, 6)])
    return out
