"""Metric and imperial units: conversion factors and which table column shows a measure.

The activity table (:mod:`strava_dash.activities`) carries every measure in both unit
systems (``distance_km`` and ``distance_mi``); charts, the table view and the exports
pick the column and its label for the athlete's choice through :func:`column_for` and
:func:`label_for`, so no caller spells ``"_km"`` or ``"mi"`` itself.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Units = Literal["metric", "imperial"]
"""The athlete's unit system; Strava's ``measurement_preference`` ``meters`` / ``feet``."""

Measure = Literal["distance", "elevation", "speed", "max_speed", "pace"]
"""A logical measure shown in the athlete's units."""

UNITS: Final[tuple[Units, ...]] = get_args(Units)
MEASURES: Final[tuple[Measure, ...]] = get_args(Measure)

# Exact by definition (international yard and pound agreement, 1959).
M_PER_KM: Final = 1000.0
M_PER_MI: Final = 1609.344
M_PER_FT: Final = 0.3048
S_PER_H: Final = 3600.0
KMH_PER_MS: Final = S_PER_H / M_PER_KM  # 1 m/s = 3.6 km/h
MPH_PER_MS: Final = S_PER_H / M_PER_MI  # 1 m/s ≈ 2.2369 mph

_COLUMNS: Final[dict[Measure, dict[Units, str]]] = {
    "distance": {"metric": "distance_km", "imperial": "distance_mi"},
    "elevation": {"metric": "elevation_gain_m", "imperial": "elevation_gain_ft"},
    "speed": {"metric": "average_speed_kmh", "imperial": "average_speed_mph"},
    "max_speed": {"metric": "max_speed_kmh", "imperial": "max_speed_mph"},
    "pace": {"metric": "pace_per_km", "imperial": "pace_per_mi"},
}

_LABELS: Final[dict[Measure, dict[Units, str]]] = {
    "distance": {"metric": "km", "imperial": "mi"},
    "elevation": {"metric": "m", "imperial": "ft"},
    "speed": {"metric": "km/h", "imperial": "mph"},
    "max_speed": {"metric": "km/h", "imperial": "mph"},
    "pace": {"metric": "min/km", "imperial": "min/mi"},
}


def _check(measure: str, units: str) -> None:
    # The Literal types catch typos in checked code; values from widgets or URLs are
    # plain strings, so say clearly what is allowed instead of a bare KeyError.
    if measure not in _COLUMNS:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    if units not in UNITS:
        raise ValueError(f"unknown units {units!r}; expected 'metric' or 'imperial'")


def column_for(measure: Measure, units: Units) -> str:
    """Column of the activity table holding ``measure`` in ``units``.

    ``column_for("distance", "metric") == "distance_km"``; pace columns are durations
    (``timedelta64[ns]`` per km or per mile), every other one is ``Float64``.
    """
    _check(measure, units)
    return _COLUMNS[measure][units]


def label_for(measure: Measure, units: Units) -> str:
    """Short unit label for axis titles and headers: ``km``, ``mi``, ``m``, ``ft``, ``km/h``…"""
    _check(measure, units)
    return _LABELS[measure][units]


def units_for_preference(measurement_preference: str | None) -> Units:
    """Map Strava's athlete ``measurement_preference`` (``feet`` / ``meters``) to :data:`Units`.

    Anything else, including a missing preference, means metric (Strava's default).
    """
    return "imperial" if measurement_preference == "feet" else "metric"
