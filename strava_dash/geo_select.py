"""Points in boxes and polygons, vectorised: the geometry behind chart and map selections.

Pure numpy. matplotlib is not a dependency and shapely is not installed, and a lasso
has at most a few dozen vertices (see :mod:`strava_dash.selection_codec`), so an
even-odd ray cast looping over edges (not points) is fast enough for millions of points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
Vertex = tuple[float, float]


def in_range(values: FloatArray, low: float, high: float) -> BoolArray:
    """``low <= values <= high`` (ends in any order); NaN is outside."""
    lo, hi = min(low, high), max(low, high)
    with np.errstate(invalid="ignore"):
        return (values >= lo) & (values <= hi)


def in_polygon(x: FloatArray, y: FloatArray, polygon: Sequence[Vertex]) -> BoolArray:
    """Even-odd rule: which points lie inside the closed polygon; NaN points never do.

    Fewer than three vertices enclose nothing. Points on an edge may fall either way,
    as they would under the browser's own lasso.
    """
    inside = np.zeros(len(x), dtype=bool)
    if len(polygon) < 3 or len(x) == 0:
        return inside
    px = np.array([v[0] for v in polygon], dtype=np.float64)
    py = np.array([v[1] for v in polygon], dtype=np.float64)
    # Only points inside the polygon's bounding box can be inside it: for a map lasso
    # over 10,000 routes this leaves a small fraction of the points to ray-cast.
    candidates = np.flatnonzero(
        in_range(x, float(px.min()), float(px.max()))
        & in_range(y, float(py.min()), float(py.max()))
    )
    if len(candidates) == 0:
        return inside
    cx, cy = x[candidates], y[candidates]
    odd = np.zeros(len(candidates), dtype=bool)
    x0, y0 = px[-1], py[-1]
    for x1, y1 in zip(px, py, strict=True):
        crosses = (y1 > cy) != (y0 > cy)
        if crosses.any():
            at = x1 + (cy - y1) * (x0 - x1) / ((y0 - y1) if y0 != y1 else 1.0)
            odd ^= crosses & (cx < at)
        x0, y0 = x1, y1
    inside[candidates] = odd
    return inside
