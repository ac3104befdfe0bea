"""AppTest: the Activities page's Tracks (GPX) section — demo and the fake Strava.

Selection is driven through the table's own selection state (what a click on a row sets),
the ZIP's bytes through the ``downloads`` fixture; every GPX file is read back with gpxpy
and compared with the streams point for point.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
import requests
from streamlit.testing.v1 import AppTest

from strava_dash import demo
from strava_dash.budget import InProcessBudget
from strava_dash.client import StravaClient
from strava_dash.ui import tracks_view
from strava_dash.ui.state import AthleteSession
from tests.apptest_support import (
    Downloads,
    button,
    log_in,
    new_app,
    oauth_redirect,
    open_demo,
    read_csv,
    strava_env,
    wait_for_sync,
)
from tests.fake_strava import FakeStrava, make_activities
from tests.tracks_support import (
    assert_same_points,
    gpx_files,
    select,
    skipped_list,
    texts,
    zip_member,
)

pytestmark = pytest.mark.usefixtures("no_strava_credentials")


def session_of(at: AppTest) -> AthleteSession:
    session = at.session_state["dash_session"]
    assert isinstance(session, AthleteSession)
    return session


def ids_where(frame: pd.DataFrame, mask: pd.Series, n: int) -> list[int]:
    return [int(i) for i in frame.loc[mask.fillna(False).astype(bool), "id"].head(n)]


def kinds(frame: pd.DataFrame) -> dict[str, pd.Series]:
    manual = frame["manual"].fillna(False).astype(bool)
    gps = frame["has_gps"].fillna(False).astype(bool)
    trainer = frame["trainer"].fillna(False).astype(bool)
    return {"gps": gps & ~manual, "manual": manual, "indoor": trainer & ~gps & ~manual}


def tracks_button(at: AppTest) -> Any:
    return next(b for b in at.get("download_button") if b.label == "Download tracks (ZIP)")


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


# ----- demo --------------------------------------------------------------------------------


def test_demo_selected_tracks_download_as_gpx_point_for_point(downloads: Downloads) -> None:
    at = open_demo()
    session = session_of(at)
    frame = session.frame()
    kind = kinds(frame)
    gps = ids_where(frame, kind["gps"], 4)
    manual = ids_where(frame, kind["manual"], 1)
    indoor = ids_where(frame, kind["indoor"], 1)
    select(at, gps + manual + indoor)
    assert "Tracks of the 6 selected activities" in texts(at.caption)
    assert metric(at, "With GPS") == "4 of 6"
    assert metric(at, "Fetched") == "0"
    assert "no Strava requests" in texts(at.caption)
    assert tracks_button(at).proto.disabled  # nothing fetched yet

    button(at, "Fetch tracks").click().run()
    assert not at.exception, at.exception
    assert not tracks_button(at).proto.disabled
    assert set(session.streams) == set(gps)  # manual and indoor ones are never asked for
    assert metric(at, "Fetched") == "4"
    assert "All 4 tracks are fetched" in texts(at.success)
    skipped = skipped_list(at)
    assert skipped.label.startswith("Skipped: 2")
    listed = texts(skipped.markdown)
    assert "manual activity" in listed
    assert "indoor activity" in listed

    files = gpx_files(downloads.bytes_of(".zip"))
    assert set(files) == set(gps)
    records = session.records_by_id()
    for activity_id in gps:
        assert_same_points(
            files[activity_id], records[activity_id], demo.demo_streams(records[activity_id])
        )
    readme = zip_member(downloads.bytes_of(".zip"), "README.txt")[0][1].decode()
    assert "Skipped (2)" in readme
    assert downloads.name_of(".zip").startswith("strava-tracks-jordi-vila-")


def test_demo_csv_of_all_streams_is_optional(downloads: Downloads) -> None:
    at = open_demo()
    frame = session_of(at).frame()
    gps = ids_where(frame, kinds(frame)["gps"], 2)
    select(at, gps)
    button(at, "Fetch tracks").click().run()
    assert not zip_member(downloads.bytes_of(".zip"), ".csv")
    at.checkbox(key="tracks_include_csv").check().run()
    assert not at.exception, at.exception
    csvs = zip_member(downloads.bytes_of(".zip"), ".csv")
    assert len(csvs) == 2
    streams = session_of(at).streams
    for name, data in csvs:
        activity_id = int(name.removesuffix(".csv").rpartition("-")[2])
        table = read_csv(data)
        assert {"time", "lat", "lng", "heartrate"} <= set(table.columns)
        assert len(table) == len(streams[activity_id]["latlng"]["data"])


def test_without_selection_the_filtered_set_is_taken_up_to_the_stated_limit() -> None:
    at = open_demo()
    total = len(session_of(at).frame())
    caption = texts(at.caption)
    assert f"newest {tracks_view.MAX_TRACKS} of the {total:,} filtered activities" in caption
    assert f"at most {tracks_view.MAX_TRACKS} at a time" in caption
    at.text_input(key="q").set_value("no activity has this name").run()
    assert not at.exception, at.exception
    assert "No activities to export" in texts(at.caption)


def test_tracks_fetched_on_the_detail_page_are_not_fetched_again() -> None:
    at = open_demo()
    session = session_of(at)
    frame = session.frame()
    gps = ids_where(frame, kinds(frame)["gps"], 3)
    at.session_state["selected_ids"] = [gps[0]]
    at.switch_page("pages/activity.py").run()
    kept = session.streams[gps[0]]
    at.switch_page("pages/activities.py").run()
    select(at, gps)
    assert metric(at, "Fetched") == "1"
    button(at, "Fetch tracks").click().run()
    assert session.streams[gps[0]] is kept


# ----- the fake Strava: the rate limit in the middle ---------------------------------------


@pytest.fixture
def strava(monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava) -> AppTest:
    fake_strava.add_athlete(
        firstname="Ada", lastname="Lovelace", activities=make_activities(60, athlete_id=0)
    )
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    log_in(at, oauth_redirect(fake_strava, at))
    assert wait_for_sync(at).ok
    at.switch_page("pages/activities.py").run()
    assert not at.exception, at.exception
    return at


def streams_asked(server: FakeStrava) -> list[str]:
    return [r.path for r in server.requests if r.path.endswith("/streams")]


def after_the_reset(monkeypatch: pytest.MonkeyPatch, session: AthleteSession) -> None:
    """The app's clock (page and client) 15 minutes on, like ``fake_strava.advance(900)``."""

    def later() -> datetime:
        return datetime.now(UTC) + timedelta(seconds=900)

    monkeypatch.setattr(tracks_view, "_now", later)
    monkeypatch.setattr(session.client, "_now", later)


