"""The Insights page's body: fitness and form, goals, gear, the year ahead.

Every section reads ``view.filtered`` (the sidebar's filters and any chart selection)
and ``view.units``; only the chosen section is computed on a rerun, as on Charts. Each
shows its numbers under "As a table" with a CSV of them (text defused for spreadsheets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pandas as pd
import streamlit as st

from strava_dash.charts.style import Measure, format_measure
from strava_dash.export import download_name
from strava_dash.insights import figures
from strava_dash.insights.load import (
    DEFAULT_INTENSITY,
    LoadSettings,
    Sex,
    activity_loads,
    describe_ratio,
    fitness,
    guess_defaults,
    method_counts,
)
from strava_dash.insights.projection import year_ahead
from strava_dash.insights.tables import safe_csv
from strava_dash.ui import insights_plans
from strava_dash.ui.charts_view import show_figure
from strava_dash.ui.insights_tables import numbers, today
from strava_dash.ui.views import FilteredView

FTP: Final = "insights_ftp"
MAX_HR: Final = "insights_max_hr"
REST_HR: Final = "insights_rest_hr"
SEX: Final = "insights_sex"
INTENSITY: Final = "insights_intensity_"
YEAR_MEASURE: Final = "insights_year_measure"
SECTION: Final = "insights_section"
MAX_FTP: Final = 2000
MIN_MAX_HR: Final = 100
MAX_MAX_HR: Final = 240

FORMULAS: Final = r"""
**How the load is computed** (per activity, from the best data it has):

* **Power** (a weighted average power and your FTP): TSS = duration (s) × NP × IF ÷
  (FTP × 3600) × 100, with NP ≈ Strava's weighted average power and IF = NP ÷ FTP.
  An hour at FTP is 100.
* **Heart rate** (an average heart rate): Banister's TRIMP = duration (min) × HRr ×
  0.64·e^(1.92·HRr) (men) or 0.86·e^(1.67·HRr) (women), HRr = (average HR − resting HR) ÷
  (max HR − resting HR).
* **Estimate** (neither): hours × a load per hour for the sport below. Days whose load
  is only an estimate are amber on the chart.

Activities of one day are summed; days without any count as 0, so weeks off decay.
**Fitness** CTL_t = CTL_(t−1) + (load_t − CTL_(t−1)) ÷ 42 and **fatigue**
ATL_t = ATL_(t−1) + (load_t − ATL_(t−1)) ÷ 7, both from 0 before your first activity.
**Form** TSB today = CTL − ATL **of yesterday** (how fresh you start today, the common
convention). **Acute:chronic ratio** = ATL ÷ CTL of today. TSS and TRIMP are different
scales; an athlete with both power and heart rate gets power where it exists.
"""


# ------------------------------------------------------------------ fitness and form


def load_settings(view: FilteredView) -> LoadSettings:
    """The athlete's numbers: widgets kept for the session, first filled from the data."""
    guessed = guess_defaults(view.frame, view.session.athlete)
    default = guessed.settings
    # A sensor glitch (a 300 bpm spike, 5,000 W) must not put a default outside what the
    # input accepts: Streamlit refuses such a widget and the page would fail.
    ftp_default = min(int(default.ftp or 0), MAX_FTP)
    max_hr_default = min(max(round(default.max_hr), MIN_MAX_HR), MAX_MAX_HR)
    left, middle, right, sex_column = st.columns(4)
    ftp = left.number_input(
        "FTP (W)",
        min_value=0,
        max_value=MAX_FTP,
        value=ftp_default,
        step=5,
        key=FTP,
        persist_state="session",
        help="Functional threshold power; 0 = no power-based load. "
        f"Default: {guessed.reasons['ftp']}.",
    )
    max_hr = middle.number_input(
        "Max heart rate (bpm)",
        min_value=MIN_MAX_HR,
        max_value=MAX_MAX_HR,
        value=max_hr_default,
        key=MAX_HR,
        persist_state="session",
        help=f"Default: {guessed.reasons['max_hr']}.",
    )
    rest_hr = right.number_input(
        "Resting heart rate (bpm)",
        min_value=25,
        max_value=120,
        value=int(default.rest_hr),
        key=REST_HR,
        persist_state="session",
        help=f"Default: {guessed.reasons['rest_hr']}.",
    )
    sexes: dict[Sex, str] = {"M": "Men's", "F": "Women's"}
    sex = sex_column.segmented_control(
        "TRIMP factors",
        list(sexes),
        format_func=sexes.__getitem__,
        default=default.sex,
        required=True,
        key=SEX,
        persist_state="session",
        help=f"Banister's factors differ by sex; default {guessed.reasons['sex']}.",
    )
    st.caption(
        "Defaults come from your data: FTP from "
        f"{guessed.reasons['ftp']}; max heart rate from {guessed.reasons['max_hr']}; resting "
        f"heart rate: {guessed.reasons['rest_hr']}. Change them to yours."
    )
    with st.expander("Estimate: load per hour by sport group"):
        columns = st.columns(4)
        intensity = {
            group: float(
                columns[position % 4].number_input(
                    group,
                    min_value=0,
                    max_value=300,
                    value=int(per_hour),
                    key=f"{INTENSITY}{group}",
                    persist_state="session",
                )
            )
            for position, (group, per_hour) in enumerate(DEFAULT_INTENSITY.items())
        }
    return LoadSettings(
        ftp=float(ftp) if ftp else None,
        max_hr=float(max_hr),
        rest_hr=float(rest_hr),
        sex=sex,
        intensity=intensity,
    )


