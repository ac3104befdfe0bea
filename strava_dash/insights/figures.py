"""Plotly figures of the Insights page (pure: frames in, figures out)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from strava_dash.charts.style import Measure, empty_figure, escape_hover, measure_title
from strava_dash.insights.goals import Progress, to_display, unit_label
from strava_dash.insights.projection import YearAhead
from strava_dash.units import Units

_REFERENCE_YEAR: Final = 2000  # a leap year: the years chart's shared x axis
_DAY_MS: Final = 24 * 3600 * 1000
CTL_COLOUR: Final = "#1C7ED6"
ATL_COLOUR: Final = "#D6336C"
TSB_COLOUR: Final = "#2F9E44"
ESTIMATE_COLOUR: Final = "#F59F00"
LOAD_COLOUR: Final = "#ADB5BD"
GOAL_COLOUR: Final = "#7048E8"
SHOWN_DAYS: Final = 365
#: Days the fitness chart holds (the last ten years): 55 years of days were 20,000 points
#: per line, 0.8 MB to send; older days stay in the table and its CSV.
CHART_DAYS: Final = 3_653


def base_layout(fig: go.Figure, **layout: Any) -> go.Figure:
    """The Charts look (legend on top, compact margins) without setting a plotly template.

    Validating the ``plotly_white`` template costs about 35 ms per figure, more than the
    data of a decade of days; Streamlit's own chart theme styles these figures instead.
    """
    fig.update_layout(
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"align": "left"},
        **layout,
    )
    return fig


def _daily(first: pd.Timestamp) -> dict[str, Any]:
    """A daily x axis as a start and a step: no date string per point is built or sent."""
    return {"x0": first.strftime("%Y-%m-%d"), "dx": _DAY_MS}


def fitness_figure(series: pd.DataFrame) -> go.Figure:
    """Daily load as a stepped area (days whose load is only an estimate in amber), CTL,
    ATL and TSB as lines; the last year is in view, the rest of the last ``CHART_DAYS`` a
    drag away.

    Not bars: Chromium drew a decade of daily bars (one SVG element per day, all of them
    even when a year is in view) in about 1 s, a stepped area (one path) in 0.1 s. The
    area itself does not hover; an invisible line per kind carries each day's value.
    """
    if series.empty:
        return empty_figure("No activities to compute a training load from")
    series = series.iloc[-CHART_DAYS:]
    days = series["day"]
    daily = _daily(days.iloc[0])
    estimated = series["estimated"].to_numpy(dtype=bool)
    load = series["load"].to_numpy(dtype=np.float32)
    fig = go.Figure()
    for name, mask, colour in (
        ("Daily load", ~estimated, LOAD_COLOUR),
        ("Daily load (estimate only)", estimated, ESTIMATE_COLOUR),
    ):
        kind = np.where(mask, load, np.nan).astype(np.float32)
        # A closing 0 the day after, so the last day's step has its width.
        area = np.append(np.nan_to_num(kind, nan=0.0), 0.0).astype(np.float32)
        fig.add_trace(
            go.Scatter(
                **daily,
                y=area,
                name=name,
                mode="lines",
                line={"shape": "hv", "width": 0, "color": colour},
                fill="tozeroy",
                fillcolor=colour,
                hoverinfo="skip",
                legendgroup=name,
            )
        )
        fig.add_trace(
            go.Scatter(
                **daily,
                y=kind,
                name=name,
                mode="lines",
                line={"width": 0, "color": colour},
                showlegend=False,
                legendgroup=name,
                hovertemplate="%{y:.0f}<extra>" + name + "</extra>",
            )
        )
    for column, name, colour, dash in (
        ("ctl", "Fitness (CTL, 42 d)", CTL_COLOUR, "solid"),
        ("atl", "Fatigue (ATL, 7 d)", ATL_COLOUR, "solid"),
        ("tsb", "Form (TSB)", TSB_COLOUR, "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                **daily,
                y=series[column].to_numpy(dtype=np.float32),
                name=name,
                mode="lines",
                line={"color": colour, "width": 2, "dash": dash},
                hovertemplate=f"{name}: %{{y:.1f}}<extra></extra>",
            )
        )
    last = days.iloc[-1]
    return base_layout(
        fig,
        hovermode="x unified",
        xaxis={
            "type": "date",
            "hoverformat": "%a %d %b %Y",
            "range": [
                (last - pd.Timedelta(days=SHOWN_DAYS)).strftime("%Y-%m-%d"),
                (last + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            ],
        },
        yaxis_title="Load per day · CTL · ATL · TSB",
    )


def goal_figure(p: Progress, units: Units) -> go.Figure:
    """Running total against the even pace to the target, and the projection."""
    measure = p.goal.measure
    unit = unit_label(measure, units)
    days = p.daily.index
    done = to_display(1.0, measure, units) * p.daily.to_numpy(dtype=np.float64)
    target = to_display(p.goal.target, measure, units)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[(days[0] - timedelta(days=1)).strftime("%Y-%m-%d"), days[-1].strftime("%Y-%m-%d")],
            y=[0.0, target],
            name="Even pace to the target",
            mode="lines",
            line={"color": GOAL_COLOUR, "dash": "dash", "width": 1.5},
            hovertemplate=f"%{{y:,.1f}} {unit}<extra>even pace</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            **_daily(days[0]),
            y=done.astype(np.float32),
            name="Done",
            mode="lines",
            line={"color": CTL_COLOUR, "width": 3},
            hovertemplate=f"%{{y:,.1f}} {unit}<extra>done</extra>",
        )
    )
    if p.projected is not None and p.days_left > 0:
        fig.add_trace(
            go.Scatter(
                x=[days[p.days_elapsed - 1].strftime("%Y-%m-%d"), days[-1].strftime("%Y-%m-%d")],
                y=[to_display(p.done, measure, units), to_display(p.projected, measure, units)],
                name="On current pace",
                mode="lines",
                line={"color": CTL_COLOUR, "dash": "dot", "width": 1.5},
                hovertemplate=f"%{{y:,.1f}} {unit}<extra>on current pace</extra>",
            )
        )
    return base_layout(
        fig, height=280, yaxis_title=unit, hovermode="x unified", xaxis={"type": "date"}
    )


def gear_month_figure(monthly: pd.DataFrame, names: dict[str, str], unit: str) -> go.Figure:
    """Distance per month, one stacked bar colour per gear."""
    if monthly.empty:
        return empty_figure("No activities with gear among these")
    fig = go.Figure()
    for gear_id in monthly.columns:
        name = escape_hover(names.get(gear_id) or gear_id)
        fig.add_trace(
            go.Bar(
                x=monthly.index,
                y=monthly[gear_id].to_numpy(dtype=np.float32),
                name=name,
                hovertemplate=f"%{{x|%b %Y}}: %{{y:,.0f}} {unit}<extra>{name}</extra>",
            )
        )
    return base_layout(fig, barmode="stack", yaxis_title=f"Distance ({unit})")


def _reference(day: date) -> str:
    """``day``'s place on the reference leap year's axis."""
    return f"{_REFERENCE_YEAR}-{day.month:02d}-{day.day:02d}"


def year_ahead_figure(
    ahead: YearAhead,
    *,
    measure: Measure,
    units: Units,
    today: date,
    goal: tuple[str, float] | None = None,
) -> go.Figure:
    """This year against the earlier years by calendar day, the two end-of-year
    projections from today, and a yearly goal's even-pace line when one is given."""
    if not ahead.race.years:
        return empty_figure()
    fig = go.Figure()
    title = measure_title(measure, units)
    older = [y for y in ahead.race.years if y < ahead.year][:3]
    shades = ("#1C7ED6", "#868E96", "#ADB5BD")
    for year, shade in zip(older, shades, strict=False):
        row = ahead.race.cumulative[ahead.race.years.index(year)]
        fig.add_trace(_year_line(row, str(year), {"color": shade, "width": 1.5}))
    if ahead.year in ahead.race.years:
        row = ahead.race.cumulative[ahead.race.years.index(ahead.year)]
        valid = np.flatnonzero(~np.isnan(row))
        shown = row[: int(valid[-1]) + 1] if valid.size else row
        fig.add_trace(_year_line(shown, str(ahead.year), {"color": "#C92A2A", "width": 3.5}))
    end = _reference(date(today.year, 12, 31))
    for name, value, dash in (
        ("On this year's pace", ahead.on_year_pace, "dash"),
        ("On the last 4 weeks' pace", ahead.on_recent_pace, "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[_reference(today), end],
                y=[ahead.to_date, value],
                name=name,
                mode="lines",
                line={"color": "#C92A2A", "dash": dash, "width": 1.5},
                hovertemplate="%{y:,.1f}<extra>" + name + "</extra>",
            )
        )
    if goal is not None:
        label, target = goal
        fig.add_trace(
            go.Scatter(
                x=[f"{_REFERENCE_YEAR}-01-01", end],
                y=[0.0, target],
                name=f"Goal: {escape_hover(label)}",
                mode="lines",
                line={"color": GOAL_COLOUR, "dash": "dash", "width": 2},
                hovertemplate="%{y:,.1f}<extra>goal, even pace</extra>",
            )
        )
    return base_layout(
        fig,
        hovermode="x unified",
        xaxis={
            "type": "date",
            "tickformat": "%b",
            "dtick": "M1",
            "hoverformat": "%d %b",
            "range": [f"{_REFERENCE_YEAR}-01-01", f"{_REFERENCE_YEAR}-12-31"],
        },
        yaxis_title=f"Cumulative {title[0].lower()}{title[1:]}",
    )


def _year_line(
    row: np.ndarray[Any, np.dtype[np.float64]], name: str, line: dict[str, Any]
) -> go.Scatter:
    return go.Scatter(
        x0=f"{_REFERENCE_YEAR}-01-01",
        dx=_DAY_MS,
        y=row.astype(np.float32),
        name=name,
        mode="lines",
        line=line,
        connectgaps=True,
        hovertemplate=f"{name}: %{{y:,.1f}}<extra></extra>",
    )
