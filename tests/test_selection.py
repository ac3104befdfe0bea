from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import polyline
import pytest

from strava_dash.activities import to_frame
from strava_dash.geo_select import in_polygon
from strava_dash.selection import (
    CalendarSelection,
    HistogramSelection,
    MapSelection,
    ScatterSelection,
    VolumeSelection,
    WhenSelection,
    YearsSelection,
    apply_selections,
    chip_text,
    replace_chart,
    selection_mask,
)

GIRONA = [(41.98, 2.82), (41.99, 2.83), (42.00, 2.84)]
# A route starting outside the box (Banyoles) that passes through it.
THROUGH = [(42.12, 2.77), (41.995, 2.835), (41.90, 2.90)]


def record(i: int, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": i,
        "name": f"Activity {i}",
        "sport_type": "Ride",
        "type": "Ride",
        "distance": 10_000.0,
        "moving_time": 3600,
        "elapsed_time": 3700,
        "total_elevation_gain": 100.0,
        "start_date": "2024-06-10T07:00:00Z",
        "start_date_local": "2024-06-10T09:00:00Z",
        "trainer": False,
        "commute": False,
        "manual": False,
        "private": False,
        "start_latlng": list(GIRONA[0]),
        "map": {"summary_polyline": polyline.encode(GIRONA)},
    }
    base.update(fields)
    # Strava sends the average speed; here it follows distance and moving time.
    base.setdefault("average_speed", float(base["distance"]) / float(base["moving_time"]))  # type: ignore[arg-type]
    return base


@pytest.fixture
def frame() -> pd.DataFrame:
    return to_frame(
        [
            record(1),  # Mon 10 Jun 2024 09:00, 10 km in 1 h = 10 km/h
            record(2, start_date_local="2024-07-02T18:30:00Z", distance=40_000.0),  # 40 km/h
            record(3, sport_type="Run", type="Run", distance=5000.0, moving_time=1500),  # 5:00/km
            record(
                4,
                start_date_local="2024-08-31T23:59:00Z",
                name="🚴 =SUM(A1)",
                start_latlng=list(THROUGH[0]),
                map={"summary_polyline": polyline.encode(THROUGH)},
            ),
            # Manual entry without GPS, in the same month and hour as others.
            record(5, manual=True, start_latlng=[], map={"summary_polyline": ""}),
            # Europe's spring DST change (31 Mar 2024, 02:00 -> 03:00); the naive local
            # wall clock is what counts, so 03:30 is hour 3 on that Sunday.
            record(6, start_date="2024-03-31T01:30:00Z", start_date_local="2024-03-31T03:30:00Z"),
            record(7, start_date_local="2023-06-15T07:00:00Z", sport_type="GravelRide"),
            record(
                8,
                name=None,
                sport_type="Yoga",
                type="Yoga",
                distance=0.0,
                start_latlng=None,
                map=None,
            ),
        ]
    )


def ids(df: pd.DataFrame, selections: list[object]) -> set[int]:
    return set(apply_selections(df, selections)["id"].tolist())  # type: ignore[arg-type]


def test_mask_is_a_bool_series_on_the_frame_index(frame: pd.DataFrame) -> None:
    shuffled = frame.iloc[::-1].set_axis(range(100, 100 + len(frame)))
    mask = selection_mask(CalendarSelection(frozenset({date(2024, 6, 10)})), shuffled)
    assert mask.dtype == bool
    assert list(mask.index) == list(shuffled.index)
    assert set(shuffled.loc[mask, "id"]) == {1, 3, 5, 8}


def test_no_selection_keeps_everything_and_empty_frame_stays_empty(frame: pd.DataFrame) -> None:
    assert apply_selections(frame, []) is frame
    assert selection_mask([], frame).all()
    empty = frame.iloc[0:0]
    assert selection_mask([YearsSelection(0, 365)], empty).empty


def test_volume_cells_by_month_and_sport(frame: pd.DataFrame) -> None:
    june = VolumeSelection("month", frozenset({(date(2024, 6, 1), "Ride")}))
    assert ids(frame, [june]) == {1, 5}
    summer = VolumeSelection(
        "month",
        frozenset({(date(2024, m, 1), s) for m in (6, 7, 8) for s in ("Ride", "Run")}),
    )
    assert ids(frame, [summer]) == {1, 2, 3, 4, 5}
    assert summer.describe("metric") == "Jun–Aug 2024, Ride, Run"


