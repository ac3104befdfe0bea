"""Personal records, streaks and the Eddington number on hand-made cases."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from strava_dash import records
from strava_dash.records import Streak
from strava_dash.units import M_PER_MI
from tests.test_charts import make_frame


def days(*starts: str, sport: str = "Ride", km: float = 10.0, **extra: Any) -> list[dict[str, Any]]:
    return [{"start": s, "sport": sport, "distance": km * 1000, **extra} for s in starts]


# ---------------------------------------------------------------------------------------------
# Streaks


def test_longest_day_streak_across_a_gap() -> None:
    df = make_frame(
        days("2024-01-01 08:00", "2024-01-02 08:00")
        + days("2024-01-05 08:00", "2024-01-06 08:00", "2024-01-07 08:00")
        + days("2024-01-09 08:00")
    )
    assert records.longest_streak_days(df) == Streak(3, date(2024, 1, 5), date(2024, 1, 7), "day")


def test_two_activities_on_one_day_count_once() -> None:
    df = make_frame(days("2024-01-01 07:00", "2024-01-01 19:00", "2024-01-02 07:00"))
    streak = records.longest_streak_days(df)
    assert streak.length == 2
    assert (streak.start, streak.end) == (date(2024, 1, 1), date(2024, 1, 2))


def test_local_date_decides_not_utc() -> None:
    # 23:30 on 1 Jan in New York is 04:30 on 2 Jan UTC; with the 2 Jan morning ride that is
    # two local days in a row (by UTC it would be one day with two rides).
    df = make_frame(
        days("2024-01-01 23:30", utc_offset=-5 * 3600)
        + days("2024-01-02 08:00", utc_offset=-5 * 3600)
    )
    assert df["start_date"].dt.date.nunique() == 1  # the premise: one UTC date
    assert records.longest_streak_days(df).length == 2


def test_streak_ties_go_to_the_most_recent() -> None:
    df = make_frame(
        days("2024-01-01 08:00", "2024-01-02 08:00", "2024-02-01 08:00", "2024-02-02 08:00")
    )
    streak = records.longest_streak_days(df)
    assert (streak.length, streak.start) == (2, date(2024, 2, 1))


def test_no_activities_no_streak() -> None:
    empty = make_frame([])
    assert records.longest_streak_days(empty) == Streak(0, None, None, "day")
    assert records.longest_streak_weeks(empty) == Streak(0, None, None, "week")
    assert records.current_streak_days(empty, today=date(2024, 1, 1)).length == 0


def test_week_streak_uses_iso_weeks() -> None:
    df = make_frame(
        days(
            "2024-01-07 08:00",  # Sunday of week 1
            "2024-01-08 08:00",  # Monday of week 2: consecutive weeks, one day apart
            "2024-01-21 08:00",  # Sunday of week 3
            # week 4 empty
            "2024-02-01 08:00",
        )
    )
    assert records.longest_streak_weeks(df) == Streak(
        3, date(2024, 1, 1), date(2024, 1, 15), "week"
    )


def test_week_streak_over_new_year() -> None:
    df = make_frame(days("2024-12-28 08:00", "2025-01-02 08:00"))  # ISO weeks 52 and 1
    assert records.longest_streak_weeks(df).length == 2


def test_current_streak_alive_until_a_day_is_missed() -> None:
    df = make_frame(days("2024-03-01 08:00", "2024-03-02 08:00", "2024-03-03 08:00"))
    assert records.current_streak_days(df, today=date(2024, 3, 3)).length == 3
    # Nothing yet today: yesterday's streak is still alive.
    assert records.current_streak_days(df, today=date(2024, 3, 4)).length == 3
    assert records.current_streak_days(df, today=date(2024, 3, 5)).length == 0
    # Looking back from a past date ignores what came later.
    assert records.current_streak_days(df, today=date(2024, 3, 2)).length == 2


def test_current_week_streak() -> None:
    df = make_frame(days("2024-03-04 08:00", "2024-03-11 08:00"))  # two Mondays
    assert records.current_streak_weeks(df, today=date(2024, 3, 17)).length == 2
    assert records.current_streak_weeks(df, today=date(2024, 3, 24)).length == 2  # last week
    assert records.current_streak_weeks(df, today=date(2024, 3, 25)).length == 0


# ---------------------------------------------------------------------------------------------
# Eddington


def rides(*km_per_day: float | tuple[float, ...]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, km in enumerate(km_per_day):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
        for j, part in enumerate(km if isinstance(km, tuple) else (km,)):
            rows.append({"start": f"{day:%Y-%m-%d} {8 + j:02d}:00", "distance": part * 1000})
    return make_frame(rows)


def test_eddington_basic_and_days_needed() -> None:
    e = records.eddington(rides(5, 5, 4, 3, 1), unit="km")
    # 3 days of at least 3 km, not 4 of 4; 3 days already reach 4, one more is needed.
    assert (e.number, e.days_at_next, e.days_needed, e.days) == (3, 3, 1, 5)


def test_eddington_exactly_at_the_boundary() -> None:
    assert records.eddington(rides(3, 3, 3), unit="km").number == 3
    assert records.eddington(rides(3, 3, 2.999), unit="km").number == 2
    e = records.eddington(rides(3, 3, 3), unit="km")
    assert (e.days_at_next, e.days_needed) == (0, 4)


def test_eddington_sums_rides_of_the_same_day() -> None:
    # Two 2-km rides on one day make a 4-km day.
    assert records.eddington(rides((2, 2), 4, 4, 4), unit="km").number == 4
    assert records.eddington(rides(2, 2, 4, 4, 4), unit="km").number == 3


def test_eddington_in_miles_counts_exact_miles() -> None:
    hundred_miles = 100 * M_PER_MI / 1000  # km
    e = records.eddington(rides(*[hundred_miles] * 100), unit="mi")
    assert e.number == 100
    assert e.unit == "mi"
    assert records.eddington(rides(*[hundred_miles] * 100), unit="km").number == 100


def test_eddington_counts_cycling_only_by_default() -> None:
    df = make_frame(
        days("2024-01-01 08:00", "2024-01-02 08:00", km=30)
        + days("2024-01-03 08:00", "2024-01-04 08:00", "2024-01-05 08:00", sport="Run", km=30)
        + days("2024-01-06 08:00", sport="VirtualRide", km=30)
    )
    assert records.eddington(df, unit="km").number == 3
    assert records.eddington(df, unit="km", sports={"Ride"}).number == 2
    assert records.eddington(df, unit="km", sports=None).number == 6


def test_eddington_of_nothing() -> None:
    e = records.eddington(make_frame([]), unit="km")
    assert (e.number, e.days_needed, e.days) == (0, 1, 0)


def test_eddington_uses_local_days() -> None:
    # 20 km late on 1 Jan (local) and 20 km early on 2 Jan: two days, not one 40-km UTC day.
    df = make_frame(
        [
            {"start": "2024-01-01 23:00", "distance": 20_000, "utc_offset": -6 * 3600},
            {"start": "2024-01-02 01:00", "distance": 20_000, "utc_offset": -6 * 3600},
        ]
    )
    assert records.daily_distance(df, unit="km", sports=None).tolist() == [20.0, 20.0]
    assert records.eddington(df, unit="km").number == 2


# ---------------------------------------------------------------------------------------------
# Personal records


PR_ROWS = [
    {"id": 1, "start": "2024-01-01 08:00", "name": "Long day", "distance": 200_000,
     "moving_time": 28_800, "elevation": 1500},
    {"id": 2, "start": "2024-02-01 08:00", "name": "Alps", "distance": 80_000,
     "moving_time": 18_000, "elevation": 2500},
    {"id": 3, "start": "2024-03-01 08:00", "name": "Crit", "distance": 40_000,
     "moving_time": 3600, "elevation": 50},
    # Typed in by hand at 80 km/h: not a speed record.
    {"id": 4, "start": "2024-04-01 08:00", "name": "Manual", "distance": 80_000,
     "moving_time": 3600, "elevation": 0, "manual": True},
    # 150 km/h average: a car, not a bike.
    {"id": 5, "start": "2024-05-01 08:00", "name": "Forgot to stop", "distance": 150_000,
     "moving_time": 3600, "elevation": 0},
    # Zero moving time: no speed at all.
    {"id": 6, "start": "2024-06-01 08:00", "name": "Broken", "distance": 1000,
     "moving_time": 0, "elevation": 0},
    {"id": 7, "start": "2024-01-02 08:00", "sport": "Run", "name": "Marathon", "distance": 42_195,
     "moving_time": 12_600, "elevation": 100},
    {"id": 8, "start": "2024-01-03 08:00", "sport": "Run", "name": "5k", "distance": 5000,
     "moving_time": 1200, "elevation": 10},
    {"id": 9, "start": "2024-01-04 08:00", "sport": "Run", "name": "Same 5k later",
     "distance": 5000, "moving_time": 1200, "elevation": 10},
]  # fmt: skip


def test_personal_records_per_sport() -> None:
    prs = records.personal_records(make_frame(PR_ROWS), "metric")
    assert list(prs.columns) == [
        *("sport_type", "record", "value", "unit", "display"),
        *("id", "name", "local_date", "strava_url"),
    ]
    table = prs.set_index(["sport_type", "record"])
    assert table.loc[("Ride", "Longest"), "id"] == 1
    assert table.loc[("Ride", "Longest"), "display"] == "200.0 km"
    # The 150-km car ride counts for distance (it is not a speed record), but 200 km is longer.
    assert table.loc[("Ride", "Biggest climb"), "name"] == "Alps"
    assert table.loc[("Ride", "Biggest climb"), "display"] == "2,500 m"
    fastest = table.loc[("Ride", "Fastest average speed")]
    assert fastest["id"] == 3  # not the manual entry, not the car, not the zero moving time
    assert fastest["value"] == pytest.approx(40.0)
    assert fastest["display"] == "40.0 km/h"
    assert table.loc[("Ride", "Most moving time"), "display"] == "8:00 h"
    assert table.loc[("Ride", "Longest"), "local_date"] == pd.Timestamp("2024-01-01")
    assert table.loc[("Ride", "Longest"), "strava_url"].endswith("/1")
    # Runs: pace shown, and a tie goes to the earlier activity.
    run_fast = table.loc[("Run", "Fastest average speed")]
    assert run_fast["id"] == 8
    assert run_fast["display"] == "4:00 min/km (15.0 km/h)"
    # Sports with more activities come first.
    assert prs["sport_type"].tolist()[:4] == ["Ride"] * 4


def test_personal_records_in_imperial() -> None:
    prs = records.personal_records(make_frame(PR_ROWS), "imperial").set_index(
        ["sport_type", "record"]
    )
    assert prs.loc[("Ride", "Longest"), "unit"] == "mi"
    assert prs.loc[("Ride", "Longest"), "value"] == pytest.approx(200_000 / M_PER_MI)
    assert prs.loc[("Ride", "Biggest climb"), "display"] == "8,202 ft"
    assert prs.loc[("Run", "Fastest average speed"), "display"].startswith("6:26 min/mi")


def test_personal_records_skip_zero_values_and_empty_input() -> None:
    gym = make_frame([{"start": "2024-01-01 08:00", "sport": "WeightTraining", "distance": 0,
                       "moving_time": 3600, "elevation": 0}])  # fmt: skip
    prs = records.personal_records(gym, "metric")
    assert prs["record"].tolist() == ["Most moving time"]
    assert records.personal_records(make_frame([]), "metric").empty
