"""AppTest: the Charts, Map and Activity detail pages (demo athlete and hand-made sessions)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from strava_dash import maps, route_tiles, tile_registry
from strava_dash.errors import RateLimitError, TransportError
from strava_dash.picker import LIMIT, newest_first
from strava_dash.sync import ActivityStore
from strava_dash.ui import tile_routes
from strava_dash.ui.detail_view import NO_STREAMS
from strava_dash.ui.map_view import WITHOUT_GPS_OPEN
from strava_dash.ui.state import AthleteSession
from strava_dash.ui.text import literal
from tests.apptest_support import (
    figure_specs,
    log_in,
    new_app,
    oauth_redirect,
    open_demo,
    strava_env,
    wait_for_sync,
)
from tests.fake_strava import FakeStrava, make_activities

PAGES = ("pages/charts.py", "pages/map.py", "pages/activity.py")
SECTIONS = ("volume", "years", "calendar", "when", "distribution", "records")

pytestmark = pytest.mark.usefixtures("no_strava_credentials")


def demo_on(page: str) -> AppTest:
    at = open_demo()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def specs(at: AppTest) -> list[dict[str, Any]]:
    return figure_specs(at)


def session_of(at: AppTest) -> AthleteSession:
    session = at.session_state["dash_session"]
    assert isinstance(session, AthleteSession)
    return session


def texts(elements: Sequence[Any]) -> list[str]:
    return [str(e.value) for e in elements]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_the_demo(page: str) -> None:
    at = demo_on(page)
    assert [t.value for t in at.title]
    assert specs(at), "no figure drawn"
    assert any("Powered by Strava" in c for c in texts(at.caption))
    assert not at.error


@pytest.mark.parametrize("page", PAGES)
def test_filters_matching_nothing_say_so(page: str) -> None:
    at = demo_on(page)
    at.text_input(key="q").set_value("no such activity zzz").run()
    assert not at.exception, at.exception
    assert any("No activities match" in i for i in texts(at.info))
    assert not specs(at)


def test_every_charts_section_renders() -> None:
    at = demo_on("pages/charts.py")
    for section in SECTIONS:
        at.segmented_control(key="charts_section").set_value(section).run()
        assert not at.exception, (section, at.exception)
        assert specs(at) or at.dataframe, section


def test_charts_follow_the_sport_filter() -> None:
    at = demo_on("pages/charts.py")
    at.multiselect(key="sport").set_value(["Run"]).run()
    assert not at.exception, at.exception
    bars = [t for t in specs(at)[0]["data"] if t["type"] == "bar"]
    assert bars
    assert {t["name"] for t in bars} == {"Run"}
    at.segmented_control(key="charts_section").set_value("distribution").run()
    for spec in specs(at):
        assert {t["name"] for t in spec["data"]} == {"Run"}


def test_charts_follow_the_units_switch() -> None:
    at = demo_on("pages/charts.py")
    assert specs(at)[0]["layout"]["yaxis"]["title"]["text"] == "Distance (km)"
    at.segmented_control(key="units").set_value("imperial").run()
    assert not at.exception, at.exception
    assert specs(at)[0]["layout"]["yaxis"]["title"]["text"] == "Distance (mi)"
    at.segmented_control(key="charts_section").set_value("distribution").run()
    histogram = specs(at)[1]
    assert histogram["layout"]["xaxis"]["title"]["text"] == "Distance (mi)"


def test_distribution_draws_its_webgl_points_once_at_css_pixels() -> None:
    """plotly.js draws WebGL at twice the screen's pixels unless told, and draws a figure
    again when it must grow its margins: both made the section take about a second at
    20,000 activities in software WebGL."""
    at = demo_on("pages/charts.py")
    at.segmented_control(key="charts_section").set_value("distribution").run()
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    for chart in charts:
        assert json.loads(chart.proto.config)["plotGlPixelRatio"] == 1
    scatter, histogram = (json.loads(chart.proto.spec) for chart in charts)
    assert {t["type"] for t in scatter["data"]} == {"scattergl"}
    assert scatter["layout"]["margin"] == {"l": 90, "r": 20, "t": 90, "b": 70}
    assert histogram["layout"]["margin"] == {"l": 90, "r": 20, "t": 50, "b": 70}


def test_records_section_links_to_strava_and_shows_eddington() -> None:
    at = demo_on("pages/charts.py")
    at.segmented_control(key="charts_section").set_value("records").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["Sport", "Record", "Value", "Date", "Activity", "Strava"]
    assert table["Strava"].str.startswith("https://www.strava.com/activities/").all()
    labels = [m.label for m in at.metric]
    assert "Eddington number (km)" in labels
    assert "Eddington number (mi)" in labels
    assert any(" more day" in c and "km needed" in c for c in texts(at.caption))


def test_map_lists_every_activity_without_gps() -> None:
    at = demo_on("pages/map.py")
    frame = session_of(at).frame()
    lacking = int((~frame["has_gps"].astype(bool)).sum())
    assert lacking > 0
    assert "Activities without GPS" in [e.label for e in at.expander]
    assert any(f"{lacking:,} have no GPS route" in c for c in texts(at.caption))
    at.session_state[WITHOUT_GPS_OPEN] = True  # the athlete opens it
    at.run()
    listed = next(df.value for df in at.dataframe if "Reason" in df.value.columns)
    assert len(listed) == lacking
    drawn = len(frame) - lacking
    assert any(f"Showing {drawn:,} of {len(frame):,}" in c for c in texts(at.caption))


def map_figure_sent(at: AppTest) -> tuple[dict[str, Any], dict[str, Any]]:
    """The map component's figure (JSON) and its other arguments."""
    (component,) = [
        e for e in at.get("component_instance") if e.proto.component_name.endswith(".route_map")
    ]
    (figure,) = [a.bytes for a in component.proto.special_args if a.key == "figure"]
    return json.loads(figure), json.loads(component.proto.json_args)


