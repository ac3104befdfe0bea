"""Route tiles drawn on the server: where the pixels land, their colour and opacity, and
the raster's edge cases (long segments, dots, huge accounts)."""

from __future__ import annotations

import io
import math
import time

import numpy as np
import pytest
from PIL import Image

from strava_dash import route_tiles
from strava_dash.route_tiles import TILE_PX, RouteRaster

RED = (230, 20, 20)
BLUE = (20, 20, 230)


def tile_of(lat: float, lng: float, z: int) -> tuple[int, int, float, float]:
    """The tile holding a point, and the point's pixel (column, row) in it."""
    x, y = route_tiles.world_xy(np.array([lat]), np.array([lng]))
    px, py = x[0] * 2**z * TILE_PX, y[0] * 2**z * TILE_PX
    return int(px // TILE_PX), int(py // TILE_PX), px % TILE_PX, py % TILE_PX


def lat_lng_of(z: int, tx: int, ty: int, column: float, row: float) -> tuple[float, float]:
    """The (lat, lng) of a pixel of a tile: the inverse of Web Mercator."""
    n = 2**z * TILE_PX
    x, y = (tx * TILE_PX + column) / n, (ty * TILE_PX + row) / n
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    return lat, x * 360 - 180


def raster(
    routes: list[list[tuple[float, float]]],
    colours: list[int] | None = None,
    weights: list[float] | None = None,
) -> RouteRaster:
    points = np.array([p for route in routes for p in route], dtype=np.float64).reshape(-1, 2)
    offsets = np.concatenate(([0], np.cumsum([len(r) for r in routes]))).astype(np.int64)
    return RouteRaster.build(
        points,
        offsets,
        np.array(colours or [0] * len(routes), dtype=np.int64),
        np.array([RED, BLUE], dtype=np.uint8),
        weight=None if weights is None else np.array(weights, dtype=np.float64),
    )


def test_world_coordinates_follow_web_mercator() -> None:
    x, y = route_tiles.world_xy(
        np.array([0.0, 85.0511287798, -85.0511287798]), np.array([0.0, -180.0, 180.0])
    )
    assert x.tolist() == pytest.approx([0.5, 0.0, 1.0])
    assert y.tolist() == pytest.approx([0.5, 0.0, 1.0], abs=1e-9)


def test_a_route_across_a_tile_draws_a_line_where_it_runs() -> None:
    z, tx, ty = 14, 8_200, 5_450
    west = lat_lng_of(z, tx, ty, -20.0, 100.5)
    east = lat_lng_of(z, tx, ty, TILE_PX + 20.0, 100.5)
    rgba = route_tiles.tile_rgba(raster([[west, east]]), z, tx, ty)
    drawn_rows = np.flatnonzero(rgba[..., 3].any(axis=1))
    # One pixel row, widened by one on each side.
    assert drawn_rows.tolist() == [99, 100, 101]
    assert rgba[100, :, 3].all(), "the line crosses the whole tile without gaps"
    assert tuple(rgba[100, 128, :3]) == RED
    assert rgba[100, 128, 3] > rgba[99, 128, 3] > 0


def test_the_sport_with_most_routes_through_a_pixel_gives_its_colour() -> None:
    z, tx, ty = 14, 8_200, 5_450
    path = [lat_lng_of(z, tx, ty, 10.0, 50.5), lat_lng_of(z, tx, ty, 200.0, 50.5)]
    once = route_tiles.tile_rgba(raster([path, path], colours=[0, 1], weights=[1, 5]), z, tx, ty)
    assert tuple(once[50, 100, :3]) == BLUE
    # A route ridden 50 times glows more than one ridden once.
    busy = route_tiles.tile_rgba(raster([path], weights=[50]), z, tx, ty)
    quiet = route_tiles.tile_rgba(raster([path], weights=[1]), z, tx, ty)
    assert busy[50, 100, 3] > quiet[50, 100, 3] >= round(route_tiles.MIN_ALPHA * 255)


def test_tiles_away_from_the_routes_are_the_transparent_tile() -> None:
    london = raster([[(51.50, -0.12), (51.51, -0.10)]])
    tx, ty, _, _ = tile_of(48.85, 2.35, 12)
    assert route_tiles.render_tile(london, 12, tx, ty) == route_tiles.empty_png()
    image = Image.open(io.BytesIO(route_tiles.empty_png()))
    assert image.size == (TILE_PX, TILE_PX)
    assert image.mode == "RGBA"
    assert image.getextrema()[3] == (0, 0)


def test_a_png_holds_the_pixels_drawn() -> None:
    route = [(48.80, 2.30), (48.90, 2.40)]
    tx, ty, _, _ = tile_of(48.85, 2.35, 12)
    png = route_tiles.render_tile(raster([route]), 12, tx, ty)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert image.shape == (TILE_PX, TILE_PX, 4)
    assert (image == route_tiles.tile_rgba(raster([route]), 12, tx, ty)).all()


def test_a_long_segment_deep_in_the_zoom_is_clipped_not_sampled_end_to_end() -> None:
    # 2,000 km in one segment (a GPS jump) seen at zoom 18: millions of pixels long.
    jump = raster([[(0.0, -9.0), (0.0, 9.0)]])
    tx, ty, _, row = tile_of(0.0, 0.0, 18)
    started = time.perf_counter()
    rgba = route_tiles.tile_rgba(jump, 18, tx, ty)
    assert time.perf_counter() - started < 1.0
    assert rgba[..., 3].any(axis=1).sum() <= 3
    assert rgba[int(row) % TILE_PX, :, 3].all() or rgba[(int(row) - 1) % TILE_PX, :, 3].all()


def test_neighbouring_tiles_meet_at_their_edge() -> None:
    z, tx, ty = 15, 16_400, 10_900
    path = [lat_lng_of(z, tx, ty, 100.0, 60.5), lat_lng_of(z, tx + 1, ty, 150.0, 60.5)]
    left = route_tiles.tile_rgba(raster([path]), z, tx, ty)
    right = route_tiles.tile_rgba(raster([path]), z, tx + 1, ty)
    assert left[60, TILE_PX - 1, 3] > 0
    assert right[60, 0, 3] > 0
    assert left[60, TILE_PX - 1, 3] == right[60, 0, 3]


def test_a_one_point_route_is_a_dot_and_empty_routes_are_skipped() -> None:
    z, tx, ty = 16, 32_800, 21_800
    dot = lat_lng_of(z, tx, ty, 40.5, 40.5)
    rgba = route_tiles.tile_rgba(raster([[], [dot], []]), z, tx, ty)
    assert rgba[40, 40, 3] > 0
    assert rgba[..., 3].astype(bool).sum() == 5  # the dot and its four neighbours


def test_a_huge_account_at_zoom_zero_stays_within_the_sample_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    routes = [
        list(
            zip(rng.uniform(-60, 60, 30).tolist(), rng.uniform(-170, 170, 30).tolist(), strict=True)
        )
        for _ in range(200)
    ]
    monkeypatch.setattr(route_tiles, "MAX_SAMPLES", 20_000)
    counts = route_tiles.tile_counts(raster(routes), 0, 0, 0)
    assert counts.sum() > 0
    assert np.count_nonzero(counts) <= 20_000


@pytest.mark.parametrize(("z", "x", "y"), [(-1, 0, 0), (23, 0, 0), (3, 8, 0), (3, 0, -1)])
def test_addresses_outside_the_grid_are_refused(z: int, x: int, y: int) -> None:
    assert not route_tiles.valid_tile(z, x, y)
    with pytest.raises(ValueError, match="no tile"):
        route_tiles.render_tile(raster([[(0.0, 0.0), (1.0, 1.0)]]), z, x, y)


def test_a_double_density_tile_draws_the_same_area_at_twice_the_pixels() -> None:
    z, tx, ty = 14, 8_200, 5_450
    west = lat_lng_of(z, tx, ty, -20.0, 100.25)
    east = lat_lng_of(z, tx, ty, TILE_PX + 20.0, 100.25)
    sharp = route_tiles.tile_rgba(raster([[west, east]]), z, tx, ty, scale=2)
    assert sharp.shape == (2 * TILE_PX, 2 * TILE_PX, 4)
    rows = np.flatnonzero(sharp[..., 3].any(axis=1))
    # Row 200 (100.25 CSS px down), widened twice: as wide in CSS pixels as at scale 1.
    assert rows.tolist() == [198, 199, 200, 201, 202]
    assert sharp[200, :, 3].all()
    png = route_tiles.render_tile(raster([[west, east]]), z, tx, ty, scale=2)
    assert Image.open(io.BytesIO(png)).size == (2 * TILE_PX, 2 * TILE_PX)
    with pytest.raises(ValueError, match="no tile"):
        route_tiles.render_tile(raster([[west, east]]), z, tx, ty, scale=3)
