"""Hand-made activity records for the Insights tests (the API's shape, through to_frame)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from strava_dash.activities import to_frame


def ride(activity_id: int, day: str, **fields: Any) -> dict[str, Any]:
    """An activity on ``day`` (YYYY-MM-DD) at 08:00 local; ``fields`` override."""
    record: dict[str, Any] = {
        "id": activity_id,
        "name": f"Activity {activity_id}",
        "sport_type": "Ride",
        "type": "Ride",
        "start_date": f"{day}T07:00:00Z",
        "start_date_local": f"{day}T08:00:00Z",
        "distance": 20_000.0,
        "moving_time": 3600,
        "elapsed_time": 3700,
        "total_elevation_gain": 100.0,
    }
    record.update(fields)
    return record


def frame(*records: dict[str, Any]) -> pd.DataFrame:
    return to_frame(list(records))
