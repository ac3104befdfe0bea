"""The sidebar filters shared by every data page, mirrored in the URL query string.

Widgets use Streamlit's own ``bind="query-params"`` (a filtered view can be bookmarked)
and ``persist_state="session"`` (filters survive page switches). Range sliders work in
display units; the :class:`FilterSpec` they produce is canonical metric.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from datetime import date

import pandas as pd
import streamlit as st

from strava_dash.filters import (
    DATE_PRESETS,
    SPORT_GROUPS,
    FilterSpec,
    TriState,
    preset_range,
    sport_group_members,
)
from strava_dash.ui import state
from strava_dash.units import M_PER_FT, M_PER_KM, M_PER_MI, Units, label_for

CUSTOM = "custom"
TRI_LABELS: dict[TriState, str] = {"any": "Any", "only": "Only", "exclude": "Exclude"}


def _ceil(value: object) -> float:
    # NA when no activity has the value (an old archive export has no elevation at all).
    number = float(value) if isinstance(value, numbers.Real) else math.nan
    return 1.0 if math.isnan(number) else float(max(math.ceil(number), 1))


def reset_filters() -> None:
    for key in state.FILTER_KEYS:
        st.session_state.pop(key, None)


def _reset_ranges() -> None:
    # Slider positions are in display units; a unit switch would silently change them.
    for key in ("dist", "elev"):
        st.session_state.pop(key, None)


def _add_group(available: list[str]) -> None:
    group = st.session_state.get(state.SPORT_GROUP_PICK)
    if group:
        chosen = set(st.session_state.get("sport") or [])
        st.session_state["sport"] = sorted(chosen | set(sport_group_members(group, available)))
    st.session_state[state.SPORT_GROUP_PICK] = None  # a pick is an action, not a state


def _follow_top(key: str, top: float) -> None:
    """Keep an open-ended range open when the data's maximum changes.

    The slider's upper end means "no limit" only while it sits at the top; when more
    activities arrive (a sync in progress) or leave (a unit switch), a handle left at the
    old top would silently cut off everything above it.
    """
    top_key = state.range_top_key(key)
    previous = st.session_state.get(top_key)
    value = st.session_state.get(key)
    if isinstance(value, tuple | list) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
        grew_or_shrank = previous is not None and previous != top and high >= previous
        if grew_or_shrank or high > top:
            st.session_state[key] = (min(low, top), top)
    st.session_state[top_key] = top


def _range(
    label: str, key: str, top: float, step: float, to_canonical: float, fmt: str = "%d"
) -> tuple[float | None, float | None]:
    _follow_top(key, top)
    low, high = st.slider(
        label,
        0.0,
        top,
        (0.0, top),
        step=step,
        format=fmt,
        key=key,
        bind="query-params",
        persist_state="session",
    )
    return (
        low * to_canonical if low > 0 else None,
        high * to_canonical if high < top else None,
    )


def _date_filter(df: pd.DataFrame, today: date) -> tuple[date | None, date | None]:
    options: list[str] = [*DATE_PRESETS.keys(), CUSTOM]
    labels: dict[str, str] = {str(k): v for k, v in DATE_PRESETS.items()} | {CUSTOM: "Custom"}
    period = st.selectbox(
        "Period",
        options,
        format_func=labels.__getitem__,
        key="period",
        bind="query-params",
        persist_state="session",
    )
    for preset in DATE_PRESETS:
        if period == preset:
            return preset_range(preset, today)
    days = df["local_date"].dropna()
    first = days.min().date() if len(days) else today
    picked = st.date_input(
        "From – to",
        (first, today),
        key="dates",
        format="YYYY-MM-DD",
        bind="query-params",
        persist_state="session",
    )
    if isinstance(picked, tuple) and len(picked) == 2:
        return picked[0], picked[1]
    if isinstance(picked, tuple) and len(picked) == 1:
        return picked[0], None
    return None, None


def sidebar_filters(
    df: pd.DataFrame, *, units: Units, gear_names: Mapping[str, str], today: date
) -> FilterSpec:
    """Render the filters in the sidebar and return what they select."""
    sidebar = st.sidebar
    with sidebar:
        st.subheader("Filters")
        start, end = _date_filter(df, today)

        available = sorted(df["sport_type"].dropna().unique().tolist())
        groups = [g for g in [*SPORT_GROUPS, "Other"] if sport_group_members(g, available)]
        if groups:
            st.pills(
                "Add a group",
                groups,
                key=state.SPORT_GROUP_PICK,
                on_change=_add_group,
                args=(available,),
                help="Adds every sport of the group to the list below",
            )
        sports = st.multiselect(
            "Sport types",
            available,
            key="sport",
            placeholder="All sports",
            bind="query-params",
            persist_state="session",
        )

        distance_unit = label_for("distance", units)
        per_distance = (M_PER_KM if units == "metric" else M_PER_MI) / M_PER_KM
        top_distance = _ceil(df["distance_km"].max() / per_distance) if len(df) else 1.0
        distance = _range(f"Distance ({distance_unit})", "dist", top_distance, 1.0, per_distance)

        top_hours = _ceil(df["moving_time"].max() / 3600.0) if len(df) else 1.0
        hours = _range("Moving time (h)", "hours", top_hours, 0.25, 1.0, "%.2f")

        elevation_unit = label_for("elevation", units)
        per_elevation = 1.0 if units == "metric" else M_PER_FT
        top_elevation = _ceil(df["elevation_gain_m"].max() / per_elevation) if len(df) else 1.0
        elevation = _range(
            f"Elevation gain ({elevation_unit})", "elev", top_elevation, 10.0, per_elevation
        )

        query = st.text_input(
            "Name contains",
            key="q",
            placeholder="e.g. Rocacorba",
            bind="query-params",
            persist_state="session",
        )

        with st.expander("More filters"):
            tri: dict[str, TriState] = {}
            for key, label in (
                ("commute", "Commute"),
                ("indoor", "Indoor / trainer"),
                ("manual", "Manual entry"),
                ("private", "Private (Only You)"),
            ):
                choice = st.segmented_control(
                    label,
                    list(TRI_LABELS),
                    format_func=TRI_LABELS.__getitem__,
                    default="any",
                    key=key,
                    bind="query-params",
                    persist_state="session",
                )
                tri[key] = choice or "any"
            gear_ids = sorted(df["gear_id"].dropna().unique().tolist())
            gear = st.multiselect(
                "Gear",
                gear_ids,
                format_func=lambda g: gear_names.get(g, g),
                key="gear",
                placeholder="All gear",
                bind="query-params",
                persist_state="session",
            )
        st.button("Reset filters", on_click=reset_filters, use_container_width=True)

    return FilterSpec(
        start=start,
        end=end,
        sport_types=frozenset(sports),
        distance_km=distance,
        moving_time_h=hours,
        elevation_m=elevation,
        name_query=query or "",
        commute=tri["commute"],
        indoor=tri["indoor"],
        manual=tri["manual"],
        private=tri["private"],
        gear_ids=frozenset(gear),
    )


def units_switch(default: Units) -> Units:
    """Metric/imperial toggle; the default comes from the athlete's Strava preference."""
    choice = st.sidebar.segmented_control(
        "Units",
        ["metric", "imperial"],
        format_func=str.capitalize,
        default=default,
        key=state.UNITS,
        on_change=_reset_ranges,
        bind="query-params",
        persist_state="session",
    )
    return "imperial" if choice == "imperial" else "metric"
