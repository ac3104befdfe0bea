"""The route map's iframe outlives the Map page (strava_dash/ui/map_host.py): app.py draws
the component after the page, folded on other pages, and only for the athlete whose map
it holds. The browser side (same iframe, no room taken) is in
tests/browser/test_map_tiles.py."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from strava_dash.ui import map_host
from strava_dash.ui.map_view import WITHOUT_GPS_TITLE
from tests.apptest_support import open_demo


def route_maps(at: AppTest) -> list[Any]:
    return [
        e for e in at.get("component_instance") if e.proto.component_name.endswith(".route_map")
    ]


def drawn_args(at: AppTest) -> tuple[dict[str, Any], set[str]]:
    """The one route map's JSON arguments and the names of its binary ones."""
    found = route_maps(at)
    assert len(found) == 1, f"{len(found)} route maps drawn"
    proto = found[0].proto
    return json.loads(proto.json_args), {a.key for a in proto.special_args}


def kinds(block: Any) -> list[str]:
    return [n.type for n in block.children.values()]


def on(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_map_page_draws_the_map_between_its_caption_and_what_comes_below() -> None:
    at = on(open_demo(), "pages/map.py")
    order: list[str] = []
    for node in at.main:
        if node.type == "component_instance":
            order.append("map")
        elif node.type == "expander" and WITHOUT_GPS_TITLE in node.label:
            order.append("without GPS")
        elif node.type == "caption" and "Powered by Strava" in node.value:
            order.append("attribution")
        elif node.type == "caption" and node.value.startswith("Showing "):
            order.append("caption")
    assert order == ["caption", "map", "without GPS", "attribution"]


# AppTest runs a page's file on its own when it switches pages, not through app.py: the
# host is tested with a script that does what app.py does around a page.
def host_script() -> None:
    import streamlit as st

    from strava_dash.ui import login, map_host, state

    page = st.session_state.get("page", "map")
    if st.session_state.pop("log_in", False):
        login.start_demo()
    if st.session_state.pop("log_out", False):
        state.clear()
    with map_host.hosting(map_page=page.startswith("map")):
        st.title(page)
        if page == "map":
            st.segmented_control("Show", ["routes"], key=map_host.MAP_PAGE_MARK)
            request = map_host.MapRequest(
                payload=(b'{"data": [], "layout": {}}', "r1", "{}"),
                height=650,
                shape=None,
                selectable=True,
            )
            map_host.show_map(request)
            with map_host.below_map():
                st.caption("below the map")
        else:
            st.caption("no map here")


def hosted(page: str, *, at: AppTest | None = None, **flags: bool) -> AppTest:
    if at is None:
        at = AppTest.from_function(host_script)
        at.session_state["log_in"] = True
    at.session_state["page"] = page
    for name, value in flags.items():
        at.session_state[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_map_is_drawn_before_the_map_page_is_visited() -> None:
    assert route_maps(hosted("charts")) == []


def test_the_map_is_drawn_after_the_page_with_what_comes_below_it_after_it() -> None:
    at = hosted("map")
    above, slot, below = (at.main.children[i] for i in range(3))
    assert kinds(above) == ["title", "button_group"]
    assert kinds(slot) == ["component_instance"]
    assert [n.value for n in below.children.values()] == ["below the map"]
    args, binary = drawn_args(at)
    assert binary == {"figure"}
    assert args["revision"] == "r1"
    assert "hidden" not in args


def test_the_map_stays_folded_on_other_pages_with_nothing_sent_again() -> None:
    at = hosted("map")
    for page in ("activities", "insights", "map but nothing to draw", "home"):
        hosted(page, at=at)
        # The same key keeps the same iframe; it is sent no figure, only "keep still".
        args, binary = drawn_args(at)
        assert args["hidden"] is True
        assert args["key"] == map_host.MAP_KEY
        assert "figure" not in binary
        assert "revision" not in args
        assert kinds(at.main.children[1]) == ["component_instance"]
    args, binary = drawn_args(hosted("map", at=at))
    assert binary == {"figure"}
    assert "hidden" not in args


def test_logging_out_takes_the_map_away() -> None:
    at = hosted("map")
    hosted("activities", at=at, log_out=True)
    assert route_maps(at) == []
    hosted("map", at=at)  # a page with a map, but nobody logged in to own it: drawn anew
    assert route_maps(at)


def test_a_map_drawn_for_another_athlete_is_not_kept() -> None:
    at = hosted("map")
    # As if this browser session had shown another athlete's map before this one logged in.
    at.session_state[map_host.MAP_SHOWN_FOR] = "strava:999"
    assert route_maps(hosted("activities", at=at)) == []


def test_the_folding_rule_keys_on_a_control_the_map_page_draws() -> None:
    # The style unfolds the slot while an element with this key is on the page: a renamed
    # key would leave the map folded on its own page.
    at = on(open_demo(), "pages/map.py")
    assert at.main.segmented_control(key=map_host.MAP_PAGE_MARK).value == "routes"
    assert f".st-key-{map_host.MAP_PAGE_MARK}" in map_host._STYLE
    assert f".st-key-{map_host.SLOT_KEY}" in map_host._STYLE
