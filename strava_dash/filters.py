"""Filter spec -> rows of the activity table. Pure: no Streamlit, no I/O.

Ranges are canonical metric units (km, hours, m) whatever the display units; the UI
converts. ``None`` bounds and empty sets mean "no restriction", so the default
:class:`FilterSpec` selects every activity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from strava_dash.activities import FOOT_SPORTS
from strava_dash.activities import SPORT_GROUPS as SPORT_GROUPS_BY_SPORT

TriState = Literal["any", "only", "exclude"]
Bounds = tuple[float | None, float | None]


def _members(*groups: str) -> frozenset[str]:
    return frozenset(sport for sport, group in SPORT_GROUPS_BY_SPORT.items() if group in groups)


#: Quick picks offered next to the sport list (they overlap: runs are foot sports too);
#: "Other" is every sport present that none of them covers. Built on the table's own
#: ``sport_group`` mapping so the two can never disagree.
SPORT_GROUPS: dict[str, frozenset[str]] = {
    "All rides": _members("Ride"),
    "All runs": _members("Run"),
    "All foot": FOOT_SPORTS,
    "Water": _members("Swim", "Water"),
    "Winter": _members("Winter"),
}

DatePreset = Literal[
    "all", "this_week", "this_month", "this_year", "last_30", "last_90", "last_365"
]
DATE_PRESETS: dict[DatePreset, str] = {
    "all": "All time",
    "this_week": "This week",
    "this_month": "This month",
    "this_year": "This year",
    "last_30": "Last 30 days",
    "last_90": "Last 90 days",
    "last_365": "Last 365 days",
}


def sport_group_members(group: str, available: Iterable[str]) -> list[str]:
    """The sport types of ``available`` in a quick-pick group (``"Other"`` included)."""
    present = sorted(set(available))
    if group == "Other":
        known = frozenset().union(*SPORT_GROUPS.values())
        return [s for s in present if s not in known]
    members = SPORT_GROUPS.get(group, frozenset())
    return [s for s in present if s in members]


def preset_range(preset: DatePreset, today: date) -> tuple[date | None, date | None]:
    """Inclusive local-date range of a preset; ``(None, None)`` for all time."""
    if preset == "all":
        return None, None
    if preset == "this_week":
        return today - timedelta(days=today.weekday()), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    days = {"last_30": 30, "last_90": 90, "last_365": 365}[preset]
    return today - timedelta(days=days - 1), today


@dataclass(frozen=True)
class FilterSpec:
    """Everything the sidebar can restrict. Distances in km, time in hours, climb in m."""

    start: date | None = None
    end: date | None = None
    sport_types: frozenset[str] = frozenset()
    distance_km: Bounds = (None, None)
    moving_time_h: Bounds = (None, None)
    elevation_m: Bounds = (None, None)
    name_query: str = ""
    commute: TriState = "any"
    indoor: TriState = "any"
    manual: TriState = "any"
    private: TriState = "any"
    gear_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_default(self) -> bool:
        return self == FilterSpec()

    def previous_period(self) -> FilterSpec | None:
        """The same filters over the equally long period just before, when dates are set."""
        if self.start is None or self.end is None:
            return None
        length = self.end - self.start + timedelta(days=1)
        return replace(self, start=self.start - length, end=self.start - timedelta(days=1))

    def describe(self) -> dict[str, str]:
        """Human-readable non-default filters, for the Excel About sheet."""
        out: dict[str, str] = {}
        if self.start or self.end:
            out["Dates"] = f"{self.start or 'first'} to {self.end or 'last'}"
        if self.sport_types:
            out["Sports"] = ", ".join(sorted(self.sport_types))
        for label, bounds, unit in (
            ("Distance", self.distance_km, "km"),
            ("Moving time", self.moving_time_h, "h"),
            ("Elevation gain", self.elevation_m, "m"),
        ):
            if bounds != (None, None):
                out[label] = _describe_bounds(bounds, unit)
        if self.name_query:
            out["Name contains"] = self.name_query
        for label, value in (
            ("Commute", self.commute),
            ("Indoor", self.indoor),
            ("Manual", self.manual),
            ("Private", self.private),
        ):
            if value != "any":
                out[label] = value
        if self.gear_ids:
            out["Gear"] = ", ".join(sorted(self.gear_ids))
        return out


def _describe_bounds(bounds: Bounds, unit: str) -> str:
    low, high = bounds
    if high is None:
        return f"at least {low:g} {unit}"
    if low is None:
        return f"at most {high:g} {unit}"
    return f"{low:g} to {high:g} {unit}"


def _in_bounds(values: pd.Series, bounds: Bounds) -> pd.Series:
    low, high = bounds
    mask = pd.Series(True, index=values.index)
    if low is not None:
        mask &= (values >= low).fillna(False)
    if high is not None:
        mask &= (values <= high).fillna(False)
    return mask


def _tri(values: pd.Series, state: TriState) -> pd.Series:
    flags = values.astype("boolean").fillna(False)
    if state == "only":
        return flags
    if state == "exclude":
        return ~flags
    return pd.Series(True, index=values.index)


def apply_filters(df: pd.DataFrame, spec: FilterSpec) -> pd.DataFrame:
    """Rows of ``df`` (a :func:`strava_dash.activities.to_frame` table) matching ``spec``."""
    if df.empty or spec.is_default:
        return df
    mask = pd.Series(True, index=df.index)
    day = df["local_date"]
    if spec.start is not None:
        mask &= (day >= pd.Timestamp(spec.start)).fillna(False)
    if spec.end is not None:
        mask &= (day <= pd.Timestamp(spec.end)).fillna(False)
    if spec.sport_types:
        mask &= df["sport_type"].isin(spec.sport_types).fillna(False)
    mask &= _in_bounds(df["distance_km"], spec.distance_km)
    mask &= _in_bounds(df["moving_time"] / 3600.0, spec.moving_time_h)
    mask &= _in_bounds(df["elevation_gain_m"], spec.elevation_m)
    if spec.name_query.strip():
        needle = spec.name_query.strip()
        mask &= df["name"].str.contains(needle, case=False, regex=False).fillna(False)
    mask &= _tri(df["commute"], spec.commute)
    mask &= _tri(df["trainer"], spec.indoor)
    mask &= _tri(df["manual"], spec.manual)
    mask &= _tri(df["private"], spec.private)
    if spec.gear_ids:
        mask &= df["gear_id"].isin(spec.gear_ids).fillna(False)
    return df[mask.astype(bool)]


def summarize(df: pd.DataFrame) -> Mapping[str, float]:
    """Headline totals: count, distance (km), moving time (h), elevation gain (m)."""
    return {
        "count": float(len(df)),
        "distance_km": float(df["distance_km"].sum()) if len(df) else 0.0,
        "moving_time_h": float(df["moving_time"].sum()) / 3600.0 if len(df) else 0.0,
        "elevation_m": float(df["elevation_gain_m"].sum()) if len(df) else 0.0,
    }