def _fitness(view: FilteredView) -> None:
    settings = load_settings(view)
    if settings.max_hr <= settings.rest_hr:
        st.warning("Max heart rate must be above resting heart rate: heart rate is not used.")
    loads = activity_loads(view.filtered, settings)
    series = fitness(loads, until=today())
    counts = method_counts(loads)
    st.caption(
        f"Load from power for {counts['power']:,} activities, from heart rate for "
        f"{counts['heart rate']:,}, estimated for {counts['estimate']:,} "
        "(the filtered activities)."
    )
    if not series.empty:
        now = series.iloc[-1]
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Fitness (CTL)", f"{now['ctl']:.1f}")
        c2.metric("Fatigue (ATL)", f"{now['atl']:.1f}")
        c3.metric("Form (TSB)", f"{now['tsb']:+.1f}")
        ratio = float(now["ratio"])
        c4.metric("Acute:chronic", "–" if pd.isna(ratio) else f"{ratio:.2f}")
        c4.caption(describe_ratio(ratio))
        st.caption(f"Values for {now['day']:%a %d %b %Y}.")
    show_figure(figures.fitness_figure(series), "insights_fitness_chart")
    if len(series) > figures.CHART_DAYS:
        st.caption(
            f"The chart holds the last {figures.CHART_DAYS // 365} years; every day since "
            f"{series['day'].iloc[0]:%d %b %Y} is in the table and its CSV."
        )
    st.markdown(FORMULAS)
    if not series.empty:
        table = pd.DataFrame(
            {
                "Day": series["day"].dt.date,
                "Load": series["load"].round(1),
                "Estimate only": series["estimated"],
                "Activities": series["activities"],
                "CTL": series["ctl"].round(2),
                "ATL": series["atl"].round(2),
                "TSB": series["tsb"].round(2),
                "ATL/CTL": series["ratio"].round(3),
            }
        ).iloc[::-1]
        numbers(table, key="insights_fitness", kind="fitness", view=view)
        filtered = view.filtered
        st.download_button(
            "Download the load of each activity (CSV)",
            # Built on the click only: 10,000 rows of names cost nothing on a rerun.
            data=lambda: safe_csv(per_activity(filtered, loads)),
            file_name=download_name("loads", view.session.display_name, today(), "csv"),
            mime="text/csv",
            key="insights_loads_csv",
            on_click="ignore",
            icon=":material/download:",
        )


