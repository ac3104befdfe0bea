"""The Activity detail page's body: the picker, the summary, the route and the streams.

Streams come from ``/activities/{id}/streams`` (or the demo's synthesizer, or the uploaded
archive) the first time an activity is shown, and are kept in the session
(:attr:`AthleteSession.streams`, see :func:`strava_dash.ui.streams.get_streams`).
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
import streamlit as st

from strava_dash import charts, maps, picker
from strava_dash.charts import StreamAxis
from strava_dash.clock import utc_now
from strava_dash.errors import DataError, RateLimitError, StravaAPIError
from strava_dash.ui import state
from strava_dash.ui.charts_view import show_figure
from strava_dash.ui.state import AthleteSession
from strava_dash.ui.streams import get_streams
from strava_dash.ui.text import literal
from strava_dash.ui.views import FilteredView
from strava_dash.units import Units, column_for, label_for

PICKED: Final = state.DETAIL_ACTIVITY
#: The table selection last acted on: a new selection jumps the picker to it, once.
SEEN_SELECTION: Final = state.DETAIL_SEEN_SELECTION
SEARCH: Final = state.DETAIL_SEARCH
SEARCH_SEEN: Final = state.DETAIL_SEARCH_SEEN
STREAMS_LIMIT: Final = state.STREAMS_LIMIT
NO_STREAMS: Final = "This activity has no recorded streams (manual or indoor without sensors)."
AXES: Final[dict[StreamAxis, str]] = {"distance": "Distance", "time": "Time"}
UNNAMED: Final = picker.UNNAMED
ZOOM_OUT: Final = 0.7


def pick_activity(view: FilteredView) -> int:
    """A search box and a selectbox of the newest matching activities (at most
    :data:`picker.LIMIT`, so a rerun ships a few KB, not every activity's label).

    The table's selection leads: a new selection jumps the picker to it, once. The
    activity shown stays offered and selected across reruns while it is in the filtered
    activities; typing a search it does not match moves the picker to the newest match.
    """
    frame = view.filtered
    available = set(frame["id"].tolist())
    selected = [i for i in st.session_state.get(state.SELECTED_IDS) or [] if i in available]
    first_selected = selected[0] if selected else None
    current: int | None = st.session_state.get(PICKED)
    jumped = first_selected is not None and first_selected != st.session_state.get(SEEN_SELECTION)
    if jumped or current not in available:
        current = first_selected
    st.session_state[SEEN_SELECTION] = first_selected
    query = st.text_input(
        "Find an activity",
        key=SEARCH,
        placeholder="Name, sport or date, e.g. gravel 2023-05",
        persist_state="session",
    ).strip()
    searched = query != st.session_state.get(SEARCH_SEEN, "")
    st.session_state[SEARCH_SEEN] = query
    found = picker.search(frame, query)
    if current is None or (searched and not jumped and not found.matches(current)):
        # A new search the activity shown does not match moves to the newest match; with
        # no match it stays (or, if nothing was shown yet, the newest activity comes up).
        newest = found.first_match
        if newest is None and current is None:
            newest = int(found.ids[0])
        current = current if newest is None else newest
    assert current is not None  # the frame is not empty (the page checks no_matches)
    offered = found.offer([current])
    _say_what_is_offered(offered, query)
    st.session_state[PICKED] = current
    picked: int = st.selectbox(
        "Activity",
        offered.ids,
        format_func=offered.labels.__getitem__,
        key=PICKED,
        persist_state="session",
        help="Newest first; rows selected in the Activities table come up here.",
    )
    return picked


def _say_what_is_offered(found: picker.Choices, query: str) -> None:
    if query and not found.matched:
        st.caption(f"No activity matches {literal(query)}.")
    elif found.matched > found.shown:
        what = "matching activities" if query else "activities"
        st.caption(
            f"Showing the newest {found.shown:,} of {found.matched:,} {what}: "
            "type to narrow (name, sport or date)."
        )
    elif query:
        st.caption(
            f"{found.matched:,} matching {'activity' if found.matched == 1 else 'activities'}."
        )


def _value(row: pd.Series[Any], column: str) -> Any:
    value = row.get(column)
    return None if value is None or pd.isna(value) else value


def _duration(value: Any) -> str:
    seconds = int(pd.Timedelta(value).total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _summary_items(row: pd.Series[Any], units: Units) -> list[tuple[str, str]]:
    """(label with unit, value) of the numbers this activity has."""
    items: list[tuple[str, str]] = []
    distance = _value(row, column_for("distance", units))
    if distance:
        items.append((f"Distance ({label_for('distance', units)})", f"{distance:,.2f}"))
    for label, column in (("Moving time", "moving_duration"), ("Elapsed time", "elapsed_duration")):
        if _value(row, column) is not None:
            items.append((label, _duration(row[column])))
    elevation = _value(row, column_for("elevation", units))
    if elevation is not None and (elevation or distance):
        items.append((f"Elevation gain ({label_for('elevation', units)})", f"{elevation:,.0f}"))
    pace = _value(row, column_for("pace", units))
    speed = _value(row, column_for("speed", units))
    if pace is not None:
        seconds = pd.Timedelta(pace).total_seconds()
        items.append((f"Pace ({label_for('pace', units)})", charts.format_pace(seconds)))
    elif speed:
        items.append((f"Average speed ({label_for('speed', units)})", f"{speed:.1f}"))
    extras = (("Heart rate (bpm)", "average_heartrate"), ("Power (W)", "average_watts"))
    for label, column in extras:
        number = _value(row, column)
        if number:
            items.append((label, f"{number:,.0f}"))
    return items


def _clock(session: AthleteSession, row: pd.Series[Any]) -> str:
    """Which clock the start is on: an archive activity may have no known zone (UTC) or
    one inferred from a neighbour (see :mod:`strava_dash.archive`)."""
    if session.source != "archive":
        return "local time"
    if _value(row, "utc_offset") is None:
        return "UTC"
    if _value(row, "local_time_inferred"):
        return "local time, inferred from your nearest GPS activity"
    return "local time"


def summary(view: FilteredView, row: pd.Series[Any]) -> None:
    """Name, sport, local start, gear, the headline numbers and the Strava link."""
    name = str(_value(row, "name") or UNNAMED)
    st.subheader(literal(name))
    parts = [str(_value(row, "sport_type") or "Other")]
    start = _value(row, "start_date_local")
    if start is not None:
        parts.append(f"{pd.Timestamp(start):%A %d %B %Y, %H:%M} {_clock(view.session, row)}")
    gear = _value(row, "gear_id")
    if gear is not None:
        parts.append(view.session.gear_names.get(str(gear), str(gear)))
    flags = [f for f, c in (("manual entry", "manual"), ("indoor", "trainer")) if _value(row, c)]
    st.caption(literal(" · ".join(parts + flags)))
    items = _summary_items(row, view.units)
    if items:
        for column, (label, text) in zip(st.columns(len(items)), items, strict=True):
            column.metric(label, text)
    url = _value(row, "strava_url") or f"https://www.strava.com/activities/{int(row['id'])}"
    demo_only = view.session.source == "demo"
    st.link_button(
        "View on Strava",
        str(url),
        icon=":material/open_in_new:",
        disabled=demo_only,
        help="The demo athlete's activities are made up, not on Strava" if demo_only else None,
    )


def _rate_limited(error: RateLimitError) -> None:
    window = "daily" if error.daily else "15-minute"
    st.warning(
        f"Strava's {window} request limit for this app is used up, so the streams cannot be "
        f"loaded now. Try again after {error.retry_at:%H:%M} UTC; the summary above still shows.",
        icon="⏳",
    )


def load_streams(session: AthleteSession, record: dict[str, Any]) -> dict[str, Any] | None:
    """The streams to show, or None after saying why there are none (never a traceback)."""
    if record.get("manual") is True:
        st.info(NO_STREAMS)
        return None
    activity_id = int(record["id"])
    limit = st.session_state.get(STREAMS_LIMIT)
    if activity_id not in session.streams and isinstance(limit, RateLimitError):
        if limit.retry_at > utc_now():
            _rate_limited(limit)
            return None
        del st.session_state[STREAMS_LIMIT]
    try:
        with st.spinner("Loading streams…"):
            streams = get_streams(session, record)
    except RateLimitError as error:
        st.session_state[STREAMS_LIMIT] = error
        _rate_limited(error)
        return None
    except StravaAPIError as error:
        st.error(f"The streams could not be loaded: {error.message}", icon="⚠️")
        return None
    except DataError as error:
        st.error(f"The track could not be read from your archive: {error}", icon="⚠️")
        return None
    if not streams:
        st.info(NO_STREAMS)
        return None
    return streams


def _route(row: pd.Series[Any], streams: dict[str, Any] | None) -> None:
    latlng = (streams or {}).get("latlng")
    points = latlng.get("data") if isinstance(latlng, dict) else None
    route = points if points else _value(row, "map_summary_polyline")
    fig = maps.route_figure(
        route,
        name=str(_value(row, "name") or UNNAMED),
        sport_type=str(_value(row, "sport_type") or "Other"),
    )
    if not charts.is_empty(fig):
        # route_figure frames the route for a map about 700 px wide; this column is narrower.
        fig.update_layout(map_zoom=max(float(fig.layout.map.zoom) - ZOOM_OUT, 0.0), height=520)
    show_figure(fig, "detail_route", scroll_zoom=True)


def _streams(row: pd.Series[Any], streams: dict[str, Any], units: Units) -> None:
    axis = st.segmented_control(
        "Against",
        list(AXES),
        format_func=AXES.__getitem__,
        default="distance",
        required=True,
        key="detail_x",
        persist_state="session",
    )
    fig = charts.activity_streams_figure(
        streams, x=axis, units=units, sport_type=str(_value(row, "sport_type") or "Other")
    )
    show_figure(fig, "detail_streams")


def activity_detail(view: FilteredView) -> None:
    """Picker, summary, route and streams of one of the filtered activities."""
    activity_id = pick_activity(view)
    row = view.filtered.loc[view.filtered["id"] == activity_id].iloc[0]
    found = view.session.records_for([activity_id])
    record = found[0] if found else {"id": activity_id}
    summary(view, row)
    left, right = st.columns(2, gap="large")
    with right:
        st.subheader("Streams", divider="gray")
        streams = load_streams(view.session, record)
        if streams is not None:
            _streams(row, streams, view.units)
    with left:
        # After the streams: a fetched latlng stream is finer than the summary polyline.
        st.subheader("Route", divider="gray")
        _route(row, streams)
