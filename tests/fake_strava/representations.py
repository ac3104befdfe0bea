"""JSON shapes built from the fake's state: athletes, gear, detailed activity, stats (§1.2, §3)."""

from __future__ import annotations

import copy
import math
import random
from datetime import UTC, datetime
from typing import Any

from tests.fake_strava.factory import parse_epoch
from tests.fake_strava.models import FakeAthlete

RIDE_SPORTS = frozenset(
    {
        "Ride",
        "MountainBikeRide",
        "GravelRide",
        "EBikeRide",
        "EMountainBikeRide",
        "VirtualRide",
        "Velomobile",
        "Handcycle",
    }
)
RUN_SPORTS = frozenset({"Run", "TrailRun", "VirtualRun"})
SWIM_SPORTS = frozenset({"Swim"})
RECENT_WINDOW = 28 * 86_400  # s: "recent" totals cover the last 4 weeks
DEVICE = {"VirtualRide": "Zwift", "Ride": "Garmin Edge 840", "GravelRide": "Garmin Edge 840"}
DESCRIPTIONS = ("", "", "Legs felt good.", "Windy, with a café stop ☕", "Intervals: 5×4 min")


def avatar_url(origin: str, athlete_id: int, size: str) -> str:
    """A picture served by the fake itself, so nothing points at the internet."""
    return f"{origin}/fake/avatar/{athlete_id}/{size}.png"


def athlete_summary(athlete: FakeAthlete, origin: str) -> dict[str, Any]:
    """SummaryAthlete (resource_state 2) as in the token response and ``GET /athlete``."""
    return {
        "id": athlete.id,
        "username": athlete.username,
        "resource_state": 2,
        "firstname": athlete.firstname,
        "lastname": athlete.lastname,
        "bio": None,
        "city": athlete.city,
        "state": athlete.state,
        "country": athlete.country,
        "sex": athlete.sex,
        "premium": True,
        "summit": True,
        "created_at": athlete.created_at,
        "updated_at": athlete.updated_at,
        "badge_type_id": 1,
        "weight": athlete.weight,
        "profile_medium": avatar_url(origin, athlete.id, "medium"),
        "profile": avatar_url(origin, athlete.id, "large"),
        "friend": None,
        "follower": None,
    }


def summary_gear(gear: dict[str, Any]) -> dict[str, Any]:
    """SummaryGear (resource_state 2) of a DetailedGear dict."""
    return {
        "id": gear["id"],
        "primary": bool(gear.get("primary", False)),
        "name": gear.get("name", gear["id"]),
        "resource_state": 2,
        "distance": gear.get("distance", 0.0),
    }


def athlete_detailed(athlete: FakeAthlete, origin: str) -> dict[str, Any]:
    """DetailedAthlete (resource_state 3): what ``GET /athlete`` gives with profile:read_all."""
    detailed = athlete_summary(athlete, origin)
    gear = list(athlete.gear.values())
    detailed.update(
        {
            "resource_state": 3,
            "follower_count": 12,
            "friend_count": 15,
            "mutual_friend_count": 0,
            "athlete_type": 0,
            "date_preference": "%m/%d/%Y",
            "measurement_preference": athlete.measurement_preference,
            "clubs": [],
            "ftp": athlete.ftp,
            "weight": athlete.weight,
            "bikes": [summary_gear(g) for g in gear if str(g["id"]).startswith("b")],
            "shoes": [summary_gear(g) for g in gear if not str(g["id"]).startswith("b")],
        }
    )
    return detailed


def detailed_activity(activity: dict[str, Any], athlete: FakeAthlete) -> dict[str, Any]:
    """DetailedActivity (resource_state 3): the summary plus detail-only keys.

    Keys a test put on the stored dict (``description``, ``calories``…) win over the
    synthesized ones.
    """
    detailed = copy.deepcopy(activity)
    rng = random.Random(int(activity.get("id") or 0))
    sport = str(activity.get("sport_type") or activity.get("type") or "")
    moving = int(activity.get("moving_time") or 0)
    kilojoules = activity.get("kilojoules")
    calories = float(kilojoules) * 1.05 if kilojoules else moving * rng.uniform(0.12, 0.2)
    gear_id = activity.get("gear_id")
    route = detailed.setdefault("map", {"id": f"a{activity.get('id')}", "summary_polyline": ""})
    route.setdefault("polyline", route.get("summary_polyline"))
    route["resource_state"] = 3
    extra: dict[str, Any] = {
        "description": rng.choice(DESCRIPTIONS),
        "calories": round(calories, 1),
        "embed_token": f"{int(activity.get('id') or 0):x}fake",
        "photos": {"primary": None, "count": 0},
        "segment_efforts": [],
        "splits_metric": _splits(activity, 1000.0),
        "splits_standard": _splits(activity, 1609.34),
        "laps": [_lap(activity)],
        "best_efforts": [],
        "available_zones": [],
        "perceived_exertion": None,
        "prefer_perceived_exertion": False,
        "hide_from_home": False,
    }
    if not activity.get("manual"):
        extra["device_name"] = DEVICE.get(sport, "Garmin Forerunner 265")
    if gear_id and gear_id in athlete.gear:
        extra["gear"] = summary_gear(athlete.gear[gear_id])
    for key, value in extra.items():
        detailed.setdefault(key, value)
    detailed["resource_state"] = 3
    return detailed


