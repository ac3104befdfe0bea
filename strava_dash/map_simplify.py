"""Routes made lighter for drawing: snap to a grid finer than a pixel, drop what repeats.

Vectorised NumPy over the ``(points, offsets)`` layout of ``maps.decode_polylines``
(route ``i`` is ``points[offsets[i]:offsets[i + 1]]``). Two steps:

- :func:`snap_simplify` keeps a point only when it leaves the grid cell of the point before
  it (every route's first and last points always stay). Each dropped point shares a cell
  with a kept point of its route, so no original vertex is further than one cell diagonal
  from the drawn line: with cells of a pixel at a zoom deeper than the view, the map looks
  the same at that zoom and a long, densely sampled route loses most of its points.
- :func:`distinct_routes` finds routes whose snapped points are identical (a route ridden
  again and again with the same recording, a duplicate upload): drawing one of them looks
  the same, so the payload pays for the route once however often it was ridden.

Display only: nothing here touches exports or statistics.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

# MapLibre draws the world 512 px wide at zoom 0.
TILE_PX: Final = 512.0
# Snap to a pixel of this many zoom levels past the fitted view: sharp at 4x magnification.
ZOOM_HEADROOM: Final = 2.0


def cell_size(zoom: float, lat: float, *, headroom: float = ZOOM_HEADROOM) -> tuple[float, float]:
    """(lat, lon) degrees of one screen pixel at ``zoom + headroom`` around latitude ``lat``.

    Web Mercator: a pixel spans ``360 / (512 * 2**zoom)`` degrees of longitude everywhere
    and ``cos(lat)`` times that of latitude.
    """
    lon = 360.0 / (TILE_PX * 2.0 ** (zoom + headroom))
    return lon * max(math.cos(math.radians(lat)), 0.01), lon


def _cells(points: FloatArray, cell: tuple[float, float]) -> IntArray:
    """Each point's grid cell as (row, column) integer pairs."""
    scale = np.array(cell, dtype=np.float64)
    cells: IntArray = np.floor(points / scale).astype(np.int64)
    return cells


def snap_simplify(
    points: FloatArray, offsets: IntArray, cell: tuple[float, float]
) -> tuple[FloatArray, IntArray]:
    """Drop each point that lies in the same ``cell`` (lat, lon degrees) as the one before it.

    A route's first and last points are always kept (a 1-point route stays 1 point), and the
    kept points are original vertices, never moved. Returns ``(points, offsets)`` in the
    input's layout, with as many routes as given.
    """
    n = len(points)
    if n == 0:
        return points.reshape(-1, 2), offsets.copy()
    cells = _cells(points, cell)
    keep: BoolArray = np.ones(n, dtype=bool)
    keep[1:] = (cells[1:] != cells[:-1]).any(axis=1)
    counts = np.diff(offsets)
    starts = offsets[:-1][counts > 0]
    ends = offsets[1:][counts > 0] - 1
    keep[starts] = True
    keep[ends] = True
    route = np.repeat(np.arange(len(counts)), counts)
    kept_counts = np.bincount(route[keep], minlength=len(counts)).astype(np.int64)
    kept_offsets = np.concatenate(([0], np.cumsum(kept_counts))).astype(np.int64)
    return points[keep], kept_offsets


def distinct_routes(
    points: FloatArray,
    offsets: IntArray,
    cell: tuple[float, float],
    groups: IntArray | None = None,
) -> tuple[IntArray, IntArray]:
    """Routes whose points fall in the same cells, in the same order, are one route drawn.

    Routes of different ``groups`` (one number per route, e.g. the sport: each sport is its
    own trace and colour) are never merged. Returns ``(first, copies)``: for each route the
    index of the first route identical to it (itself when it is the first), and for each
    route how many routes share its shape (0 for the ones that are copies). Empty routes
    are all distinct from each other.
    """
    counts = np.diff(offsets)
    first = np.arange(len(counts), dtype=np.int64)
    copies = np.ones(len(counts), dtype=np.int64)
    if len(points) == 0:
        return first, copies
    cells = _cells(points, cell)
    seen: dict[bytes, int] = {}
    # One hash per route: bytes of its cells (a route of 30 points is 480 bytes).
    for i, (start, end) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)):
        if end == start:
            continue
        group = b"" if groups is None else int(groups[i]).to_bytes(8, "little", signed=True)
        owner = seen.setdefault(group + cells[start:end].tobytes(), i)
        if owner != i:
            first[i] = owner
            copies[owner] += 1
            copies[i] = 0
    return first, copies
