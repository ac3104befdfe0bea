"""Pieces every data page shows: the athlete card, the Strava attribution, the guard
that sends visitors without data to Home, and the shared sidebar (units + filters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from strava_dash.filters import FilterSpec, apply_filters
from strava_dash.selection import ChartName, Selection, chip_text
from strava_dash.ui import bookmark, state
from strava_dash.ui.config import load_settings
from strava_dash.ui.filters import sidebar_filters, units_switch
from strava_dash.ui.login import disconnect_and_delete, log_out
from strava_dash.ui.selection_view import active_selections, clear_selections, remove_selection
from strava_dash.ui.state import AthleteSession, Source
from strava_dash.ui.text import literal
from strava_dash.units import Units, units_for_preference

POWERED_BY = "Powered by Strava"
SOURCE_LABELS: dict[Source, str] = {
    "demo": "Demo athlete",
    "strava": "Connected with Strava",
    "archive": "From your Strava archive",
}
HOME_PAGE = "pages/home.py"
TIMES_IN_UTC = (
    "Times are in UTC: Strava's archive does not record time zones and none of your "
    'activity files tells them, so "local" times, weekdays and hours follow UTC.'
)
TIMES_INFERRED = (
    "Local times of activities without GPS are inferred from your nearest GPS activity: "
    "Strava's archive does not record time zones, so they are found from where your GPS "
    "activities start."
)
TIMES_PARTLY_UTC = (
    "Some times are in UTC: Strava's archive does not record time zones and no GPS "
    "activity of yours tells them; only files holding the device's clock give a local "
    'time. The others\' "local" times, weekdays and hours follow UTC.'
)


def powered_by_strava() -> None:
    """The attribution Strava's brand rules ask for on every page showing Strava data."""
    session = state.current()
    via = (
        "from their Strava archive"
        if session and session.source == "archive"
        else "via the Strava API"
    )
    st.caption(
        f"{POWERED_BY} · Activity data © its athlete {via}. "
        "Dash for Strava is an independent app, not made or endorsed by Strava."
    )


def account_sidebar() -> AthleteSession | None:
    """The connected athlete (name, photo) and Log out, at the top of every page's sidebar."""
    deleted = st.session_state.pop(state.DELETED_MESSAGE, None)
    if deleted:  # on whichever page the athlete left from
        st.success(deleted, icon=":material/delete_forever:")
    session = state.current()
    if session is None:
        return None
    _athlete_card(session)
    if st.sidebar.button("Log out", key="logout", icon=":material/logout:"):
        log_out(load_settings()[0])
        # A rerun, not st.switch_page: switching pages clears the query string, which
        # Streamlit refuses while filters are bound to it. The page then shows no data.
        st.rerun()
    if session.source == "strava":
        _disconnect_and_delete()
    if session.store_problem:
        st.warning(session.store_problem, icon=":material/database:")
    return session


def _disconnect_and_delete() -> None:
    """The athlete's way out, with a confirmation: revoke at Strava and delete stored data."""
    with st.sidebar.popover("Disconnect and delete my data", icon=":material/delete_forever:"):
        st.markdown(
            "This revokes Dash for Strava's access to your Strava account and deletes "
            "everything this server stored for you, at once. Your activities on Strava are "
            "not touched. To use the app again you connect again, and it downloads "
            "everything anew."
        )
        if st.button("Disconnect and delete", key="disconnect_delete", type="primary"):
            disconnect_and_delete(load_settings()[0])
            st.rerun()


def _athlete_card(session: AthleteSession) -> None:
    sidebar = st.sidebar
    picture = session.athlete.get("profile_medium") or session.athlete.get("profile")
    label = SOURCE_LABELS[session.source]
    card = f"**{literal(session.display_name)}**  \n{label}"
    if isinstance(picture, str) and picture.startswith(("http", "data:image")):
        left, right = sidebar.columns([1, 3], vertical_alignment="center")
        left.image(picture, width=48)
        right.markdown(card)
    else:  # an archive has no picture: no empty column in front of the name
        sidebar.markdown(card)
    note = local_time_note(session)
    if note:
        sidebar.caption(note)
    problems = session.archive.problems if session.archive is not None else 0
    if problems:
        what = "1 part" if problems == 1 else f"{problems:,} parts"
        sidebar.caption(f"{what} of your archive could not be read: Home lists them.")


