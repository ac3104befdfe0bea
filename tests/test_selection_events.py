"""Plotly selection events, shaped as Streamlit hands them over, -> selection specs."""

from __future__ import annotations

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


def test_map_points_become_a_box_around_them() -> None:
    picked = event([{"lat": 41.98, "lon": 2.82}, {"lat": 42.0, "lon": 2.8}, {"lat": 91, "lon": 0}])
    got = selection_events.map_box(picked)
    assert isinstance(got, MapSelection)
    assert got.lat == pytest.approx((41.9795, 42.0005))
    assert got.lng == pytest.approx((2.7995, 2.8205))
    assert selection_events.map_box(event()) is None


@pytest.mark.parametrize("garbage", [{}, {"points": "x"}, {"points": [1, None]}, {"box": [3]}])
def test_malformed_events_select_nothing(garbage: dict[str, object]) -> None:
    assert selection_events.volume(garbage, "week") is None
    assert selection_events.years(garbage) is None
    assert selection_events.calendar(garbage, [2024]) is None
    assert selection_events.when(garbage) is None
    assert selection_events.scatter(garbage, ["speed"], "metric") is None
    assert selection_events.histogram(garbage, "metric") is None
    assert selection_events.map_box(garbage) is None
