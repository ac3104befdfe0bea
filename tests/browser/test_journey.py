"""The whole journey in Chromium: demo to a filtered Excel file, Strava login to a CSV."""

from __future__ import annotations

import openpyxl
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import AppServer, strava_env
from tests.browser.ui import (
    click,
    connect_with_strava,
    count_changes,
    count_shown,
    download,
    expect_figure,
    go_to,
    open_app,
    pick_period,
    pick_sport,
    read_csv,
    screenshot,
    wait_ready,
)
from tests.fake_strava import FakeStrava, make_activities


def test_demo_to_a_filtered_excel_file_in_three_clicks(
    context: BrowserContext, start_app, tmp_path
) -> None:
    app: AppServer = start_app()
    page = context.new_page()
    open_app(page, app.url)
    screenshot(page, "home")
    click(page, "Explore with demo data")  # 1: straight to the activities
    page.locator("h1", has_text="Activities").wait_for()
    everything = count_shown(page)
    assert everything >= 1500
    screenshot(page, "activities")
    pick_sport(page, "GravelRide")  # 2: a filter
    filtered = count_changes(page, everything)
    assert 0 < filtered < everything
    path = download(page, "Download Excel", tmp_path / "gravel.xlsx")  # 3: the file
    sheet = openpyxl.load_workbook(path)["Activities"]
    header = [c.value for c in sheet[1]]
    sports = {row[header.index("Sport")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert sheet.max_row - 1 == filtered
    assert sports == {"GravelRide"}
    go_to(page, "Charts")
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    screenshot(page, "charts")
    go_to(page, "Map")
    expect_figure(page)
    screenshot(page, "map")


def test_strava_login_to_every_activity_then_filtered_files_then_log_out(
    context: BrowserContext, start_app, module_fake_strava: FakeStrava, tmp_path
) -> None:
    athlete = module_fake_strava.add_athlete(
        firstname="Grace", lastname="Hopper", activities=make_activities(650, athlete_id=0, seed=5)
    )
    module_fake_strava.default_athlete_id = athlete.id
    app: AppServer = start_app(strava_env(module_fake_strava))
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page)
    expect(page.get_by_text("650 activities from Strava")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stSidebar").get_by_text("Grace Hopper")).to_be_visible()
    go_to(page, "Activities")
    assert count_shown(page) == 650
    csv = read_csv(download(page, "Download CSV", tmp_path / "all.csv"))
    assert len(csv) == 650
    assert set(csv["Activity ID"].astype(int)) == {a["id"] for a in athlete.activities}
    # A sport and a date range; both files hold exactly the rows the table counts.
    pick_sport(page, "Run")
    runs = count_changes(page, 650)
    pick_period(page, "Last 365 days")
    shown = count_changes(page, runs)
    assert 0 < shown < runs < 650
    csv = read_csv(download(page, "Download CSV", tmp_path / "runs.csv"))
    assert len(csv) == shown
    assert set(csv["Sport"]) == {"Run"}
    sheet = openpyxl.load_workbook(download(page, "Download Excel", tmp_path / "runs.xlsx"))
    assert sheet["Activities"].max_row - 1 == shown
    screenshot(page, "strava-activities")
    for title in ("Charts", "Map", "Activity detail"):
        go_to(page, title)
        expect_figure(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
    go_to(page, "Activities")
    click(page, "Log out")
    expect(page.get_by_text("Connect with Strava or open the demo")).to_be_visible()
    # The server stores activities, so the grant stays for the next visit (revoking it
    # would oblige the app to delete them): "Disconnect and delete my data" revokes.
    assert athlete.id not in module_fake_strava.deauthorized
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    # Back (to Home, then forward through history) shows nothing of the athlete who left.
    page.go_back()
    wait_ready(page)
    expect(page.get_by_text("Grace Hopper")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(
        page.get_by_role("button", name="Explore with demo data").or_(
            page.get_by_text("Connect with Strava or open the demo")
        )
    ).to_be_visible()
