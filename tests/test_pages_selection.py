"""AppTest: the visual filter (#13) on the demo athlete — chips, refining, clearing, the
empty state, downloads of exactly the selected rows, and a bookmark through the demo."""

from __future__ import annotations

import io
import json
from datetime import date
from urllib.parse import parse_qs

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from strava_dash.filters import FilterSpec, apply_filters
from strava_dash.selection import (
    MapSelection,
    ScatterSelection,
    Selection,
    VolumeSelection,
    WhenSelection,
    apply_selections,
)
from strava_dash.selection_codec import decode, encode
from strava_dash.ui.map_view import SHAPE_KEY
from tests.apptest_support import (
    Downloads,
    button,
    log_in,
    map_component_args,
    new_app,
    oauth_redirect,
    open_demo,
    read_csv,
    strava_env,
    wait_for_sync,
)
from tests.fake_strava import FakeStrava, make_activities

pytestmark = pytest.mark.usefixtures("no_strava_credentials")

SUMMER_RIDES = VolumeSelection("month", frozenset({(date(2024, m, 1), "Ride") for m in (6, 7, 8)}))
MORNINGS = WhenSelection(frozenset({(d, h) for d in range(7) for h in (6, 7, 8)}))
FAST = ScatterSelection("speed", "metric", (0.0, 1000.0), (28.0, 80.0))


def frame(at: AppTest) -> pd.DataFrame:
    return at.session_state["dash_session"].frame()


def shown_ids(at: AppTest) -> list[int]:
    return [int(i) for i in at.dataframe[0].value["Activity ID"]]


def expected_ids(at: AppTest, selections: list[Selection], spec: FilterSpec) -> set[int]:
    rows = apply_selections(apply_filters(frame(at), spec), selections)
    return set(rows["id"].tolist())


def chips(at: AppTest) -> list[str]:
    texts = [m.value.replace("\\", "") for m in at.markdown]
    return [t for t in texts if t.startswith("Selected on ")]


def with_selection(selections: list[Selection], page: str = "pages/activities.py") -> AppTest:
    at = open_demo()
    at.query_params["sel"] = encode(selections)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_a_selection_in_the_url_filters_the_table_and_shows_a_chip() -> None:
    at = with_selection([SUMMER_RIDES])
    expected = expected_ids(at, [SUMMER_RIDES], FilterSpec())
    assert 0 < len(expected) < len(frame(at))
    assert set(shown_ids(at)) == expected
    assert at.metric[0].value == f"{len(expected):,}"
    assert chips(at) == [f"Selected on Volume: Jun–Aug 2024, Ride · {len(expected):,} activities"]
    assert [b.label for b in at.button][:2] == ["✕", "Clear selection"]


def test_selections_and_sidebar_filters_refine_each_other() -> None:
    at = with_selection([SUMMER_RIDES, MORNINGS])
    both = expected_ids(at, [SUMMER_RIDES, MORNINGS], FilterSpec())
    assert both < expected_ids(at, [SUMMER_RIDES], FilterSpec())
    assert set(shown_ids(at)) == both
    assert len(chips(at)) == 2
    at.text_input(key="q").set_value("a").run()
    spec = FilterSpec(name_query="a")
    refined = expected_ids(at, [SUMMER_RIDES, MORNINGS], spec)
    assert set(shown_ids(at)) == refined
    assert refined <= both


def test_removing_one_chip_keeps_the_other_and_the_url_follows() -> None:
    at = with_selection([SUMMER_RIDES, MORNINGS])
    at.button(key="unselect_volume").click().run()
    assert not at.exception
    assert set(shown_ids(at)) == expected_ids(at, [MORNINGS], FilterSpec())
    assert len(chips(at)) == 1
    assert at.query_params["sel"] == encode([MORNINGS])


def test_clear_selection_restores_every_activity() -> None:
    at = with_selection([SUMMER_RIDES, MORNINGS])
    button(at, "Clear selection").click().run()
    assert not at.exception
    assert len(shown_ids(at)) == len(frame(at))
    assert chips(at) == []
    assert "sel" not in at.query_params


def test_a_selection_matching_nothing_says_so_and_offers_to_clear() -> None:
    runs_only = VolumeSelection("month", frozenset({(date(2024, 6, 1), "Run")}))
    at = with_selection([runs_only, FAST])  # runs are on the pace panel, not the speed one
    assert shown_ids(at) == []
    assert any("No activity is inside all of these selections" in i.value for i in at.info)
    at.button(key="clear_selection_empty").click().run()
    assert len(shown_ids(at)) == len(frame(at))


