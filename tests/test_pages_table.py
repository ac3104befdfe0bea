"""AppTest: the Activities table a page at a time (5,000 activities), sorted on the server."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from strava_dash.filters import FilterSpec, apply_filters
from strava_dash.sync import ActivityStore
from strava_dash.table_pages import PAGE_SIZE
from strava_dash.ui import state
from strava_dash.ui.state import AthleteSession
from tests.apptest_support import Downloads, button, open_demo, read_csv
from tests.fake_strava import make_activities

pytestmark = pytest.mark.usefixtures("no_strava_credentials")

N = 5_000
ID = "Activity ID"
DISTANCE = "Distance (km)"


def with_activities(at: AppTest, n: int) -> AthleteSession:
    """The demo athlete with ``n`` made-up activities (one a day, newest first)."""
    demo: AthleteSession = at.session_state[state.SESSION]
    store = ActivityStore(athlete_id=demo.store.athlete_id, complete=True)
    store.merge(make_activities(n, athlete_id=0, seed=11))
    session = AthleteSession("demo", demo.athlete, store, gear_names=demo.gear_names)
    at.session_state[state.SESSION] = session
    return session


@pytest.fixture
def big() -> tuple[AppTest, pd.DataFrame]:
    at = open_demo()
    session = with_activities(at, N)
    at.switch_page("pages/activities.py").run()
    assert not at.exception, at.exception
    return at, session.frame()


def shown(at: AppTest) -> pd.DataFrame:
    assert len(at.dataframe) == 1
    return at.dataframe[0].value


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def page_number(at: AppTest) -> int:
    return int(at.number_input(key=state.TABLE_PAGE).value)


def run(at: AppTest) -> AppTest:
    """Check a run (``widget.set_value(v).run()`` or ``at.run()``) raised nothing."""
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    return run(button(at, label).click().run())


def select_rows(at: AppTest, rows: list[int]) -> AppTest:
    """Tick these rows of the page shown, as clicks in the grid would."""
    key = at.dataframe[0].key
    at.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return run(at.run())


def test_a_table_of_one_page_has_no_pager_and_no_sort_control() -> None:
    at = open_demo()
    run(at.switch_page("pages/activities.py").run())
    total = len(at.session_state[state.SESSION].frame())
    assert 0 < total <= PAGE_SIZE
    assert len(shown(at)) == total
    assert not at.number_input
    assert "Sort by" not in [s.label for s in at.selectbox]
    assert not any(c.startswith("Rows ") for c in captions(at))


def test_a_long_table_shows_its_first_page_newest_first(big: tuple[AppTest, Any]) -> None:
    at, frame = big
    table = shown(at)
    assert len(table) == PAGE_SIZE
    assert table[ID].tolist() == frame["id"].iloc[:PAGE_SIZE].tolist()
    assert page_number(at) == 1
    expected = (
        f"Rows 1–2,000 of {N:,} · sorted by Start (local), newest first"
        f" · downloads hold all {N:,} · page 1 of 3"
    )
    assert expected in captions(at)
    assert button(at, "Previous").disabled
    assert not button(at, "Next").disabled


def test_next_and_previous_turn_pages_in_order(big: tuple[AppTest, Any]) -> None:
    at, frame = big
    click(at, "Next")
    assert page_number(at) == 2
    assert shown(at)[ID].tolist() == frame["id"].iloc[PAGE_SIZE : 2 * PAGE_SIZE].tolist()
    click(at, "Next")
    assert page_number(at) == 3
    assert shown(at)[ID].tolist() == frame["id"].iloc[2 * PAGE_SIZE :].tolist()
    assert any(c.startswith(f"Rows 4,001–{N:,} of {N:,}") for c in captions(at))
    assert button(at, "Next").disabled
    click(at, "Previous")
    assert page_number(at) == 2
    run(at.number_input(key=state.TABLE_PAGE).set_value(1).run())
    assert shown(at)[ID].tolist() == frame["id"].iloc[:PAGE_SIZE].tolist()


def test_sorting_by_distance_sorts_every_row_not_only_the_page(
    big: tuple[AppTest, Any],
) -> None:
    at, frame = big
    click(at, "Next")
    run(at.selectbox(key=state.TABLE_SORT).set_value("distance").run())
    assert page_number(at) == 1  # a new order starts at the top
    first = shown(at)
    longest = frame["distance_km"].round(2).sort_values(ascending=False, kind="stable")
    assert first[DISTANCE].iloc[0] == longest.iloc[0]
    assert first[DISTANCE].tolist() == longest.iloc[:PAGE_SIZE].tolist()
    assert any("sorted by Distance (km), largest first" in c for c in captions(at))

    click(at, "Next")
    second = shown(at)[DISTANCE]
    assert second.max() <= first[DISTANCE].min()
    assert second.tolist() == longest.iloc[PAGE_SIZE : 2 * PAGE_SIZE].tolist()

    run(at.segmented_control(key=state.TABLE_SORT_DESC).set_value(False).run())
    assert page_number(at) == 1
    assert shown(at)[DISTANCE].iloc[0] == longest.min()
    assert any("sorted by Distance (km), smallest first" in c for c in captions(at))


def test_missing_heart_rates_come_last_in_both_directions(big: tuple[AppTest, Any]) -> None:
    at, frame = big
    run(at.selectbox(key=state.TABLE_SORT).set_value("avg_hr").run())
    missing = int(frame["average_heartrate"].isna().sum())
    assert 0 < missing < PAGE_SIZE
    for descending in (True, False):
        run(at.segmented_control(key=state.TABLE_SORT_DESC).set_value(descending).run())
        assert shown(at)["Avg HR (bpm)"].notna().all()
        run(at.number_input(key=state.TABLE_PAGE).set_value(3).run())
        last = shown(at)["Avg HR (bpm)"]
        assert last.iloc[-missing:].isna().all()
        assert last.iloc[:-missing].notna().all()


def test_a_filter_change_goes_back_to_page_1(big: tuple[AppTest, Any]) -> None:
    at, frame = big
    run(at.number_input(key=state.TABLE_PAGE).set_value(3).run())
    sports = ["Ride", "Run", "Walk", "GravelRide"]
    run(at.multiselect(key="sport").set_value(sports).run())
    expected = apply_filters(frame, FilterSpec(sport_types=frozenset(sports)))
    assert len(expected) > PAGE_SIZE
    assert page_number(at) == 1
    assert shown(at)[ID].tolist() == expected["id"].iloc[:PAGE_SIZE].tolist()


def test_a_filter_down_to_one_page_drops_the_pager(big: tuple[AppTest, Any]) -> None:
    at, frame = big
    run(at.number_input(key=state.TABLE_PAGE).set_value(3).run())
    run(at.multiselect(key="sport").set_value(["Swim"]).run())
    expected = apply_filters(frame, FilterSpec(sport_types=frozenset({"Swim"})))
    assert 0 < len(expected) <= PAGE_SIZE
    assert shown(at)[ID].tolist() == expected["id"].tolist()
    assert not at.number_input


def test_downloads_hold_every_filtered_row_in_the_chosen_order(
    big: tuple[AppTest, Any], downloads: Downloads
) -> None:
    at, frame = big
    run(at.selectbox(key=state.TABLE_SORT).set_value("distance").run())
    click(at, "Next")
    csv = read_csv(downloads.bytes_of(".csv"))
    assert len(csv) == N
    order = frame["distance_km"].round(2).sort_values(ascending=False, kind="stable").index
    assert csv[ID].astype(int).tolist() == frame["id"].loc[order].tolist()
    assert list(csv.columns) == list(shown(at).columns)


def test_a_selection_on_page_2_names_the_right_activities(big: tuple[AppTest, Any]) -> None:
    at, frame = big
    ids = frame["id"].tolist()
    click(at, "Next")
    select_rows(at, [0, 5])
    assert at.session_state[state.SELECTED_IDS] == [ids[PAGE_SIZE], ids[PAGE_SIZE + 5]]
    assert any(c.startswith("2 selected (2 on this page)") for c in captions(at))

    # Page 1: its grid starts with nothing ticked; ticking a row adds to the selection.
    click(at, "Previous")
    assert at.session_state[state.SELECTED_IDS] == [ids[PAGE_SIZE], ids[PAGE_SIZE + 5]]
    select_rows(at, [1])
    assert at.session_state[state.SELECTED_IDS] == [ids[PAGE_SIZE], ids[PAGE_SIZE + 5], ids[1]]
    assert any(c.startswith("3 selected (1 on this page)") for c in captions(at))
    assert any(c.startswith("Tracks of the 3 selected activities") for c in captions(at))

    # Back on page 2 the grid shows its rows still ticked; unticking one removes only it.
    click(at, "Next")
    assert at.session_state[state.SELECTED_IDS] == [ids[PAGE_SIZE], ids[PAGE_SIZE + 5], ids[1]]
    assert '"rows": [0, 5]' in at.dataframe[0].proto.selection_default
    select_rows(at, [5])
    assert at.session_state[state.SELECTED_IDS] == [ids[PAGE_SIZE + 5], ids[1]]

    click(at, "Untick all")
    assert at.session_state[state.SELECTED_IDS] == []
    assert not at.dataframe[0].proto.selection_default


def test_a_selection_follows_its_activities_through_a_new_order(
    big: tuple[AppTest, Any],
) -> None:
    at, frame = big
    select_rows(at, [3])
    picked = frame["id"].iloc[3]
    run(at.segmented_control(key=state.TABLE_SORT_DESC).set_value(False).run())  # oldest first
    assert at.session_state[state.SELECTED_IDS] == [picked]
    run(at.number_input(key=state.TABLE_PAGE).set_value(3).run())
    row = shown(at)[ID].tolist().index(picked)
    assert f'"rows": [{row}]' in at.dataframe[0].proto.selection_default


def test_the_map_lists_activities_without_gps_a_page_at_a_time(
    big: tuple[AppTest, Any],
) -> None:
    from strava_dash import maps
    from strava_dash.ui.map_view import WITHOUT_GPS_OPEN, WITHOUT_GPS_PAGE

    at, frame = big
    run(at.switch_page("pages/map.py").run())
    lacking = maps.without_gps(frame)
    assert len(lacking) > WITHOUT_GPS_PAGE
    assert "Activities without GPS" in [e.label for e in at.expander]
    assert any(f"{len(lacking):,} have no GPS route" in c for c in captions(at))
    # Closed, the list is not sent at all.
    assert not [df for df in at.dataframe if "Reason" in df.value.columns]
    at.session_state[WITHOUT_GPS_OPEN] = True
    run(at.run())

    def listed() -> pd.DataFrame:
        return next(df.value for df in at.dataframe if "Reason" in df.value.columns)

    assert listed()["Name"].tolist() == lacking["name"].iloc[:WITHOUT_GPS_PAGE].tolist()
    click(at, "Next")
    assert at.number_input(key="without_gps_page").value == 2
    page = lacking.iloc[WITHOUT_GPS_PAGE : 2 * WITHOUT_GPS_PAGE]
    assert listed()["Strava"].tolist() == page["strava_url"].tolist()
    stop = min(2 * WITHOUT_GPS_PAGE, len(lacking))
    assert any(
        c.startswith(f"Rows {WITHOUT_GPS_PAGE + 1:,}–{stop:,} of {len(lacking):,}")
        for c in captions(at)
    ), captions(at)
    run(at.multiselect(key="sport").set_value(["VirtualRide", "Swim", "WeightTraining"]).run())
    assert at.number_input(key="without_gps_page").value == 1


def test_a_selection_follows_activities_not_row_positions_through_a_filter() -> None:
    """A keyed grid keeps ticked positions when its rows change (streamlit#17026): after a
    filter the same position would name another activity. The selection keeps ids."""
    at = open_demo()
    run(at.switch_page("pages/activities.py").run())
    table = shown(at)
    swims = table.index[table["Sport"] == "Swim"].tolist()
    other = int(table.index[table["Sport"] != "Swim"][0])
    select_rows(at, [other, swims[2]])
    picked = [int(table[ID].iloc[other]), int(table[ID].iloc[swims[2]])]
    assert at.session_state[state.SELECTED_IDS] == sorted(picked, key=table[ID].tolist().index)
    run(at.multiselect(key="sport").set_value(["Swim"]).run())
    assert at.session_state[state.SELECTED_IDS] == [picked[1]]  # the hidden one left
    assert '"rows": [2]' in at.dataframe[0].proto.selection_default
    assert any(c == "1 selected (kept while you browse)." for c in captions(at))


def test_hiding_the_sort_column_goes_back_to_newest_first(big: tuple[AppTest, Any]) -> None:
    at, frame = big
    run(at.selectbox(key=state.TABLE_SORT).set_value("distance").run())
    run(at.multiselect(key=state.TABLE_COLUMNS).set_value(["name", "sport", "id"]).run())
    assert at.selectbox(key=state.TABLE_SORT).value == "start"  # offered though not shown
    assert list(shown(at).columns) == ["Name", "Sport", ID]
    assert shown(at)[ID].tolist() == frame["id"].iloc[:PAGE_SIZE].tolist()
    run(at.segmented_control(key=state.TABLE_SORT_DESC).set_value(False).run())
    oldest = frame.sort_values("start_date_local", kind="stable")["id"]
    assert shown(at)[ID].iloc[0] == oldest.iloc[0]
