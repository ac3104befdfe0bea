"""Plotly selection events, shaped as Streamlit hands them over, -> selection specs."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from strava_dash import charts, selection_events
from strava_dash.activities import to_frame
from strava_dash.selection import (
    CalendarSelection,
    HistogramSelection,
    MapSelection,
    ScatterSelection,
    VolumeSelection,
    WhenSelection,
    YearsSelection,
)
from strava_dash.selection_codec import MAX_VERTICES, canonical, decode, encode


def event(points: list[dict[str, object]] | None = None, **shapes: object) -> dict[str, object]:
    return {"points": points or [], "point_indices": [], "box": [], "lasso": []} | shapes


def test_volume_bars_from_the_real_figure() -> None:
    records = [
        {
            "id": i,
            "sport_type": sport,
            "distance": 1000.0,
            "moving_time": 60,
            "start_date": f"2024-0{m}-10T07:00:00Z",
            "start_date_local": f"2024-0{m}-10T09:00:00Z",
        }
        for i, (m, sport) in enumerate([(6, "Ride"), (7, "Run"), (8, "Ride")])
    ]
    fig = charts.volume_figure(to_frame(records), period="month", rolling=3)
    ride = next(t for t in fig.data if t.name == "Ride")
    run = next(t for t in fig.data if t.name == "Run")
    # What a click on June's ride bar and July's run bar reports (as plotly.js 4 did in
    # Chromium): the bar's x, its period's first day, and the trace's legendgroup, which
    # Streamlit copies into each point; the rolling line has none.
    picked = event(
        [
            {"curve_number": 0, "point_index": 0, "x": ride.x[0], "legendgroup": ride.legendgroup},
            {"curve_number": 1, "point_index": 1, "x": run.x[1], "legendgroup": run.legendgroup},
            {"curve_number": 2, "point_index": 0, "x": run.x[0], "y": 3.0},  # the line: ignored
        ]
    )
    june_rides = VolumeSelection(
        "month", frozenset({(date(2024, 6, 1), "Ride"), (date(2024, 7, 1), "Run")})
    )
    assert selection_events.volume(picked, "month") == june_rides
    # A box reports each bar at the middle of its period ("2024-06-16 12:00"), and a date
    # axis may hand over milliseconds: both fall in the bar's month.
    middle = pd.Timestamp("2024-07-16 12:00")
    boxed = event(
        [
            {"x": "2024-06-16 12:00", "legendgroup": "Ride"},
            {"x": middle.value / 1e6, "legendgroup": "Run"},
        ]
    )
    assert selection_events.volume(boxed, "month") == june_rides
    assert selection_events.volume(event(), "month") is None
    garbage = [{"x": "June", "legendgroup": "Ride"}, {"x": float("nan"), "legendgroup": "Ride"}]
    assert selection_events.volume(event([*garbage, {"x": "2024-06-01"}]), "month") is None


def test_volume_weeks_and_years_from_x0_dx_bars() -> None:
    """Weekly bars have no x array (x0 + dx): the event's x still names the week."""
    records = [
        {
            "id": 1,
            "sport_type": "Run",
            "distance": 5000.0,
            "moving_time": 1500,
            "start_date": "2024-03-06T07:00:00Z",  # a Wednesday
            "start_date_local": "2024-03-06T08:00:00Z",
        }
    ]
    fig = charts.volume_figure(to_frame(records), period="week", rolling=1)
    (bar,) = fig.data
    assert (bar.x, bar.x0, bar.legendgroup) == (None, "2024-03-04", "Run")
    click = event([{"x": "2024-03-04", "legendgroup": "Run"}])
    box = event([{"x": "2024-03-07 12:00", "legendgroup": "Run"}])
    week = VolumeSelection("week", frozenset({(date(2024, 3, 4), "Run")}))
    assert selection_events.volume(click, "week") == week
    assert selection_events.volume(box, "week") == week
    year = VolumeSelection("year", frozenset({(date(2024, 1, 1), "Run")}))
    assert selection_events.volume(box, "year") == year


def test_years_box_on_the_reference_year() -> None:
    box = {"xref": "x", "yref": "y", "x": ["2000-06-01 10:00", "2000-08-31 23:00"], "y": [0, 9]}
    # 1 Jun 10:00 is after day 152's point at midnight: the window starts the next day.
    assert selection_events.years(event(box=[box])) == YearsSelection(153, 243)
    ms = pd.Timestamp("2000-03-01").value / 1e6
    numeric = {"x": [ms, ms + 86_400_000], "y": [0, 1]}
    assert selection_events.years(event(box=[numeric])) == YearsSelection(60, 61)
    assert selection_events.years(event(box=[{"x": ["garbage", None]}])) is None


