"""Geometry for the demo: the terrain model, cached route templates and per-activity tracks.

Distances are in metres, coordinates in degrees, heights in metres. Over the few tens of
kilometres of a route an equirectangular projection is accurate to well under 1 %.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import polyline

from strava_dash.demo._places import HILLS, PLAIN_M, ROUTES, Hill, LatLng, RouteSpec

M_PER_DEG_LAT = 111_132.0
_KNOT_EVERY = 8
"""Road bends are drawn through a knot every this many template points."""


def m_per_deg_lng(lat: float) -> float:
    """Metres per degree of longitude at ``lat``."""
    return 111_320.0 * math.cos(math.radians(lat))


def cumulative_m(points: Sequence[LatLng]) -> list[float]:
    """Distance from the first point to each point along the path (m)."""
    if not points:
        return []
    out = [0.0]
    kx = m_per_deg_lng(points[0][0])
    for (la0, lo0), (la1, lo1) in itertools.pairwise(points):
        out.append(out[-1] + math.hypot((lo1 - lo0) * kx, (la1 - la0) * M_PER_DEG_LAT))
    return out


def hills_near(points: Sequence[LatLng], margin_km: float = 10.0) -> tuple[Hill, ...]:
    """The hills that can raise the terrain anywhere along ``points``."""
    lats = [p[0] for p in points]
    lngs = [p[1] for p in points]
    out = []
    for h in HILLS:
        reach_deg = (4.0 * h.sigma_km + margin_km) * 1000.0 / M_PER_DEG_LAT
        if (
            min(lats) - reach_deg <= h.lat <= max(lats) + reach_deg
            and min(lngs) - 1.4 * reach_deg <= h.lng <= max(lngs) + 1.4 * reach_deg
        ):
            out.append(h)
    return tuple(out)


def elevation_m(points: Sequence[LatLng], hills: Sequence[Hill] | None = None) -> list[float]:
    """Terrain height at each point (m above sea level, never below 2 m)."""
    near = hills_near(points) if hills is None else hills
    kx = m_per_deg_lng(points[0][0]) / 1000.0 if points else 0.0
    ky = M_PER_DEG_LAT / 1000.0
    out = []
    for lat, lng in points:
        z = PLAIN_M
        for h in near:
            dx = (lng - h.lng) * kx
            dy = (lat - h.lat) * ky
            z += h.height_m * math.exp(-(dx * dx + dy * dy) / (2.0 * h.sigma_km * h.sigma_km))
        out.append(max(2.0, z))
    return out


def climb_m(heights: Sequence[float]) -> float:
    """Sum of the rises along a height profile (m)."""
    return sum(max(0.0, b - a) for a, b in itertools.pairwise(heights))


@dataclass(frozen=True)
class Template:
    """A route drawn once: dense points ``spacing_m`` apart, their heights (m) and distance
    from the start (m)."""

    key: str
    points: tuple[LatLng, ...]
    heights_m: tuple[float, ...]
    cum_m: tuple[float, ...]
    laps: bool

    @property
    def length_m(self) -> float:
        """Length of one lap (m)."""
        return self.cum_m[-1]


def _smooth(values: list[float]) -> list[float]:
    # A 3-point average that keeps both ends where they are, so legs still meet.
    if len(values) < 3:
        return values
    inner = [(a + b + c) / 3.0 for a, b, c in zip(values, values[1:], values[2:], strict=False)]
    return [values[0], *inner, values[-1]]


def _meander(
    length_m: float, winding: float, wavelength_m: float, rng: random.Random
) -> list[tuple[float, int]]:
    """Sideways sine waves (amplitude m, half-waves) that make a leg about ``winding`` times
    longer.

    A sine of slope amplitude p lengthens a line by about p**2 / 4; waves with whole numbers
    of half-waves vanish at both ends, so the leg still meets its waypoints.
    """
    slope2 = 4.0 * max(0.0, winding - 1.0)
    short = rng.uniform(0.15, 0.35)
    waves = []
    for part, stretch in ((1.0 - short, rng.uniform(0.8, 1.3)), (short, rng.uniform(0.3, 0.45))):
        half_waves = max(1, round(2.0 * length_m / (wavelength_m * stretch)))
        wave_m = 2.0 * length_m / half_waves
        amp = math.sqrt(slope2 * part) * wave_m / math.tau
        waves.append((min(amp, 0.2 * length_m) * rng.choice((-1.0, 1.0)), half_waves))
    return waves


def _twistiness(a: LatLng, b: LatLng, n: int) -> list[float]:
    """How much a road between ``a`` and ``b`` twists at each of ``n + 1`` points (0.35-1.3).

    Roads climb hills in bends and run straight across the plain, so the factor follows the
    steepness of the terrain under the straight line.
    """
    line = [(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(n + 1)]
    heights = elevation_m(line)
    step_m = max(
        1.0, math.hypot((b[0] - a[0]) * M_PER_DEG_LAT, (b[1] - a[1]) * m_per_deg_lng(a[0])) / n
    )
    slopes = [abs(h1 - h0) / step_m for h0, h1 in itertools.pairwise(heights)]
    slopes.append(slopes[-1])
    for _ in range(4):
        slopes = _smooth(slopes)
    return [min(1.3, 0.35 + 15.0 * g) for g in slopes]


def _leg(a: LatLng, b: LatLng, spec: RouteSpec, rng: random.Random) -> list[LatLng]:
    """Points from ``a`` to ``b`` along a road that drifts and winds to either side."""
    kx = m_per_deg_lng(a[0])
    dx, dy = (b[1] - a[1]) * kx, (b[0] - a[0]) * M_PER_DEG_LAT
    length = math.hypot(dx, dy)
    n = max(2, round(length * spec.winding / spec.spacing_m))
    knots = max(1, n // _KNOT_EVERY)
    # A random walk pinned to zero at both ends (a Brownian bridge) gives the slow drift.
    walk = [0.0]
    for _ in range(knots):
        walk.append(walk[-1] + rng.gauss(0.0, 1.0))
    bridge = _smooth(_smooth([w - walk[-1] * i / knots for i, w in enumerate(walk)]))
    drift = spec.bend * length / max(1.0, 0.5 * math.sqrt(knots))
    waves = _meander(length, spec.winding, spec.wavelength_m, rng)
    twist = _twistiness(a, b, n)
    nx, ny = (-dy / length, dx / length) if length else (0.0, 0.0)
    out = []
    for i in range(n + 1):
        u = i / n
        k = min(knots - 1, int(u * knots))
        f = u * knots - k
        f = f * f * (3.0 - 2.0 * f)  # smoothstep: no kinks at the knots
        off = drift * (bridge[k] * (1.0 - f) + bridge[k + 1] * f)
        off += twist[i] * sum(amp * math.sin(math.pi * half * u) for amp, half in waves)
        x, y = dx * u + nx * off, dy * u + ny * off
        out.append((a[0] + y / M_PER_DEG_LAT, a[1] + x / kx))
    return out


@cache
def template(key: str) -> Template:
    """The route template ``key`` of :data:`ROUTES`, drawn once with its own fixed seed."""
    spec = ROUTES[key]
    rng = random.Random(f"route-{key}")
    first = spec.waypoints[0]
    if first is None:
        raise ValueError(f"route {key!r} must start at a waypoint")
    points: list[LatLng] = [first]
    last, previous_leg = first, [first]
    for wp in spec.waypoints[1:]:
        leg = previous_leg[::-1] if wp is None else _leg(last, wp, spec, rng)
        points.extend(leg[1:])
        last, previous_leg = leg[-1], leg
    if spec.out_and_back:
        points.extend(points[-2::-1])
    heights = elevation_m(points)
    return Template(key, tuple(points), tuple(heights), tuple(cumulative_m(points)), spec.laps)


@dataclass(frozen=True)
class Track:
    """One activity's path at summary resolution (50-300 points)."""

    points: list[LatLng]
    heights_m: list[float]
    length_m: float
    encoded: str


