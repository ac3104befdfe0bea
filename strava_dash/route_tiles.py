"""Routes drawn on the server as map tiles, for accounts with more routes than lines can carry.

Twenty thousand different routes are over a million points: sent as lines they are
megabytes, and MapLibre re-tessellates them on every zoom (seconds, and pans that freeze,
with software WebGL). Thinned to what can be sent, a 60-point route keeps two or three
points and the map shows caricatures. Tiles keep every point: each 256 px PNG is drawn from
the routes that cross it, at the zoom the athlete is looking at, so zoom and pan cost the
browser what any basemap costs.

Drawing is a density raster (how many route samples fall in each pixel, datashader's idea
in a few NumPy calls): every segment is clipped to the tile, sampled every
:data:`STEP_PX` pixels, the samples counted per pixel and sport, widened to a line about
two pixels wide, then coloured by the sport with most samples there, more opaque where
more routes pass. A route ridden again and again weighs as often as it was ridden.

Positions are Web Mercator "world" coordinates in [0, 1] (x east, y south), the scheme of
XYZ tiles: tile ``(z, x, y)`` spans ``[x, x + 1] / 2**z`` by ``[y, y + 1] / 2**z``.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np
from PIL import Image

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
UInt8Array = np.ndarray[Any, np.dtype[np.uint8]]

TILE_PX: Final = 256
#: Pixel densities served: 2 draws a 512 px tile for the same area (screens with two
#: device pixels per CSS pixel; a 256 px tile there looks blurred next to the basemap's text).
SCALES: Final = (1, 2)
MAX_ZOOM: Final = 22
#: Samples along a segment this many pixels apart: under one, so a line has no gaps.
STEP_PX: Final = 0.7
#: A route this far outside a tile can still reach into it with its width.
MARGIN_PX: Final = 3.0
#: Where the opacity stops growing: this many samples in a pixel (after widening) is the
#: busiest road. Fixed, not per tile, so neighbouring tiles match at their edges.
SATURATION: Final = 300.0
MIN_ALPHA: Final = 0.5
#: A tile never samples more than this (the zoomed-out world view of a huge account):
#: past it, segments are sampled more sparsely. Bounds each tile's memory and time.
MAX_SAMPLES: Final = 6_000_000


def world_xy(lat: FloatArray, lng: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Web Mercator world coordinates in [0, 1] of (lat, lng) degrees."""
    x = (np.asarray(lng, dtype=np.float64) + 180.0) / 360.0
    phi = np.radians(np.clip(np.asarray(lat, dtype=np.float64), -85.05112878, 85.05112878))
    y = (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0
    return x, y


@dataclass(eq=False)
class RouteRaster:
    """Every point of the routes to draw, ready for :func:`render_tile`.

    ``offsets`` delimits route ``i`` as ``x[offsets[i]:offsets[i + 1]]``; ``colour[i]``
    indexes ``palette`` (RGB rows), ``weight[i]`` is how many activities the route stands for.
    Held by the session that drew the map (the tile route keeps only a weak reference).
    """

    x: FloatArray
    y: FloatArray
    offsets: IntArray
    colour: IntArray
    weight: FloatArray
    palette: UInt8Array
    bounds: FloatArray  # (routes, 4): min x, min y, max x, max y

    @classmethod
    def build(
        cls,
        points: FloatArray,
        offsets: IntArray,
        colour: IntArray,
        palette: UInt8Array,
        weight: FloatArray | None = None,
    ) -> RouteRaster:
        """From ``(points, offsets)`` in (lat, lng) degrees (``maps.decode_polylines``)."""
        x, y = world_xy(points[:, 0], points[:, 1])
        offsets = np.asarray(offsets, dtype=np.int64)
        counts = np.diff(offsets)
        bounds = np.full((len(counts), 4), np.nan)
        has = np.flatnonzero(counts > 0)
        if len(has):
            starts = offsets[:-1][has]
            for column, (values, reduce) in enumerate(
                ((x, np.minimum), (y, np.minimum), (x, np.maximum), (y, np.maximum))
            ):
                bounds[has, column] = reduce.reduceat(values, starts)
        routes = len(counts)
        return cls(
            x=x,
            y=y,
            offsets=offsets,
            colour=np.asarray(colour, dtype=np.int64),
            weight=np.ones(routes) if weight is None else np.asarray(weight, dtype=np.float64),
            palette=np.asarray(palette, dtype=np.uint8).reshape(-1, 3),
            bounds=bounds,
        )

    @property
    def points(self) -> int:
        return len(self.x)


def valid_tile(z: int, x: int, y: int) -> bool:
    """An XYZ address that exists: zoom 0 to :data:`MAX_ZOOM`, x and y inside the grid."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def _segments(raster: RouteRaster, z: int, tx: int, ty: int) -> tuple[IntArray, IntArray]:
    """The segments that may cross the tile: their two point indices (2, k), and the route
    each belongs to."""
    n = 2.0**z
    margin = MARGIN_PX / (TILE_PX * n)
    lo_x, lo_y = tx / n - margin, ty / n - margin
    hi_x, hi_y = (tx + 1) / n + margin, (ty + 1) / n + margin
    b = raster.bounds
    near = np.flatnonzero(
        (b[:, 2] >= lo_x) & (b[:, 0] <= hi_x) & (b[:, 3] >= lo_y) & (b[:, 1] <= hi_y)
    )
    if not len(near):
        return np.zeros((2, 0), dtype=np.int64), np.zeros(0, dtype=np.int64)
    counts = np.diff(raster.offsets)[near]
    # A 1-point route is a dot: one "segment" from the point to itself.
    lengths = np.maximum(counts - 1, 1)
    route = np.repeat(np.arange(len(near)), lengths)
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    first = raster.offsets[:-1][near][route] + within
    second = first + (counts[route] > 1)
    xa, xb = raster.x[first], raster.x[second]
    ya, yb = raster.y[first], raster.y[second]
    inside = (
        (np.maximum(xa, xb) >= lo_x)
        & (np.minimum(xa, xb) <= hi_x)
        & (np.maximum(ya, yb) >= lo_y)
        & (np.minimum(ya, yb) <= hi_y)
    )
    keep = np.flatnonzero(inside)
    return np.stack([first[keep], second[keep]]), near[route[keep]]


def _clip(
    ax: FloatArray, ay: FloatArray, dx: FloatArray, dy: FloatArray, lo: float, hi: float
) -> tuple[FloatArray, FloatArray]:
    """Liang-Barsky: the part ``[t0, t1]`` of each segment ``a + t d`` inside the square."""
    t0 = np.zeros_like(ax)
    t1 = np.ones_like(ax)
    with np.errstate(divide="ignore", invalid="ignore"):
        for start, delta in ((ax, dx), (ay, dy)):
            flat = delta == 0
            near = (lo - start) / delta
            far = (hi - start) / delta
            enter = np.where(flat, -np.inf, np.minimum(near, far))
            leave = np.where(flat, np.inf, np.maximum(near, far))
            outside = flat & ((start < lo) | (start > hi))
            t0 = np.maximum(t0, enter)
            t1 = np.where(outside, -1.0, np.minimum(t1, leave))
    return t0, t1


def tile_counts(raster: RouteRaster, z: int, tx: int, ty: int, scale: int = 1) -> FloatArray:
    """Weighted samples per (sport, row, column) of the tile: shape (sports, size, size),
    ``size`` 256 times ``scale``."""
    size = TILE_PX * scale
    grid = np.zeros((len(raster.palette), size, size))
    pairs, route = _segments(raster, z, tx, ty)
    if not len(route):
        return grid
    world = size * 2.0**z
    ax = raster.x[pairs[0]] * world - tx * size
    ay = raster.y[pairs[0]] * world - ty * size
    dx = raster.x[pairs[1]] * world - tx * size - ax
    dy = raster.y[pairs[1]] * world - ty * size - ay
    t0, t1 = _clip(ax, ay, dx, dy, -MARGIN_PX, size + MARGIN_PX)
    live = np.flatnonzero(t1 >= t0)
    ax, ay, dx, dy, t0, t1 = (v[live] for v in (ax, ay, dx, dy, t0, t1))
    colour = raster.colour[route[live]]
    weight = raster.weight[route[live]]
    span = (t1 - t0) * np.hypot(dx, dy)
    steps = np.ceil(span / STEP_PX).astype(np.int64) + 1
    total = int(steps.sum())
    if total > MAX_SAMPLES:
        steps = np.maximum(1, (steps * (MAX_SAMPLES / total)).astype(np.int64))
        total = int(steps.sum())
    segment = np.repeat(np.arange(len(steps)), steps)
    rank = np.arange(total) - np.repeat(np.cumsum(steps) - steps, steps)
    fraction = rank / np.maximum(steps - 1, 1)[segment]
    t = t0[segment] + (t1 - t0)[segment] * fraction
    px = np.floor(ax[segment] + dx[segment] * t).astype(np.int64)
    py = np.floor(ay[segment] + dy[segment] * t).astype(np.int64)
    ok = (px >= 0) & (px < size) & (py >= 0) & (py < size)
    cell = (colour[segment] * size + py) * size + px
    # Each sample stands for the stretch of line around it: a pixel's count is the length
    # of route (in samples of STEP_PX) through it, however finely the route was recorded.
    # A dot (a one-point route) has no length and still shows: it counts one sample.
    share = weight * np.where(span > 0, span / steps / STEP_PX, 1.0)
    grid += np.bincount(cell[ok], weights=share[segment][ok], minlength=grid.size).reshape(
        grid.shape
    )
    return grid


def _widen(grid: FloatArray) -> FloatArray:
    """Each pixel plus its four neighbours: a 1 px sample line becomes about 2 px wide."""
    wide = grid.copy()
    wide[..., 1:, :] += grid[..., :-1, :]
    wide[..., :-1, :] += grid[..., 1:, :]
    wide[..., :, 1:] += grid[..., :, :-1]
    wide[..., :, :-1] += grid[..., :, 1:]
    return wide


def tile_rgba(raster: RouteRaster, z: int, tx: int, ty: int, scale: int = 1) -> UInt8Array:
    """The tile's pixels, (size, size, 4) RGBA; transparent where no route passes. Lines
    are as wide in CSS pixels at every scale."""
    counts = tile_counts(raster, z, tx, ty, scale)
    for _ in range(scale):
        counts = _widen(counts)
    size = TILE_PX * scale
    total = counts.sum(axis=0)
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    drawn = total > 0
    if not drawn.any():
        return rgba
    rgba[..., :3] = raster.palette[np.argmax(counts, axis=0)]
    heat = np.log1p(total) / math.log1p(SATURATION)
    alpha = MIN_ALPHA + (1.0 - MIN_ALPHA) * np.clip(heat, 0.0, 1.0)
    rgba[..., 3] = np.where(drawn, np.round(alpha * 255), 0).astype(np.uint8)
    return rgba


@cache
def empty_png(scale: int = 1) -> bytes:
    """A fully transparent tile."""
    size = TILE_PX * scale
    return _png(np.zeros((size, size, 4), dtype=np.uint8))


def _png(rgba: UInt8Array) -> bytes:
    out = io.BytesIO()
    # Level 1: a dense tile compresses a few percent worse and encodes several times faster.
    Image.fromarray(rgba, "RGBA").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def render_tile(raster: RouteRaster, z: int, tx: int, ty: int, scale: int = 1) -> bytes:
    """The PNG of tile ``(z, tx, ty)`` at ``scale`` (1: 256 px, 2: 512 px); raises
    ValueError for an address outside the grid or a scale not in :data:`SCALES`."""
    if not valid_tile(z, tx, ty) or scale not in SCALES:
        raise ValueError(f"no tile {z}/{tx}/{ty} at scale {scale}")
    rgba = tile_rgba(raster, z, tx, ty, scale)
    return empty_png(scale) if not rgba[..., 3].any() else _png(rgba)
