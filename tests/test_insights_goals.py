"""Goals: windows, progress, pace needed, projection, and the JSON file."""

from __future__ import annotations

import json
from datetime import date

import pytest

from strava_dash.insights import goals as g
from strava_dash.insights.gear import Service
from strava_dash.insights.goals import Goal, GoalFileError, progress
from tests.insights_support import frame, ride

TODAY = date(2025, 6, 11)  # a Wednesday


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("week", date(2025, 6, 9), date(2025, 6, 15)),
        ("month", date(2025, 6, 1), date(2025, 6, 30)),
        ("year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_windows(period: g.Period, first: date, last: date) -> None:
    assert Goal("distance", 1.0, period).window(TODAY) == (first, last)


def test_december_month_window_ends_on_the_31st() -> None:
    assert Goal("count", 1, "month").window(date(2025, 12, 5))[1] == date(2025, 12, 31)


def test_monthly_distance_goal_progress_by_hand() -> None:
    df = frame(
        ride(1, "2025-05-31", distance=99_000.0),  # last month: not counted
        ride(2, "2025-06-01", distance=30_000.0),
        ride(3, "2025-06-10", distance=40_000.0),
        ride(4, "2025-06-10", distance=10_000.0, sport_type="Run"),  # not a ride
        ride(5, "2025-06-12", distance=70_000.0),  # tomorrow (a planned upload?): not yet
    )
    goal = Goal("distance", 300_000.0, "month", sport="All rides")
    p = progress(goal, df, TODAY)
    assert p.done == 70_000.0
    assert p.days_total == 30
    assert p.days_elapsed == 11
    assert p.remaining == 230_000.0
    # 230 km over the 19 days left, per 7 days.
    assert p.needed_per_week == pytest.approx(230_000 / 19 * 7)
    assert p.projected == pytest.approx(70_000 / 11 * 30)
    assert not p.on_track
    assert p.daily.iloc[10] == 70_000.0
    assert p.daily.iloc[:11].tolist()[0] == 30_000.0
    assert p.daily.iloc[11:].isna().all()
    assert g.to_display(p.done, "distance", "imperial") == pytest.approx(70 / 1.609344)


def test_all_sports_time_elevation_count() -> None:
    df = frame(
        ride(1, "2025-06-09", moving_time=1800, total_elevation_gain=120.0),
        ride(2, "2025-06-10", sport_type="Swim", moving_time=2700, total_elevation_gain=None),
    )
    assert progress(Goal("moving_time", 3600 * 5, "week"), df, TODAY).done == 4500
    assert progress(Goal("elevation", 1000, "week"), df, TODAY).done == 120.0
    count = progress(Goal("count", 2, "week"), df, TODAY)
    assert count.done == 2
    assert count.needed_per_week is None  # reached: nothing more is needed
    assert count.on_track


def test_custom_goal_before_during_and_after() -> None:
    df = frame(ride(1, "2025-06-10", distance=10_000.0))
    goal = Goal("distance", 100_000, "custom", start=date(2025, 7, 1), end=date(2025, 7, 14))
    before = progress(goal, df, TODAY)
    assert before.days_elapsed == 0
    assert before.projected is None
    assert before.needed_per_week == pytest.approx(100_000 / 14 * 7)
    over = Goal("distance", 100_000, "custom", start=date(2025, 6, 1), end=date(2025, 6, 10))
    after = progress(over, df, TODAY)
    assert after.days_left == 0
    assert after.needed_per_week is None
    assert after.done == 10_000.0


def test_file_round_trip_and_labels_kept_as_text() -> None:
    goals = [
        Goal("distance", 5e6, "year", sport="All rides", label="=HYPERLINK(1) 🚴", id="a1"),
        Goal("count", 3, "custom", start=date(2025, 1, 1), end=date(2025, 1, 31), id="b2"),
    ]
    assert g.loads(g.dumps(goals)) == goals
    assert g.loads(g.dumps(goals).encode()) == goals


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG not json", "not valid JSON"),
        (b"[]", 'no "goals" list'),
        (b'{"version": 2, "goals": []}', "version 2"),
        (b'{"version": 1, "goals": [1]}', "Goal 1"),
        (b'{"version": 1, "goals": [{"measure": "speed", "period": "week"}]}', "measure"),
        (
            b'{"version": 1, "goals": [{"measure": "count", "period": "week", "target": -1}]}',
            "positive",
        ),
        (
            b'{"version": 1, "goals": [{"measure": "count", "period": "week", "target": true}]}',
            "number",
        ),
        (
            b'{"version": 1, "goals": [{"measure": "count", "period": "custom", "target": 1,'
            b' "start": "2025-02-01", "end": "2025-01-01"}]}',
            "custom period",
        ),
        (
            b'{"version": 1, "goals": [{"measure": "count", "period": "week", "target": 1,'
            b' "sport": "Chess"}]}',
            "sport",
        ),
        (b"{" + b" " * (300 * 1024) + b"}", "too large"),
    ],
)
def test_bad_files_say_what_is_wrong(content: bytes, message: str) -> None:
    with pytest.raises(GoalFileError, match=message):
        g.loads(content)


def test_a_file_without_ids_gets_new_ones() -> None:
    document = {"version": 1, "goals": [{"measure": "count", "period": "week", "target": 4}]}
    (goal,) = g.loads(json.dumps(document))
    assert goal.id
    assert goal.sport == g.ALL_SPORTS


def test_service_intervals_travel_in_the_same_file() -> None:
    services = [Service("b1", 3_000_000.0, date(2025, 3, 1)), Service("Canyon 🚲", 500.0)]
    goals = [Goal("count", 3, "week", id="c3")]
    assert g.load_plans(g.dumps(goals, services)) == (goals, services)
    assert g.load_plans(g.dumps(goals)) == (goals, [])  # a file without intervals


@pytest.mark.parametrize(
    ("intervals", "message"),
    [
        ('"x"', "not a list"),
        ('[{"gear_id": "", "every_m": 1}]', "gear_id"),
        ('[{"gear_id": "b1", "every_m": "far"}]', "number of metres"),
        ('[{"gear_id": "b1", "every_m": 0}]', "positive"),
        ('[{"gear_id": "b1", "every_m": 5, "since": "yesterday"}]', "not a date"),
    ],
)
def test_bad_service_intervals_say_what_is_wrong(intervals: str, message: str) -> None:
    content = f'{{"version": 1, "goals": [], "service_intervals": {intervals}}}'
    with pytest.raises(GoalFileError, match=message):
        g.load_plans(content)