@lru_cache(maxsize=512)
def _resample(key: str, n: int, laps: int) -> tuple[tuple[LatLng, ...], tuple[float, ...]]:
    """``n`` points evenly spread by distance over ``laps`` laps of a route, and their heights
    (m)."""
    t = template(key)
    total = t.length_m * laps
    points, heights = [], []
    for i in range(n):
        d = total * i / (n - 1)
        lap_d = d - t.length_m * min(laps - 1, int(d // t.length_m))
        j = min(len(t.cum_m) - 1, max(1, bisect.bisect_left(t.cum_m, lap_d)))
        d0, d1 = t.cum_m[j - 1], t.cum_m[j]
        f = (lap_d - d0) / (d1 - d0) if d1 > d0 else 0.0
        (la0, lo0), (la1, lo1) = t.points[j - 1], t.points[j]
        points.append((la0 + (la1 - la0) * f, lo0 + (lo1 - lo0) * f))
        heights.append(t.heights_m[j - 1] + (t.heights_m[j] - t.heights_m[j - 1]) * f)
    return tuple(points), tuple(heights)


@lru_cache(maxsize=512)
def _resampled_length(key: str, n: int, laps: int) -> float:
    return cumulative_m(_resample(key, n, laps)[0])[-1]


def summary_points(length_m: float) -> int:
    """How many points a Strava-like summary polyline of a route this long has."""
    # Multiples of 5 let variants of a route share their resampled template.
    return max(50, min(300, 50 + 5 * round(length_m / 3500.0)))


def track(
    key: str,
    rng: random.Random,
    *,
    target_m: float | None = None,
    scale: tuple[float, float] = (0.95, 1.05),
    reverse: bool = False,
) -> Track:
    """A fresh variant of route ``key``: scaled, turned and bent a little around its start.

    With ``target_m`` the variant is sized to about that length (m), repeating laps where the
    route allows it; otherwise its size is drawn from ``scale``.
    """
    t = template(key)
    laps = max(1, round(target_m / t.length_m)) if target_m and t.laps else 1
    n = summary_points(t.length_m * laps * (target_m / (t.length_m * laps) if target_m else 1.0))
    pts, heights = _resample(key, n, laps)
    # Sized on the resampled path: a coarse path cuts corners, so it is shorter than the route.
    base = _resampled_length(key, n, laps)
    s = min(2.5, max(0.5, target_m / base)) if target_m else rng.uniform(*scale)
    if reverse:
        pts, heights = pts[::-1], heights[::-1]
    lat0, lng0 = pts[0]
    kx = m_per_deg_lng(lat0)
    turn = rng.uniform(-0.05, 0.05)
    cos_t, sin_t = math.cos(turn) * s, math.sin(turn) * s
    wobble = min(150.0, 0.012 * base * s)
    waves = rng.randint(1, 3)
    phase_x, phase_y = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
    n = len(pts)
    out: list[LatLng] = []
    for i, (lat, lng) in enumerate(pts):
        u = i / (n - 1)
        x, y = (lng - lng0) * kx, (lat - lat0) * M_PER_DEG_LAT
        envelope = wobble * math.sin(math.pi * u)
        x2 = x * cos_t - y * sin_t + envelope * math.sin(math.tau * waves * u + phase_x)
        y2 = x * sin_t + y * cos_t + envelope * math.sin(math.tau * waves * u + phase_y)
        out.append((round(lat0 + y2 / M_PER_DEG_LAT, 5), round(lng0 + x2 / kx, 5)))
    # The road keeps its heights where a variant shifts it a little: climbs stay climbs.
    return Track(out, list(heights), cumulative_m(out)[-1], polyline.encode(out, 5))
