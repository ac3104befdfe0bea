"""Lighter routes for the map: the NumPy polyline decoder, grid snapping, repeated routes,
and the bounds they put on the Map figure."""

from __future__ import annotations

import math

import numpy as np
import polyline
import pytest

from strava_dash import map_simplify, maps, polyline_np
from tests.test_charts import make_frame
from tests.test_maps import random_route

CELL = (0.001, 0.0015)


def routes_layout(*routes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts = [len(r) for r in routes]
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    points = np.concatenate(routes) if routes else np.zeros((0, 2))
    return points.reshape(-1, 2), offsets


# ---------------------------------------------------------------------------------------------
# The decoder


def test_numpy_decoder_matches_the_polyline_library_exactly() -> None:
    rng = np.random.default_rng(11)
    encoded = [random_route(rng, int(n)) for n in rng.integers(1, 400, 80)]
    encoded += [
        random_route(rng, 7, lat=-33.9, lng=151.2),
        str(polyline.encode([(89.99999, 179.99999), (-89.99999, -179.99999)])),
        "_p~iF~ps|U_ulLnnqC_mqNvxq`@",
    ]
    points, offsets = polyline_np.decode_many(encoded)
    for i, text in enumerate(encoded):
        expected = np.asarray(polyline.decode(text), dtype=float).reshape(-1, 2)
        np.testing.assert_array_equal(points[offsets[i] : offsets[i + 1]], expected)


def test_numpy_decoder_gives_empty_routes_for_what_polyline_rejects() -> None:
    good = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    # Empty, unfinished value, odd count of values, non-ASCII, a control character, a value
    # longer than 32 bits, a lone surrogate; the good ones around them must not be disturbed.
    texts = [good, "", "_p~iF~", "_p~iF", "é", "_p~iF\n", "~~~~~~~~~~?", "_p\ud800", good]
    points, offsets = polyline_np.decode_many(texts)
    assert np.diff(offsets).tolist() == [3, 0, 0, 0, 0, 0, 0, 0, 3]
    np.testing.assert_array_equal(points[:3], points[3:])
    empty, none = polyline_np.decode_many([])
    assert empty.shape == (0, 2)
    assert none.tolist() == [0]


# ---------------------------------------------------------------------------------------------
# Snapping to a grid


def test_cell_size_is_a_pixel_at_the_deeper_zoom() -> None:
    lat, lon = map_simplify.cell_size(10.0, 60.0, headroom=2.0)
    assert lon == pytest.approx(360 / (512 * 2**12))
    assert lat == pytest.approx(lon * 0.5)


def test_snapping_keeps_endpoints_and_stays_within_one_cell_diagonal() -> None:
    rng = np.random.default_rng(5)
    routes = [
        np.column_stack(
            (51 + np.cumsum(rng.normal(0, 3e-4, n)), -0.1 + np.cumsum(rng.normal(0, 4e-4, n)))
        )
        for n in (500, 2, 1, 40)
    ]
    points, offsets = routes_layout(routes[0], np.zeros((0, 2)), *routes[1:])
    kept, kept_offsets = map_simplify.snap_simplify(points, offsets, CELL)
    assert len(kept_offsets) == len(offsets)  # every route still there, even the empty one
    assert np.diff(kept_offsets).tolist()[1:4] == [0, 2, 1]
    assert kept_offsets[-1] < offsets[-1] / 2  # a dense route loses most of its points
    diagonal = math.hypot(*CELL)
    for i in range(len(offsets) - 1):
        original = points[offsets[i] : offsets[i + 1]]
        drawn = kept[kept_offsets[i] : kept_offsets[i + 1]]
        if len(original) == 0:
            continue
        np.testing.assert_array_equal(drawn[0], original[0])
        np.testing.assert_array_equal(drawn[-1], original[-1])
        # Kept points are original vertices, in order.
        assert all((original == p).all(axis=1).any() for p in drawn)
        # Every original vertex is within one cell diagonal of a kept vertex.
        gaps = np.hypot(*(original[:, None, :] - drawn[None, :, :]).transpose(2, 0, 1))
        assert gaps.min(axis=1).max() <= diagonal + 1e-12


def test_snapping_nothing_to_do() -> None:
    points, offsets = map_simplify.snap_simplify(np.zeros((0, 2)), np.array([0, 0]), CELL)
    assert points.shape == (0, 2)
    assert offsets.tolist() == [0, 0]


def test_identical_routes_are_found_within_a_group_only() -> None:
    a = np.array([[51.0, -0.1], [51.01, -0.11], [51.02, -0.1]])
    nudged = a + 1e-6  # the same cells
    b = a[::-1]  # the same way back is another route
    points, offsets = routes_layout(a, nudged, b, np.zeros((0, 2)), np.zeros((0, 2)), a)
    first, copies = map_simplify.distinct_routes(points, offsets, CELL)
    assert first.tolist() == [0, 0, 2, 3, 4, 0]
    assert copies.tolist() == [3, 0, 1, 1, 1, 0]
    groups = np.array([0, 0, 0, 0, 0, 1])  # the last one is another sport
    first, copies = map_simplify.distinct_routes(points, offsets, CELL, groups)
    assert first.tolist() == [0, 0, 2, 3, 4, 5]
    assert copies.tolist() == [2, 0, 1, 1, 1, 1]


# ---------------------------------------------------------------------------------------------
# The Map figure


def test_a_route_ridden_many_times_is_drawn_once_and_hover_says_so() -> None:
    rng = np.random.default_rng(8)
    commute, other = random_route(rng, 50), random_route(rng, 30)
    df = make_frame(
        [{"start": f"2024-03-{d:02d} 08:00", "id": d, "name": f"Commute {d}", "polyline": commute}
         for d in range(28, 0, -1)]
        + [{"start": "2024-02-01 08:00", "id": 99, "polyline": other},
           {"start": "2024-02-02 08:00", "id": 98, "manual": True}]
    )  # fmt: skip
    fig = maps.routes_figure(df, units="metric")
    line, hover = fig.data
    assert line.name == "Ride (29)"
    assert fig.layout.meta["routes"] == 29
    assert fig.layout.meta["shapes"] == 2
    assert fig.layout.meta["without_gps"] == 1
    assert np.isnan(np.asarray(line.lat, dtype=float)).sum() == 1
    # The newest commute speaks for the route.
    assert hover.text[0].startswith("<b>Commute 28</b>")
    assert hover.text[0].endswith("and 27 more on this route")


def test_map_payload_stays_bounded_as_distinct_routes_grow() -> None:
    rng = np.random.default_rng(4)
    sizes = {}
    for n in (1_500, 6_000):
        df = make_frame(
            [
                {
                    "start": "2023-01-01 08:00",
                    "id": i,
                    "sport": ("Ride", "Run", "Walk")[i % 3],
                    "polyline": random_route(
                        rng, 60, lat=48.8 + rng.uniform(-0.1, 0.1), lng=2.3 + rng.uniform(-0.1, 0.1)
                    ),
                }
                for i in range(n)
            ]
        )
        fig = maps.routes_figure(df, units="metric")
        assert fig.layout.meta["routes"] == n
        assert fig.layout.meta["points"] <= maps.MAX_POINTS
        assert sum(len(t.lat) for t in fig.data if t.mode == "markers") <= maps.HOVER_POINTS
        sizes[n] = len(fig.to_json())
        starts = maps.routes_figure(df, units="metric", mode="starts")
        assert len(starts.to_json()) < 400_000
    assert max(sizes.values()) < 1_050_000


def test_start_density_bins_starts_and_counts_them() -> None:
    rng = np.random.default_rng(9)
    route = random_route(rng, 10)
    # Newest first, as the app's table is.
    home = [
        {"start": f"2024-03-{d:02d} 08:00", "id": d, "name": f"From home {d}", "polyline": route,
         "start_lat": 51.5 + d * 1e-7, "start_lng": -0.1}
        for d in range(20, 0, -1)
    ]  # fmt: skip
    away = {"start": "2024-01-01 08:00", "id": 50, "polyline": route, "start_lat": 51.6,
            "start_lng": -0.2}  # fmt: skip
    fig = maps.routes_figure(make_frame([*home, away]), units="metric", mode="starts")
    (trace,) = fig.data
    assert sorted(trace.z) == [1, 20]
    assert fig.layout.meta == {"routes": 21, "places": 2, "without_gps": 0}
    text = trace.text[list(trace.z).index(20)]
    assert text.startswith("<b>20 starts</b>, the latest:<br><b>From home 20</b>")
