"""Deterministic SummaryActivity and gear data in the exact API shape (strava-api.md §2.1/§2.2).

Everything derives from ``(n, athlete_id, seed, end)`` through one ``random.Random``, so
the same call always returns the same list. GPS routes are loops around Paris taken
from a small pool encoded once, which keeps 20,000 activities well under a second.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import polyline

DEFAULT_END = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
DEFAULT_GEAR_IDS = ("b1001", "g2001")
FIRST_ACTIVITY_ID = 12_345_678_901

CENTER = (48.8566, 2.3522)  # Paris
TIMEZONE = "(GMT+01:00) Europe/Paris"  # the label shows the standard offset even in summer
COUNTRY = "France"
EARTH_RADIUS = 6_371_000.0  # m

# A fixed 20-slot rotation (offset by the seed) so even a short list holds every sport.
SPORT_CYCLE = (
    "Ride", "Run", "Walk", "Ride", "VirtualRide", "Run", "GravelRide", "Swim", "Ride",
    "WeightTraining", "Run", "Walk", "Ride", "Run", "VirtualRide", "Ride", "Walk", "Run",
    "Swim", "GravelRide",
)  # fmt: skip
LEGACY_TYPE = {"GravelRide": "Ride", "MountainBikeRide": "Ride", "TrailRun": "Run"}
LABEL = {
    "Ride": "Ride",
    "GravelRide": "Gravel Ride",
    "VirtualRide": "Zwift Ride",
    "Run": "Run",
    "Walk": "Walk",
    "Swim": "Swim",
    "WeightTraining": "Weight Training",
}
BIKE_SPORTS = frozenset({"Ride", "GravelRide", "VirtualRide"})
SHOE_SPORTS = frozenset({"Run", "Walk"})
SPEED = {  # m/s, (low, high)
    "Ride": (6.5, 8.5),
    "GravelRide": (5.2, 6.8),
    "VirtualRide": (7.8, 9.6),
    "Run": (2.6, 3.6),
    "Walk": (1.2, 1.6),
    "Swim": (0.6, 0.9),
}
HEART_RATE = {  # bpm average, (low, high)
    "Ride": (122, 148),
    "GravelRide": (128, 152),
    "VirtualRide": (132, 158),
    "Run": (140, 166),
    "Walk": (92, 112),
    "Swim": (118, 140),
    "WeightTraining": (98, 124),
}

# Names that break naive CSV writers, spreadsheets, HTML and "NA"-sniffing parsers; placed
# at fixed positions (index mod 40) so any list of 18 or more holds all of them.
NASTY_NAMES = {
    1: "Morning Ride 🚴‍♀️",
    3: 'Ride, with "quotes", and commas',
    5: "Two\nlines",
    8: '=HYPERLINK("http://evil")',
    12: "NA",
    17: "None",
    23: "<script>alert('x')</script> & Co",
}
ONLY_ME_EVERY, ONLY_ME_AT = 11, 9
FOLLOWERS_EVERY, FOLLOWERS_AT = 13, 4
MANUAL_EVERY, MANUAL_AT = 15, 7
NO_HR_EVERY, NO_HR_AT = 6, 2


def iso_z(epoch: float) -> str:
    """Strava's timestamp format: whole seconds, always suffixed ``Z``."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=262_144)
def parse_epoch(stamp: str) -> float:
    """Epoch seconds of a Strava timestamp (cached: the list endpoint parses 20,000 per call)."""
    parsed = datetime.fromisoformat(stamp)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@lru_cache(maxsize=64)
def _dst_bounds(year: int) -> tuple[float, float]:
    """EU summer time: last Sunday of March to last Sunday of October, 01:00 UTC."""

    def last_sunday(month: int) -> datetime:
        day = datetime(year, month, 31, 1, 0, tzinfo=UTC)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    return last_sunday(3).timestamp(), last_sunday(10).timestamp()


