"""Route maps: bulk decoding, the point budget, traces per sport, activities without GPS."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import polyline
import pytest

from strava_dash import charts, maps, polyline_np
from strava_dash.route_tiles import RouteRaster
from tests.test_charts import make_frame


def random_route(rng: np.random.Generator, n: int, lat: float = 51.5, lng: float = -0.1) -> str:
    lats = lat + np.cumsum(rng.normal(0, 0.001, n))
    lngs = lng + np.cumsum(rng.normal(0, 0.0015, n))
    return str(polyline.encode(list(zip(lats.tolist(), lngs.tolist(), strict=True))))


def nan_count(values: Any) -> int:
    return int(np.isnan(np.asarray(values, dtype=float)).sum())


# ---------------------------------------------------------------------------------------------
# Decoding


def test_decoder_returns_the_polyline_librarys_points_in_one_array() -> None:
    rng = np.random.default_rng(7)
    encoded = [random_route(rng, int(n)) for n in rng.integers(1, 300, 50)]
    encoded += [
        random_route(rng, 5, lat=-33.9, lng=151.2),  # southern and eastern hemisphere
        random_route(rng, 5, lat=64.1, lng=-21.9),
        str(polyline.encode([(89.99999, 179.99999), (-89.99999, -179.99999)])),  # huge jumps
        "_p~iF~ps|U_ulLnnqC_mqNvxq`@",  # Google's documentation example
    ]
    points, offsets = maps.decode_polylines(encoded)
    assert len(offsets) == len(encoded) + 1
    for i, text in enumerate(encoded):
        expected = np.asarray(polyline.decode(text), dtype=float).reshape(-1, 2)
        np.testing.assert_array_equal(points[offsets[i] : offsets[i + 1]], expected)


def test_decoder_gives_empty_routes_for_bad_input() -> None:
    good = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    # None, empty, an unfinished value, an odd number of values, a non-ASCII character.
    points, offsets = maps.decode_polylines([None, "", good, "_p~iF~", "_p~iF", "é", good])
    counts = np.diff(offsets).tolist()
    assert counts == [0, 0, 3, 0, 0, 0, 3]
    np.testing.assert_array_equal(points[:3], points[3:])


def test_decoder_cache_decodes_each_route_once(monkeypatch: pytest.MonkeyPatch) -> None:
    good = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    calls: list[list[str]] = []
    real = polyline_np.decode_many
    monkeypatch.setattr(
        polyline_np, "decode_many", lambda texts: calls.append(list(texts)) or real(texts)
    )
    cache: dict[str, np.ndarray] = {}
    first, _ = maps.decode_polylines([good, good], cache=cache)
    again, _ = maps.decode_polylines([good], cache=cache)
    assert calls == [[good]]
    np.testing.assert_array_equal(first[:3], again)


# ---------------------------------------------------------------------------------------------
# The point budget


def test_point_budget_keeps_every_route_within_the_total() -> None:
    counts = np.array([1000, 10, 2, 1, 0, 500])
    keep = maps.point_budget(counts, 200)
    assert keep.sum() <= 200
    assert keep[1:5].tolist() == [keep[1], 2, 1, 0]
    assert keep[1] >= 2
    assert keep[0] > keep[5] > keep[1]  # in proportion to length
    np.testing.assert_array_equal(maps.point_budget(counts, 10_000), counts)


def test_point_budget_too_small_for_all_endpoints_drops_whole_routes() -> None:
    keep = maps.point_budget(np.full(100, 50), 40)
    assert keep.sum() <= 40
    assert set(keep.tolist()) == {0, 2}


def test_thinning_keeps_first_and_last_points() -> None:
    points = np.column_stack((np.arange(10.0), np.arange(10.0) * 2))
    offsets = np.array([0, 7, 10])
    kept, kept_offsets = maps.thin(points, offsets, np.array([3, 2]))
    assert kept_offsets.tolist() == [0, 3, 5]
    assert kept[:, 0].tolist() == [0.0, 3.0, 6.0, 7.0, 9.0]


# ---------------------------------------------------------------------------------------------
# The routes figure


def test_routes_one_line_trace_and_one_hover_trace_per_sport() -> None:
    rng = np.random.default_rng(1)
    df = make_frame(
        [
            {"start": "2024-03-01 08:00", "sport": "Ride", "polyline": random_route(rng, 20),
             "name": "Ride <one> & \"quotes\" 🚲"},
            {"start": "2024-03-02 08:00", "sport": "Ride", "polyline": random_route(rng, 30)},
            {"start": "2024-03-03 08:00", "sport": "Run", "polyline": random_route(rng, 10)},
            {"start": "2024-03-04 08:00", "sport": "VirtualRide", "trainer": True},
        ]
    )  # fmt: skip
    fig = maps.routes_figure(df, units="metric")
    assert [t.type for t in fig.data] == ["scattermap"] * 4
    assert [t.name for t in fig.data] == ["Ride (2)", "Ride (hover)", "Run (1)", "Run (hover)"]
    ride_line, ride_hover, run_line, _ = fig.data
    # Two rides in one trace: 20 + 30 points and one NaN gap between them.
    assert len(ride_line.lat) == 51
    assert nan_count(ride_line.lat) == nan_count(ride_line.lon) == 1
    assert np.isnan(ride_line.lat[20])
    assert nan_count(run_line.lat) == 0
    assert ride_line.line.color == charts.sport_colour("Ride")
    assert ride_line.hoverinfo == "skip"
    assert ride_hover.showlegend is False
    assert ride_hover.legendgroup == "Ride"
    assert ride_hover.text[0].startswith(
        '<b>Ride &lt;one&gt; &amp; "quotes" 🚲</b><br>Fri 01 Mar 2024'
    )
    assert ride_hover.text[0].endswith("10.0 km")
    assert fig.layout.map.style == "open-street-map"
    assert fig.layout.meta == {
        "routes": 3,
        "shapes": 3,
        "points": 60,
        "points_total": 60,
        "without_gps": 1,
        "tiles": False,
    }
    imperial = maps.routes_figure(df, units="imperial")
    assert imperial.data[1].text[0].endswith("6.2 mi")


def test_ten_thousand_routes_stay_within_the_point_budget(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rng = np.random.default_rng(3)
    # 200 distinct realistic routes (~200 points) reused by 10,000 activities of three sports.
    shapes = [random_route(rng, 200, lat=51 + i / 100) for i in range(200)]
    sports = ["Ride", "Run", "Walk"]
    df = make_frame(
        [
            {
                "start": "2020-01-01 08:00",
                "id": i,
                "sport": sports[i % 3],
                "polyline": shapes[i % 200],
            }
            for i in range(10_000)
        ]
    )
    started = time.perf_counter()
    fig = maps.routes_figure(df, units="metric", max_points=150_000)
    elapsed = time.perf_counter() - started
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(fig.data) == 6
    assert len(lines) == 3
    drawn = sum(len(t.lat) - nan_count(t.lat) for t in lines)
    assert drawn == fig.layout.meta["points"] <= 150_000
    assert fig.layout.meta["points_total"] == 2_000_000
    assert fig.layout.meta["routes"] == 10_000
    # Each of the 200 shapes is ridden, run and walked (i % 200 and i % 3 meet every pair):
    # 600 distinct routes of a sport, each drawn once, one gap between consecutive ones.
    assert fig.layout.meta["shapes"] == 600
    assert sum(nan_count(t.lat) for t in lines) == 600 - 3
    hover = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.lat) for t in hover) <= 15_000
    payload = len(fig.to_json())
    with capsys.disabled():
        print(f"\n10,000 routes x 200 points: figure built in {elapsed * 1000:.0f} ms, "
              f"{drawn:,} points drawn, JSON {payload / 1e6:.1f} MB")  # fmt: skip
    assert elapsed < 5.0
    small = maps.routes_figure(df, units="metric", max_points=30_000)
    assert small.layout.meta["points"] <= 30_000


def test_start_density_mode() -> None:
    rng = np.random.default_rng(2)
    route = random_route(rng, 10)
    first = polyline.decode(route)[0]
    df = make_frame(
        [
            {"start": "2024-03-01 08:00", "polyline": route, "start_lat": 51.0, "start_lng": -1.0},
            # start_latlng missing: the route's first point is the start.
            {"start": "2024-03-02 08:00", "polyline": route},
            {"start": "2024-03-03 08:00", "manual": True},
        ]
    )
    fig = maps.routes_figure(df, units="metric", mode="starts")
    assert [t.type for t in fig.data] == ["densitymap"]
    np.testing.assert_allclose(fig.data[0].lat, [51.0, first[0]])
    np.testing.assert_allclose(fig.data[0].lon, [-1.0, first[1]])
    assert fig.layout.meta["without_gps"] == 1


def test_map_empty_states() -> None:
    assert charts.is_empty(maps.routes_figure(make_frame([]), units="metric"))
    no_gps = maps.routes_figure(make_frame([{"start": "2024-03-01 08:00"}]), units="metric")
    assert charts.is_empty(no_gps)
    assert no_gps.layout.annotations[0].text == maps.NO_GPS_MESSAGE


def test_without_gps_lists_each_activity_with_a_reason() -> None:
    df = make_frame(
        [
            {"start": "2024-03-01 08:00", "id": 1, "polyline": "_p~iF~ps|U_ulLnnqC_mqNvxq`@"},
            {"start": "2024-03-02 08:00", "id": 2, "manual": True, "name": "Typed in"},
            {"start": "2024-03-03 08:00", "id": 3, "sport": "VirtualRide", "trainer": True},
            {"start": "2024-03-04 08:00", "id": 4, "sport": "VirtualRun"},
            {"start": "2024-03-05 08:00", "id": 5, "sport": "Swim"},
        ]
    )
    listed = maps.without_gps(df)
    assert listed["id"].tolist() == [2, 3, 4, 5]
    assert listed["reason"].tolist() == [
        "Manual entry",
        "Indoor trainer",
        "Virtual activity",
        "No GPS route",
    ]
    assert listed["name"].iloc[0] == "Typed in"
    assert list(listed.columns) == [
        "id",
        "name",
        "sport_type",
        "local_date",
        "reason",
        "strava_url",
    ]
    assert maps.without_gps(make_frame([])).empty


# ---------------------------------------------------------------------------------------------
# One activity's route


def test_single_route_from_polyline_or_latlng_stream() -> None:
    encoded = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    expected = polyline.decode(encoded)
    for route in (encoded, [list(p) for p in expected], np.asarray(expected)):
        fig = maps.route_figure(route, name="Morning <ride>", sport_type="Ride")
        assert [t.name for t in fig.data] == ["Morning &lt;ride&gt;", "Start", "Finish"]
        np.testing.assert_allclose(fig.data[0].lat, [p[0] for p in expected])
        assert (fig.data[1].lat[0], fig.data[1].lon[0]) == pytest.approx(expected[0])
        assert (fig.data[2].lat[0], fig.data[2].lon[0]) == pytest.approx(expected[-1])
        assert fig.layout.map.style == "open-street-map"
        assert fig.layout.map.center.lat == pytest.approx((38.5 + 43.252) / 2)


def test_single_route_empty_state() -> None:
    for route in (None, "", [], "_p~iF~"):
        fig = maps.route_figure(route)
        assert charts.is_empty(fig)
        assert fig.layout.annotations[0].text == maps.NO_ROUTE_MESSAGE


def test_the_basemap_follows_dash_map_style_when_it_names_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DASH_MAP_STYLE", raising=False)
    assert maps.map_style() == "open-street-map"
    monkeypatch.setenv("DASH_MAP_STYLE", "white-bg")
    assert maps.map_style() == "white-bg"
    monkeypatch.setenv("DASH_MAP_STYLE", "https://evil.example/style.json")
    assert maps.map_style() == "open-street-map"


# ---------------------------------------------------------------------------------------------
# Routes as tiles


def test_routes_over_the_point_budget_become_a_tile_layer_with_every_point() -> None:
    rng = np.random.default_rng(9)
    encoded = [random_route(rng, 80) for _ in range(30)]
    rows = [
        {
            "start": f"2024-05-{1 + i % 28:02d} 08:00",
            "sport": "Run" if i % 3 else "Ride",
            "polyline": e,
        }
        for i, e in enumerate(encoded)
    ]
    rows.append({"start": "2024-06-01 08:00", "sport": "Run", "polyline": encoded[1]})  # again
    df = make_frame(rows)
    published: list[RouteRaster] = []

    def publish(raster: RouteRaster) -> str:
        published.append(raster)
        return f"api/tiles/{'T' * 24}/{{z}}/{{x}}/{{y}}.png"

    fig = maps.routes_figure(df, max_points=500, tiles=publish)
    assert len(published) == 1
    raster = published[0]
    # Every decoded point of the 30 distinct routes, none thinned; the ridden-twice one
    # weighs two.
    assert raster.points == 30 * 80
    assert sorted(raster.weight.tolist()) == [1.0] * 29 + [2.0]
    assert fig.layout.meta["tiles"] is True
    assert fig.layout.meta["points"] == 30 * 80
    (layer,) = fig.layout.map.layers
    assert layer.sourcetype == "raster"
    assert list(layer.source) == [f"api/tiles/{'T' * 24}/{{z}}/{{x}}/{{y}}.png"]
    assert layer.below == "traces"
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines] == ["Run (21)", "Ride (10)"]
    assert all(nan_count(t.lat) == len(t.lat) == 1 for t in lines), "legend entries only"
    (markers,) = [t for t in fig.data if t.mode == "markers"]
    assert set(markers.hovertext) == {"Run", "Ride"}
    assert len(markers.lat) >= 30, "every route can be hovered"
    assert fig.layout.legend.itemclick is False
    # Colours by sport, in the palette the raster indexes (route 0 is a ride, 1 a run).
    for route, sport in ((0, "Ride"), (1, "Run")):
        hex_colour = charts.sport_colour(sport)
        expected = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert tuple(raster.palette[raster.colour[route]]) == expected


def test_without_a_tile_server_or_under_budget_routes_stay_lines() -> None:
    rng = np.random.default_rng(9)
    df = make_frame(
        [{"start": "2024-05-01 08:00", "polyline": random_route(rng, 80)} for _ in range(30)]
    )
    called: list[RouteRaster] = []

    def publish(raster: RouteRaster) -> str:
        called.append(raster)
        return "api/tiles/x/{z}/{x}/{y}.png"

    thinned = maps.routes_figure(df, max_points=500)
    assert thinned.layout.meta["tiles"] is False
    assert not thinned.layout.map.layers
    assert thinned.layout.meta["points"] <= 500
    roomy = maps.routes_figure(df, max_points=50_000, tiles=publish)
    assert not called
    assert roomy.layout.meta["tiles"] is False
    assert roomy.layout.meta["points"] == 30 * 80
