"""Keeps the route map's iframe, and so its MapLibre map, alive while the athlete is on
other pages: coming back to the Map is then a redraw at most, not a new map.

Why: a Map visit used to make a new component iframe each time, so plotly.js was
compiled again and MapLibre made a new map, WebGL context and worker: about 0.9 s of
the visit (1.1–1.3 s at 20,000 routes) before anything changed on it.

How: Streamlit drops a page's elements when the page changes but keeps those the entry
script (app.py) draws itself, and it keeps a component's iframe while an element with
the same key stays at the same place. So app.py runs each page inside the first of
three containers (:func:`hosting`); the Map page only says what to draw
(:func:`show_map`), and app.py draws the component into the second container after the
page has run. On other pages it draws the same component with ``hidden`` (the iframe
keeps what it drew and does nothing), and a style rule keeps that container folded
while the Map page's mode control is absent, from the very moment the page changes,
without resizing the iframe (a resize would redraw the map). What the Map page draws
below the map goes into the third container (:func:`below_map`).

A page run on its own (no app.py around it) draws the map in place, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from strava_dash.ui import map_component, state

#: The map component's widget key: one key on every page, so one iframe.
MAP_KEY: Final = "route_map_shape"
#: The container holding the map component, and the Map page's mode control, whose
#: presence on the page unfolds it (both are CSS classes Streamlit gives keyed elements).
SLOT_KEY: Final = "route_map_slot"
MAP_PAGE_MARK: Final = "map_mode"
#: Which athlete's map the kept iframe holds: another athlete's never stays behind.
MAP_SHOWN_FOR: Final = "map_shown_for"

# Folded, not hidden: the iframe keeps its size, so MapLibre sees no resize (a resize
# redraws the whole map) while the athlete is elsewhere. The negative margin takes back
# the gap the folded slot would leave under a page.
_STYLE: Final = f"""<style>
.st-key-{SLOT_KEY} {{ max-height: 0; overflow: hidden; visibility: hidden; margin-top: -1rem; }}
[data-testid="stMain"]:has(.st-key-{MAP_PAGE_MARK}) .st-key-{SLOT_KEY} {{
  max-height: none; overflow: visible; visibility: visible; margin-top: 0;
}}
</style>"""


@dataclass(frozen=True)
class MapRequest:
    """What the Map page asked to draw this run (see :func:`map_component.route_map`)."""

    payload: tuple[bytes, str, str]
    height: int
    shape: dict[str, Any] | None
    selectable: bool


@dataclass
class _Host:
    slot: DeltaGenerator
    below: DeltaGenerator
    request: MapRequest | None = None


_HOST: ContextVar[_Host | None] = ContextVar("map_host", default=None)


@contextmanager
def hosting(*, map_page: bool) -> Iterator[None]:
    """Run a page inside this (app.py); the route map lives in a slot after it.

    ``map_page``: the page about to run is the Map.
    """
    st.html(_STYLE)
    above = st.container()
    host = _Host(slot=st.container(key=SLOT_KEY), below=st.container())
    if not map_page:
        # Before the page runs: whatever that page does, the map stops drawing now.
        _keep_hidden(host.slot)
    token = _HOST.set(host)
    try:
        with above:
            yield
    finally:
        _HOST.reset(token)
    # Reached only when the page ran to its end (st.stop and st.rerun skip this).
    if host.request is not None:
        _draw(host.slot, host.request)
    elif map_page:
        _keep_hidden(host.slot)


def show_map(request: MapRequest) -> None:
    """The Map page's map: drawn after the page by app.py, or here by a page on its own."""
    host = _HOST.get()
    if host is None:
        _draw(st.container(), request)
        return
    host.request = request


def below_map() -> AbstractContextManager[Any]:
    """Where the Map page draws what comes after the map."""
    host = _HOST.get()
    return nullcontext() if host is None else host.below


def _draw(slot: DeltaGenerator, request: MapRequest) -> None:
    st.session_state[MAP_SHOWN_FOR] = state.athlete_key()
    with slot:
        map_component.route_map(
            request.payload,
            key=MAP_KEY,
            height=request.height,
            shape=request.shape,
            selectable=request.selectable,
        )


def _keep_hidden(slot: DeltaGenerator) -> None:
    """The same component, told to keep still: its iframe stays, with the map in it.

    Only for the athlete whose map it holds; otherwise nothing is drawn, and Streamlit
    removes the iframe at the end of the run.
    """
    shown_for = st.session_state.get(MAP_SHOWN_FOR)
    if shown_for is None or shown_for != state.athlete_key():
        return
    with slot:
        map_component.hidden_map(key=MAP_KEY)
