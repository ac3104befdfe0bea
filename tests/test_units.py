from __future__ import annotations

from typing import Any

import pytest

from strava_dash.activities import SCHEMA
from strava_dash.units import (
    KMH_PER_MS,
    M_PER_FT,
    M_PER_MI,
    MEASURES,
    MPH_PER_MS,
    UNITS,
    column_for,
    label_for,
    units_for_preference,
)


@pytest.mark.parametrize(
    ("measure", "units", "column", "label"),
    [
        ("distance", "metric", "distance_km", "km"),
        ("distance", "imperial", "distance_mi", "mi"),
        ("elevation", "metric", "elevation_gain_m", "m"),
        ("elevation", "imperial", "elevation_gain_ft", "ft"),
        ("speed", "metric", "average_speed_kmh", "km/h"),
        ("speed", "imperial", "average_speed_mph", "mph"),
        ("max_speed", "metric", "max_speed_kmh", "km/h"),
        ("max_speed", "imperial", "max_speed_mph", "mph"),
        ("pace", "metric", "pace_per_km", "min/km"),
        ("pace", "imperial", "pace_per_mi", "min/mi"),
    ],
)
def test_column_and_label(measure: Any, units: Any, column: str, label: str) -> None:
    assert column_for(measure, units) == column
    assert label_for(measure, units) == label


def test_every_column_exists_in_the_schema() -> None:
    for measure in MEASURES:
        for units in UNITS:
            assert column_for(measure, units) in SCHEMA


def test_unknown_measure_or_units_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown measure 'cadence'"):
        column_for("cadence", "metric")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown units 'nautical'"):
        label_for("distance", "nautical")  # type: ignore[arg-type]


def test_conversion_factors() -> None:
    miles, feet = 10_000 / M_PER_MI, 100 / M_PER_FT
    kmh, mph = 10 * KMH_PER_MS, 10 * MPH_PER_MS
    assert miles == pytest.approx(6.2137, abs=1e-4)
    assert feet == pytest.approx(328.084, abs=1e-3)
    assert kmh == pytest.approx(36.0)
    assert mph == pytest.approx(22.3694, abs=1e-4)


@pytest.mark.parametrize(
    ("preference", "units"),
    [("feet", "imperial"), ("meters", "metric"), (None, "metric"), ("", "metric")],
)
def test_units_for_strava_preference(preference: str | None, units: str) -> None:
    assert units_for_preference(preference) == units
