"""The Charts page's body: a section picker, each section's selectors, figure and numbers.

Only the chosen section's figures are built on a rerun (``st.tabs`` would build them all),
which keeps a filter change on 10,000 activities well under a second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from strava_dash import charts, records, selection_events
from strava_dash.charts import Measure, Period
from strava_dash.charts.distribution import PACE_PANEL, SPEED_PANEL
from strava_dash.charts.style import local_days
from strava_dash.records import Eddington, Streak
from strava_dash.selection import ChartName, Panel, Selection
from strava_dash.ui.selection_view import chart_key, take_event
from strava_dash.ui.views import FilteredView

MEASURES: Final[dict[Measure, str]] = {
    "distance": "Distance",
    "moving_time": "Moving time",
    "elevation": "Elevation gain",
    "count": "Count",
}
PERIODS: Final[dict[Period, str]] = {"week": "Week", "month": "Month", "year": "Year"}
ROLLING: Final = (1, 3, 4, 6, 8, 12)
SELECT_PX: Final = 280
# plotly.js draws WebGL traces (the Distribution scatter) at twice the screen's pixels by
# default, whatever the screen: without a GPU (software WebGL) that quadruples the raster
# work and made the section take about a second at 20,000 activities. At 1 the dots are
# drawn at CSS pixels (still antialiased); SVG charts do not read it.
CHART_CONFIG: Final[dict[str, bool | int]] = {"displaylogo": False, "plotGlPixelRatio": 1}


SelectMode = Literal["points", "box", "lasso"]
Convert = Callable[[Mapping[str, Any]], Selection | None]


@dataclass(frozen=True)
class Selectable:
    """How a chart takes selections: which chart it is, which tools, how events convert."""

    chart: ChartName
    modes: tuple[SelectMode, ...]
    convert: Convert
    dragmode: str | None = None


def show_figure(
    fig: go.Figure, key: str, *, scroll_zoom: bool = False, select: Selectable | None = None
) -> None:
    """The figure, or the builder's friendly empty-state message as an info box.

    With ``select`` the chart reruns the page on a selection, which becomes that chart's
    visual filter (:mod:`strava_dash.ui.selection_view`).
    """
    if charts.is_empty(fig):
        annotations = fig.layout.annotations
        message = annotations[0].text if annotations else charts.EMPTY_MESSAGE
        st.info(message)
        return
    config = CHART_CONFIG | {"scrollZoom": scroll_zoom}
    if select is None:
        st.plotly_chart(fig, width="stretch", key=key, config=config)
        return
    if select.dragmode:
        fig.update_layout(dragmode=select.dragmode)
    event = st.plotly_chart(
        fig,
        width="stretch",
        key=chart_key(key),
        config=config,
        on_select="rerun",
        selection_mode=select.modes,
    )
    take_event(select.chart, key, event, select.convert)


def _measure(label: str, key: str, *, count: bool = True) -> Measure:
    options = [m for m in MEASURES if count or m != "count"]
    return st.selectbox(
        label,
        options,
        format_func=MEASURES.__getitem__,
        key=key,
        persist_state="session",
        width=SELECT_PX,
    )


def _volume(view: FilteredView) -> None:
    left, middle, right = st.columns(3)
    with left:
        period = st.segmented_control(
            "Bars per",
            list(PERIODS),
            format_func=PERIODS.__getitem__,
            default="month",
            required=True,
            key="volume_period",
            persist_state="session",
        )
    with middle:
        measure = _measure("Measure", "volume_measure")
    with right:
        rolling = st.select_slider(
            "Rolling average",
            ROLLING,
            value=3,
            format_func=lambda n: "Off" if n == 1 else f"{n} {period}s",
            key="volume_rolling",
            persist_state="session",
        )
    rows = view.for_chart("volume")
    fig = charts.volume_figure(
        rows, period=period, measure=measure, units=view.units, rolling=rolling
    )
    st.caption("Click a bar, or drag a box over bars, to keep only those activities.")
    show_figure(
        fig,
        "chart_volume",
        select=Selectable(
            "volume", ("points", "box"), lambda e: selection_events.volume(e, period)
        ),
    )
    if not charts.is_empty(fig):
        with st.expander("As a table"):
            table = charts.volume_table(rows, period=period, measure=measure, units=view.units)
            table.index = pd.DatetimeIndex(table.index).date
            table.index.name = f"{PERIODS[period]} starting"
            st.dataframe(table.iloc[::-1].round(1), key="volume_table")


def _year_over_year(view: FilteredView) -> None:
    measure = _measure("Measure", "yoy_measure", count=False)
    fig = charts.year_over_year_figure(
        view.for_chart("years"), measure=measure, units=view.units, today=_today()
    )
    st.caption("Drag a box across days to keep that part of every year.")
    show_figure(
        fig,
        "chart_year_over_year",
        select=Selectable("years", ("box",), selection_events.years, dragmode="select"),
    )


def _calendar(view: FilteredView) -> None:
    measure = _measure("Colour by", "calendar_measure")
    st.caption(
        "One cell per local day; hover a day to see its activities, click it or drag a box "
        "over days to keep them."
    )
    rows = view.for_chart("calendar")
    fig = charts.calendar_heatmap_figure(rows, measure=measure, units=view.units)
    shown_years = _years_shown(rows)
    show_figure(
        fig,
        "chart_calendar",
        select=Selectable(
            "calendar",
            ("points", "box"),
            lambda e: selection_events.calendar(e, shown_years),
            dragmode="select",
        ),
    )


def _when(view: FilteredView) -> None:
    st.caption(
        "Starts by weekday and hour, in the local time where each activity began. Click a "
        "cell or drag a box to keep those starts."
    )
    show_figure(
        charts.weekday_hour_figure(view.for_chart("when")),
        "chart_weekday_hour",
        select=Selectable("when", ("points", "box"), selection_events.when, dragmode="select"),
    )


def _distribution(view: FilteredView) -> None:
    units = view.units
    st.subheader("Distance against speed", divider="gray")
    st.caption("Drag a box or a lasso around points to keep those activities.")
    scatter = charts.speed_scatter_figure(view.for_chart("scatter"), units=units)
    panels = _panels(scatter)
    show_figure(
        scatter,
        "chart_scatter",
        select=Selectable(
            "scatter",
            ("box", "lasso"),
            lambda e: selection_events.scatter(e, panels, units),
            dragmode="select",
        ),
    )
    st.subheader("Distances", divider="gray")
    show_figure(
        charts.distance_histogram_figure(view.for_chart("histogram"), units=units),
        "chart_histogram",
        select=Selectable(
            "histogram", ("points", "box"), lambda e: selection_events.histogram(e, units)
        ),
    )


def _panels(fig: go.Figure) -> list[Panel]:
    """The scatter's panels left to right, from its subplot titles."""
    titles = [a.text for a in fig.layout.annotations or ()]
    names: dict[str, Panel] = {SPEED_PANEL: "speed", PACE_PANEL: "pace"}
    return [names[t] for t in titles if t in names]


