"""The visual filter's Streamlit side: where selections live, chart events, the chips.

The list of selections lives in the URL (``?sel=``, :mod:`strava_dash.selection_codec`)
so a view can be bookmarked, and in session state so it survives page switches (a page
switch starts a new query string). A chart's widget key carries a generation number,
bumped when its chip is removed: the chart then comes back without the old box drawn,
and the same box can be drawn again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from strava_dash.selection import ChartName, Selection, replace_chart
from strava_dash.selection_codec import canonical, decode, encode
from strava_dash.selection_events import is_empty
from strava_dash.ui import state

SEL_PARAM = "sel"


def active_selections() -> list[Selection]:
    """The selections of this view: the URL's when it has one, else this session's."""
    raw = st.query_params.get(SEL_PARAM)
    if raw is not None:
        found = decode(raw)
        st.session_state[state.SELECTIONS] = found
        tidy = encode(found)
        if not tidy:
            del st.query_params[SEL_PARAM]  # garbage: leave no trace of it in the URL
        elif tidy != raw:
            st.query_params[SEL_PARAM] = tidy
        return found
    kept: list[Selection] = list(st.session_state.get(state.SELECTIONS, []))
    if kept:
        # Back from another page (whose query string started empty): write it again.
        st.query_params[SEL_PARAM] = encode(kept)
    return kept


def set_selections(selections: Sequence[Selection]) -> None:
    st.session_state[state.SELECTIONS] = list(selections)
    text = encode(selections)
    if text:
        st.query_params[SEL_PARAM] = text
    elif SEL_PARAM in st.query_params:
        del st.query_params[SEL_PARAM]


def chart_key(base: str) -> str:
    """The chart's widget key for its current generation (see the module docstring)."""
    generations: dict[str, int] = st.session_state.setdefault(state.CHART_GENERATIONS, {})
    return f"{base}_{generations.get(base, 0)}"


def _forget_chart(chart: ChartName) -> None:
    generations: dict[str, int] = st.session_state.setdefault(state.CHART_GENERATIONS, {})
    owners: dict[str, str] = st.session_state.setdefault(state.CHART_OWNERS, {})
    for base, owner in owners.items():
        if owner == chart:
            generations[base] = generations.get(base, 0) + 1


def remove_selection(chart: ChartName) -> None:
    set_selections([s for s in active_selections() if s.chart != chart])
    _forget_chart(chart)


def clear_selections() -> None:
    for selection in active_selections():
        _forget_chart(selection.chart)
    set_selections([])


def _event_selection(event: object) -> Mapping[str, Any]:
    picked = getattr(event, "selection", None)
    if picked is None and isinstance(event, Mapping):
        picked = event.get("selection")
    return picked if isinstance(picked, Mapping) else {}


def _first_time(key: str, picked: Mapping[str, Any]) -> bool:
    """True the first time this widget reports ``picked`` (it repeats it on every rerun)."""
    seen: dict[str, str] = st.session_state.setdefault(state.SEEN_EVENTS, {})
    fingerprint = json.dumps(picked, sort_keys=True, default=str)
    if seen.get(key) == fingerprint:
        return False
    seen[key] = fingerprint
    return True


def _apply(made: Selection | None) -> None:
    new = canonical(made) if made is not None else None
    if new is None:
        return
    current = active_selections()
    updated = replace_chart(current, new)
    if updated != current:
        set_selections(updated)
        st.rerun()


def take_event(
    chart: ChartName,
    base: str,
    event: object,
    convert: Callable[[Mapping[str, Any]], Selection | None],
) -> None:
    """Turn a new selection event of a chart into that chart's selection, then rerun.

    Only an event not seen before counts: the chart returns its last selection on every
    rerun. An empty event (a double click, or a chart drawn anew) never removes a chip;
    the chip's ✕ does.
    """
    owners: dict[str, str] = st.session_state.setdefault(state.CHART_OWNERS, {})
    owners[base] = chart
    picked = _event_selection(event)
    if is_empty(picked) or not _first_time(chart_key(base), picked):
        return
    _apply(convert(picked))


def take_shape(
    chart: ChartName,
    key: str,
    value: object,
    convert: Callable[[object], Selection | None],
    cleared: Callable[[object], bool],
) -> None:
    """A component's value (a shape it drew, or a clear) -> that chart's selection, then rerun.

    The component sends a value only when the athlete acts, each with a nonce, so a value
    not seen before is always a gesture: a clear (a double click on it) removes the
    chart's selection. Its key needs no generation (:func:`chart_key`): it draws the
    selection in force from its arguments, so a removed chip takes the shape with it.
    """
    if not isinstance(value, Mapping) or not _first_time(key, value):
        return
    if cleared(value):
        current = active_selections()
        kept = [s for s in current if s.chart != chart]
        if kept != current:
            set_selections(kept)
            st.rerun()
        return
    _apply(convert(value))
