"""Training load per activity and the fitness / fatigue / form model built on it.

Each activity gets a load from the best data it has:

* **power** — TSS = duration_s × NP × IF / (FTP × 3600) × 100, with NP ≈ Strava's
  ``weighted_average_watts`` and IF = NP / FTP;
* **heart rate** — Banister's TRIMP = duration_min × HRr × a·e^(b·HRr), HRr =
  (avg HR − rest) / (max − rest), a, b = 0.64, 1.92 (men) or 0.86, 1.67 (women);
* **estimate** — hours × an intensity per sport group (load points per hour).

The daily load (activities of a local day summed, days without any are 0) feeds
CTL (42-day) and ATL (7-day) exponentially weighted averages:
``CTL_t = CTL_{t-1} + (load_t − CTL_{t-1}) / 42``, both starting at 0 the day before
the first activity. Form follows the common convention: **TSB today = CTL − ATL of
yesterday**, i.e. how fresh one is before today's training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

Sex = Literal["M", "F"]
Method = Literal["power", "heart rate", "estimate"]

CTL_DAYS: Final = 42
ATL_DAYS: Final = 7
#: Banister's weighting factors (a, b) by sex.
TRIMP_FACTORS: Final[dict[Sex, tuple[float, float]]] = {"M": (0.64, 1.92), "F": (0.86, 1.67)}
#: Load points per hour of a sport group when neither power nor heart rate is known:
#: roughly an hour at an easy-to-moderate effort (TSS 50-60), gentler sports less.
DEFAULT_INTENSITY: Final[dict[str, float]] = {
    "Ride": 50.0,
    "Run": 60.0,
    "Walk": 25.0,
    "Swim": 55.0,
    "Water": 45.0,
    "Winter": 50.0,
    "Fitness": 40.0,
    "Other": 40.0,
}
DEFAULT_MAX_HR: Final = 190.0
DEFAULT_REST_HR: Final = 60.0
#: An FTP guess needs an effort long enough to be near threshold pace, not a sprint.
FTP_MIN_SECONDS: Final = 45 * 60


@dataclass(frozen=True)
class LoadSettings:
    """The athlete's numbers the load depends on (``ftp`` None: no power-based load)."""

    ftp: float | None = None
    max_hr: float = DEFAULT_MAX_HR
    rest_hr: float = DEFAULT_REST_HR
    sex: Sex = "M"
    intensity: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_INTENSITY))


@dataclass(frozen=True)
class Defaults:
    """Settings guessed from the data, with the reason for each, for the page to say."""

    settings: LoadSettings
    reasons: dict[str, str]


