"""Training load and CTL/ATL/TSB against numbers worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from strava_dash.insights.load import (
    DEFAULT_INTENSITY,
    LoadSettings,
    activity_loads,
    describe_ratio,
    fitness,
    guess_defaults,
    method_counts,
)
from tests.insights_support import frame, ride


def test_power_tss_of_an_hour_at_ftp_is_100_and_scales_with_if_squared() -> None:
    df = frame(
        ride(1, "2025-03-01", weighted_average_watts=250.0, moving_time=3600),
        # 1.5 h at IF 0.8: 5400 × 200 × 0.8 / (250 × 3600) × 100 = 96
        ride(2, "2025-03-02", weighted_average_watts=200.0, moving_time=5400),
    )
    loads = activity_loads(df, LoadSettings(ftp=250.0)).set_index("id")
    assert loads.loc[1, "load"] == pytest.approx(100.0)
    assert loads.loc[2, "load"] == pytest.approx(96.0)
    assert set(loads["method"]) == {"power"}


def test_heart_rate_trimp_for_men_and_women() -> None:
    df = frame(ride(1, "2025-03-01", sport_type="Run", average_heartrate=150.0, moving_time=3600))
    settings = LoadSettings(max_hr=190.0, rest_hr=50.0)
    hrr = (150 - 50) / (190 - 50)  # 0.714…
    men = activity_loads(df, settings)
    assert men.loc[0, "method"] == "heart rate"
    assert men.loc[0, "load"] == pytest.approx(60 * hrr * 0.64 * math.exp(1.92 * hrr))
    assert men.loc[0, "load"] == pytest.approx(108.10, abs=0.01)  # 42.857 × 0.64 × e^1.3714
    women = activity_loads(df, LoadSettings(max_hr=190.0, rest_hr=50.0, sex="F"))
    assert women.loc[0, "load"] == pytest.approx(60 * hrr * 0.86 * math.exp(1.67 * hrr))


def test_power_wins_over_heart_rate_and_heart_rate_over_the_estimate() -> None:
    df = frame(
        ride(1, "2025-03-01", weighted_average_watts=250.0, average_heartrate=150.0),
        ride(2, "2025-03-01", average_heartrate=150.0),
        ride(3, "2025-03-01", sport_type="Walk", moving_time=7200),
    )
    loads = activity_loads(df, LoadSettings(ftp=250.0)).set_index("id")
    assert loads["method"].to_dict() == {1: "power", 2: "heart rate", 3: "estimate"}
    assert loads.loc[3, "load"] == pytest.approx(2 * DEFAULT_INTENSITY["Walk"])
    # Without an FTP the power ride falls back to its heart rate.
    assert activity_loads(df, LoadSettings()).set_index("id").loc[1, "method"] == "heart rate"


def test_odd_activities_give_a_load_not_a_crash() -> None:
    df = frame(
        ride(1, "2025-03-01", moving_time=None, elapsed_time=1800, name="=1+1"),  # manual
        ride(2, "2025-03-01", moving_time=0, elapsed_time=0, average_heartrate=0.0),
        ride(3, "2025-03-01", sport_type="Paragliding", name="🪂"),  # a sport nobody lists
        {"id": 4, "name": "no start"},
    )
    loads = activity_loads(df, LoadSettings(ftp=None)).set_index("id")
    assert 4 not in loads.index  # no day, nothing to place on the calendar
    assert loads.loc[1, "load"] == pytest.approx(0.5 * DEFAULT_INTENSITY["Ride"])
    assert loads.loc[2, "load"] == 0.0
    assert loads.loc[3, "load"] == pytest.approx(DEFAULT_INTENSITY["Other"])
    assert method_counts(activity_loads(df, LoadSettings())) == {
        "power": 0,
        "heart rate": 0,
        "estimate": 3,
    }


def test_ctl_atl_tsb_by_hand_with_a_double_day_and_a_three_week_gap() -> None:
    # Day 0: two activities of 60 and 40 (summed: 100). Then 21 empty days. Day 22: 50.
    df = frame(
        ride(1, "2025-01-01", weighted_average_watts=250.0, moving_time=2160),  # 60
        ride(2, "2025-01-01", weighted_average_watts=250.0, moving_time=1440),  # 40
        ride(3, "2025-01-23", weighted_average_watts=250.0, moving_time=1800),  # 50
    )
    series = fitness(activity_loads(df, LoadSettings(ftp=250.0)), until=date(2025, 1, 24))
    assert len(series) == 24  # every day from 1 to 24 January, gaps included
    assert series["load"].tolist()[:2] == pytest.approx([100.0, 0.0])
    assert series["activities"].tolist()[0] == 2
    c0, a0 = 100 / 42, 100 / 7
    assert series.loc[0, "ctl"] == pytest.approx(c0)
    assert series.loc[0, "atl"] == pytest.approx(a0)
    # 21 empty days: each keeps 41/42 (CTL) and 6/7 (ATL) of the day before.
    c21, a21 = c0 * (41 / 42) ** 21, a0 * (6 / 7) ** 21
    assert series.loc[21, "ctl"] == pytest.approx(c21)
    assert series.loc[21, "atl"] == pytest.approx(a21)
    c22, a22 = c21 + (50 - c21) / 42, a21 + (50 - a21) / 7
    assert series.loc[22, "ctl"] == pytest.approx(c22)
    assert series.loc[22, "atl"] == pytest.approx(a22)
    # Form is yesterday's CTL − ATL: day 22's form does not yet feel day 22's ride.
    assert series.loc[0, "tsb"] == 0.0
    assert series.loc[22, "tsb"] == pytest.approx(c21 - a21)
    assert series.loc[23, "tsb"] == pytest.approx(c22 - a22)
    assert series.loc[22, "ratio"] == pytest.approx(a22 / c22)
    assert series.loc[23, "load"] == 0.0  # `until` adds the quiet days up to it


def test_days_are_marked_estimated_only_when_all_their_load_is_estimated() -> None:
    df = frame(
        ride(1, "2025-01-01"),  # estimate
        ride(2, "2025-01-01", average_heartrate=140.0),  # measured: the day is not an estimate
        ride(3, "2025-01-02"),  # estimate only
    )
    series = fitness(activity_loads(df, LoadSettings()))
    assert series["estimated"].tolist() == [False, True]


def test_no_activities_give_an_empty_series() -> None:
    empty = activity_loads(frame(), LoadSettings())
    assert fitness(empty).empty


def test_defaults_come_from_the_data_and_the_profile() -> None:
    df = frame(
        ride(1, "2025-01-01", max_heartrate=187.0, weighted_average_watts=240.0, moving_time=3600),
        ride(2, "2025-01-02", max_heartrate=181.0, weighted_average_watts=400.0, moving_time=600),
    )
    guessed = guess_defaults(df, {"sex": "F"})
    assert guessed.settings.max_hr == 187.0
    assert guessed.settings.ftp == 240.0  # the 10-minute 400 W is too short to count
    assert guessed.settings.sex == "F"
    assert "187" in guessed.reasons["max_hr"]
    nothing = guess_defaults(frame(ride(1, "2025-01-01")), {})
    assert nothing.settings.ftp is None
    assert nothing.settings.sex == "M"
    assert "does not say" in nothing.reasons["sex"]


@pytest.mark.parametrize(
    ("ratio", "words"),
    [(np.nan, "no chronic"), (0.5, "below"), (1.0, "usual"), (1.4, "jump"), (2.0, "steep")],
)
def test_ratio_words(ratio: float, words: str) -> None:
    assert words in describe_ratio(ratio)