def paris_offset(epoch: float) -> int:
    """Europe/Paris UTC offset in seconds at ``epoch``."""
    start, end = _dst_bounds(datetime.fromtimestamp(epoch, UTC).year)
    return 7200 if start <= epoch < end else 3600


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(h))


def path_length(points: Sequence[tuple[float, float]]) -> float:
    """Length in metres of a lat/lng path."""
    return sum(_haversine(points[i], points[i + 1]) for i in range(len(points) - 1))


@lru_cache(maxsize=16)
def _route_pool(kind: str, seed: int) -> tuple[tuple[str, tuple[float, float], float], ...]:
    """Encoded loop routes: ``(summary_polyline, start point, length m)``."""
    radius_m = {"ride": (3000.0, 12000.0), "run": (800.0, 3000.0), "walk": (300.0, 1200.0)}[kind]
    rng = random.Random(f"{kind}-{seed}")
    pool = []
    for _ in range(24):
        radius = rng.uniform(*radius_m)
        lat0 = CENTER[0] + rng.uniform(-0.04, 0.04)
        lng0 = CENTER[1] + rng.uniform(-0.06, 0.06)
        squash, phase, count = rng.uniform(0.5, 1.0), rng.uniform(0, math.tau), rng.randint(18, 36)
        points = []
        for k in range(count + 1):
            angle = phase + math.tau * k / count
            wobble = 1 + rng.uniform(-0.08, 0.08) if 0 < k < count else 1.0
            dy, dx = radius * math.cos(angle) * wobble, radius * squash * math.sin(angle) * wobble
            lat = lat0 + dy / 111_320
            lng = lng0 + dx / (111_320 * math.cos(math.radians(lat0)))
            points.append((round(lat, 5), round(lng, 5)))
        pool.append((polyline.encode(points, 5), points[0], path_length(points)))
    return tuple(pool)


def _route_kind(sport: str) -> str | None:
    return {"Ride": "ride", "GravelRide": "ride", "Run": "run", "Walk": "walk"}.get(sport)


def _activity_id(athlete_id: int, seed: int, day: int) -> int:
    # Strava ids grow with time; one activity per day makes the day number a unique suffix,
    # and the athlete/seed block keeps ids of different athletes apart.
    block = (athlete_id * 7919 + seed * 104_729) % 90_000
    return FIRST_ACTIVITY_ID + block * 1_000_000 + day


