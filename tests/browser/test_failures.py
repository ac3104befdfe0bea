"""The failure matrix where it is visible: in the browser, against the fake Strava."""

from __future__ import annotations

import json

import openpyxl
import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, expect

from tests.browser.conftest import AppServer, strava_env
from tests.browser.ui import (
    click,
    connect_with_strava,
    count_shown,
    download,
    go_to,
    open_app,
    read_csv,
    wait_ready,
)
from tests.conftest import FAKE_CLIENT_SECRET
from tests.fake_strava import FakeAthlete, FakeStrava, make_activities


@pytest.fixture(scope="module")
def app(module_fake_strava: FakeStrava, start_app) -> AppServer:  # type: ignore[no-untyped-def]
    return start_app(strava_env(module_fake_strava))


@pytest.fixture(scope="module")
def ada(module_fake_strava: FakeStrava) -> FakeAthlete:
    return module_fake_strava.add_athlete(
        firstname="Ada", lastname="Lovelace", activities=make_activities(650, athlete_id=0, seed=1)
    )


@pytest.fixture(scope="module")
def bob(module_fake_strava: FakeStrava) -> FakeAthlete:
    return module_fake_strava.add_athlete(
        firstname="Bob", lastname="Builder", activities=make_activities(120, athlete_id=0, seed=2)
    )


@pytest.fixture(autouse=True)
def fresh_limits(module_fake_strava: FakeStrava) -> None:
    module_fake_strava.set_rate_limits(read=(100, 1000), overall=(200, 2000))
    module_fake_strava.reset_usage()
    module_fake_strava.clear_failures()


def no_dialogs(page: Page) -> list[str]:
    """Collects any alert a hostile activity name might manage to raise."""
    raised: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        raised.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return raised


def logged_in(context: BrowserContext, app: AppServer, athlete: FakeAthlete) -> Page:
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page, athlete_id=athlete.id)
    expect(page.get_by_text(f"{len(athlete.activities):,} activities from Strava")).to_be_visible(
        timeout=60_000
    )
    return page


def test_denied_consent_says_so_and_offers_connect_again(
    context: BrowserContext, app: AppServer, ada: FakeAthlete
) -> None:
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page, approve=False)
    expect(page.get_by_text("You cancelled on Strava's page")).to_be_visible()
    frame = page.frame_locator('iframe[title="streamlit_oauth.authorize_button"]')
    expect(frame.get_by_role("button", name="Connect with Strava")).to_be_visible()


def test_fewer_scopes_than_asked_says_what_to_tick(
    context: BrowserContext, app: AppServer, ada: FakeAthlete
) -> None:
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page, untick=("activity:read", "activity:read_all"))
    expect(page.get_by_text("View data about your activities")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Ada Lovelace")).to_have_count(0)


def test_wrong_client_secret_is_explained_without_leaking(
    context: BrowserContext, start_app, module_fake_strava: FakeStrava, ada: FakeAthlete
) -> None:
    wrong = "wrong-secret-0000000000000000000000000"
    bad_app: AppServer = start_app(strava_env(module_fake_strava, secret=wrong))
    page = context.new_page()
    open_app(page, bad_app.url)
    connect_with_strava(page, athlete_id=ada.id)
    expect(page.get_by_text("STRAVA_CLIENT_SECRET")).to_be_visible()
    assert wrong not in page.content()
    assert wrong not in bad_app.log()


def test_rate_limit_mid_sync_keeps_pages_and_continue_completes(
    context: BrowserContext,
    app: AppServer,
    module_fake_strava: FakeStrava,
    ada: FakeAthlete,
    tmp_path,
) -> None:
    module_fake_strava.set_rate_limits(read=(2, 1000), overall=(200, 2000))
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page, athlete_id=ada.id)
    warning = page.get_by_test_id("stAlert").filter(has_text="request limit for this app")
    expect(warning).to_be_visible(timeout=60_000)
    text = warning.inner_text()
    assert "400 activities are downloaded" in text, text
    assert "UTC" in text
    go_to(page, "Activities")
    assert count_shown(page) == 400  # what came before the limit is shown
    module_fake_strava.set_rate_limits(read=(100, 1000), overall=(200, 2000))
    module_fake_strava.advance(15 * 60)
    click(page, "Continue download")
    expect(page.get_by_text("650 activities from Strava")).to_be_visible(timeout=60_000)
    csv = read_csv(download(page, "Download CSV", tmp_path / "all.csv"))
    ids = csv["Activity ID"].tolist()
    assert len(ids) == len(set(ids)) == 650