def _floats(df: pd.DataFrame, column: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    if column not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def durations(df: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Moving time in seconds, elapsed time where moving time is missing or 0, else 0."""
    moving = _floats(df, "moving_time")
    elapsed = _floats(df, "elapsed_time")
    out = np.where(np.isfinite(moving) & (moving > 0), moving, elapsed)
    return np.where(np.isfinite(out) & (out > 0), out, 0.0)


def guess_defaults(df: pd.DataFrame, athlete: dict[str, Any] | None = None) -> Defaults:
    """FTP, max HR and sex from the activities and the profile, each with its reason."""
    reasons: dict[str, str] = {}
    max_seen = _floats(df, "max_heartrate")
    max_seen = max_seen[np.isfinite(max_seen) & (max_seen > 0)]
    if max_seen.size:
        max_hr = float(max_seen.max())
        reasons["max_hr"] = f"the highest heart rate in your activities ({max_hr:.0f} bpm)"
    else:
        max_hr = DEFAULT_MAX_HR
        reasons["max_hr"] = f"no heart rate in your activities: a common {max_hr:.0f} bpm"
    reasons["rest_hr"] = (
        f"Strava does not record resting heart rate: a typical {DEFAULT_REST_HR:.0f} bpm"
    )
    watts = _floats(df, "weighted_average_watts")
    long_enough = durations(df) >= FTP_MIN_SECONDS
    usable = watts[np.isfinite(watts) & (watts > 0) & long_enough]
    ftp: float | None
    if usable.size:
        ftp = float(round(usable.max()))
        reasons["ftp"] = (
            f"your highest weighted average power over a ride of 45 minutes or more ({ftp:.0f} W)"
        )
    else:
        ftp = None
        reasons["ftp"] = "no power data long enough to guess it: enter yours to use power"
    sex_value = str((athlete or {}).get("sex") or "")
    sex: Sex = "F" if sex_value == "F" else "M"
    reasons["sex"] = (
        "from your Strava profile"
        if sex_value in ("M", "F")
        else "your profile does not say: men's factors unless you choose"
    )
    return Defaults(LoadSettings(ftp=ftp, max_hr=max_hr, sex=sex), reasons)


def power_tss(
    duration_s: np.ndarray[Any, np.dtype[np.float64]],
    np_watts: np.ndarray[Any, np.dtype[np.float64]],
    ftp: float,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """TSS = duration_s × NP × IF / (FTP × 3600) × 100 with IF = NP / FTP."""
    intensity = np_watts / ftp
    return duration_s * np_watts * intensity / (ftp * 3600.0) * 100.0


def trimp(
    duration_s: np.ndarray[Any, np.dtype[np.float64]],
    avg_hr: np.ndarray[Any, np.dtype[np.float64]],
    settings: LoadSettings,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Banister's TRIMP; the heart-rate reserve fraction is kept within 0..1."""
    a, b = TRIMP_FACTORS[settings.sex]
    reserve = settings.max_hr - settings.rest_hr
    hrr = np.clip((avg_hr - settings.rest_hr) / reserve, 0.0, 1.0)
    return duration_s / 60.0 * hrr * a * np.exp(b * hrr)


def activity_loads(df: pd.DataFrame, settings: LoadSettings) -> pd.DataFrame:
    """One row per activity with a local day: ``local_date``, ``load``, ``method``.

    Power where there is a weighted average power and an FTP; else heart rate where
    there is an average heart rate and max HR > rest HR; else the estimate.
    """
    days = pd.to_datetime(df["local_date"]) if "local_date" in df.columns else None
    seconds = durations(df)
    watts = _floats(df, "weighted_average_watts")
    heart = _floats(df, "average_heartrate")
    ftp = settings.ftp if settings.ftp is not None and settings.ftp > 0 else None
    with np.errstate(invalid="ignore", divide="ignore"):
        has_power = np.isfinite(watts) & (watts > 0) & (ftp is not None)
        has_hr = (
            np.isfinite(heart) & (heart > 0) & (settings.max_hr > settings.rest_hr) & ~has_power
        )
        power = power_tss(seconds, watts, ftp) if ftp is not None else np.zeros(len(df))
        hr = (
            trimp(seconds, heart, settings)
            if settings.max_hr > settings.rest_hr
            else np.zeros(len(df))
        )
    groups = (
        df["sport_group"].astype("string").fillna("Other").astype(object)
        if "sport_group" in df.columns
        else pd.Series("Other", index=df.index, dtype=object)
    )
    per_hour = (
        groups.map(settings.intensity)
        .astype(float)
        .fillna(settings.intensity.get("Other", DEFAULT_INTENSITY["Other"]))
    )
    estimate = seconds / 3600.0 * per_hour.to_numpy(dtype=np.float64)
    load = np.where(has_power, power, np.where(has_hr, hr, estimate))
    method = np.where(has_power, "power", np.where(has_hr, "heart rate", "estimate"))
    out = pd.DataFrame(
        {
            "id": df["id"].to_numpy() if "id" in df.columns else np.arange(len(df)),
            "local_date": days.to_numpy() if days is not None else pd.NaT,
            "load": np.where(np.isfinite(load), load, 0.0),
            "method": method,
        }
    )
    return out[out["local_date"].notna()].reset_index(drop=True)


def fitness(loads: pd.DataFrame, *, until: date | None = None) -> pd.DataFrame:
    """Daily series from the first activity's day to ``until`` (default: the last day).

    Columns: ``day``, ``load`` (the day's activities summed), ``estimated`` (the day has
    load and all of it is estimated), ``activities``, ``ctl``, ``atl``, ``tsb`` (CTL −
    ATL of the day before), ``ratio`` (acute:chronic, ATL / CTL; NaN while CTL is 0).
    Every calendar day is a row, so weeks without training decay as they should.
    """
    columns = ["day", "load", "estimated", "activities", "ctl", "atl", "tsb", "ratio"]
    if loads.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    days = pd.to_datetime(loads["local_date"]).dt.normalize()
    first = days.min()
    last = max(days.max(), pd.Timestamp(until)) if until is not None else days.max()
    offsets = ((days - first) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    n = int((last - first) // pd.Timedelta(days=1)) + 1
    keep = offsets < n
    offsets = offsets[keep]
    values = loads["load"].to_numpy(dtype=np.float64)[keep]
    measured = (loads["method"] != "estimate").to_numpy(dtype=bool)[keep]
    daily = np.bincount(offsets, weights=values, minlength=n).astype(np.float64)
    count = np.bincount(offsets, minlength=n)
    measured_count = np.bincount(offsets, weights=measured.astype(np.float64), minlength=n)
    ctl = _ewma(daily, CTL_DAYS)
    atl = _ewma(daily, ATL_DAYS)
    tsb = np.concatenate([[0.0], (ctl - atl)[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(ctl > 0, atl / ctl, np.nan)
    return pd.DataFrame(
        {
            "day": pd.date_range(first, periods=n, freq="D"),
            "load": daily,
            "estimated": (count > 0) & (measured_count == 0),
            "activities": count,
            "ctl": ctl,
            "atl": atl,
            "tsb": tsb,
            "ratio": ratio,
        }
    )


def _ewma(
    daily: np.ndarray[Any, np.dtype[np.float64]], days: int
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """x_t = x_{t-1} + (load_t − x_{t-1}) / days, from x = 0 the day before the first."""
    # pandas' recursive ewm (adjust=False) starts at the first value; a leading 0 makes
    # it start from nothing, as the model does, and runs in C for decades of days.
    series = pd.Series(np.concatenate([[0.0], daily]))
    smoothed = series.ewm(alpha=1.0 / days, adjust=False).mean().to_numpy(dtype=np.float64)
    return smoothed[1:]


def method_counts(loads: pd.DataFrame) -> dict[str, int]:
    """How many activities got each kind of load, for the page to state."""
    counts = loads["method"].value_counts()
    return {m: int(counts.get(m, 0)) for m in ("power", "heart rate", "estimate")}


def describe_ratio(ratio: float) -> str:
    """A plain-words reading of the acute:chronic ratio (the usual 0.8-1.3 band)."""
    if not math.isfinite(ratio):
        return "no chronic load yet"
    if ratio < 0.8:
        return "below 0.8: training less than you are used to"
    if ratio <= 1.3:
        return "0.8-1.3: the usual band"
    if ratio <= 1.5:
        return "1.3-1.5: a jump in load"
    return "above 1.5: a steep jump in load"