def make_activities(
    n: int,
    *,
    athlete_id: int,
    seed: int = 0,
    end: datetime | float | None = None,
    gear_ids: Sequence[str] = DEFAULT_GEAR_IDS,
) -> list[dict[str, Any]]:
    """``n`` SummaryActivity dicts (resource_state 2) of ``athlete_id``, newest first.

    One activity per day, going back from the day before ``end`` (a datetime, naive =
    UTC, or epoch seconds; default 2026-11-01T08:00Z), each starting at a plausible
    local hour in Europe/Paris. The mix: Ride, GravelRide, VirtualRide (trainer, no
    GPS), Run, Walk, Swim (pool, no GPS), WeightTraining (distance 0). Every 15th is
    manual, every 6th has no heart rate, every 11th is only_me, every 13th is
    followers_only; names include emoji, quotes, commas, a newline, a leading "=",
    "NA" and "None". Bikes (ids starting "b") go on rides, shoes ("g") on runs and walks.
    """
    if end is None:
        end_epoch = DEFAULT_END.timestamp()
    elif isinstance(end, datetime):
        end_epoch = (end if end.tzinfo else end.replace(tzinfo=UTC)).timestamp()
    else:
        end_epoch = float(end)
    # Latest local start is 20:59, i.e. before 22:00 UTC, so starts never pass `end`.
    newest_day = int((end_epoch - 22 * 3600) // 86_400)
    bikes = [g for g in gear_ids if g.startswith("b")]
    shoes = [g for g in gear_ids if g.startswith("g")]
    rng = random.Random(f"activities-{athlete_id}-{seed}")
    cycle_offset = rng.randrange(len(SPORT_CYCLE))
    pools = {kind: _route_pool(kind, seed) for kind in ("ride", "run", "walk")}
    return [
        _one_activity(
            i,
            day=newest_day - i,
            sport=SPORT_CYCLE[(i + cycle_offset) % len(SPORT_CYCLE)],
            athlete_id=athlete_id,
            seed=seed,
            rng=rng,
            pools=pools,
            bikes=bikes,
            shoes=shoes,
        )
        for i in range(n)
    ]


def _local_hour(rng: random.Random, weekday: int) -> float:
    if weekday >= 5:
        return rng.uniform(8.0, 11.5)
    return rng.choice((rng.uniform(6.0, 8.0), rng.uniform(12.0, 13.0), rng.uniform(17.0, 20.9)))


def _part_of_day(hour: int) -> str:
    if hour < 11:
        return "Morning"
    if hour < 14:
        return "Lunch"
    if hour < 17:
        return "Afternoon"
    return "Evening" if hour < 21 else "Night"


def _one_activity(
    i: int,
    *,
    day: int,
    sport: str,
    athlete_id: int,
    seed: int,
    rng: random.Random,
    pools: dict[str, tuple[tuple[str, tuple[float, float], float], ...]],
    bikes: list[str],
    shoes: list[str],
) -> dict[str, Any]:
    activity_id = _activity_id(athlete_id, seed, day + 25_567)  # days since 1900: positive
    midnight = day * 86_400.0
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
    offset = paris_offset(midnight + 12 * 3600)
    local = midnight + _local_hour(rng, weekday) * 3600
    start = int(local - offset)
    manual = i % MANUAL_EVERY == MANUAL_AT
    kind = None if manual else _route_kind(sport)
    route = pools[kind][rng.randrange(len(pools[kind]))] if kind else None

    if route is not None:
        distance = round(route[2] * rng.uniform(0.99, 1.04), 1)
    elif sport == "WeightTraining":
        distance = 0.0
    elif sport == "Swim":
        distance = float(rng.choice((1000, 1500, 2000, 2500, 3000)))
    elif sport == "VirtualRide":
        distance = round(rng.uniform(18_000, 48_000), 1)
    else:  # manual ride/run/walk: people type round numbers
        distance = float(rng.choice((5, 10, 15, 20, 40)) * 1000)
    if sport == "WeightTraining":
        moving = rng.randint(1800, 4200)
    else:
        moving = max(60, int(distance / rng.uniform(*SPEED[sport])))
    paused = 0 if manual or sport in ("VirtualRide", "WeightTraining") else moving // 6
    elapsed = moving + rng.randint(0, paused)
    average_speed = round(distance / moving, 3) if moving else 0.0
    hour = int(((start + offset) % 86_400) // 3600)
    name = NASTY_NAMES.get(i % 40) or f"{_part_of_day(hour)} {LABEL[sport]}"
    only_me = i % ONLY_ME_EVERY == ONLY_ME_AT
    if only_me:
        visibility = "only_me"
    elif i % FOLLOWERS_EVERY == FOLLOWERS_AT:
        visibility = "followers_only"
    else:
        visibility = "everyone"
    gear_id = None
    if sport in BIKE_SPORTS and bikes:
        gear_id = bikes[i % len(bikes)]
    elif sport in SHOE_SPORTS and shoes:
        gear_id = shoes[i % len(shoes)]
    upload_id = None if manual else activity_id + 700_000_000_000
    start_latlng: list[float] = []
    end_latlng: list[float] = []
    summary_polyline = ""
    if route is not None:
        summary_polyline = route[0]
        start_latlng = list(route[1])
        end_latlng = list(route[1])
    kudos = rng.randint(0, 25)

    activity: dict[str, Any] = {
        "resource_state": 2,
        "athlete": {"id": athlete_id, "resource_state": 1},
        "name": name,
        "distance": distance,
        "moving_time": moving,
        "elapsed_time": elapsed,
        "total_elevation_gain": 0.0,
        "type": LEGACY_TYPE.get(sport, sport),
        "sport_type": sport,
        "workout_type": _workout_type(sport, rng),
        "id": activity_id,
        "start_date": iso_z(start),
        "start_date_local": iso_z(start + offset),
        "timezone": TIMEZONE,
        "utc_offset": float(offset),
        "location_city": None,
        "location_state": None,
        "location_country": None if manual else COUNTRY,
        "achievement_count": 0 if manual else rng.randint(0, 6),
        "kudos_count": kudos,
        "comment_count": rng.randint(0, min(kudos, 3)),
        "athlete_count": 1 if manual or route is None else rng.choice((1, 1, 1, 2, 4)),
        "photo_count": 0,
        "map": {"id": f"a{activity_id}", "summary_polyline": summary_polyline, "resource_state": 2},
        "trainer": sport == "VirtualRide",
        "commute": sport in ("Ride", "Walk") and weekday < 5 and i % 4 == 1,
        "manual": manual,
        "private": only_me,
        "visibility": visibility,
        "flagged": False,
        "gear_id": gear_id,
        "start_latlng": start_latlng,
        "end_latlng": end_latlng,
        "average_speed": average_speed,
        "max_speed": 0.0 if manual else round(average_speed * rng.uniform(1.3, 2.0), 1),
        "has_heartrate": False,
        "heartrate_opt_out": False,
        "display_hide_heartrate_option": False,
        "upload_id": upload_id,
        "external_id": None if manual else f"garmin_ping_{upload_id}",
        "from_accepted_tag": False,
        "pr_count": 0,
        "total_photo_count": 0 if manual else rng.choice((0, 0, 0, 1, 3)),
        "has_kudoed": False,
    }
    if manual:
        return activity
    activity["upload_id_str"] = str(upload_id)
    _add_sensor_fields(activity, i=i, sport=sport, rng=rng, outdoor=route is not None)
    return activity


def _workout_type(sport: str, rng: random.Random) -> int | None:
    if sport in ("Run", "TrailRun"):
        return rng.choice((0, 0, 0, 0, 1, 2, 3))
    if sport in BIKE_SPORTS:
        return rng.choice((10, 10, 10, 11, 12))
    return None


def _add_sensor_fields(
    activity: dict[str, Any], *, i: int, sport: str, rng: random.Random, outdoor: bool
) -> None:
    """Elevation, cadence, power, temperature and heart rate of a recorded (non-manual) activity."""
    distance, moving = activity["distance"], activity["moving_time"]
    if outdoor or sport == "VirtualRide":
        climb = (4.0, 14.0) if sport in BIKE_SPORTS else (3.0, 10.0)  # m gained per km
        gain = round(distance / 1000 * rng.uniform(*climb), 1)
        low = round(rng.uniform(28.0, 45.0), 1)
        activity["total_elevation_gain"] = gain
        activity["elev_low"] = low
        activity["elev_high"] = round(low + min(gain, rng.uniform(20.0, 110.0)), 1)
    elif sport == "WeightTraining":
        activity["elev_low"] = activity["elev_high"] = 0.0  # indoor devices report zeros
    if (sport in BIKE_SPORTS and i % 3 != 0) or sport in ("Run", "VirtualRide"):
        activity["average_cadence"] = round(rng.uniform(78.0, 92.0), 1)
    if sport in BIKE_SPORTS:
        power_meter = sport != "Ride" or i % 5 == 0
        watts = round(rng.uniform(130.0, 215.0), 1)
        activity["average_watts"] = watts
        activity["kilojoules"] = round(watts * moving / 1000, 1)
        activity["device_watts"] = power_meter
        if power_meter:
            activity["weighted_average_watts"] = int(watts * rng.uniform(1.03, 1.12))
            activity["max_watts"] = int(watts * rng.uniform(2.2, 3.6))
    if outdoor and i % 2 == 0:
        month = int(activity["start_date"][5:7])  # Paris: about 3 °C in January, 19 °C in July
        activity["average_temp"] = round(11 - 8 * math.cos(math.tau * (month - 1.5) / 12))
    if i % NO_HR_EVERY == NO_HR_AT:
        return  # no sensor: has_heartrate false and the HR keys are absent, as Strava sends
    average_hr = round(rng.uniform(*HEART_RATE[sport]), 1)
    activity["has_heartrate"] = True
    activity["display_hide_heartrate_option"] = True
    activity["average_heartrate"] = average_hr
    activity["max_heartrate"] = float(int(average_hr + rng.uniform(12, 32)))
    activity["suffer_score"] = (
        None if i % 9 == 0 else float(round(moving / 60 * (average_hr - 90) / 45))
    )


def default_gear(
    gear_ids: Sequence[str], activities: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """DetailedGear for each id, with ``distance`` summed from the activities using it (m)."""
    totals: dict[str, float] = {}
    for activity in activities:
        gear_id = activity.get("gear_id")
        if gear_id:
            totals[gear_id] = totals.get(gear_id, 0.0) + float(activity.get("distance") or 0.0)
    gear = []
    for n, gear_id in enumerate(gear_ids):
        bike = gear_id.startswith("b")
        brand, model = ("Canyon", "Endurace CF 7") if bike else ("Hoka", "Clifton 9")
        name = f"{brand} {model}" if n < 2 else f"{brand} {model} #{n}"
        distance = round(totals.get(gear_id, 0.0), 1)
        item: dict[str, Any] = {
            "id": gear_id,
            "primary": n < 2,
            "name": name,
            "nickname": name,
            "resource_state": 3,
            "retired": False,
            "distance": distance,
            "converted_distance": round(distance / 1000, 1),
            "brand_name": brand,
            "model_name": model,
            "description": "A fake bike." if bike else "Fake running shoes.",
        }
        if bike:
            item["frame_type"] = 3
        gear.append(item)
    return gear


def mix_outside(activities: list[dict[str, Any]], share: float, seed: int = 0) -> None:
    """Turn rides, runs and swims into walks, workouts and yoga until about ``share`` of
    the activities are sports the athlete's stats do not count (the factory has 20 %)."""
    outside = sum(1 for a in activities if a["sport_type"] in _OUTSIDE)
    inside = len(activities) - outside
    convert = max(share * len(activities) - outside, 0) / inside if inside else 0.0
    rng = random.Random(f"outside-{seed}")
    for activity in activities:
        if activity["sport_type"] not in _OUTSIDE and rng.random() < convert:
            sport = rng.choice(("Walk", "Workout", "Yoga"))
            activity["sport_type"] = activity["type"] = sport
            if sport != "Walk":
                activity["distance"] = 0.0


_OUTSIDE = frozenset({"Walk", "WeightTraining", "Workout", "Yoga"})


def distinct_routes(records: list[dict[str, Any]], points: int = 60, seed: int = 14) -> None:
    """Give each GPS activity a route of its own (a ``points``-point random walk around
    Paris): the map's worst case, nothing repeats. Starts follow. In place."""
    rng = random.Random(seed)
    for record in records:
        if record["map"]["summary_polyline"]:
            lat = 48.85 + rng.uniform(-0.1, 0.1)
            lng = 2.35 + rng.uniform(-0.15, 0.15)
            path = []
            for _ in range(points):
                lat += rng.gauss(0, 8e-4)
                lng += rng.gauss(0, 1.2e-3)
                path.append((round(lat, 5), round(lng, 5)))
            record["map"]["summary_polyline"] = polyline.encode(path, 5)
            record["start_latlng"] = list(path[0])