def test_hostile_names_pass_through_table_csv_and_excel_unchanged_and_inert(
    context: BrowserContext, app: AppServer, ada: FakeAthlete, tmp_path
) -> None:
    page = logged_in(context, app, ada)
    dialogs = no_dialogs(page)
    go_to(page, "Activities")
    wait_ready(page)
    names = {a["id"]: a["name"] for a in ada.activities}
    csv = read_csv(download(page, "Download CSV", tmp_path / "a.csv"))
    assert {int(i): n for i, n in zip(csv["Activity ID"], csv["Name"], strict=True)} == names
    book = openpyxl.load_workbook(download(page, "Download Excel", tmp_path / "a.xlsx"))
    sheet = book["Activities"]
    header = [c.value for c in sheet[1]]
    id_col, name_col = header.index("Activity ID"), header.index("Name")
    cells = {row[id_col].value: row[name_col] for row in sheet.iter_rows(min_row=2)}
    assert {i: c.value for i, c in cells.items()} == names
    formula_like = [c for c in cells.values() if str(c.value).startswith("=")]
    assert formula_like
    assert all(c.data_type == "s" for c in formula_like)  # text, never a formula
    raw = json.loads(download(page, "Download raw JSON", tmp_path / "a.json").read_bytes())
    assert {r["id"]: r for r in raw} == {a["id"]: a for a in ada.activities}
    go_to(page, "Activity detail")
    assert dialogs == []  # "<script>alert('x')</script>" stayed text everywhere


def test_two_athletes_at_once_never_see_each_other(
    browser, app: AppServer, ada: FakeAthlete, bob: FakeAthlete, tmp_path
) -> None:
    ctx_a = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    ctx_b = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page_a = logged_in(ctx_a, app, ada)
        page_b = logged_in(ctx_b, app, bob)
        for page, me, other in ((page_a, ada, bob), (page_b, bob, ada)):
            go_to(page, "Activities")
            assert count_shown(page) == len(me.activities)
            csv = read_csv(download(page, "Download CSV", tmp_path / f"{me.id}.csv"))
            assert set(csv["Activity ID"].astype(int)) == {a["id"] for a in me.activities}
            html = page.content()
            assert other.firstname not in html
            assert f"{other.firstname} {other.lastname}" not in html
            page.reload()
            wait_ready(page)
            assert other.firstname not in page.content()
    finally:
        ctx_a.close()
        ctx_b.close()


def test_secrets_and_tokens_never_reach_page_url_or_log(
    context: BrowserContext,
    app: AppServer,
    module_fake_strava: FakeStrava,
    bob: FakeAthlete,
    tmp_path,
) -> None:
    page = logged_in(context, app, bob)
    go_to(page, "Activities")
    download(page, "Download CSV", tmp_path / "b.csv")
    tokens = {
        r.headers["Authorization"].removeprefix("Bearer ")
        for r in module_fake_strava.requests
        if r.headers.get("Authorization", "").startswith("Bearer ")
    }
    assert tokens
    secrets = {*tokens, FAKE_CLIENT_SECRET}
    for title in ("Home", "Activities", "Charts"):
        go_to(page, title)
        html, url = page.content(), page.url
        assert not [s for s in secrets if s in html or s in url]
    log = app.log()
    assert not [s for s in secrets if s in log]


# Last in the module: its download spends requests that tests above count on.
def test_keeping_private_activities_private_still_logs_in(
    context: BrowserContext, app: AppServer, ada: FakeAthlete
) -> None:
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page, athlete_id=ada.id, untick=("activity:read_all",))
    expect(page.get_by_text("activities are left out", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Ada Lovelace")).to_be_visible()
    shared = sum(1 for a in ada.activities if a["visibility"] != "only_me")
    expect(page.get_by_text(f"{shared:,} activities from Strava")).to_be_visible(timeout=60_000)