def _years_shown(rows: pd.DataFrame) -> Sequence[int]:
    """The calendar's years, newest first: those with an activity (as the builder draws)."""
    days = local_days(rows).dropna()
    return sorted({int(y) for y in days.dt.year.unique()}, reverse=True)


def _today() -> date:
    return datetime.now(UTC).date()


def _span(streak: Streak) -> str:
    if streak.length == 0 or streak.start is None or streak.end is None:
        return "No streak yet"
    prefix = "Weeks of " if streak.unit == "week" else ""
    if streak.start == streak.end:
        return f"{prefix.replace('Weeks', 'Week')}{streak.start:%d %b %Y}"
    return f"{prefix}{streak.start:%d %b %Y} – {streak.end:%d %b %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _records_table(view: FilteredView) -> None:
    table = records.personal_records(view.filtered, view.units)
    if table.empty:
        st.info("No records among these activities: none has a distance, climb or time.")
        return
    shown = pd.DataFrame(
        {
            "Sport": table["sport_type"],
            "Record": table["record"],
            "Value": table["display"],
            "Date": pd.to_datetime(table["local_date"]).dt.date,
            "Activity": table["name"].fillna("(unnamed)"),
            "Strava": table["strava_url"],
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "Value": st.column_config.TextColumn("Value", width="medium"),
            "Date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "Activity": st.column_config.TextColumn("Activity", width="medium"),
            "Strava": st.column_config.LinkColumn("Strava", display_text="View on Strava"),
        },
        key="records_table",
        height=min(len(shown), 16) * 35 + 38,
    )


def _streaks(view: FilteredView) -> None:
    today = _today()
    shown: list[tuple[str, Streak]] = [
        ("Longest streak of active days", records.longest_streak_days(view.filtered)),
        ("Current day streak", records.current_streak_days(view.filtered, today=today)),
        ("Longest streak of active weeks", records.longest_streak_weeks(view.filtered)),
        ("Current week streak", records.current_streak_weeks(view.filtered, today=today)),
    ]
    for column, (label, streak) in zip(st.columns(len(shown)), shown, strict=True):
        column.metric(label, _plural(streak.length, streak.unit))
        column.caption(_span(streak))


def _eddington_text(number: Eddington) -> str:
    target = number.number + 1
    return (
        f"{_plural(number.days_needed, 'more day')} of ≥ {target} {number.unit} needed "
        f"for {target} ({number.days_at_next} done)"
    )


def _eddington(view: FilteredView) -> None:
    both = [records.eddington(view.filtered, unit=unit) for unit in ("km", "mi")]
    columns = st.columns(len(both) + 1)
    for column, number in zip(columns, both, strict=False):
        column.metric(f"Eddington number ({number.unit})", f"{number.number}")
        column.caption(_eddington_text(number))
    columns[-1].caption(
        "E is the largest number with E days of at least E on the bike. A day adds up all "
        "its rides, every kind included (gravel, mountain, e-bike, virtual)."
        + ("" if both[0].days else " No rides among the filtered activities.")
    )


def _records(view: FilteredView) -> None:
    st.subheader("Personal records", divider="gray")
    _records_table(view)
    st.subheader("Streaks", divider="gray")
    _streaks(view)
    st.subheader("Eddington number (cycling)", divider="gray")
    _eddington(view)


SECTIONS: Final[dict[str, tuple[str, Callable[[FilteredView], None]]]] = {
    "volume": ("Volume", _volume),
    "years": ("Year over year", _year_over_year),
    "calendar": ("Calendar", _calendar),
    "when": ("When you train", _when),
    "distribution": ("Distribution", _distribution),
    "records": ("Records & streaks", _records),
}


def charts_body(view: FilteredView) -> None:
    """Section picker, then only the chosen section (its figures follow filters and units)."""
    section = st.segmented_control(
        "Section",
        list(SECTIONS),
        format_func=lambda s: SECTIONS[s][0],
        default="volume",
        required=True,
        key="charts_section",
        persist_state="session",
        label_visibility="collapsed",
    )
    SECTIONS[section][1](view)