def test_calendar_cells_to_days() -> None:
    shown = [2024, 2023]
    # 1 Jan 2024 was a Monday: row 1 (Mon), week 0. 2023 starts on a Sunday: row 8 + 7.
    click = event([{"x": 0, "y": 1}, {"x": 0, "y": 15}, {"x": 3, "y": 0}])
    assert selection_events.calendar(click, shown) == CalendarSelection(
        frozenset({date(2024, 1, 1), date(2023, 1, 1)})
    )
    box = {"x": [0.6, 1.4], "y": [0.5, 3.4]}  # week 1, Mon–Wed of 2024
    assert selection_events.calendar(event(box=[box]), shown) == CalendarSelection(
        frozenset({date(2024, 1, 8), date(2024, 1, 9), date(2024, 1, 10)})
    )
    assert selection_events.calendar(event([{"x": 0, "y": 99}]), shown) is None
    # A weekday label (the text trace after the heatmap) caught by a box is not a day.
    label = {"curve_number": 2, "point_index": 1, "x": -0.5, "y": 2}
    assert selection_events.calendar(event([label]), shown) is None
    heatmap_point = {"curve_number": 0, "x": 0, "y": 1}
    assert selection_events.calendar(event([label, heatmap_point]), shown) == CalendarSelection(
        frozenset({date(2024, 1, 1)})
    )


def test_when_cells_from_clicks_and_boxes() -> None:
    click = event([{"x": "07", "y": "Mon"}, {"x": "25", "y": "Mon"}, {"x": "07", "y": "X"}])
    assert selection_events.when(click) == WhenSelection(frozenset({(0, 7)}))
    box = {"x": [5.5, 7.5], "y": [-0.5, 1.2]}
    assert selection_events.when(event(box=[box])) == WhenSelection(
        frozenset({(0, 6), (0, 7), (1, 6), (1, 7)})
    )


def test_scatter_box_and_lasso_pick_the_panel_from_xref() -> None:
    box = {"xref": "x2", "yref": "y2", "x": [10, 3], "y": [300, 360]}
    assert selection_events.scatter(event(box=[box]), ["speed", "pace"], "metric") == (
        ScatterSelection("pace", "metric", (3.0, 10.0), (300.0, 360.0))
    )
    lasso = {"xref": "x", "yref": "y", "x": [0, 10, 5], "y": [0, 0, 8]}
    got = selection_events.scatter(event(lasso=[lasso]), ["pace"], "imperial")
    assert got == ScatterSelection(
        "pace", "imperial", (0.0, 10.0), (0.0, 8.0), ((0.0, 0.0), (10.0, 0.0), (5.0, 8.0))
    )
    assert selection_events.scatter(event(box=[box]), ["speed"], "metric") is None
    assert selection_events.scatter(event([{"x": 1, "y": 2}]), ["speed"], "metric") is None


def test_histogram_bins_from_customdata() -> None:
    picked = event([{"customdata": ["10–20 km", 10, 20]}, {"customdata": ["bad", "x", 1]}])
    assert selection_events.histogram(picked, "metric") == HistogramSelection(
        "metric", ((10.0, 20.0),)
    )


def test_a_box_drawn_on_the_map_is_kept_in_degrees_south_north_west_east() -> None:
    got = selection_events.map_shape({"kind": "box", "lat": [42.1, 41.9], "lng": [2.7, 2.9]})
    assert got == MapSelection("routes", (41.9, 42.1), (2.7, 2.9))
    starts = selection_events.map_shape(
        {"kind": "box", "lat": [41.9, 42.1], "lng": [2.7, 2.9], "nonce": "a-1"}, "starts"
    )
    assert starts == MapSelection("starts", (41.9, 42.1), (2.7, 2.9))


def test_a_lasso_drawn_on_the_map_is_a_polygon_of_lat_lng() -> None:
    triangle = [[41.9, 2.7], [42.1, 2.8], [41.95, 2.9], [41.9, 2.7]]  # closed: last = first
    got = selection_events.map_shape({"kind": "lasso", "polygon": triangle})
    assert got == MapSelection(
        "routes", (41.9, 42.1), (2.7, 2.9), ((41.9, 2.7), (42.1, 2.8), (41.95, 2.9))
    )


def test_a_lasso_given_as_lng_lat_is_refused_not_swapped() -> None:
    # Plotly hands lassoPoints as [lon, lat]; a frontend that forgot to swap them sends a
    # "latitude" beyond 90 somewhere east of Greece: refused.
    wrong = [[120.1, 30.0], [120.3, 30.2], [120.2, 30.4]]
    assert selection_events.map_shape({"kind": "lasso", "polygon": wrong}) is None
    box = {"kind": "box", "lat": [120.1, 120.3], "lng": [30.0, 30.4]}
    assert selection_events.map_shape(box) is None