def per_activity(frame: pd.DataFrame, loads: pd.DataFrame) -> pd.DataFrame:
    """Each activity's load and where it came from, newest first, for the CSV."""
    names = frame.set_index("id")[["name", "sport_type"]]
    out = loads.join(names, on="id")
    return pd.DataFrame(
        {
            "Day": pd.to_datetime(out["local_date"]).dt.date,
            "Activity": out["name"],
            "Sport": out["sport_type"],
            "From": out["method"],
            "Load": out["load"].round(1),
            "Strava id": out["id"],
        }
    ).sort_values(["Day", "Strava id"], ascending=False)


# ------------------------------------------------------------------ the year ahead

YEAR_MEASURES: Final[dict[Measure, str]] = {
    "distance": "Distance",
    "moving_time": "Moving time",
    "elevation": "Elevation gain",
    "count": "Count",
}


def _year(view: FilteredView) -> None:
    measure: Measure = st.selectbox(
        "Measure",
        list(YEAR_MEASURES),
        format_func=YEAR_MEASURES.__getitem__,
        key=YEAR_MEASURE,
        persist_state="session",
        width=280,
    )
    day = today()
    ahead = year_ahead(view.filtered, measure=measure, units=view.units, today=day)

    def shown(value: float) -> str:
        return format_measure(value, measure, view.units)

    last = ahead.earlier[ahead.earlier["year"] == ahead.year - 1]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"{ahead.year} to {day:%d %b}", shown(ahead.to_date))
    if not last.empty:
        before = float(last["by_same_day"].iloc[0])
        c2.metric(
            f"{ahead.year - 1} by {day:%d %b}",
            shown(before),
            delta=f"{'+' if ahead.to_date >= before else '−'}{shown(abs(ahead.to_date - before))}"
            " this year",
        )
    c3.metric("End of year on this year's pace", shown(ahead.on_year_pace))
    c4.metric("End of year on the last 4 weeks' pace", shown(ahead.on_recent_pace))
    st.caption(
        f"This year's pace: {shown(ahead.to_date)} in {ahead.days_elapsed} days, extended to "
        f"{ahead.days_in_year}. Last 4 weeks: {shown(ahead.recent)} in the 28 days to today, "
        f"continued for the {ahead.days_in_year - ahead.days_elapsed} days left."
    )
    goal = insights_plans.yearly_goal_line(measure, view.units, day)
    fig = figures.year_ahead_figure(ahead, measure=measure, units=view.units, today=day, goal=goal)
    show_figure(fig, "insights_year_chart")
    rows = [
        {
            "Year": ahead.year,
            f"By {day:%d %b}": ahead.to_date,
            "Full year": None,
            "On this year's pace": ahead.on_year_pace,
            "On the last 4 weeks' pace": ahead.on_recent_pace,
        },
        *[
            {"Year": year, f"By {day:%d %b}": by_then, "Full year": full}
            for year, by_then, full in zip(
                ahead.earlier["year"].tolist(),
                ahead.earlier["by_same_day"].tolist(),
                ahead.earlier["full_year"].tolist(),
                strict=True,
            )
        ],
    ]
    table = pd.DataFrame(rows).round(2)
    numbers(table, key="insights_year", kind="year-ahead", view=view)


SECTIONS: Final[dict[str, tuple[str, Callable[[FilteredView], None]]]] = {
    "fitness": ("Fitness & form", _fitness),
    "goals": ("Goals", insights_plans.goals_section),
    "gear": ("Gear", insights_plans.gear_section),
    "year": ("The year ahead", _year),
}


def insights_body(view: FilteredView) -> None:
    """Section picker, then only the chosen section."""
    section = st.segmented_control(
        "Section",
        list(SECTIONS),
        format_func=lambda s: SECTIONS[s][0],
        default="fitness",
        required=True,
        key=SECTION,
        persist_state="session",
        label_visibility="collapsed",
    )
    SECTIONS[section][1](view)