def test_map_start_density_and_kept_figure() -> None:
    at = demo_on("pages/map.py")
    routes, args = map_figure_sent(at)
    assert [t["type"] for t in routes["data"]][:1] == ["scattermap"]
    assert args["selectable"] is True
    at.segmented_control(key="map_mode").set_value("starts").run()
    assert not at.exception, at.exception
    # The same component (one iframe, one MapLibre map) draws the start density, with no
    # selection tools.
    starts, args = map_figure_sent(at)
    assert [t["type"] for t in starts["data"]] == ["densitymap"]
    assert args["selectable"] is False
    assert not at.get("plotly_chart"), "no st.plotly_chart on the Map page"
    at.segmented_control(key="map_mode").set_value("routes").run()
    at.run()
    assert len(at.session_state["map_figures"]) == 2  # both modes built once, then reused


def test_activity_detail_shows_demo_streams() -> None:
    at = demo_on("pages/activity.py")
    charts = specs(at)
    assert len(charts) == 2  # route, streams
    streams = charts[1]
    titles = {
        v.get("title", {}).get("text") for k, v in streams["layout"].items() if k[:5] == "xaxis"
    }
    assert "Distance (km)" in titles
    assert len(streams["data"]) >= 2
    assert session_of(at).streams  # kept in the session
    assert at.get("link_button")


