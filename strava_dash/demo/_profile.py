"""The demo athlete's profile, gear and stats, derived from their activities."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from strava_dash.demo._build import Activity
from strava_dash.demo._life import BIKES, SHOES, Gear

_AVATAR_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
    'viewBox="0 0 124 124"><circle cx="62" cy="62" r="62" fill="#FC4C02"/>'
    '<text x="62" y="79" font-family="Helvetica,Arial,sans-serif" font-size="48" '
    'font-weight="700" fill="#ffffff" text-anchor="middle">JV</text></svg>'
)


def avatar(size: int) -> str:
    """An inline ``data:`` URI of the athlete's initials in a ``size``-pixel orange disc."""
    svg = _AVATAR_SVG.format(size=size).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


JOINED = date(2019, 3, 17)
"""When the athlete signed up, unless their shown history starts earlier."""


def _last_day(activities: Sequence[Activity]) -> date:
    if not activities:
        return datetime.now(UTC).date()
    return date.fromisoformat(activities[0]["start_date_local"][:10])


def _gear_distance(activities: Iterable[Activity]) -> dict[str, float]:
    out: dict[str, float] = {}
    for a in activities:
        if a["gear_id"]:
            out[a["gear_id"]] = out.get(a["gear_id"], 0.0) + float(a["distance"])
    return out


def _owned(gear: Sequence[Gear], day: date) -> list[Gear]:
    return [g for g in gear if g.since is None or g.since <= day]


def _summary_gear(g: Gear, distance_m: float, primary: bool, day: date) -> dict[str, Any]:
    return {
        "id": g.id,
        "primary": primary,
        "name": g.name,
        "nickname": g.name,
        "resource_state": 2,
        "retired": g.until is not None and g.until <= day,
        "distance": round(distance_m, 1),
        "converted_distance": round(distance_m / 1000.0, 1),
    }


def _primary(gear: Sequence[Gear], day: date) -> str:
    in_use = [g for g in gear if g.in_use(day)]
    return in_use[0].id if in_use else ""


def athlete(athlete_id: int, activities: Sequence[Activity]) -> dict[str, Any]:
    """A DetailedAthlete (``resource_state`` 3); gear distances in metres."""
    day = _last_day(activities)
    distances = _gear_distance(activities)
    first = date.fromisoformat(activities[-1]["start_date"][:10]) if activities else day
    joined = min(JOINED, first - timedelta(days=9))
    bikes = [
        _summary_gear(g, distances.get(g.id, 0.0), g.id == _primary(BIKES[:2], day), day)
        for g in _owned(BIKES, day)
    ]
    shoes = [
        _summary_gear(g, distances.get(g.id, 0.0), g.id == _primary(SHOES[:3], day), day)
        for g in _owned(SHOES, day)
    ]
    updated = activities[0]["start_date"] if activities else f"{day}T00:00:00Z"
    return {
        "id": athlete_id,
        "username": "jordi_vila",
        "resource_state": 3,
        "firstname": "Jordi",
        "lastname": "Vilà",
        "bio": "Girona 🚴 · slow marathoner · coffee first",
        "city": "Girona",
        "state": "Catalunya",
        "country": "Spain",
        "sex": "M",
        "premium": True,
        "summit": True,
        "created_at": f"{joined}T19:42:11Z",
        "updated_at": updated,
        "badge_type_id": 1,
        "weight": 71.0,
        "profile_medium": avatar(62),
        "profile": avatar(124),
        "friend": None,
        "follower": None,
        "follower_count": 214,
        "friend_count": 187,
        "mutual_friend_count": 0,
        "athlete_type": 0,
        "date_preference": "%d/%m/%Y",
        "measurement_preference": "meters",
        "clubs": [],
        "ftp": 268,
        "bikes": bikes,
        "shoes": shoes,
    }


def gear_details(activities: Sequence[Activity]) -> dict[str, dict[str, Any]]:
    """DetailedGear (``resource_state`` 3) by id, for the gear owned by the last day."""
    day = _last_day(activities)
    distances = _gear_distance(activities)
    primary = {_primary(BIKES[:2], day), _primary(SHOES[:3], day)}
    out: dict[str, dict[str, Any]] = {}
    for g in (*_owned(BIKES, day), *_owned(SHOES, day)):
        detail = _summary_gear(g, distances.get(g.id, 0.0), g.id in primary, day)
        detail.update(
            resource_state=3,
            brand_name=g.brand,
            model_name=g.model,
            description=g.description or None,
        )
        if g.frame_type is not None:
            detail["frame_type"] = g.frame_type
        out[g.id] = detail
    return out


STATS_GROUPS = {"ride": ("Ride", "VirtualRide"), "run": ("Run",), "swim": ("Swim",)}
"""Legacy ``type`` values each stats group counts (e-bike rides count in none)."""


def _totals(activities: Iterable[Activity], *, achievements: bool) -> dict[str, Any]:
    chosen = list(activities)
    out: dict[str, Any] = {
        "count": len(chosen),
        "distance": round(sum(float(a["distance"]) for a in chosen), 1),
        "moving_time": sum(int(a["moving_time"]) for a in chosen),
        "elapsed_time": sum(int(a["elapsed_time"]) for a in chosen),
        "elevation_gain": round(sum(float(a["total_elevation_gain"]) for a in chosen), 1),
    }
    if achievements:
        out["achievement_count"] = sum(int(a["achievement_count"]) for a in chosen)
    return out


def stats(activities: Sequence[Activity], now: datetime) -> dict[str, Any]:
    """ActivityStats over the activities visible to everyone.

    "recent" covers the 28 days before ``now`` (UTC), "ytd" the local calendar year of ``now``.
    """
    public = [a for a in activities if a["visibility"] == "everyone"]
    recent_from = (now - timedelta(days=28)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    year = f"{now.year:04d}"
    rides = [a for a in public if a["type"] in STATS_GROUPS["ride"]]
    out: dict[str, Any] = {
        "biggest_ride_distance": max((float(a["distance"]) for a in rides), default=0.0),
        "biggest_climb_elevation_gain": max(
            (float(a["total_elevation_gain"]) for a in rides), default=0.0
        ),
    }
    for period in ("recent", "ytd", "all"):
        for group, types in STATS_GROUPS.items():
            chosen = [a for a in public if a["type"] in types]
            if period == "recent":
                chosen = [a for a in chosen if recent_from <= a["start_date"] <= until]
            elif period == "ytd":
                chosen = [a for a in chosen if a["start_date_local"][:4] == year]
            out[f"{period}_{group}_totals"] = _totals(chosen, achievements=period == "recent")
    return out