def test_rate_limit_mid_download_loses_nothing_and_continues_after_the_reset(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, strava: AppTest, downloads: Downloads
) -> None:
    at = strava
    session = session_of(at)
    frame = session.frame()
    gps = ids_where(frame, kinds(frame)["gps"], 15)
    manual = ids_where(frame, kinds(frame)["manual"], 1)
    assert len(gps) == 15
    select(at, gps + manual)
    fake_strava.reset_usage()
    fake_strava.set_rate_limits(read=(15, 1000), overall=(200, 2000))
    fake_strava.clear_requests()

    button(at, "Fetch tracks").click().run()
    assert not at.exception, at.exception
    # 15 requests allowed, 5 kept in reserve: 10 fetched, then a clean stop.
    warning = texts(at.warning)
    assert "10 of 15 tracks fetched" in warning
    assert "resets at" in warning
    assert "UTC" in warning
    assert "press Fetch tracks again then to continue" in warning
    assert len(session.streams) == 10
    assert metric(at, "Requests needed") == "5"
    first_pass = streams_asked(fake_strava)
    assert len(first_pass) == 10
    assert not [r for r in fake_strava.requests if r.status == 429]

    # What is fetched can be downloaded already; the rest is listed as not fetched.
    assert len(gpx_files(downloads.bytes_of(".zip"))) == 10

    button(at, "Fetch tracks").click().run()  # before the reset: no request is wasted
    assert streams_asked(fake_strava) == first_pass
    assert "10 of 15 tracks fetched" in texts(at.warning)

    fake_strava.advance(900)
    after_the_reset(monkeypatch, session)
    at.run()
    assert "limit has reset" in texts(at.info)
    button(at, "Fetch tracks").click().run()
    assert not at.exception, at.exception
    assert "All 15 tracks are fetched" in texts(at.success)
    asked = streams_asked(fake_strava)
    assert sorted(asked) == sorted(f"/api/v3/activities/{i}/streams" for i in gps)  # once each

    files = gpx_files(downloads.bytes_of(".zip"))
    assert set(files) == set(gps)
    records = session.records_by_id()
    points = sum(assert_same_points(files[i], records[i], session.streams[i]) for i in gps)
    assert points > 15 * 10
    assert "manual activity" in texts(skipped_list(at).markdown)