def test_volume_weeks_start_on_monday_and_years(frame: pd.DataFrame) -> None:
    # 31 Mar 2024 is a Sunday: its week started on Monday 25 March.
    week = VolumeSelection("week", frozenset({(date(2024, 3, 25), "Ride")}))
    assert ids(frame, [week]) == {6}
    year = VolumeSelection("year", frozenset({(date(2023, 1, 1), "GravelRide")}))
    assert ids(frame, [year]) == {7}
    assert VolumeSelection("year", frozenset()).matches(frame).sum() == 0


def test_years_window_is_every_year_on_the_reference_day(frame: pd.DataFrame) -> None:
    # Reference day 166 is 15 June in a leap year and in a common year alike... except
    # that a common year lines up from 1 March: 15 Jun is day 166 in both.
    june = YearsSelection(160, 170)
    assert ids(frame, [june]) == {1, 3, 5, 7, 8}
    assert "of every year" in june.describe("metric")


def test_calendar_days_use_the_local_date(frame: pd.DataFrame) -> None:
    # 23:59 local on 31 Aug is 31 Aug, whatever the UTC date.
    assert ids(frame, [CalendarSelection(frozenset({date(2024, 8, 31)}))]) == {4}
    assert ids(frame, [CalendarSelection(frozenset({date(2024, 3, 31)}))]) == {6}
    assert ids(frame, [CalendarSelection(frozenset())]) == set()


def test_when_cells_on_a_dst_day(frame: pd.DataFrame) -> None:
    sunday_3 = WhenSelection(frozenset({(6, 3)}))
    assert ids(frame, [sunday_3]) == {6}
    assert ids(frame, [WhenSelection(frozenset({(6, 2)}))]) == set()
    monday_morning = WhenSelection(frozenset({(0, 9)}))
    assert ids(frame, [monday_morning]) == {1, 3, 5, 8}
    assert WhenSelection(frozenset({(0, 7), (0, 8), (1, 7), (1, 8)})).describe("metric") == (
        "Mon–Tue 07:00–09:00"
    )


def test_scatter_box_speed_panel_leaves_out_foot_sports(frame: pd.DataFrame) -> None:
    box = ScatterSelection("speed", "metric", (30.0, 50.0), (35.0, 45.0))
    assert ids(frame, [box]) == {2}
    everything = ScatterSelection("speed", "metric", (0.0, 1000.0), (0.0, 1000.0))
    # Not the run (pace panel), not the yoga session (no distance).
    assert ids(frame, [everything]) == {1, 2, 4, 5, 6, 7}


def test_scatter_box_pace_panel_and_imperial_units(frame: pd.DataFrame) -> None:
    # 5:00 per km is 8:02.7 per mile; 5 km is 3.107 mi.
    pace = ScatterSelection("pace", "imperial", (3.0, 3.2), (480.0, 485.0))
    assert ids(frame, [pace]) == {3}
    assert ids(frame, [ScatterSelection("pace", "imperial", (3.0, 3.2), (470.0, 480.0))]) == set()
    # 40 km/h is 24.85 mph at 24.85 mi.
    mph = ScatterSelection("speed", "imperial", (24.0, 25.0), (24.0, 25.0))
    assert ids(frame, [mph]) == {2}
    assert "mph" in mph.describe("imperial")
    assert "km/h" in mph.describe("metric")


def test_scatter_lasso(frame: pd.DataFrame) -> None:
    # A triangle around (40 km, 40 km/h) but not around (10, 10).
    lasso = ScatterSelection(
        "speed", "metric", (0.0, 60.0), (0.0, 60.0), ((35.0, 30.0), (50.0, 50.0), (30.0, 50.0))
    )
    assert ids(frame, [lasso]) == {2}


def test_histogram_bins_are_half_open(frame: pd.DataFrame) -> None:
    assert ids(frame, [HistogramSelection("metric", ((5.0, 10.0),))]) == {3}
    assert ids(frame, [HistogramSelection("metric", ((10.0, 15.0), (40.0, 45.0)))]) == {
        1,
        2,
        4,
        5,
        6,
        7,
    }
    # No distance is never in a bin, not even one starting at 0.
    assert 8 not in ids(frame, [HistogramSelection("metric", ((0.0, 5.0),))])
    # 5 km = 3.107 mi.
    assert ids(frame, [HistogramSelection("imperial", ((3.0, 3.5),))]) == {3}


