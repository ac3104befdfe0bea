"""The year ahead: to date, the same day of earlier years, projections; CSV defusing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from strava_dash.insights.projection import year_ahead
from strava_dash.insights.tables import defuse, safe_csv
from tests.apptest_support import read_csv
from tests.insights_support import frame, ride

TODAY = date(2025, 3, 1)  # day 60 of 365


def test_year_ahead_by_hand() -> None:
    df = frame(
        ride(1, "2024-02-29", distance=7_000.0),  # leap day: counts by 1 March 2024
        ride(2, "2024-03-02", distance=99_000.0),  # after the same day last year
        ride(3, "2025-01-10", distance=30_000.0),
        ride(4, "2025-02-15", distance=20_000.0),
        ride(5, "2025-03-01", distance=10_000.0),
        ride(6, "2025-03-05", distance=50_000.0),  # after today: ignored
    )
    ahead = year_ahead(df, measure="distance", units="metric", today=TODAY)
    assert ahead.to_date == pytest.approx(60.0)
    assert ahead.days_elapsed == 60
    assert ahead.on_year_pace == pytest.approx(60 / 60 * 365)
    # Last 28 days: 2 Feb - 1 Mar: 20 + 10 km; 305 days left.
    assert ahead.recent == pytest.approx(30.0)
    assert ahead.on_recent_pace == pytest.approx(60 + 30 / 28 * 305)
    last = ahead.earlier.set_index("year").loc[2024]
    assert last["by_same_day"] == pytest.approx(7.0)
    assert last["full_year"] == pytest.approx(106.0)


def test_a_year_without_activities_projects_zero() -> None:
    ahead = year_ahead(frame(ride(1, "2023-05-01")), measure="count", units="metric", today=TODAY)
    assert ahead.to_date == 0.0
    assert ahead.on_year_pace == 0.0
    assert ahead.earlier["year"].tolist() == [2023]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_formula_text_is_defused(text: str) -> None:
    assert defuse(text) == "'" + text


def test_safe_csv_keeps_numbers_and_plain_text() -> None:
    table = pd.DataFrame({"name": ["=HYPERLINK(1)", "Bike 🚲"], "km": [-1.5, 2.0]})
    back = read_csv(safe_csv(table))
    assert back["name"].tolist() == ["'=HYPERLINK(1)", "Bike 🚲"]
    assert back["km"].tolist() == ["-1.5", "2.0"]
