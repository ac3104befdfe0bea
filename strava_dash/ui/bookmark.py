"""A bookmarked view (sidebar filters, units, visual selection) kept through the way in.

A bookmark of a data page opened in a fresh browser has no data yet: the page sends
the visitor Home, where the demo button or the Strava popup starts a session. The
view's query parameters are kept in this browser session's state meanwhile (the OAuth
popup never reloads the page, so the session survives it) and handed back to the page
they came from. Only the filters' own parameters are kept: nothing else of the URL,
and never an id or a secret (the OAuth code and state never reach the main page's URL).
"""

from __future__ import annotations

from typing import Final, NoReturn

import streamlit as st

from strava_dash.ui import state
from strava_dash.ui.selection_view import SEL_PARAM

DATA_PAGE: Final = "pages/activities.py"
KEPT_PARAMS: Final[tuple[str, ...]] = (*state.FILTER_KEYS, state.UNITS, SEL_PARAM)
# The only pages a kept bookmark may lead to (the session state is ours, but be strict).
DATA_PAGES: Final = frozenset(
    {
        "pages/activities.py",
        "pages/charts.py",
        "pages/map.py",
        "pages/activity.py",
        "pages/insights.py",
    }
)

Params = dict[str, list[str]]


def remember(page: str) -> None:
    """Keep this page's view parameters until a session can show them."""
    params: Params = {
        key: st.query_params.get_all(key) for key in KEPT_PARAMS if key in st.query_params
    }
    if params and page in DATA_PAGES:
        st.session_state[state.BOOKMARK] = (page, params)


def pending() -> tuple[str, Params]:
    """Where to go once there is data: the kept bookmark, else the Activities page."""
    kept = st.session_state.get(state.BOOKMARK)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] in DATA_PAGES:
        return kept[0], dict(kept[1])
    return DATA_PAGE, {}


def served() -> None:
    """A data page has been shown with a session: the kept bookmark is used up."""
    st.session_state.pop(state.BOOKMARK, None)


def go_to_data() -> NoReturn:
    """Switch to the bookmarked page with its parameters (or to Activities)."""
    page, params = pending()
    served()
    st.switch_page(page, query_params=params or None)


def data_link(label: str, icon: str) -> None:
    """A link to the bookmarked page with its parameters (or to Activities)."""
    page, params = pending()
    st.page_link(page, label=label, icon=icon, query_params=params or None)
