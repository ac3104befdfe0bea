"""Activity streams (``/activities/{id}/streams?key_by_type=true``) for demo activities.

Streams are rebuilt from the summary alone, deterministically per activity id: positions
follow the summary polyline, altitude the terrain model, and every stream agrees with the
summary (distance, elapsed time, elevation range, average heart rate and power).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import polyline

from strava_dash.demo import _geo
from strava_dash.demo._life import SEED
from strava_dash.errors import NotFoundError
from strava_dash.streams import STREAM_KEYS

# The stream types the API knows, in its order; the demo synthesizes every one of them.
ALL_STREAM_KEYS: tuple[str, ...] = STREAM_KEYS
MAX_POINTS = 2000
"""Streams hold one point every 5 s, thinned to at most this many points."""
_RIDE_TYPES = frozenset({"Ride", "VirtualRide", "EBikeRide"})


def _noise(n: int, rng: random.Random, smooth: int = 12) -> list[float]:
    """A smooth random series around 0 (about ±1)."""
    walk, level = [], 0.0
    for _ in range(n):
        level = level * (1.0 - 1.0 / smooth) + rng.gauss(0.0, 1.0) / math.sqrt(smooth)
        walk.append(level)
    return walk


def _pauses(n: int, step_s: float, pause_s: int, rng: random.Random) -> list[bool]:
    """The ``moving`` stream: False at the start and during one to three stops."""
    moving = [True] * n
    moving[0] = False
    stop_points = round(pause_s / step_s)
    if stop_points < 1 or n < 10:
        return moving
    stops = min(3, 1 + pause_s // 900)
    left = stop_points
    for k in range(stops):
        size = left if k == stops - 1 else round(stop_points * rng.uniform(0.2, 0.6) / stops * 2)
        size = max(1, min(size, left, n // 3))
        at = rng.randint(n // 10, max(n // 10, n - n // 10 - size))
        for i in range(at, min(n - 1, at + size)):
            moving[i] = False
        left -= size
        if left <= 0:
            break
    return moving


def _along(
    points: Sequence[tuple[float, float]], fractions: Sequence[float]
) -> list[tuple[float, float]]:
    """Positions at the given fractions (0-1, increasing) of the path's length."""
    cum = _geo.cumulative_m(points)
    total = cum[-1] or 1.0
    out, j = [], 1
    for f in fractions:
        target = min(1.0, max(0.0, f)) * total
        while j < len(cum) - 1 and cum[j] < target:
            j += 1
        d0, d1 = cum[j - 1], cum[j]
        u = (target - d0) / (d1 - d0) if d1 > d0 else 0.0
        (la0, lo0), (la1, lo1) = points[j - 1], points[j]
        out.append((la0 + (la1 - la0) * u, lo0 + (lo1 - lo0) * u))
    return out


def _distances(speed: Sequence[float], moving: Sequence[bool], total_m: float) -> list[float]:
    """Cumulative distance (m) from relative speeds, scaled to end at ``total_m``."""
    out, d = [0.0], 0.0
    for i in range(1, len(speed)):
        d += speed[i] if moving[i] else 0.0
        out.append(d)
    scale = total_m / d if d else 0.0
    return [x * scale for x in out]


def _grades(altitude: Sequence[float], distance: Sequence[float]) -> list[float]:
    """Slope (%) over a few points either side."""
    n = len(altitude)
    out = []
    for i in range(n):
        a, b = max(0, i - 2), min(n - 1, i + 2)
        run = distance[b] - distance[a]
        out.append(100.0 * (altitude[b] - altitude[a]) / run if run > 1.0 else 0.0)
    return out


def _fit(values: Sequence[float], mean: float, peak: float | None = None) -> list[float]:
    """Shift and stretch ``values`` so their mean is ``mean`` and, if given, their max ``peak``."""
    m = sum(values) / len(values)
    top = max(values)
    if peak is None or top - m < 1e-9:
        return [v - m + mean for v in values]
    k = (peak - mean) / (top - m)
    return [mean + (v - m) * k for v in values]


