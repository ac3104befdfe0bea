"""Insights in Chromium on the demo athlete: an FTP and a goal set by hand, and the
numbers shown checked against the test's own computation from the demo's records."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from strava_dash import demo
from strava_dash.activities import SPORT_GROUPS
from tests.browser.conftest import AppServer
from tests.browser.ui import click, go_to, metric, open_app, screenshot, wait_ready

FTP = 200
REST_HR = 60.0  # the page's stated default: Strava has no resting heart rate
# Load per hour when neither power nor heart rate is known, as the page states them.
PER_HOUR = {
    "Ride": 50.0,
    "Run": 60.0,
    "Walk": 25.0,
    "Swim": 55.0,
    "Water": 45.0,
    "Winter": 50.0,
    "Fitness": 40.0,
    "Other": 40.0,
}


def shown_number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.replace("−", "-")))


def expected_ctl(records: list[dict], today: date) -> float:
    """CTL today from the records, written out here without the app's code."""
    max_hr = max(float(r["max_heartrate"]) for r in records if r.get("max_heartrate"))
    per_day: dict[date, float] = {}
    for r in records:
        seconds = float(r.get("moving_time") or 0) or float(r.get("elapsed_time") or 0)
        watts, heart = r.get("weighted_average_watts"), r.get("average_heartrate")
        if watts:
            load = seconds * watts * (watts / FTP) / (FTP * 3600) * 100
        elif heart:
            reserve = min(max((heart - REST_HR) / (max_hr - REST_HR), 0.0), 1.0)
            load = seconds / 60 * reserve * 0.64 * math.exp(1.92 * reserve)  # a man
        else:
            group = SPORT_GROUPS.get(r["sport_type"], "Other")
            load = seconds / 3600 * PER_HOUR[group]
        day = date.fromisoformat(r["start_date_local"][:10])
        per_day[day] = per_day.get(day, 0.0) + load
    ctl, day = 0.0, min(per_day)
    while day <= today:
        ctl += (per_day.get(day, 0.0) - ctl) / 42
        day += timedelta(days=1)
    return ctl


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def section(page: Page, name: str) -> None:
    """The section picker (a segmented control, drawn as a group of toggle buttons)."""
    page.get_by_test_id("stMain").get_by_text(name, exact=True).first.click()
    wait_ready(page)
    screenshot(page, f"insights-section-{name}")


def test_an_ftp_and_a_goal_give_the_numbers_worked_out_here(
    context: BrowserContext, start_app
) -> None:
    app: AppServer = start_app()
    page = context.new_page()
    open_app(page, app.url)
    click(page, "Explore with demo data")
    page.locator("h1", has_text="Activities").wait_for()
    go_to(page, "Insights")
    today = datetime.now(UTC).date()
    records = demo.demo_activities()  # what the server shows this hour

    ftp = page.get_by_role("spinbutton", name="FTP (W)")
    ftp.fill(str(FTP))
    ftp.press("Enter")
    wait_ready(page)
    expect(ftp).to_have_value(str(FTP))
    ctl = shown_number(metric(page, "Fitness (CTL)"))
    assert ctl == pytest.approx(expected_ctl(records, today), abs=0.051)
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    screenshot(page, "insights-fitness")

    section(page, "Goals")
    choose(page, "Sports", "All rides")
    choose(page, "Period", "Each year")
    page.get_by_role("spinbutton", name=re.compile("^Target")).fill("5000")
    click(page, "Add goal")
    expect(page.get_by_text("5,000 km, All rides, per year")).to_be_visible()
    rides = [
        r
        for r in records
        if SPORT_GROUPS.get(r["sport_type"]) == "Ride"
        and date.fromisoformat(r["start_date_local"][:10]).year == today.year
    ]
    done_km = sum(float(r.get("distance") or 0) for r in rides) / 1000
    assert shown_number(metric(page, "Done")) == pytest.approx(done_km, abs=0.051)
    elapsed = (today - date(today.year, 1, 1)).days + 1
    in_year = (date(today.year, 12, 31) - date(today.year, 1, 1)).days + 1
    projected = done_km / elapsed * in_year
    assert shown_number(metric(page, "On current pace")) == pytest.approx(projected, abs=0.051)
    screenshot(page, "insights-goals", full_page=True)

    section(page, "The year ahead")
    expect(page.locator(".js-plotly-plot").get_by_text("Goal: 5,000 km")).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