def test_a_429_mid_download_keeps_what_came_and_the_detail_page_waits_too(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, strava: AppTest
) -> None:
    at = strava
    session = session_of(at)
    frame = session.frame()
    gps = ids_where(frame, kinds(frame)["gps"], 4)
    select(at, gps)
    fake_strava.clear_requests()
    fake_strava.fail(status=429, path=f"/api/v3/activities/{gps[2]}/streams")

    button(at, "Fetch tracks").click().run()
    assert not at.exception, at.exception
    assert "2 of 4 tracks fetched" in texts(at.warning)
    assert set(session.streams) == set(gps[:2])
    assert "streams_rate_limit" in at.session_state  # the detail page will not ask either

    after_the_reset(monkeypatch, session)
    button(at, "Fetch tracks").click().run()
    assert set(session.streams) == set(gps)
    asked: dict[str, int] = {}
    for path in streams_asked(fake_strava):
        asked[path] = asked.get(path, 0) + 1
    assert asked == {f"/api/v3/activities/{i}/streams": 2 if i == gps[2] else 1 for i in gps}


def strava_answer(overall: str, read: str) -> requests.Response:
    """A response carrying Strava's usage headers ("<15-minute>,<daily>" used)."""
    response = requests.Response()
    response.status_code = 200
    response.headers.update(
        {
            "X-RateLimit-Limit": "200,2000",
            "X-RateLimit-Usage": overall,
            "X-ReadRateLimit-Limit": "100,1000",
            "X-ReadRateLimit-Usage": read,
        }
    )
    return response


def test_remaining_requests_is_the_shared_budgets_answer_for_the_whole_app() -> None:
    seen = datetime(2026, 5, 6, 10, 7, tzinfo=UTC)
    clock = [seen]
    budget = InProcessBudget()
    mine, theirs = (
        StravaClient("t", api_url="http://127.0.0.1:9", budget=budget, now=lambda: clock[0])
        for _ in range(2)
    )
    session = AthleteSession("strava", {}, None, client=mine)  # type: ignore[arg-type]
    assert tracks_view.remaining_requests(session) is None  # nothing known yet
    mine._note_limits(strava_answer("50,900", "60,960"))  # what every response does
    assert tracks_view.remaining_requests(session) == 40
    # Another athlete's sync spends the same app's requests: that counts here too,
    # although this session's own last answer still says 40.
    theirs._note_limits(strava_answer("80,930", "90,990"))
    assert tracks_view.remaining_requests(session) == 10
    # The next window (10:15) frees the 15-minute budget, not the daily one.
    clock[0] = seen + timedelta(minutes=9)
    assert tracks_view.remaining_requests(session) == 10
    clock[0] = seen + timedelta(hours=14)
    assert tracks_view.remaining_requests(session) == 100
    assert tracks_view.remaining_requests(AthleteSession("demo", {}, None)) is None  # type: ignore[arg-type]