def _altitude(
    a: dict[str, Any],
    latlng: list[tuple[float, float]] | None,
    fractions: list[float],
    rng: random.Random,
) -> list[float] | None:
    """Altitude (m) from the terrain (or a made-up Zwift profile), stretched to the summary's
    ``elev_low``-``elev_high`` range; None for activities without altitude."""
    low, high = a.get("elev_low"), a.get("elev_high")
    if latlng is not None:
        raw = _geo.elevation_m(latlng)
    elif a.get("sport_type") == "VirtualRide":
        hills = [(rng.uniform(1, 4), rng.uniform(0, math.tau)) for _ in range(3)]
        raw = [sum(math.sin(math.tau * w * f + p) / w for w, p in hills) for f in fractions]
    else:
        return None
    bumps = _noise(len(raw), rng, smooth=20)
    raw = [z + 3.0 * b for z, b in zip(raw, bumps, strict=True)]
    if low is None or high is None or high <= low:
        return raw
    lo, hi = min(raw), max(raw)
    span = (hi - lo) or 1.0
    return [low + (z - lo) / span * (high - low) for z in raw]


def _lay_out(
    a: dict[str, Any], moving: Sequence[bool], rng: random.Random
) -> tuple[list[float], list[tuple[float, float]] | None, list[float] | None]:
    """Distance (m), position and altitude (m) at each point, or None where not recorded.

    Speed drifts around the average; once the hills are known the track is laid out again
    with the speed they allow, slower uphill and faster down.
    """
    n = len(moving)
    total_m = float(a.get("distance") or 0.0)
    encoded = (a.get("map") or {}).get("summary_polyline") or ""
    path = polyline.decode(encoded, 5) if encoded else None
    altitude_seed = f"{SEED}-altitude-{a['id']}"
    speed = [1.0 + 0.12 * w for w in _noise(n, rng)]
    k, lo, hi = (0.1, 0.35, 1.7) if a.get("type") in _RIDE_TYPES else (0.03, 0.55, 1.25)
    for attempt in range(2):
        distance = _distances(speed, moving, total_m)
        fractions = [d / total_m if total_m else 0.0 for d in distance]
        latlng = _along(path, fractions) if path else None
        altitude = _altitude(a, latlng, fractions, random.Random(altitude_seed))
        if attempt or altitude is None or not total_m:
            break
        grade = _grades(altitude, distance)
        speed = [s * min(hi, max(lo, 1.0 - k * g)) for s, g in zip(speed, grade, strict=True)]
    return distance, latlng, altitude


