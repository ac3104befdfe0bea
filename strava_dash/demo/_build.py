"""Turn the athlete's day plans into SummaryActivity dicts in the exact API shape.

Units follow the API: distances and heights in metres, times in seconds, speeds in m/s,
heart rate in bpm, power in watts, energy in kJ, temperature in °C.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from strava_dash.demo import _geo, _metrics
from strava_dash.demo._life import SEED, bike_for, injured, shoes_for, summer
from strava_dash.demo._names import activity_name
from strava_dash.demo._plans import BANDS, Plan, plan_day
from strava_dash.demo._sports import RIDES, SPORTS, ZWIFT_ROUTES, Sport

Activity = dict[str, Any]

TZ = ZoneInfo("Europe/Madrid")
TIMEZONE_LABEL = "(GMT+01:00) Europe/Madrid"
ID_EPOCH = date(2000, 1, 1)
IDS_PER_DAY = 1_700_000
"""Activity ids grow by this much a day, which puts them near real ones (~1.5e10 in 2026)."""
_MANUAL_PRONE = frozenset({"Ride", "GravelRide", "MountainBikeRide", "Run", "TrailRun"})
"""Sport types the athlete now and then forgets to record and types in by hand."""


def iso_z(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``; Strava writes local wall-clock times with the Z too."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_day(day: date, athlete_id: int) -> list[Activity]:
    """The activities of one calendar day, in start order; they depend only on the date."""
    rng = random.Random(f"{SEED}-{day.isoformat()}")
    order = list(BANDS)
    plans = sorted(plan_day(day, rng), key=lambda p: order.index(p.band))
    out: list[Activity] = []
    free_from = datetime.combine(day, time(5, 45))
    for plan in plans:
        lo, hi = BANDS[plan.band]
        if plan.band == "weekend":
            # Summer weekend rides start early to beat the heat.
            lo, hi = lo - 0.6 * summer(day), hi - 0.6 * summer(day)
        hour = plan.start_hour if plan.start_hour is not None else rng.uniform(lo, hi)
        start = datetime.combine(day, time()) + timedelta(seconds=round(hour * 3600))
        if plan.start_hour is not None:
            start += timedelta(seconds=rng.randint(20, 240) if plan.race else rng.randint(0, 900))
        if start < free_from:
            start = free_from + timedelta(seconds=rng.randint(20 * 60, 50 * 60))
        if start.hour >= 21 or start.date() != day:
            continue
        activity = _activity(plan, day, start, rng, len(out), athlete_id)
        out.append(activity)
        free_from = start + timedelta(seconds=activity["elapsed_time"])
    return out


KEY_ORDER = (
    "resource_state", "athlete", "name", "distance", "moving_time", "elapsed_time",
    "total_elevation_gain", "type", "sport_type", "workout_type", "id", "start_date",
    "start_date_local", "timezone", "utc_offset", "location_city", "location_state",
    "location_country", "achievement_count", "kudos_count", "comment_count", "athlete_count",
    "photo_count", "map", "trainer", "commute", "manual", "private", "visibility", "flagged",
    "gear_id", "start_latlng", "end_latlng", "average_speed", "max_speed", "average_cadence",
    "average_temp", "average_watts", "max_watts", "weighted_average_watts", "kilojoules",
    "device_watts", "has_heartrate", "average_heartrate", "max_heartrate", "heartrate_opt_out",
    "display_hide_heartrate_option", "elev_high", "elev_low", "upload_id", "upload_id_str",
    "external_id", "from_accepted_tag", "pr_count", "total_photo_count", "has_kudoed",
    "suffer_score",
)  # fmt: skip
"""SummaryActivity keys in the order Strava sends them."""


def _activity(
    plan: Plan, day: date, start: datetime, rng: random.Random, slot: int, athlete_id: int
) -> Activity:
    o = _outline(plan, start, rng)
    activity_id = (day - ID_EPOCH).days * IDS_PER_DAY + slot * 150_000 + rng.randrange(100_000)
    offset = start.replace(tzinfo=TZ).utcoffset() or timedelta()
    visibility = _visibility(plan, rng)
    name = activity_name(plan, start, o.distance, o.elapsed, o.zwift, injured(day), rng)
    fields: Activity = {
        "resource_state": 2,
        "athlete": {"id": athlete_id, "resource_state": 1},
        "name": name,
        "distance": round(o.distance, 1),
        "moving_time": o.moving,
        "elapsed_time": o.elapsed,
        "total_elevation_gain": round(o.climb, 1),
        "type": o.sport.parent,
        "sport_type": plan.sport,
        "workout_type": plan.workout_type,
        "id": activity_id,
        "start_date": iso_z(start - offset),
        "start_date_local": iso_z(start),
        "timezone": TIMEZONE_LABEL,
        "utc_offset": offset.total_seconds(),
        "location_city": None,
        "location_state": None,
        "trainer": plan.sport == "VirtualRide",
        "commute": plan.commute,
        "manual": o.manual,
        "private": visibility == "only_me",
        "visibility": visibility,
        "flagged": False,
        "gear_id": bike_for(plan.sport, day, commute=plan.commute) or shoes_for(plan.sport, day),
        "average_speed": round(o.distance / o.moving, 3) if o.distance else 0.0,
        "max_speed": 0.0,
        "from_accepted_tag": False,
        "has_kudoed": False,
    }
    fields.update(_where(o.track, activity_id))
    fields.update(_metrics.social(o, visibility, rng))
    fields.update(_metrics.heart_rate(o, rng))
    if not o.manual:
        if o.distance:
            fields["max_speed"] = round(o.distance / o.moving * rng.uniform(*o.sport.max_ratio), 1)
        fields.update(_metrics.sensors(o, fields["has_heartrate"], rng))
        fields.update(_metrics.elevation_range(o, rng))
    fields.update(_metrics.upload(o, activity_id, rng))
    return {key: fields[key] for key in KEY_ORDER if key in fields}


def _where(track: _geo.Track | None, activity_id: int) -> Activity:
    """The map and start/end points; empty without GPS."""
    polyline = track.encoded if track else ""
    out: Activity = {
        "map": {"id": f"a{activity_id}", "summary_polyline": polyline, "resource_state": 2},
        "location_country": "Spain" if track else None,
        "start_latlng": [],
        "end_latlng": [],
    }
    if track:
        # Like Strava's summaries, start and end are rounded to about a kilometre.
        out["start_latlng"] = [round(track.points[0][0], 2), round(track.points[0][1], 2)]
        out["end_latlng"] = [round(track.points[-1][0], 2), round(track.points[-1][1], 2)]
    return out


def _outline(plan: Plan, start: datetime, rng: random.Random) -> _metrics.Outline:
    """Decide whether the activity was recorded, where it went, how far and how long."""
    sport = SPORTS[plan.sport]
    manual = plan.manual or (
        plan.sport in _MANUAL_PRONE and not (plan.race or plan.commute) and rng.random() < 1 / 40
    )
    zwift = rng.choice(ZWIFT_ROUTES) if plan.sport == "VirtualRide" else None
    track = None
    if plan.route and not manual:
        track = _geo.track(
            plan.route, rng, target_m=plan.target_m, scale=plan.scale, reverse=plan.reverse
        )
        distance = track.length_m * rng.uniform(1.003, 1.02)
        rolling = sport.rolling * distance / 1000.0 * rng.uniform(0.6, 1.4)
        climb = _geo.climb_m(track.heights_m) * rng.uniform(1.0, 1.08) + rolling
    elif zwift is not None:
        per_km = zwift.lap_climb_m / zwift.lap_km
        kmh = sport.kmh - sport.climb_penalty * (per_km - 8.0) + rng.gauss(0, 1.0)
        distance = max(sport.kmh_range[0], kmh) * (plan.minutes or 60.0) / 60.0 * 1000.0
        climb = per_km * distance / 1000.0 * rng.uniform(0.95, 1.05)
    elif plan.route:
        # Typed in by hand: a round distance and no climbing.
        typical = plan.target_m or _geo.template(plan.route).length_m
        step = 1000.0 if plan.sport in RIDES else 500.0
        distance = max(step, round(typical * rng.uniform(0.9, 1.1) / step) * step)
        climb = 0.0
    else:
        distance, climb = plan.target_m or 0.0, 0.0
    moving = _moving_time(plan, sport, start.date(), distance, climb, rng)
    if manual:
        moving = max(60, round(moving / 60) * 60)  # typed in whole minutes
    elapsed = moving if manual else _elapsed_time(plan, distance, moving, rng)
    return _metrics.Outline(
        plan, sport, start, track, zwift, distance, climb, moving, elapsed, manual
    )


def _moving_time(
    plan: Plan, sport: Sport, day: date, distance: float, climb: float, rng: random.Random
) -> int:
    """Seconds in motion: from a sport-plausible speed, or the planned session length."""
    if plan.minutes and plan.sport != "VirtualRide":
        return round(plan.minutes * 60.0)
    if plan.sport == "VirtualRide":
        return round((plan.minutes or 60.0) * 60.0)
    per_km = climb / max(distance / 1000.0, 0.1)
    kmh = sport.kmh * plan.intensity - sport.climb_penalty * per_km
    if sport.parent == "Ride" and not plan.commute:
        kmh += 1.6 * (summer(day) - 0.5) + rng.gauss(0.0, 1.0)
    else:
        kmh += rng.gauss(0.0, 0.03 * sport.kmh)
    if plan.commute:
        kmh = rng.uniform(18.0, 22.0)
    lo, hi = sport.kmh_range
    return max(60, round(distance / (min(hi, max(lo, kmh)) / 3.6)))


def _elapsed_time(plan: Plan, distance: float, moving: int, rng: random.Random) -> int:
    """Seconds from start to finish: moving time plus lights, café stops and breathers."""
    sport = plan.sport
    if plan.race:
        return round(moving * rng.uniform(1.0, 1.01))
    if sport in ("Ride", "GravelRide", "MountainBikeRide"):
        extra = moving * (rng.uniform(0.06, 0.15) if plan.commute else rng.uniform(0.02, 0.06))
        if distance > 55_000 and rng.random() < 0.6:
            extra += rng.uniform(15, 35) * 60  # the café stop
        return round(moving + extra)
    factors = {
        "Run": (1.01, 1.05),
        "TrailRun": (1.03, 1.1),
        "Walk": (1.05, 1.2),
        "Swim": (1.12, 1.3),
        "Kayaking": (1.05, 1.15),
        "NordicSki": (1.05, 1.15),
        "AlpineSki": (1.6, 2.1),
        "EBikeRide": (1.06, 1.15),
    }
    if sport == "Hike":
        return moving + rng.randint(15 * 60, 60 * 60)
    lo, hi = factors.get(sport, (1.0, 1.02))
    return round(moving * rng.uniform(lo, hi))


def _visibility(plan: Plan, rng: random.Random) -> str:
    if plan.race:
        return "everyone"
    r = rng.random()
    private = 0.1 if plan.sport in ("WeightTraining", "Yoga") else 0.015
    if r < private:
        return "only_me"
    return "followers_only" if r < private + (0.3 if plan.commute else 0.05) else "everyone"
