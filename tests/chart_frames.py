"""Synthetic activity frames of any size for the chart payload tests and benchmarks.charts."""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from strava_dash.activities import FOOT_SPORTS
from strava_dash.units import KMH_PER_MS, M_PER_FT, M_PER_KM, M_PER_MI, MPH_PER_MS

TODAY: Final = date(2026, 12, 6)
_SPORTS: Final = ("Ride", "Run", "Walk", "VirtualRide", "WeightTraining", "Swim")
_WORDS: Final = ("Morning", "Lunch", "Evening", "Recovery", "Tempo", "Long", "Hill", "Easy")


def activity_frame(n: int, years: int, *, seed: int = 14) -> pd.DataFrame:
    """``n`` activities at random local times over the ``years`` up to TODAY, with the
    columns the chart builders read (docs/schema.md dtypes), speed and pace included."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(TODAY)
    span_s = int((end - pd.Timestamp(TODAY.year - years + 1, 1, 1)).total_seconds())
    local = end - pd.to_timedelta(np.sort(rng.integers(0, span_s, n))[::-1], unit="s")
    metres = rng.gamma(2.0, 12_000.0, n)
    climb = rng.gamma(1.5, 150.0, n)
    sport = pd.Series(rng.choice(_SPORTS, n), dtype="string")
    words = rng.choice(_WORDS, n)
    names = pd.Series([f"{w} {s.lower()}" for w, s in zip(words, sport, strict=True)])
    moving = rng.integers(600, 20_000, n)
    foot = sport.isin(FOOT_SPORTS).to_numpy(dtype=bool)
    per_metre = np.where(foot, moving / metres, np.nan)
    return pd.DataFrame(
        {
            "id": np.arange(n, dtype=np.int64),
            "name": names.astype("string"),
            "sport_type": sport,
            "start_date_local": pd.Series(local, dtype="datetime64[ns]"),
            "local_date": pd.Series(local.normalize(), dtype="datetime64[ns]"),
            "moving_time": pd.Series(moving, dtype="Int64"),
            "distance_km": pd.Series(metres / 1000, dtype="Float64"),
            "distance_mi": pd.Series(metres / M_PER_MI, dtype="Float64"),
            "elevation_gain_m": pd.Series(climb, dtype="Float64"),
            "elevation_gain_ft": pd.Series(climb / M_PER_FT, dtype="Float64"),
            "average_speed_kmh": pd.Series(metres / moving * KMH_PER_MS, dtype="Float64"),
            "average_speed_mph": pd.Series(metres / moving * MPH_PER_MS, dtype="Float64"),
            "pace_per_km": pd.to_timedelta(np.round(per_metre * M_PER_KM), unit="s"),
            "pace_per_mi": pd.to_timedelta(np.round(per_metre * M_PER_MI), unit="s"),
            "is_foot": pd.Series(foot, dtype="boolean"),
        }
    )