def streams(a: dict[str, Any], keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The requested streams the activity has, all of one length, keyed by type."""
    if a.get("manual"):
        raise NotFoundError(404, "Resource Not Found")
    rng = random.Random(f"{SEED}-streams-{a['id']}")
    elapsed = max(1, int(a["elapsed_time"]))
    n = max(2, min(MAX_POINTS, elapsed // 5 + 1))
    step = elapsed / (n - 1)
    times = [round(i * step) for i in range(n)]
    moving = _pauses(n, step, max(0, elapsed - int(a["moving_time"])), rng)
    distance, latlng, altitude = _lay_out(a, moving, rng)
    grade = _grades(altitude, distance) if altitude is not None else [0.0] * n

    data: dict[str, list[Any]] = {"time": times, "moving": moving}
    if a.get("distance"):
        data["distance"] = [round(d, 1) for d in distance]
        data["velocity_smooth"] = _velocity(distance, times)
    if latlng is not None:
        data["latlng"] = [[round(la, 6), round(lo, 6)] for la, lo in latlng]
    if altitude is not None:
        data["altitude"] = [round(z, 1) for z in altitude]
        data["grade_smooth"] = [round(g, 1) for g in grade]
    if a.get("has_heartrate") and "average_heartrate" in a:
        data["heartrate"] = _heartrate(a, grade, moving, times, rng)
    is_ride = a.get("type") in _RIDE_TYPES
    watts = _watts(a, grade, moving, rng) if is_ride and a.get("device_watts") else None
    if watts is not None:
        data["watts"] = watts
    if "average_cadence" in a:
        data["cadence"] = _cadence(float(a["average_cadence"]), moving, watts, rng)
    if "average_temp" in a:
        drift = _noise(n, rng, smooth=200)
        data["temp"] = [round(a["average_temp"] + 2.0 * d) for d in drift]

    series = "distance" if "distance" in data else "time"
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        if key in data and key not in out:
            out[key] = {
                "data": data[key],
                "series_type": series,
                "original_size": n,
                "resolution": "high",
            }
    return out


def _velocity(distance: Sequence[float], times: Sequence[int]) -> list[float]:
    n = len(distance)
    out = []
    for i in range(n):
        a, b = max(0, i - 1), min(n - 1, i + 1)
        dt = times[b] - times[a]
        out.append(round((distance[b] - distance[a]) / dt, 2) if dt else 0.0)
    return out


def _heartrate(
    a: dict[str, Any],
    grade: Sequence[float],
    moving: Sequence[bool],
    times: Sequence[int],
    rng: random.Random,
) -> list[int]:
    """Heart rate (bpm) that rises with effort and time and drops at stops, lagging both."""
    avg, peak = float(a["average_heartrate"]), float(a["max_heartrate"])
    elapsed = max(1, times[-1])
    jitter = _noise(len(grade), rng, smooth=30)
    hr, level = [], avg - 35.0
    for i, g in enumerate(grade):
        target = avg + 2.2 * max(-4.0, min(10.0, g)) + 6.0 * times[i] / elapsed + 5.0 * jitter[i]
        if not moving[i]:
            target = avg - 30.0
        dt = times[i] - times[i - 1] if i else 5
        level += (target - level) * (1.0 - math.exp(-dt / 25.0))
        hr.append(level)
    return [max(55, round(v)) for v in _fit(hr, avg, peak)]


def _watts(
    a: dict[str, Any], grade: Sequence[float], moving: Sequence[bool], rng: random.Random
) -> list[int] | None:
    """Power (W): harder uphill, nothing when freewheeling downhill or stopped."""
    avg = a.get("average_watts")
    if avg is None:
        return None
    surges = _noise(len(grade), rng, smooth=6)
    raw = []
    for g, m, s in zip(grade, moving, surges, strict=True):
        coasting = g < -3.0 or rng.random() < 0.05
        raw.append(0.0 if not m or coasting else max(0.0, 1.0 + 0.08 * g + 0.25 * s))
    peak = float(a.get("max_watts") or 3.0 * float(avg))
    scaled = _scale_capped(raw, float(avg), peak)
    out = [round(v) for v in scaled]
    if "max_watts" in a and out:
        out[max(range(len(out)), key=out.__getitem__)] = int(peak)
    return out


def _scale_capped(values: Sequence[float], mean: float, cap: float) -> list[float]:
    """``values`` scaled to average ``mean`` with none above ``cap``.

    Capping the highest values lowers the mean, so the rest is scaled up again a few times.
    """
    out = list(values)
    for _ in range(8):
        total = sum(out)
        if not total:
            return out
        out = [min(cap, v * mean * len(out) / total) for v in out]
    return out


def _cadence(
    avg: float, moving: Sequence[bool], watts: Sequence[int] | None, rng: random.Random
) -> list[int]:
    """Cadence (rpm, or steps per minute per leg on foot), zero when not pedalling or stopped."""
    out = []
    for i, m in enumerate(moving):
        pedalling = m and (watts is None or watts[i] > 0)
        out.append(round(avg + rng.gauss(0.0, 3.0)) if pedalling else 0)
    return out
