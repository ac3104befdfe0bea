"""Sensor readings and social counts of a demo activity: heart rate, power, cadence,
temperature, elevation range, kudos and achievements, and the upload that created it.

Units: bpm, watts, kJ, rpm, °C, metres, seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from strava_dash.demo._geo import Track
from strava_dash.demo._life import HR_SINCE, POWER_SINCE, summer
from strava_dash.demo._plans import Plan
from strava_dash.demo._sports import RIDER_KG, RIDES, Sport, ZwiftRoute

Fields = dict[str, Any]


@dataclass(frozen=True)
class Outline:
    """What is settled before any reading: the plan, the local ``start``, the path, how far
    (``distance``, ``climb`` in m) and how long (``moving``, ``elapsed`` in s)."""

    plan: Plan
    sport: Sport
    start: datetime
    track: Track | None
    zwift: ZwiftRoute | None
    distance: float
    climb: float
    moving: int
    elapsed: int
    manual: bool

    @property
    def day(self) -> date:
        """The local calendar day."""
        return self.start.date()


def social(o: Outline, visibility: str, rng: random.Random) -> Fields:
    """Counts of kudos, comments, achievements, PRs, fellow athletes and photos."""
    plan = o.plan
    followers = 0.6 + 0.12 * max(0, o.day.year - 2020)
    kudos = o.sport.kudos * followers * rng.uniform(0.4, 1.5) * (1.0 + o.moving / 10_800.0)
    if plan.race:
        kudos *= 3.0
    if plan.commute:
        kudos = min(kudos, 3.0)
    if visibility == "only_me":
        kudos = 0.0
    elif visibility == "followers_only":
        kudos *= 0.6
    achievements = 0
    if not o.manual and (o.track or o.zwift) and not plan.commute:
        cap = 4 if o.zwift else min(25, int(2 + o.distance / 8000.0))
        achievements = rng.randint(0, cap)
    prs = rng.randint(0, achievements // 2)
    if plan.race:
        prs = max(1, prs)
        achievements = max(achievements, prs)
    comments = rng.randint(2, 8) if plan.race else (rng.randint(1, 3) if rng.random() < 0.12 else 0)
    athletes = rng.randint(25, 140) if plan.race else rng.randint(2, 8) if plan.group else 1
    photos = rng.randint(1, 6) if o.track and o.moving > 7200 and rng.random() < 0.2 else 0
    return {
        "achievement_count": achievements,
        "kudos_count": round(kudos),
        "comment_count": comments if visibility != "only_me" else 0,
        "athlete_count": athletes,
        "photo_count": 0,
        "pr_count": prs,
        "total_photo_count": photos,
    }


def heart_rate(o: Outline, rng: random.Random) -> Fields:
    """``has_heartrate`` and, only with a sensor, average/max heart rate and suffer score."""
    worn = not o.manual and o.day >= HR_SINCE and o.sport.hr > 0 and rng.random() < 0.94
    out: Fields = {"has_heartrate": worn}
    if worn:
        avg = rng.gauss(o.sport.hr, 4.0) + 115.0 * (o.plan.intensity - 1.0) + 3.0 * summer(o.day)
        out["average_heartrate"] = round(avg, 1)
        out["max_heartrate"] = float(round(min(193.0, avg + rng.uniform(14.0, 34.0))))
        strain = ((out["average_heartrate"] - 85.0) / 55.0) ** 2
        out["suffer_score"] = float(max(1, round(o.moving / 60.0 * strain * 1.3)))
    out["heartrate_opt_out"] = False
    out["display_hide_heartrate_option"] = worn
    return out


def sensors(o: Outline, has_hr: bool, rng: random.Random) -> Fields:
    """Cadence, temperature and power keys, present only when a sensor would provide them."""
    plan = o.plan
    out: Fields = {}
    measured = plan.sport == "VirtualRide" or (
        plan.sport == "Ride" and o.day >= POWER_SINCE and not plan.commute
    )
    pedals = measured or (has_hr and (o.sport.parent != "Ride" or rng.random() < 0.4))
    if o.sport.cadence and pedals:
        out["average_cadence"] = round(rng.gauss(o.sport.cadence, 2.0), 1)
    if o.track is not None and o.day >= HR_SINCE and plan.sport != "EBikeRide":
        out["average_temp"] = temperature(plan, o.start, rng)
    if plan.sport in RIDES:
        speed = o.distance / o.moving
        watts = power(plan, speed, o.climb / o.moving, rng) if speed else 0.0
        out["average_watts"] = round(watts, 1)
        if measured:
            out["max_watts"] = rng.randint(560, 980)
            out["weighted_average_watts"] = round(watts * rng.uniform(1.03, 1.12))
        out["kilojoules"] = round(watts * o.moving / 1000.0, 1)
        out["device_watts"] = measured
    return out


def power(plan: Plan, speed: float, climb_rate: float, rng: random.Random) -> float:
    """Average power (W) that rides at ``speed`` (m/s) climbing ``climb_rate`` (m/s)."""
    if plan.sport == "VirtualRide":
        return rng.gauss(198.0, 14.0) * plan.intensity
    crr, cda, bike_kg = {
        "GravelRide": (0.008, 0.36, 10.0),
        "MountainBikeRide": (0.014, 0.45, 12.5),
    }.get(plan.sport, (0.005, 0.32, 8.0))
    mass = RIDER_KG + bike_kg + (5.0 if plan.commute else 0.0)
    rolling = mass * 9.81 * crr * speed
    air = 0.5 * 1.2 * cda * speed**3
    # Descents, drafting and freewheeling cost nothing, hence the discount.
    return (rolling + air + mass * 9.81 * climb_rate) * rng.uniform(0.74, 0.86)


def temperature(plan: Plan, start: datetime, rng: random.Random) -> int:
    """Average temperature (°C) of an outdoor activity in Girona's climate."""
    seasonal = 15.0 - 9.5 * (1.0 - 2.0 * summer(start.date()))
    hour = start.hour
    daily = 3.0 if 12 <= hour < 18 else (-2.5 if hour < 9 else 0.0)
    if plan.sport in ("AlpineSki", "NordicSki"):
        seasonal -= 12.0
    return round(seasonal + daily + rng.gauss(0.0, 2.0))


def elevation_range(o: Outline, rng: random.Random) -> Fields:
    """``elev_high`` and ``elev_low`` (m); 0.0 for sessions that recorded no altitude."""
    low, high = 0.0, 0.0
    if o.track is not None:
        low = max(0.0, min(o.track.heights_m) - rng.uniform(0.0, 4.0))
        high = max(o.track.heights_m) + rng.uniform(0.0, 6.0)
    elif o.zwift is not None:
        low = rng.uniform(2.0, 15.0)
        high = low + min(o.zwift.lap_climb_m, 1050.0) * rng.uniform(0.6, 1.0)
    return {"elev_high": round(high, 1), "elev_low": round(low, 1)}


def upload(o: Outline, activity_id: int, rng: random.Random) -> Fields:
    """The upload behind an activity: a Zwift file or a Garmin ping; nothing when manual."""
    if o.manual:
        return {"upload_id": None, "external_id": None}
    upload_id = activity_id + activity_id // 14 + rng.randrange(1000)
    if o.zwift is not None:
        external = f"zwift-activity-{1_000_000_000_000_000_000 + activity_id * 29_000_000}.fit"
    else:
        external = f"garmin_ping_{activity_id * 24 + rng.randrange(24)}"
    return {"upload_id": upload_id, "upload_id_str": str(upload_id), "external_id": external}
