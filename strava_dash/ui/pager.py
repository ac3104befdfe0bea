"""Previous / page number / next for a table sent a page at a time (table_pages)."""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from strava_dash import table_pages
from strava_dash.table_pages import PAGE_SIZE, PageSlice


def _turn(key: str, delta: int, pages: int) -> None:
    page = int(st.session_state.get(key) or 1)
    st.session_state[key] = min(max(1, page + delta), pages)


def pager(
    prefix: str,
    total: int,
    context: Hashable,
    *,
    size: int = PAGE_SIZE,
    places: tuple[DeltaGenerator, DeltaGenerator, DeltaGenerator] | None = None,
) -> PageSlice:
    """Draw the pager (in ``places``: back, number, forward; else a new row) and return
    the rows of the page chosen.

    The page number lives under ``{prefix}_page``. When ``context`` (what the pages are
    of: the order and the rows) differs from the last run's, the page goes back to 1;
    otherwise it is clamped to the pages there are, so no one lands on an empty page.
    """
    key, seen = f"{prefix}_page", f"{prefix}_page_context"
    if st.session_state.get(seen) != context:
        st.session_state[seen] = context
        st.session_state[key] = 1
    pages = table_pages.page_count(total, size)
    page = table_pages.clamp_page(int(st.session_state.get(key) or 1), total, size)
    st.session_state[key] = page
    if places is None:
        back, number, forward, _ = st.columns([2, 2, 2, 6], vertical_alignment="bottom")
    else:
        back, number, forward = places
    back.button(
        "Previous",
        key=f"{prefix}_page_back",
        icon=":material/chevron_left:",
        help="Previous page",
        disabled=page <= 1,
        on_click=_turn,
        args=(key, -1, pages),
        use_container_width=True,
    )
    number.number_input(
        "Page",
        min_value=1,
        max_value=pages,
        step=1,
        key=key,
        persist_state="session",
    )
    forward.button(
        "Next",
        key=f"{prefix}_page_forward",
        icon=":material/chevron_right:",
        help="Next page",
        disabled=page >= pages,
        on_click=_turn,
        args=(key, 1, pages),
        use_container_width=True,
    )
    return table_pages.page_slice(page, total, size)
