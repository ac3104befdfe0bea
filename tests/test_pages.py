"""AppTest: Home and Activities in demo mode; the Strava login against the fake server."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from strava_dash.filters import FilterSpec, apply_filters
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

pytestmark = pytest.mark.usefixtures("no_strava_credentials")


def shown(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def session_frame(at: AppTest) -> pd.DataFrame:
    return at.session_state["dash_session"].frame()


# ----- demo mode ---------------------------------------------------------------------------


def test_home_without_credentials_offers_only_the_demo() -> None:
    at = new_app()
    assert [b.label for b in at.button] == ["Explore with demo data"]
    assert any("not configured" in i.value for i in at.info)
    assert not list(at.get("component_instance"))


@pytest.mark.parametrize("page", ["pages/home.py", "pages/activities.py"])
def test_every_page_renders_in_demo_mode(page: str) -> None:
    at = open_demo()
    at.switch_page(page).run()
    assert not at.exception
    assert at.title


def test_activities_page_without_data_points_home() -> None:
    at = new_app()
    at.switch_page("pages/activities.py").run()
    assert not at.exception
    assert any("Home page" in i.value for i in at.info)


def test_demo_table_holds_every_activity_by_default() -> None:
    at = open_demo()
    frame = session_frame(at)
    assert len(frame) >= 1500
    assert len(shown(at)) == len(frame)
    assert at.metric[0].value == f"{len(frame):,}"
    assert any("Powered by Strava" in c.value for c in at.caption)


def test_sport_filter_rows_agree_with_the_core_filter() -> None:
    at = open_demo()
    at.multiselect(key="sport").set_value(["Run", "TrailRun"]).run()
    expected = apply_filters(
        session_frame(at), FilterSpec(sport_types=frozenset({"Run", "TrailRun"}))
    )
    assert len(shown(at)) == len(expected) > 0
    assert set(shown(at)["Sport"]) == {"Run", "TrailRun"}


def test_period_and_name_filters_agree_with_the_core_filter() -> None:
    at = open_demo()
    at.selectbox(key="period").set_value("last_90").run()
    at.text_input(key="q").set_value("ride").run()
    today = date.today()
    spec = FilterSpec(start=today - timedelta(days=89), end=today, name_query="ride")
    expected = apply_filters(session_frame(at), spec)
    assert len(shown(at)) == len(expected) > 0
    # With a date range the metrics compare against the previous 90 days.
    assert at.metric[0].delta


def test_filters_matching_nothing_are_friendly_and_downloads_stay_valid(
    downloads: Downloads,
) -> None:
    at = open_demo()
    at.text_input(key="q").set_value("no activity has this name").run()
    assert not at.exception
    assert any("No activities match" in i.value for i in at.info)
    assert len(shown(at)) == 0
    csv = read_csv(downloads.bytes_of(".csv"))
    assert len(csv) == 0
    assert "Activity ID" in csv.columns
    book = openpyxl.load_workbook(io.BytesIO(downloads.bytes_of(".xlsx")))
    assert book["Activities"].max_row == 1


def test_units_switch_changes_headers() -> None:
    at = open_demo()
    assert "Distance (km)" in shown(at).columns
    at.session_state["units"] = "imperial"
    at.run()
    assert "Distance (mi)" in shown(at).columns
    assert at.metric[1].label == "Distance (mi)"


def test_downloads_hold_exactly_the_rows_and_columns_shown(downloads: Downloads) -> None:
    at = open_demo()
    at.multiselect(key="sport").set_value(["GravelRide"]).run()
    table = shown(at)
    csv = read_csv(downloads.bytes_of(".csv"))
    assert list(csv.columns) == list(table.columns)
    assert csv["Activity ID"].tolist() == [str(i) for i in table["Activity ID"]]
    assert csv["Name"].tolist() == table["Name"].tolist()

    book = openpyxl.load_workbook(io.BytesIO(downloads.bytes_of(".xlsx")))
    assert book.sheetnames == ["Activities", "Summary", "About"]
    sheet = book["Activities"]
    header = [c.value for c in sheet[1]]
    assert header == list(table.columns)
    ids = [row[header.index("Activity ID")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == table["Activity ID"].tolist()
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Filter: Sports"] == "GravelRide"
    assert str(about["Rows"]) == str(len(table))

    import json

    raw = json.loads(downloads.bytes_of(".json"))
    assert [r["id"] for r in raw] == table["Activity ID"].tolist()
    records = at.session_state["dash_session"].records_by_id()
    assert raw[0] == records[raw[0]["id"]]  # exactly what Strava (here: the demo) sent
    assert downloads.name_of(".xlsx").startswith("strava-activities-jordi-vila-")


# ----- the Strava login against the fake server --------------------------------------------


@pytest.fixture
def athlete(fake_strava: FakeStrava):  # type: ignore[no-untyped-def]
    return fake_strava.add_athlete(
        firstname="Ada", lastname="Lovelace", activities=make_activities(450, athlete_id=0)
    )


def connect(monkeypatch: pytest.MonkeyPatch, server: FakeStrava, **kwargs: str) -> AppTest:
    strava_env(monkeypatch, server, **kwargs)
    at = new_app()
    assert at.get("component_instance"), "the Connect with Strava button is missing"
    return at


def test_login_syncs_every_activity_and_shows_the_athlete(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete, downloads: Downloads
) -> None:
    at = connect(monkeypatch, fake_strava)
    log_in(at, oauth_redirect(fake_strava, at))
    report = wait_for_sync(at)
    assert report.ok
    assert any("450 activities from Strava" in c.value for c in at.caption)
    at.switch_page("pages/activities.py").run()
    assert not at.exception
    table = shown(at)
    assert len(table) == 450
    assert set(table["Activity ID"]) == {a["id"] for a in athlete.activities}
    csv = read_csv(downloads.bytes_of(".csv"))
    assert len(csv) == 450
    assert downloads.name_of(".csv").startswith("strava-activities-ada-lovelace-")
    # Secrets never reach the page.
    token = at.session_state["dash_session"].tokens.token
    page_text = str([e.value for e in at.markdown] + [c.value for c in at.caption])
    assert token.access_token not in page_text


def test_denied_access_is_explained_with_a_way_back(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = connect(monkeypatch, fake_strava)
    log_in(at, oauth_redirect(fake_strava, at, mode="deny"))
    assert any("cancelled" in e.value for e in at.error)
    assert at.get("component_instance"), "Connect with Strava must be offered again"
    assert "dash_session" not in at.session_state


def test_fewer_scopes_than_asked_is_explained(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = connect(monkeypatch, fake_strava)
    fake_strava.grant_scopes = ("read",)
    log_in(at, oauth_redirect(fake_strava, at))
    assert any("View data about your activities" in e.value for e in at.error)
    assert "dash_session" not in at.session_state


def test_keeping_private_activities_private_logs_in_without_them(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = connect(monkeypatch, fake_strava)
    fake_strava.untick = frozenset({"activity:read_all"})  # the private-activities box
    log_in(at, oauth_redirect(fake_strava, at))
    assert "dash_session" in at.session_state, [e.value for e in at.error]
    assert any("private" in w.value and "left out" in w.value for w in at.warning)
    assert wait_for_sync(at).ok
    at.switch_page("pages/activities.py").run()
    assert not at.exception
    private = {a["id"] for a in athlete.activities if a["visibility"] == "only_me"}
    assert private
    assert set(shown(at)["Activity ID"]) == {a["id"] for a in athlete.activities} - private


def test_wrong_client_secret_is_explained(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = connect(monkeypatch, fake_strava, secret="wrong-secret-value-123")
    log_in(at, oauth_redirect(fake_strava, at))
    errors = " ".join(e.value for e in at.error)
    assert "STRAVA_CLIENT_SECRET" in errors
    assert "wrong-secret-value-123" not in errors


def test_a_forged_state_is_refused(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = connect(monkeypatch, fake_strava)
    redirect = oauth_redirect(fake_strava, at)
    log_in(at, {**redirect, "state": "someone-elses-state"})
    assert any("did not come from this page" in e.value for e in at.error)
    assert "dash_session" not in at.session_state


def test_a_redirect_without_state_is_refused(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = connect(monkeypatch, fake_strava)
    redirect = oauth_redirect(fake_strava, at)
    del redirect["state"]
    log_in(at, redirect)
    assert any("did not come from this page" in e.value for e in at.error)


def test_rate_limit_mid_sync_keeps_data_and_continue_completes(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.set_rate_limits(read=(2, 1000), overall=(200, 2000))
    at = connect(monkeypatch, fake_strava)
    log_in(at, oauth_redirect(fake_strava, at))
    report = wait_for_sync(at)
    assert report.error is not None
    warning = " ".join(w.value for w in at.warning)
    assert "request limit" in warning
    assert "400 activities are downloaded" in warning
    assert "UTC" in warning
    at.switch_page("pages/activities.py").run()
    assert len(shown(at)) == 400  # what came before the limit is shown
    fake_strava.set_rate_limits(read=(100, 1000), overall=(200, 2000))
    fake_strava.advance(15 * 60)
    button(at, "Continue download").click().run()
    report = wait_for_sync(at)
    assert report.ok
    ids = shown(at)["Activity ID"].tolist()
    assert len(ids) == len(set(ids)) == 450


def test_token_expiring_mid_sync_is_refreshed(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    at = connect(monkeypatch, fake_strava)
    log_in(at, oauth_redirect(fake_strava, at))
    wait_for_sync(at)
    session = at.session_state["dash_session"]
    first_token = session.tokens.token.access_token
    for i in range(300):
        athlete.activities.append({**athlete.activities[0], "id": 10**11 + i})
    # The next page is asked for with a token Strava considers expired.
    fake_strava.advance(6 * 3600 + 60)
    button(at, "Refresh").click().run()
    report = wait_for_sync(at)
    assert report.ok
    assert session.tokens.token.access_token != first_token
    assert len(session.store.records) == 750


def test_log_out_without_a_store_revokes_at_strava_and_clears_the_session(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    # Nothing is kept for a next visit, so nothing speaks for keeping the grant either.
    # (With a store, log-out keeps both: tests/test_pages_store.py.)
    monkeypatch.setenv("DASH_DATABASE_URL", "none")
    at = connect(monkeypatch, fake_strava)
    log_in(at, oauth_redirect(fake_strava, at))
    wait_for_sync(at)
    button(at, "Log out").click().run()
    assert not at.exception
    assert fake_strava.deauthorized == [athlete.id]
    assert "dash_session" not in at.session_state
    at.switch_page("pages/activities.py").run()
    assert any("Home page" in i.value for i in at.info)


def test_an_empty_account_is_friendly_everywhere(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, downloads: Downloads
) -> None:
    fake_strava.add_athlete(firstname="New", lastname="Rider", activities=[])
    at = connect(monkeypatch, fake_strava)
    log_in(at, oauth_redirect(fake_strava, at))
    assert wait_for_sync(at).ok
    for page in ("pages/activities.py", "pages/charts.py", "pages/map.py", "pages/activity.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert any("no activities yet" in i.value for i in at.info), page
    at.switch_page("pages/activities.py").run()
    csv = read_csv(downloads.bytes_of(".csv"))
    assert len(csv) == 0
    assert "Name" in csv.columns


def test_switching_pages_during_a_sync_neither_loses_nor_restarts_it(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.latency = 0.15  # a slow Strava, so the sync is still running below
    at = connect(monkeypatch, fake_strava)
    log_in(at, oauth_redirect(fake_strava, at))
    session = at.session_state["dash_session"]
    job = session.job
    assert job is not None
    assert job.running
    for page in ("pages/activities.py", "pages/charts.py", "pages/home.py", "pages/activities.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.session_state["dash_session"].job is job  # the same sync, not a new one
    assert wait_for_sync(at).ok
    pages = [r.query.get("page") for r in fake_strava.requests if r.path.endswith("/activities")]
    asked = [int(page[0]) for page in pages if page]
    # Each page asked for once (concurrent paging sends them in any order, and may ask for
    # at most 2 pages past the empty one that ends the list).
    assert len(asked) == len(set(asked))
    assert {1, 2, 3, 4} <= set(asked)
    assert len(asked) <= 4 + 2
    assert len(shown(at)) == 450


def test_a_malformed_client_id_is_one_message_not_also_not_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STRAVA_CLIENT_ID", "my-app")
    monkeypatch.setenv("STRAVA_CLIENT_SECRET", "0123456789abcdef")
    at = new_app()
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "STRAVA_CLIENT_ID" in errors[0]
    assert "0123456789abcdef" not in errors[0]
    infos = " ".join(i.value for i in at.info)
    assert "not configured" not in infos
    assert "until the configuration error above is fixed" in infos
    assert [b.label for b in at.button] == ["Explore with demo data"]
