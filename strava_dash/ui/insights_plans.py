"""What the athlete sets on the Insights page: goals and gear service intervals, kept in
the session and, for a stored Strava athlete, in the store (one document for both)."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Final

import pandas as pd
import streamlit as st

from strava_dash.insights import figures
from strava_dash.insights import goals as g
from strava_dash.insights.gear import (
    Service,
    gear_totals,
    monthly_distance,
    retired_from_profile,
    service_status,
)
from strava_dash.ui import state
from strava_dash.ui.charts_view import show_figure
from strava_dash.ui.insights_tables import numbers, today
from strava_dash.ui.text import literal
from strava_dash.ui.views import FilteredView
from strava_dash.units import M_PER_KM, M_PER_MI, Units

GOALS: Final = "insights_goals"
"""(athlete key, goals, service intervals by gear id): whose they are, so another athlete
never sees them."""
GOALS_UPLOAD: Final = "insights_goals_upload"
GOALS_UPLOAD_SEEN: Final = "insights_goals_upload_seen"
GOALS_PROBLEM: Final = "insights_goals_problem"
MEASURE_NAMES: Final[dict[g.GoalMeasure, str]] = {
    "distance": "Distance",
    "moving_time": "Time",
    "elevation": "Elevation gain",
    "count": "Activities",
}
PERIOD_NAMES: Final[dict[g.Period, str]] = {
    "week": "Each week",
    "month": "Each month",
    "year": "Each year",
    "custom": "Custom dates",
}


# ------------------------------------------------------------------ goals in the session


def _plans() -> tuple[list[g.Goal], dict[str, Service]]:
    """This athlete's goals and service intervals: from the session, else (the first look
    in this session) from the store."""
    key = state.athlete_key() or ""
    held = st.session_state.get(GOALS)
    if isinstance(held, tuple) and len(held) == 3 and held[0] == key:
        return list(held[1]), dict(held[2])
    goals: list[g.Goal] = []
    services: list[Service] = []
    session = state.current()
    if session is not None and session.recorder is not None:
        document = session.recorder.goals()
        if document:
            # An unreadable stored document is replaced on the next save.
            with contextlib.suppress(g.GoalFileError):
                goals, services = g.load_plans(document)
    by_gear = {s.gear_id: s for s in services}
    st.session_state[GOALS] = (key, goals, by_gear)
    return goals, by_gear


def current_goals() -> list[g.Goal]:
    return _plans()[0]


def _services() -> dict[str, Service]:
    return _plans()[1]


def _save(goals: list[g.Goal] | None = None, services: dict[str, Service] | None = None) -> None:
    """Keep goals and intervals in the session and, for a stored athlete, in the store."""
    held_goals, held_services = _plans()
    goals = held_goals if goals is None else list(goals)
    services = held_services if services is None else dict(services)
    st.session_state[GOALS] = (state.athlete_key() or "", goals, services)
    session = state.current()
    recorder = session.recorder if session is not None else None
    if recorder is not None and not recorder.save_goals(g.dumps(goals, list(services.values()))):
        st.session_state[GOALS_PROBLEM] = (
            "Your goals could not be saved on this server; this session keeps them. "
            "Download them to keep a copy."
        )


def yearly_goal_line(measure: str, units: Units, day: date) -> tuple[str, float] | None:
    """The first yearly goal of this measure as (description, target in display units)."""
    for goal in current_goals():
        if goal.period == "year" and goal.measure == measure:
            return g.describe(goal, units), g.to_display(goal.target, goal.measure, units)
    return None


# ------------------------------------------------------------------ goals section


def _add_goal_form(units: Units, day: date) -> None:
    with st.form("insights_goal_form", clear_on_submit=False, border=True):
        st.markdown("**Add a goal**")
        c1, c2, c3 = st.columns(3)
        measure: g.GoalMeasure = c1.selectbox(
            "Measure",
            list(MEASURE_NAMES),
            format_func=MEASURE_NAMES.__getitem__,
            key="insights_goal_measure",
        )
        sport = c2.selectbox("Sports", list(g.SPORT_CHOICES), key="insights_goal_sport")
        period: g.Period = c3.selectbox(
            "Period",
            list(PERIOD_NAMES),
            format_func=PERIOD_NAMES.__getitem__,
            index=2,
            key="insights_goal_period",
        )
        c4, c5, c6 = st.columns(3)
        target = c4.number_input(
            "Target (km or mi, hours, m or ft, or activities: the measure's unit)",
            min_value=0.0,
            value=None,
            step=1.0,
            key="insights_goal_target",
        )
        dates = c5.date_input(
            "Custom dates (only for Custom dates)",
            value=(day, day + timedelta(days=27)),
            key="insights_goal_dates",
        )
        label = c6.text_input("Name (optional)", max_chars=g.MAX_LABEL, key="insights_goal_label")
        st.caption(
            f"Units: distance in {'km' if units == 'metric' else 'mi'}, elevation in "
            f"{'m' if units == 'metric' else 'ft'}, time in hours (the units switch)."
        )
        if not st.form_submit_button("Add goal", icon=":material/flag:"):
            return
    if not target or target <= 0:
        st.error("Enter a target above 0.")
        return
    start = end = None
    if period == "custom":
        if not isinstance(dates, tuple) or len(dates) != 2:
            st.error("Choose a start and an end date for a custom goal.")
            return
        start, end = dates
    goal = g.Goal(
        measure=measure,
        target=g.from_display(float(target), measure, units),
        period=period,
        sport=sport,
        start=start,
        end=end,
        label=label.strip(),
        id=g.new_id(),
    )
    _save([*current_goals(), goal])
    st.rerun()


def _upload() -> None:
    upload = st.file_uploader(
        "Upload goals (JSON)",
        type=["json"],
        key=GOALS_UPLOAD,
        help="A goals file downloaded here; its goals are added (a goal with the same id "
        "is replaced).",
    )
    if upload is None:
        return
    seen = st.session_state.get(GOALS_UPLOAD_SEEN)
    if isinstance(seen, tuple) and seen[0] == upload.file_id:
        if seen[1]:  # the same refused file: keep saying why until another is chosen
            st.error(seen[1], icon=":material/error:")
        return
    try:
        incoming, intervals = g.load_plans(upload.getvalue())
    except g.GoalFileError as error:
        st.session_state[GOALS_UPLOAD_SEEN] = (upload.file_id, str(error))
        st.error(str(error), icon=":material/error:")
        return
    st.session_state[GOALS_UPLOAD_SEEN] = (upload.file_id, None)  # applied once
    by_id = {goal.id: goal for goal in current_goals()}
    by_id.update({goal.id: goal for goal in incoming})
    _save(list(by_id.values()), _services() | {s.gear_id: s for s in intervals})
    st.toast(f"{len(incoming)} goal{'s' if len(incoming) != 1 else ''} read from the file.")
    st.rerun()  # the cards above are drawn from the goals as they are now


def _goal_card(p: g.Progress, units: Units, position: int) -> None:
    goal = p.goal
    unit = g.unit_label(goal.measure, units)

    def shown(value: float) -> str:
        return f"{g.to_display(value, goal.measure, units):,.1f} {unit}"

    with st.container(border=True):
        head, remove = st.columns([5, 1])
        head.markdown(
            f"**{literal(g.describe(goal, units))}**  \n{p.first:%d %b %Y} – {p.last:%d %b %Y}"
        )
        if remove.button("Remove", key=f"insights_goal_remove_{goal.id}_{position}"):
            _save([x for x in current_goals() if x.id != goal.id])
            st.rerun()
        st.progress(min(max(p.fraction, 0.0), 1.0), text=f"{p.fraction:.0%} done")
        c1, c2, c3 = st.columns(3)
        c1.metric("Done", shown(p.done))
        c2.metric(
            "Needed per remaining week",
            "—" if p.needed_per_week is None else shown(p.needed_per_week),
        )
        c3.metric("On current pace", "—" if p.projected is None else shown(p.projected))
        st.plotly_chart(
            figures.goal_figure(p, units),
            width="stretch",
            key=f"insights_goal_chart_{position}",
            config={"displaylogo": False},
        )


def goals_section(view: FilteredView) -> None:
    day = today()
    problem = st.session_state.pop(GOALS_PROBLEM, None)
    if problem:
        st.error(problem)
    goals = current_goals()
    session = view.session
    kept = (
        "kept on this server with your data, and deleted with it"
        if session.recorder is not None
        else "kept for this browser session only; download them to keep them"
    )
    st.caption(
        f"Progress counts the activities the sidebar filters keep. Goals are {kept}. The "
        "pace needed spreads what is left over the days left (per 7 days, today counted as "
        "done); the projection continues the average per day so far."
    )
    progresses = [g.progress(goal, view.filtered, day) for goal in goals]
    for position, p in enumerate(progresses):
        _goal_card(p, view.units, position)
    if not goals:
        st.info("No goals yet: add one below or upload a goals file.")
    _add_goal_form(view.units, day)
    left, right = st.columns(2)
    with left:
        _upload()
    document = g.dumps(goals, list(_services().values()))
    right.download_button(
        "Download goals (JSON)",
        data=lambda: document,
        file_name=f"strava-goals-{day:%Y-%m-%d}.json",
        mime="application/json",
        key="insights_goals_json",
        on_click="ignore",
        icon=":material/download:",
        disabled=not goals and not _services(),
    )
    if progresses:
        units = view.units
        table = pd.DataFrame(
            {
                "Goal": [g.describe(p.goal, units) for p in progresses],
                "From": [p.first for p in progresses],
                "To": [p.last for p in progresses],
                "Unit": [g.unit_label(p.goal.measure, units) for p in progresses],
                "Target": [g.to_display(p.goal.target, p.goal.measure, units) for p in progresses],
                "Done": [g.to_display(p.done, p.goal.measure, units) for p in progresses],
                "Needed per week": [
                    None
                    if p.needed_per_week is None
                    else g.to_display(p.needed_per_week, p.goal.measure, units)
                    for p in progresses
                ],
                "On current pace": [
                    None
                    if p.projected is None
                    else g.to_display(p.projected, p.goal.measure, units)
                    for p in progresses
                ],
            }
        ).round(2)
        numbers(table, key="insights_goals", kind="goals", view=view)


# ------------------------------------------------------------------ gear


def _service_form(view: FilteredView, options: dict[str, str]) -> None:
    units = view.units
    unit = "km" if units == "metric" else "mi"
    per = M_PER_KM if units == "metric" else M_PER_MI
    with st.form("insights_service_form", border=True):
        st.markdown("**Service interval**")
        c1, c2, c3 = st.columns(3)
        gear_id = c1.selectbox(
            "Gear", list(options), format_func=lambda k: options[k], key="insights_service_gear"
        )
        every = c2.number_input(
            f"Every ({unit})",
            min_value=1.0,
            value=3000.0,
            step=100.0,
            key="insights_service_every",
        )
        since = c3.date_input("Last serviced (optional)", value=None, key="insights_service_since")
        if not st.form_submit_button("Set interval", icon=":material/build:"):
            return
    services = _services()
    services[gear_id] = Service(gear_id, float(every) * per, since)
    _save(services=services)
    st.rerun()  # the list above shows the new interval


def gear_section(view: FilteredView) -> None:
    session = view.session
    units = view.units
    unit = "km" if units == "metric" else "mi"
    per = M_PER_KM if units == "metric" else M_PER_MI
    retired = retired_from_profile(session.athlete) | frozenset(session.gear_retired)
    totals = gear_totals(view.filtered, names=session.gear_names, retired=retired, units=units)
    if totals.empty:
        st.info("None of these activities names a bike or shoes.")
    else:
        shown = pd.DataFrame(
            {
                "Gear": totals["name"],
                f"Distance ({unit})": totals["distance"].round(1),
                "Moving time (h)": totals["moving_hours"].round(1),
                "Activities": totals["activities"],
                "First use": totals["first_use"],
                "Last use": totals["last_use"],
            }
        )
        active = ~totals["retired"].to_numpy(dtype=bool)
        st.subheader("In use", divider="gray")
        st.dataframe(shown[active], hide_index=True, key="insights_gear_active")
        if (~active).any():
            st.subheader("Retired", divider="gray")
            st.dataframe(shown[~active], hide_index=True, key="insights_gear_retired")
        st.caption("Totals of the activities the sidebar filters keep.")
        table = shown.assign(Retired=totals["retired"])
        numbers(table, key="insights_gear", kind="gear", view=view)
    st.subheader("Distance per month", divider="gray")
    monthly = monthly_distance(view.filtered, units=units)
    fig = figures.gear_month_figure(monthly, session.gear_names, unit)
    show_figure(fig, "insights_gear_month_chart")
    if not monthly.empty:
        month_table = monthly.round(1)
        month_table.columns = [session.gear_names.get(c) or c for c in month_table.columns]
        month_table.insert(0, "Month", pd.DatetimeIndex(month_table.index).strftime("%Y-%m"))
        numbers(month_table, key="insights_gear_month", kind="gear-months", view=view)

    st.subheader("Service intervals", divider="gray")
    every_gear = gear_totals(view.frame, names=session.gear_names, retired=retired, units=units)
    if every_gear.empty:
        st.caption("Service intervals need activities with gear.")
        return
    options = dict(zip(every_gear["gear_id"], every_gear["name"], strict=True))
    services = _services()
    for gear_id, service in services.items():
        status = service_status(view.frame, service)
        name = options.get(gear_id, gear_id)
        due = status.due_in_m / per
        when = f"due in {due:,.0f} {unit}" if due >= 0 else f"overdue by {-due:,.0f} {unit}"
        since = f"since {service.since:%d %b %Y}" if service.since else "since the first use"
        st.markdown(
            f"**{literal(name)}** — every {service.every_m / per:,.0f} {unit}: **{when}** "
            f"({status.done_m / per:,.0f} {unit} {since})"
        )
    st.caption(
        "Service distances count every activity with the gear, whatever the filters: a "
        "chain wears on every ride. Intervals are kept and downloaded with your goals."
    )
    _service_form(view, options)