def test_activity_detail_follows_the_table_selection_and_says_manual_has_no_streams() -> None:
    at = open_demo()
    frame = session_of(at).frame()
    manual = int(frame.loc[frame["manual"].astype(bool), "id"].iloc[0])
    at.session_state["selected_ids"] = [manual]
    at.switch_page("pages/activity.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="detail_activity").value == manual
    assert NO_STREAMS in texts(at.info)
    assert manual not in session_of(at).streams


class FailingClient:
    """Stands in for StravaClient: every streams request raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def streams(self, activity_id: int, keys: Sequence[str] = ()) -> dict[str, Any]:
        self.calls += 1
        raise self.error


def as_strava(at: AppTest, client: FailingClient) -> AthleteSession:
    demo = session_of(at)
    session = AthleteSession("strava", demo.athlete, demo.store, client=client)  # type: ignore[arg-type]
    at.session_state["dash_session"] = session
    return session


def test_rate_limited_streams_warn_with_the_reset_time() -> None:
    at = open_demo()
    retry_at = datetime(2099, 1, 1, 13, 45, tzinfo=UTC)
    client = FailingClient(RateLimitError(429, "Rate Limit Exceeded", retry_at=retry_at))
    session = as_strava(at, client)
    at.switch_page("pages/activity.py").run()
    assert not at.exception, at.exception
    warnings = texts(at.warning)
    assert any("13:45 UTC" in w and "summary" in w for w in warnings), warnings
    assert at.metric  # the summary still shows
    assert not session.streams
    at.run()
    assert client.calls == 1  # no new request before the limit resets


def test_unreachable_strava_is_an_error_message() -> None:
    at = open_demo()
    as_strava(at, FailingClient(TransportError(None, "connection refused")))
    at.switch_page("pages/activity.py").run()
    assert not at.exception, at.exception
    assert any("connection refused" in e for e in texts(at.error))


def detail_of_newest_renamed(name: str) -> AppTest:
    """The demo's Activity detail page after its newest activity was renamed ``name``."""
    at = open_demo()
    session = session_of(at)
    newest = int(session.frame()["id"].iloc[0])
    with session.store.lock:
        record = dict(session.store.records[newest], name=name)
    session.store.merge([record])
    at.switch_page("pages/activity.py").run()
    return at


def test_hostile_names_stay_text() -> None:
    name = '=1+1 <script>alert("x")</script> **bold** [link](https://e.vil) 🚴'
    at = detail_of_newest_renamed(name)
    assert not at.exception, at.exception
    assert name in at.selectbox(key="detail_activity").options[0]
    heading = at.subheader[0].value
    assert "<script>" not in heading
    assert "**bold**" not in heading


def test_strava_streams_are_fetched_once_then_kept(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava
) -> None:
    fake_strava.add_athlete(activities=make_activities(40, athlete_id=0))
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    log_in(at, oauth_redirect(fake_strava, at))
    assert wait_for_sync(at).ok
    session = session_of(at)
    frame = session.frame()
    recorded = frame[~frame["manual"].astype(bool) & frame["has_gps"].astype(bool)]
    chosen = int(recorded["id"].iloc[0])
    at.session_state["selected_ids"] = [chosen]
    fake_strava.clear_requests()
    at.switch_page("pages/activity.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="detail_activity").value == chosen
    assert len(specs(at)) == 2  # route, streams
    assert chosen in session.streams
    at.run()
    asked = [r.path for r in fake_strava.requests if r.path.endswith("/streams")]
    assert asked == [f"/api/v3/activities/{chosen}/streams"]


NAMED = "Ann :material/home: https://e.vil/x\nSmith"


def test_the_sidebar_shows_the_athletes_name_as_text() -> None:
    at = open_demo()
    session = session_of(at)
    session.athlete.update(firstname=NAMED, lastname="=cmd|' /C calc'!A0 :fire:")
    at.switch_page("pages/activities.py").run()
    assert not at.exception, at.exception
    card = next(m.value for m in at.sidebar.markdown if m.value.startswith("**"))
    name = card.removeprefix("**").partition("**")[0]
    assert name == literal(session.display_name)
    assert "\n" not in name
    assert ":material/" not in name
    assert ":fire:" not in name
    assert "https://" not in name


def test_the_activity_title_is_one_line_of_text() -> None:
    name = "Morning ride\nwith :material/star: friends, www.strava.com :smile:"
    at = detail_of_newest_renamed(name)
    assert not at.exception, at.exception
    heading = at.subheader[0].value
    assert heading == literal(name)
    assert "\n" not in heading
    assert ":material/" not in heading
    assert ":smile:" not in heading
    assert "www." not in heading


# ------------------------------------------------ the picker at 20,000 activities


def with_activities(at: AppTest, n: int) -> AthleteSession:
    """The demo session's athlete with ``n`` made-up activities (one a day, newest first)."""
    demo = session_of(at)
    store = ActivityStore(athlete_id=demo.store.athlete_id, complete=True)
    store.merge(make_activities(n, athlete_id=0, seed=9))
    session = AthleteSession("demo", demo.athlete, store, gear_names=demo.gear_names)
    at.session_state["dash_session"] = session
    return session


@pytest.fixture(scope="module")
def big() -> tuple[AppTest, AthleteSession]:
    at = open_demo()
    session = with_activities(at, 20_000)
    at.switch_page("pages/activity.py").run()
    assert not at.exception, at.exception
    return at, session


def test_the_picker_offers_a_bounded_number_of_activities(
    big: tuple[AppTest, AthleteSession],
) -> None:
    at, session = big
    box = at.selectbox(key="detail_activity")
    assert len(box.options) == LIMIT
    newest = newest_first(session.frame())
    assert box.value == int(newest["id"].iloc[0])
    assert any("200 of 20,000 activities" in c for c in texts(at.caption)), texts(at.caption)


def test_a_search_finds_the_oldest_activity_and_it_stays_selected(
    big: tuple[AppTest, AthleteSession],
) -> None:
    at, session = big
    oldest = int(newest_first(session.frame())["id"].iloc[-1])
    with session.store.lock:
        record = dict(session.store.records[oldest], name="Col du Galibier, the first time")
    session.store.merge([record])
    at.text_input(key="detail_search").input("galibier FIRST").run()
    assert not at.exception, at.exception
    box = at.selectbox(key="detail_activity")
    assert box.value == oldest
    assert len(box.options) == 1
    assert "Col du Galibier" in box.options[0]
    assert "1 matching activity." in texts(at.caption)
    assert at.subheader[0].value == literal("Col du Galibier, the first time")
    # Cleared search: every activity is offered again (the newest 200) and the old one,
    # still shown, stays selected; so it does after a visit to another page.
    at.text_input(key="detail_search").input("").run()
    box = at.selectbox(key="detail_activity")
    assert (box.value, len(box.options)) == (oldest, LIMIT + 1)
    at.switch_page("pages/charts.py").run()
    at.switch_page("pages/activity.py").run()
    assert at.selectbox(key="detail_activity").value == oldest


def test_a_picked_activity_survives_reruns_and_a_search_it_matches(
    big: tuple[AppTest, AthleteSession],
) -> None:
    at, _ = big
    at.text_input(key="detail_search").input("").run()
    box = at.selectbox(key="detail_activity")
    chosen = box.options[5]
    box.select(chosen).run()
    value = at.selectbox(key="detail_activity").value
    assert at.selectbox(key="detail_activity").format_func(value) == chosen
    at.run()
    assert at.selectbox(key="detail_activity").value == value
    day = chosen.split(" · ")[0]
    at.text_input(key="detail_search").input(day).run()
    assert at.selectbox(key="detail_activity").value == value
    # A search it does not match moves to the newest match instead.
    at.text_input(key="detail_search").input("no activity has this name").run()
    assert any("No activity matches" in c for c in texts(at.caption))
    assert at.selectbox(key="detail_activity").value == value  # nothing else to show


def test_a_table_selection_beyond_the_newest_200_comes_up(
    big: tuple[AppTest, AthleteSession],
) -> None:
    at, session = big
    at.text_input(key="detail_search").input("").run()
    old = int(newest_first(session.frame())["id"].iloc[5_000])
    at.session_state["selected_ids"] = [old]
    at.run()
    box = at.selectbox(key="detail_activity")
    assert box.value == old
    assert len(box.options) == LIMIT + 1


def test_a_table_selection_stays_shown_while_a_search_does_not_match_it(
    big: tuple[AppTest, AthleteSession],
) -> None:
    at, session = big
    at.text_input(key="detail_search").input("Walk").run()
    rides = newest_first(session.frame())
    ride = int(rides.loc[rides["sport_type"] == "Ride", "id"].iloc[300])
    at.session_state["selected_ids"] = [ride]
    at.run()
    assert at.selectbox(key="detail_activity").value == ride
    at.segmented_control(key="detail_x").set_value("time").run()  # any other rerun
    assert at.selectbox(key="detail_activity").value == ride
    at.text_input(key="detail_search").input("Walk 2025").run()  # a new search moves
    box = at.selectbox(key="detail_activity")
    assert box.value != ride
    assert "Walk" in box.format_func(box.value)


def test_a_map_over_the_point_budget_is_drawn_from_tiles_this_session_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(maps, "MAX_POINTS", 300)
    at = demo_on("pages/map.py")
    figure, _ = map_figure_sent(at)
    layout = figure["layout"]
    (layer,) = layout["map"]["layers"]
    (template,) = layer["source"]
    token = template.split("/")[2]
    assert template == tile_routes.tile_url(token)
    raster = tile_registry.find(token)
    assert raster is not None, "the session keeps the raster its tiles are drawn from"
    frame = session_of(at).frame()
    drawn = int(frame["has_gps"].astype(bool).sum())
    assert any("drawn as map tiles" in c and f"of {len(frame):,}" in c for c in texts(at.caption))
    assert layout["meta"]["tiles"] is True
    assert layout["meta"]["routes"] == drawn
    # The tile under the map's centre, served by the app's route, shows routes.
    centre = layout["map"]["center"]
    z = int(layout["map"]["zoom"]) + 1
    x, y = route_tiles.world_xy(np.array([centre["lat"]]), np.array([centre["lon"]]))
    client = TestClient(Starlette(routes=tile_routes.tile_routes()))
    answer = client.get("/" + template.format(z=z, x=int(x[0] * 2**z), y=int(y[0] * 2**z)))
    assert answer.status_code == 200
    assert answer.content != route_tiles.empty_png()
