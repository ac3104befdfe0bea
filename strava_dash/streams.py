"""Strava's stream types: the ``keys`` of ``GET /activities/{id}/streams``, in its order.

Part of the data model, not of the HTTP client: GPX writing and the demo athlete use
them without a network stack.
"""

from __future__ import annotations

STREAM_KEYS: tuple[str, ...] = (
    "time",
    "distance",
    "latlng",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
    "grade_smooth",
)