def test_downloads_hold_exactly_the_selected_rows(downloads: Downloads) -> None:
    at = with_selection([SUMMER_RIDES, FAST])
    expected = expected_ids(at, [SUMMER_RIDES, FAST], FilterSpec())
    assert expected
    csv = read_csv(downloads.bytes_of(".csv"))
    assert {int(i) for i in csv["Activity ID"]} == expected
    assert len(csv) == len(expected)
    book = openpyxl.load_workbook(io.BytesIO(downloads.bytes_of(".xlsx")))
    sheet = book["Activities"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {int(r[header.index("Activity ID")]) for r in rows} == expected
    assert len(rows) == len(expected)
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Visual filter: Volume"] == "Jun–Aug 2024, Ride"
    assert about["Visual filter: Distance against speed"].startswith("distance 0–1,000 km")
    raw = json.loads(downloads.bytes_of(".json"))
    assert {r["id"] for r in raw} == expected


@pytest.mark.parametrize(
    "page", ["pages/charts.py", "pages/map.py", "pages/activity.py", "pages/insights.py"]
)
def test_every_data_page_follows_the_selection(page: str) -> None:
    at = with_selection([SUMMER_RIDES], page)
    assert len(chips(at)) == 1
    if page == "pages/activity.py":
        options = at.selectbox(key="detail_activity").options
        assert len(options) == len(expected_ids(at, [SUMMER_RIDES], FilterSpec()))
        assert all(o.startswith(("2024-06", "2024-07", "2024-08")) for o in options)
        assert all(o.endswith(" · Ride") for o in options)


def test_every_chart_section_draws_under_a_selection() -> None:
    at = with_selection([SUMMER_RIDES, MORNINGS, FAST], "pages/charts.py")
    for section in ("volume", "years", "calendar", "when", "distribution", "records"):
        at.segmented_control(key="charts_section").set_value(section).run()
        assert not at.exception, (section, at.exception)
        assert len(chips(at)) == 3


def test_garbage_in_the_url_is_ignored_and_removed() -> None:
    at = open_demo()
    at.query_params["sel"] = "v,m,Ride:oops~c,0-999999999~<script>"
    at.switch_page("pages/activities.py").run()
    assert not at.exception
    assert len(shown_ids(at)) == len(frame(at))
    assert "sel" not in at.query_params


def test_a_bookmark_survives_the_demo_button() -> None:
    at = new_app()
    at.query_params["sel"] = encode([SUMMER_RIDES])
    at.query_params["sport"] = "Ride"
    at.switch_page("pages/charts.py").run()
    assert any("Home page" in i.value for i in at.info)
    # Following the link Home starts a new query string.
    at.query_params.clear()
    at.switch_page("pages/home.py").run()
    button(at, "Explore with demo data").click().run()
    assert not at.exception
    assert at.title[0].value == "Charts"
    assert at.query_params["sel"] == encode([SUMMER_RIDES])
    assert at.multiselect(key="sport").value == ["Ride"]
    assert len(chips(at)) == 1


def test_a_bookmark_survives_a_strava_login(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava
) -> None:
    fake_strava.add_athlete(
        firstname="Ada", lastname="Lovelace", activities=make_activities(60, athlete_id=0)
    )
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    at.query_params["sel"] = encode([MORNINGS])
    at.query_params["sport"] = "Ride"
    at.query_params["code"] = "not-kept"  # only the view's own parameters travel
    at.switch_page("pages/map.py").run()
    at.query_params.clear()
    at.switch_page("pages/home.py").run()
    log_in(at, oauth_redirect(fake_strava, at))
    wait_for_sync(at)
    link = next(e for e in at.get("page_link") if e.proto.label == "See your activities")
    assert "map" in link.proto.page
    assert parse_qs(link.proto.query_string) == {"sport": ["Ride"], "sel": [encode([MORNINGS])]}


def test_a_chart_is_drawn_without_its_own_selection() -> None:
    # The volume chart keeps every sport (so another bar can be picked), while the
    # table follows the selection: rides only.
    at = with_selection([SUMMER_RIDES], "pages/charts.py")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = {t["name"] for t in spec["data"] if t.get("type") == "bar"}
    assert "Ride" in bars
    assert len(bars) > 1
    at.switch_page("pages/activities.py").run()
    assert set(at.dataframe[0].value["Sport"]) == {"Ride"}


def test_no_comparison_with_a_previous_period_under_a_selection() -> None:
    # "The 90 days before" a set of picked days and cells would compare unlike things.
    at = with_selection([MORNINGS])
    at.selectbox(key="period").set_value("last_90").run()
    assert not at.metric[0].delta
    button(at, "Clear selection").click().run()
    assert at.metric[0].delta


# -- the map component (#13: box or lasso on the routes) ---------------------------------
# AppTest cannot run the component's JavaScript; a value put under its key is what the
# browser would send after a drawing (tests/browser/test_selection.py draws for real).

# East of Girona, away from the usual start: its bounding box holds more routes.
TRIANGLE = [[41.90, 2.90], [42.00, 2.92], [41.92, 3.02]]


def draw_on_map(at: AppTest, value: object) -> AppTest:
    at.session_state[SHAPE_KEY] = value
    at.run()
    assert not at.exception, at.exception
    return at


def map_selection(at: AppTest) -> MapSelection:
    found = [s for s in decode(at.query_params["sel"]) if isinstance(s, MapSelection)]
    assert len(found) == 1
    return found[0]


def test_a_lasso_drawn_on_the_map_filters_every_page_and_is_drawn_back() -> None:
    at = open_demo()
    at.switch_page("pages/map.py").run()
    assert map_component_args(at)["shape"] is None
    draw_on_map(at, {"kind": "lasso", "polygon": TRIANGLE, "nonce": "t-1"})
    chosen = map_selection(at)
    polygon = tuple((lat, lng) for lat, lng in TRIANGLE)
    assert chosen == MapSelection("routes", (41.9, 42.0), (2.9, 3.02), polygon)
    expected = expected_ids(at, [chosen], FilterSpec())
    assert 0 < len(expected) < len(frame(at))
    # The box around the triangle holds more: the polygon itself filters.
    box = MapSelection("routes", chosen.lat, chosen.lng)
    assert expected < expected_ids(at, [box], FilterSpec())
    assert chips(at) == [
        f"Selected on Map: {chosen.describe('metric')} · {len(expected):,} activities"
    ]
    assert "routes in a lasso around" in chips(at)[0]
    assert map_component_args(at)["shape"] == {"kind": "lasso", "polygon": TRIANGLE}
    at.switch_page("pages/activities.py").run()
    assert set(shown_ids(at)) == expected


def test_a_box_drawn_on_the_map_and_a_double_click_removing_it() -> None:
    at = open_demo()
    at.switch_page("pages/map.py").run()
    value = {"kind": "box", "lat": [42.05, 41.95], "lng": [2.78, 2.88], "nonce": "b-1"}
    draw_on_map(at, value)
    chosen = map_selection(at)
    assert chosen == MapSelection("routes", (41.95, 42.05), (2.78, 2.88))
    assert map_component_args(at)["shape"] == {
        "kind": "box",
        "lat": [41.95, 42.05],
        "lng": [2.78, 2.88],
    }
    expected = expected_ids(at, [chosen], FilterSpec())
    assert 0 < len(expected) < len(frame(at))
    assert len(chips(at)) == 1
    # The chip's ✕: the component still holds its last value, which must not come back.
    at.button(key="unselect_map").click().run()
    assert "sel" not in at.query_params
    at.run()
    assert "sel" not in at.query_params
    assert map_component_args(at)["shape"] is None
    # The same box drawn again is a new gesture (a new nonce).
    draw_on_map(at, value | {"nonce": "b-2"})
    assert map_selection(at) == chosen
    draw_on_map(at, {"kind": "clear", "nonce": "b-3"})
    assert "sel" not in at.query_params
    assert chips(at) == []


def test_a_double_click_on_the_map_keeps_the_other_charts_selections() -> None:
    at = with_selection([SUMMER_RIDES], "pages/map.py")
    draw_on_map(at, {"kind": "lasso", "polygon": TRIANGLE, "nonce": "c-1"})
    assert len(chips(at)) == 2
    draw_on_map(at, {"kind": "clear", "nonce": "c-2"})
    assert at.query_params["sel"] == encode([SUMMER_RIDES])
    assert len(chips(at)) == 1


@pytest.mark.parametrize(
    "garbage",
    [
        "lasso",
        {"kind": "lasso", "polygon": [[41.9, 2.7], [42.0, 2.8]], "nonce": "g-1"},
        {"kind": "box", "lat": [float("nan"), 42.0], "lng": [2.7, 2.8], "nonce": "g-2"},
        {"kind": "lasso", "polygon": [[141.9, 2.74], [142.06, 2.8], [141.94, 2.92]]},  # lng, lat
    ],
)
def test_garbage_from_the_map_component_selects_nothing(garbage: object) -> None:
    at = open_demo()
    at.switch_page("pages/map.py").run()
    draw_on_map(at, garbage)
    assert "sel" not in at.query_params
    assert chips(at) == []
