from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from strava_dash.activities import to_frame
from strava_dash.filters import (
    FilterSpec,
    apply_filters,
    preset_range,
    sport_group_members,
    summarize,
)


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
        "start_date": "2025-06-10T07:00:00Z",
        "start_date_local": "2025-06-10T09:00:00Z",
        "trainer": False,
        "commute": False,
        "manual": False,
        "private": False,
        "gear_id": None,
    }
    base.update(fields)
    return base


@pytest.fixture
def frame() -> pd.DataFrame:
    return to_frame(
        [
            record(1),
            record(2, sport_type="Run", type="Run", distance=5000.0, name="Parkrun 5k"),
            record(3, sport_type="GravelRide", distance=80_000.0, total_elevation_gain=1200.0),
            record(4, start_date="2025-01-02T07:00:00Z", start_date_local="2025-01-02T08:00:00Z"),
            record(5, commute=True, gear_id="b1"),
            record(6, trainer=True, sport_type="VirtualRide", type="VirtualRide"),
            record(7, manual=True, private=True, moving_time=7200, name="=SUM(A1)"),
            record(8, sport_type="Hike", type="Hike", distance=12_000.0),
            record(9, sport_type="Yoga", type="Yoga", distance=0.0),
            # Late evening in Los Angeles is already the next day in UTC: local date decides.
            record(10, start_date="2025-06-30T05:30:00Z", start_date_local="2025-06-29T22:30:00Z"),
        ]
    )


def ids(df: pd.DataFrame) -> set[int]:
    return set(df["id"].tolist())


def test_default_spec_selects_everything(frame: pd.DataFrame) -> None:
    assert FilterSpec().is_default
    assert ids(apply_filters(frame, FilterSpec())) == set(range(1, 11))


def test_dates_use_the_local_calendar_day(frame: pd.DataFrame) -> None:
    june = FilterSpec(start=date(2025, 6, 1), end=date(2025, 6, 29))
    assert ids(apply_filters(frame, june)) == set(range(1, 11)) - {4}
    assert 10 in ids(apply_filters(frame, FilterSpec(end=date(2025, 6, 29))))
    assert 10 not in ids(apply_filters(frame, FilterSpec(start=date(2025, 6, 30))))


def test_sport_types_and_groups(frame: pd.DataFrame) -> None:
    assert ids(apply_filters(frame, FilterSpec(sport_types=frozenset({"Run"})))) == {2}
    available = frame["sport_type"].tolist()
    assert sport_group_members("All rides", available) == ["GravelRide", "Ride", "VirtualRide"]
    assert sport_group_members("All foot", available) == ["Hike", "Run"]
    assert sport_group_members("Other", available) == ["Yoga"]
    assert sport_group_members("Winter", available) == []


def test_ranges_are_inclusive_and_open_ended(frame: pd.DataFrame) -> None:
    assert ids(apply_filters(frame, FilterSpec(distance_km=(50, None)))) == {3}
    assert ids(apply_filters(frame, FilterSpec(distance_km=(None, 5)))) == {2, 9}
    assert ids(apply_filters(frame, FilterSpec(moving_time_h=(1.5, 2.0)))) == {7}
    assert ids(apply_filters(frame, FilterSpec(elevation_m=(1000, None)))) == {3}


def test_name_search_is_plain_text_not_a_regex(frame: pd.DataFrame) -> None:
    assert ids(apply_filters(frame, FilterSpec(name_query="parkrun"))) == {2}
    assert ids(apply_filters(frame, FilterSpec(name_query="=SUM("))) == {7}


@pytest.mark.parametrize(
    ("field", "only", "excluded"),
    [("commute", {5}, 5), ("indoor", {6}, 6), ("manual", {7}, 7), ("private", {7}, 7)],
)
def test_tri_state_flags(frame: pd.DataFrame, field: str, only: set[int], excluded: int) -> None:
    assert ids(apply_filters(frame, FilterSpec(**{field: "only"}))) == only  # type: ignore[arg-type]
    rest = ids(apply_filters(frame, FilterSpec(**{field: "exclude"})))  # type: ignore[arg-type]
    assert excluded not in rest
    assert len(rest) == 10 - len(only)


def test_gear(frame: pd.DataFrame) -> None:
    assert ids(apply_filters(frame, FilterSpec(gear_ids=frozenset({"b1"})))) == {5}


def test_nothing_matches_gives_an_empty_frame_with_all_columns(frame: pd.DataFrame) -> None:
    empty = apply_filters(frame, FilterSpec(name_query="no such ride"))
    assert empty.empty
    assert list(empty.columns) == list(frame.columns)
    assert summarize(empty) == {
        "count": 0.0,
        "distance_km": 0.0,
        "moving_time_h": 0.0,
        "elevation_m": 0.0,
    }


def test_summary_and_previous_period(frame: pd.DataFrame) -> None:
    totals = summarize(apply_filters(frame, FilterSpec(sport_types=frozenset({"Ride"}))))
    assert totals["count"] == 5
    assert totals["distance_km"] == pytest.approx(50.0)
    spec = FilterSpec(start=date(2025, 6, 1), end=date(2025, 6, 30))
    previous = spec.previous_period()
    assert previous is not None
    assert (previous.start, previous.end) == (date(2025, 5, 2), date(2025, 5, 31))
    assert FilterSpec().previous_period() is None


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("all", (None, None)),
        ("this_week", (date(2025, 6, 9), date(2025, 6, 12))),  # Monday start
        ("this_month", (date(2025, 6, 1), date(2025, 6, 12))),
        ("this_year", (date(2025, 1, 1), date(2025, 6, 12))),
        ("last_30", (date(2025, 5, 14), date(2025, 6, 12))),
        ("last_365", (date(2024, 6, 13), date(2025, 6, 12))),
    ],
)
def test_date_presets(preset: str, expected: tuple[date | None, date | None]) -> None:
    assert preset_range(preset, date(2025, 6, 12)) == expected  # type: ignore[arg-type]


def test_describe_lists_only_active_filters() -> None:
    spec = FilterSpec(sport_types=frozenset({"Run", "Ride"}), distance_km=(5, None), commute="only")
    assert spec.describe() == {
        "Sports": "Ride, Run",
        "Distance": "at least 5 km",
        "Commute": "only",
    }
    assert FilterSpec().describe() == {}
