"""Gear totals, distance per month, service intervals and the retired flag."""

from __future__ import annotations

from datetime import date

import pytest

from strava_dash.insights.gear import (
    Service,
    gear_totals,
    monthly_distance,
    retired_from_profile,
    service_status,
)
from tests.insights_support import frame, ride

DF = frame(
    ride(1, "2025-01-05", gear_id="b1", distance=40_000.0, moving_time=5400),
    ride(2, "2025-02-10", gear_id="b1", distance=60_000.0, moving_time=7200),
    ride(3, "2025-02-11", gear_id="g2", distance=10_000.0, sport_type="Run"),
    ride(4, "2025-02-12", gear_id=None, distance=5_000.0),
    ride(5, "2025-02-13", gear_id="", distance=5_000.0),
)


def test_totals_per_gear_by_hand() -> None:
    totals = gear_totals(
        DF, names={"b1": "=Bike 🚲"}, retired=frozenset({"g2"}), units="metric"
    ).set_index("gear_id")
    assert list(totals.index) == ["b1", "g2"]  # most distance first; no-gear rows left out
    assert totals.loc["b1", "name"] == "=Bike 🚲"
    assert totals.loc["g2", "name"] == "g2"  # no name known: the id
    assert totals.loc["b1", "distance"] == pytest.approx(100.0)
    assert totals.loc["b1", "moving_hours"] == pytest.approx(3.5)
    assert totals.loc["b1", "activities"] == 2
    assert totals.loc["b1", "first_use"] == date(2025, 1, 5)
    assert totals.loc["b1", "last_use"] == date(2025, 2, 10)
    assert totals["retired"].to_dict() == {"b1": False, "g2": True}
    miles = gear_totals(DF, names={}, units="imperial").set_index("gear_id")
    assert miles.loc["b1", "distance"] == pytest.approx(100_000 / 1609.344)


def test_monthly_distance() -> None:
    table = monthly_distance(DF)
    assert table.loc["2025-02-01", "b1"] == pytest.approx(60.0)
    assert table.loc["2025-01-01", "g2"] == 0.0
    assert list(table.columns) == ["b1", "g2"]


def test_no_gear_at_all() -> None:
    plain = frame(ride(1, "2025-01-01"))
    assert gear_totals(plain, names={}).empty
    assert monthly_distance(plain).empty


def test_service_due_from_a_date_and_from_the_start() -> None:
    since = service_status(DF, Service("b1", every_m=80_000.0, since=date(2025, 2, 1)))
    assert since.done_m == 60_000.0
    assert since.due_in_m == 20_000.0
    rolling = service_status(DF, Service("b1", every_m=30_000.0))
    assert rolling.done_m == 10_000.0  # 100 km = 3 services done + 10 km
    assert rolling.due_in_m == 20_000.0
    overdue = service_status(DF, Service("b1", every_m=50_000.0, since=date(2025, 1, 1)))
    assert overdue.due_in_m == -50_000.0


def test_retired_gear_from_the_profile() -> None:
    athlete = {
        "bikes": [{"id": "b1", "retired": False}, {"id": "b9", "retired": True}],
        "shoes": [{"id": "g2", "retired": True}, "junk"],
    }
    assert retired_from_profile(athlete) == {"b9", "g2"}
    assert retired_from_profile({}) == frozenset()