def _splits(activity: dict[str, Any], unit: float) -> list[dict[str, Any]]:
    """Even splits of ``unit`` metres at the average speed (none without distance or GPS)."""
    distance = float(activity.get("distance") or 0.0)
    speed = float(activity.get("average_speed") or 0.0)
    if activity.get("manual") or distance <= 0 or speed <= 0:
        return []
    splits, done, index = [], 0.0, 1
    while done < distance - 0.05:
        step = min(unit, distance - done)
        seconds = round(step / speed)
        splits.append(
            {
                "distance": round(step, 1),
                "elapsed_time": seconds,
                "elevation_difference": 0.0,
                "moving_time": seconds,
                "split": index,
                "average_speed": round(speed, 2),
                "pace_zone": 0,
            }
        )
        done += step
        index += 1
    return splits


def _lap(activity: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(activity.get("id") or 0) * 10 + 1,
        "resource_state": 2,
        "name": "Lap 1",
        "activity": {"id": activity.get("id"), "resource_state": 1},
        "athlete": {"id": (activity.get("athlete") or {}).get("id"), "resource_state": 1},
        "elapsed_time": activity.get("elapsed_time"),
        "moving_time": activity.get("moving_time"),
        "start_date": activity.get("start_date"),
        "start_date_local": activity.get("start_date_local"),
        "distance": activity.get("distance"),
        "start_index": 0,
        "end_index": 0,
        "total_elevation_gain": activity.get("total_elevation_gain"),
        "average_speed": activity.get("average_speed"),
        "max_speed": activity.get("max_speed"),
        "average_cadence": activity.get("average_cadence"),
        "device_watts": activity.get("device_watts", False),
        "average_watts": activity.get("average_watts"),
        "lap_index": 1,
        "split": 1,
        "pace_zone": 0,
    }


def _totals(activities: list[dict[str, Any]], *, achievements: bool) -> dict[str, Any]:
    totals: dict[str, Any] = {
        "count": len(activities),
        "distance": round(sum((float(a.get("distance") or 0.0) for a in activities), 0.0), 1),
        "moving_time": sum(int(a.get("moving_time") or 0) for a in activities),
        "elapsed_time": sum(int(a.get("elapsed_time") or 0) for a in activities),
        "elevation_gain": round(
            sum((float(a.get("total_elevation_gain") or 0.0) for a in activities), 0.0), 1
        ),
    }
    if achievements:  # a real recording has achievement_count only in the recent_* totals
        totals["achievement_count"] = sum(int(a.get("achievement_count") or 0) for a in activities)
    return totals


def activity_stats(athlete: FakeAthlete, now: float) -> dict[str, Any]:
    """ActivityStats over the athlete's Everyone-visible activities up to ``now``.

    recent = the 4 weeks before ``now``; ytd = since 1 January (UTC) of ``now``'s year.
    """
    year_start = datetime(datetime.fromtimestamp(now, UTC).year, 1, 1, tzinfo=UTC).timestamp()
    public = [
        (parse_epoch(a["start_date"]), a)
        for a in athlete.activities
        if a.get("visibility", "everyone") == "everyone" and not a.get("private")
    ]
    public = [(ts, a) for ts, a in public if ts <= now]
    stats: dict[str, Any] = {}
    rides = [a for _, a in public if a.get("sport_type", a.get("type")) in RIDE_SPORTS]
    stats["biggest_ride_distance"] = max(
        (float(a.get("distance") or 0.0) for a in rides), default=0.0
    )
    stats["biggest_climb_elevation_gain"] = max(
        (float(a.get("total_elevation_gain") or 0.0) for a in rides), default=0.0
    )
    periods = (("recent", now - RECENT_WINDOW), ("all", -math.inf), ("ytd", year_start))
    for sport, kinds in (("ride", RIDE_SPORTS), ("run", RUN_SPORTS), ("swim", SWIM_SPORTS)):
        for period, since in periods:
            chosen = [
                a for ts, a in public if ts >= since and a.get("sport_type", a.get("type")) in kinds
            ]
            stats[f"{period}_{sport}_totals"] = _totals(chosen, achievements=period == "recent")
    return stats