def local_time_note(session: AthleteSession) -> str | None:
    """What "local" times mean in an archive session's data; None when they are known."""
    if session.times_in_utc:
        return TIMES_IN_UTC
    if session.times_inferred:
        return TIMES_INFERRED
    if session.times_partly_utc:
        return TIMES_PARTLY_UTC
    return None


def require_session(page: str | None = None) -> AthleteSession:
    """The current athlete, or a friendly pointer to Home (and the page stops).

    ``page`` (this page's path) keeps a bookmarked view's parameters for after the demo
    or login started from Home (:mod:`strava_dash.ui.bookmark`).
    """
    session = account_sidebar()
    if session is None:
        if page is not None:
            bookmark.remember(page)
        st.info("Connect with Strava or open the demo on the Home page to see activities.")
        st.page_link(HOME_PAGE, label="Go to Home", icon="🏠")
        st.stop()
    return session


Mask = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class FilteredView:
    """What a data page works with after the sidebar has been drawn.

    ``filtered`` is the sidebar's rows AND every visual selection: the one table every
    part of a page (numbers, charts, map, detail picker, downloads) starts from.
    ``sidebar_only`` leaves the selections out; ``masks`` are each selection's rows of it.
    """

    session: AthleteSession
    frame: pd.DataFrame
    filtered: pd.DataFrame
    spec: FilterSpec
    units: Units
    selections: tuple[Selection, ...] = ()
    sidebar_only: pd.DataFrame | None = None
    masks: dict[ChartName, Mask] = field(default_factory=dict)

    def for_chart(self, chart: ChartName) -> pd.DataFrame:
        """The rows a chart draws: every selection but its own (so it can be re-drawn).

        A chart filtered by its own box would shrink to that box, and a new box could
        only narrow the old one; other charts and the table follow every selection.
        """
        if chart not in self.masks or self.sidebar_only is None:
            return self.filtered
        keep = np.ones(len(self.sidebar_only), dtype=bool)
        for other, mask in self.masks.items():
            if other != chart:
                keep &= mask
        return self.sidebar_only[keep]


def data_sidebar(session: AthleteSession) -> FilteredView:
    """Units switch and filters in the sidebar, applied to the athlete's table, then the
    visual selections (their chips drawn where the page's content starts)."""
    units = units_switch(units_for_preference(session.athlete.get("measurement_preference")))
    frame = session.frame()
    today = datetime.now(UTC).date()
    spec = sidebar_filters(frame, units=units, gear_names=session.gear_names, today=today)
    base = apply_filters(frame, spec)
    selections = tuple(active_selections())
    bookmark.served()
    if not selections:
        return FilteredView(session, frame, base, spec, units)
    masks: dict[ChartName, Mask] = {
        s.chart: s.matches(base, session.decoded_routes) for s in selections
    }
    keep = np.ones(len(base), dtype=bool)
    for mask in masks.values():
        keep &= mask
    view = FilteredView(session, frame, base[keep], spec, units, selections, base, masks)
    selection_chips(view)
    return view


def selection_chips(view: FilteredView) -> None:
    """One removable chip per selection, and Clear selection, above the page's content."""
    with st.container(key="selection_chips", border=True):
        for selection in view.selections:
            count = int(view.masks[selection.chart].sum())
            text, close = st.columns([12, 1], vertical_alignment="center")
            text.markdown(literal(chip_text(selection, view.units, count)))
            close.button(
                "✕",
                key=f"unselect_{selection.chart}",
                help="Remove this selection",
                on_click=remove_selection,
                args=(selection.chart,),
            )
        st.button(
            "Clear selection",
            key="clear_selection",
            icon=":material/filter_alt_off:",
            on_click=clear_selections,
        )


def no_matches(view: FilteredView) -> bool:
    """Show the friendly empty state; True when there is nothing to draw."""
    if not view.filtered.empty:
        return False
    if view.frame.empty:
        if view.session.syncing:
            st.info("Your activities are on their way…")
        else:
            st.info("This account has no activities yet. Record one on Strava, then Refresh.")
    elif view.selections:
        st.info(
            "No activity is inside all of these selections together with the sidebar "
            "filters. Remove a selection above, or clear them all."
        )
        st.button(
            "Clear selection",
            key="clear_selection_empty",
            icon=":material/filter_alt_off:",
            on_click=clear_selections,
        )
    else:
        st.info("No activities match these filters. Widen them, or press Reset filters.")
    return True