def test_map_box_starts_and_routes_and_no_gps(frame: pd.DataFrame) -> None:
    box = MapSelection("starts", (41.97, 41.985), (2.81, 2.825))
    # Start point inside: every GPS activity but the one from Banyoles. No GPS: never.
    assert ids(frame, [box]) == {1, 2, 3, 6, 7}
    through = MapSelection("routes", (41.99, 42.0), (2.83, 2.84))
    assert ids(frame, [through]) == {1, 2, 3, 4, 6, 7}
    only_banyoles = MapSelection("routes", (42.1, 42.2), (2.7, 2.8))
    assert ids(frame, [only_banyoles]) == {4}
    assert ids(frame, [MapSelection("starts", (42.1, 42.2), (2.7, 2.8))]) == {4}
    world = MapSelection("routes", (-90.0, 90.0), (-180.0, 180.0))
    assert 5 not in ids(frame, [world])
    assert 8 not in ids(frame, [world])


def test_map_lasso_and_route_cache(frame: pd.DataFrame) -> None:
    triangle = ((42.15, 2.70), (42.15, 2.80), (42.05, 2.75))
    lasso = MapSelection("routes", (42.05, 42.15), (2.70, 2.80), triangle)
    cache: dict[str, np.ndarray] = {}
    assert set(frame.loc[selection_mask(lasso, frame, routes=cache), "id"]) == {4}
    assert cache  # decoded routes are kept for the next rerun


def test_selections_combine_with_and(frame: pd.DataFrame) -> None:
    june_july = VolumeSelection(
        "month", frozenset({(date(2024, 6, 1), "Ride"), (date(2024, 7, 1), "Ride")})
    )
    fast = ScatterSelection("speed", "metric", (0.0, 100.0), (20.0, 60.0))
    assert ids(frame, [june_july]) == {1, 2, 5}
    assert ids(frame, [june_july, fast]) == {2}


def test_missing_columns_and_odd_data_do_not_crash() -> None:
    odd = pd.DataFrame({"id": [1, 2], "name": ["=cmd", None]})
    for sel in (
        VolumeSelection("month", frozenset({(date(2024, 6, 1), "Ride")})),
        YearsSelection(0, 365),
        CalendarSelection(frozenset({date(2024, 6, 1)})),
        WhenSelection(frozenset({(0, 9)})),
        ScatterSelection("speed", "metric", (0.0, 1.0), (0.0, 1.0)),
        HistogramSelection("metric", ((0.0, 1.0),)),
        MapSelection("routes", (0.0, 1.0), (0.0, 1.0)),
    ):
        assert not selection_mask(sel, odd).any()


def test_chip_text_and_replace_chart() -> None:
    june = VolumeSelection("month", frozenset({(date(2024, 6, 1), "Ride")}))
    assert chip_text(june, "metric", 87) == "Selected on Volume: Jun 2024, Ride · 87 activities"
    assert chip_text(june, "metric", 1).endswith("· 1 activity")
    july = VolumeSelection("month", frozenset({(date(2024, 7, 1), "Ride")}))
    days = CalendarSelection(frozenset({date(2024, 6, 1)}))
    assert replace_chart([june, days], july) == [days, july]


def test_in_polygon_even_odd_and_degenerate() -> None:
    square = ((0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0))
    x = np.array([1.0, 3.0, np.nan, 1.9])
    y = np.array([1.0, 1.0, 1.0, 0.1])
    assert in_polygon(x, y, square).tolist() == [True, False, False, True]
    assert not in_polygon(x, y, ((0.0, 0.0), (1.0, 1.0))).any()


def test_map_start_without_start_latlng_is_the_routes_first_point() -> None:
    frame = to_frame([record(1, start_latlng=[]), record(2, start_latlng=[], map=None)])
    box = MapSelection("starts", (41.97, 41.985), (2.81, 2.825))
    assert set(frame.loc[selection_mask(box, frame), "id"]) == {1}