def test_a_lasso_of_thousands_of_vertices_is_thinned_and_survives_the_url() -> None:
    centre_lat, centre_lng = 41.98, 2.82
    ring = [
        [
            centre_lat + 0.05 * math.sin(2 * math.pi * i / 10_000),
            centre_lng + 0.05 * math.cos(2 * math.pi * i / 10_000),
        ]
        for i in range(10_000)
    ]
    got = selection_events.map_shape({"kind": "lasso", "polygon": ring})
    assert got is not None
    assert len(got.polygon) == MAX_VERTICES
    assert got.lat == pytest.approx((centre_lat - 0.05, centre_lat + 0.05), abs=1e-3)
    assert got.lng == pytest.approx((centre_lng - 0.05, centre_lng + 0.05), abs=1e-3)
    restored = decode(encode([got]))
    assert len(restored) == 1
    back = restored[0]
    assert isinstance(back, MapSelection)
    assert back == canonical(got)
    assert back.polygon == tuple((round(a, 4), round(b, 4)) for a, b in got.polygon)
    assert back.mode == "routes"
    too_many = [[41.9 + (i % 7) * 0.01, 2.7 + (i % 11) * 0.01] for i in range(100_001)]
    assert selection_events.map_shape({"kind": "lasso", "polygon": too_many}) is None


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "box",
        42,
        [],
        {},
        {"kind": "circle", "lat": [1, 2], "lng": [1, 2]},
        {"kind": "box"},
        {"kind": "box", "lat": "41.9,42.1", "lng": [2.7, 2.9]},
        {"kind": "box", "lat": ["41.9", "x"], "lng": [2.7, 2.9]},
        {"kind": "box", "lat": [float("nan"), 42.1], "lng": [2.7, 2.9]},
        {"kind": "box", "lat": [41.9, float("inf")], "lng": [2.7, 2.9]},
        {"kind": "box", "lat": [41.9, 42.1, 43.0], "lng": [2.7, 2.9]},
        {"kind": "box", "lat": [41.9, 42.1], "lng": [2.7, 181.0]},
        {"kind": "box", "lat": [-91.0, 42.1], "lng": [2.7, 2.9]},
        {"kind": "box", "lat": [42.0, 42.0], "lng": [2.7, 2.9]},  # flat
        {"kind": "box", "lat": [None, 42.0], "lng": [2.7, 2.9]},
        {"kind": "lasso"},
        {"kind": "lasso", "polygon": "41.9:2.7_42.1:2.8_41.95:2.9"},
        {"kind": "lasso", "polygon": [[41.9, 2.7], [42.1, 2.8]]},  # two vertices
        {"kind": "lasso", "polygon": [[41.9, 2.7], [42.1, 2.8], [41.9, 2.7]]},  # closed two
        {"kind": "lasso", "polygon": [[41.9, 2.7], [42.1, 2.8], [float("nan"), 2.9]]},
        {"kind": "lasso", "polygon": [[41.9, 2.7], [42.1, 2.8], [41.95]]},
        {"kind": "lasso", "polygon": [[41.9, 2.7], [42.1, 2.8], "x"]},
        {"kind": "lasso", "polygon": [[41.9, 2.7], [42.0, 2.8], [42.1, 2.9]][:2] * 2},
        {"kind": "lasso", "polygon": [[41.9, 2.7], [41.9, 2.8], [41.9, 2.9]]},  # a line
        {"kind": "clear"},
    ],
)
def test_anything_else_from_the_map_component_selects_nothing(garbage: object) -> None:
    assert selection_events.map_shape(garbage) is None


def test_a_double_click_on_the_map_is_a_clear() -> None:
    assert selection_events.map_cleared({"kind": "clear", "nonce": "x-3"})
    assert not selection_events.map_cleared({"kind": "box"})
    assert not selection_events.map_cleared("clear")


@pytest.mark.parametrize("garbage", [{}, {"points": "x"}, {"points": [1, None]}, {"box": [3]}])
def test_malformed_events_select_nothing(garbage: dict[str, object]) -> None:
    assert selection_events.volume(garbage, "week") is None
    assert selection_events.years(garbage) is None
    assert selection_events.calendar(garbage, [2024]) is None
    assert selection_events.when(garbage) is None
    assert selection_events.scatter(garbage, ["speed"], "metric") is None
    assert selection_events.histogram(garbage, "metric") is None
    assert selection_events.map_shape(garbage) is None
