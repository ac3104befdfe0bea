"""Coming back in Chromium: the store remembers across browsers and server restarts, and
"Disconnect and delete my data" leaves no row behind."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.conftest import AppServer, strava_env
from tests.browser.ui import click, connect_with_strava, count_shown, go_to, open_app, screenshot
from tests.fake_strava import FakeStrava, make_activities

LIST_PATH = "/api/v3/athlete/activities"


def list_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == LIST_PATH)


def rows_of(url: str, athlete_id: int) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: int(
                    connection.execute(
                        sa.text(f"SELECT count(*) FROM {table} WHERE athlete_id = :a"),
                        {"a": athlete_id},
                    ).scalar_one()
                )
                for table in ("athletes", "activities", "gear", "streams")
            }
    finally:
        engine.dispose()


def new_browser_visit(browser: Browser, app: AppServer):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page)
    return context, page


def test_come_back_tomorrow_then_disconnect_and_delete(
    browser: Browser, start_app, module_fake_strava: FakeStrava, tmp_path: Path
) -> None:
    fake = module_fake_strava
    athlete = fake.add_athlete(
        firstname="Ada",
        lastname="Lovelace",
        activities=make_activities(2_000, athlete_id=0, seed=12),
    )
    fake.default_athlete_id = athlete.id
    database = f"sqlite:///{tmp_path / 'dash.sqlite3'}"
    env = strava_env(fake) | {"DASH_DATABASE_URL": database}

    first_server: AppServer = start_app(env)
    context, page = new_browser_visit(browser, first_server)
    expect(page.get_by_text("2,000 activities from Strava")).to_be_visible(timeout=90_000)
    context.close()  # the browser is closed: the session is gone
    first_server.stop()  # and so is the server process
    assert rows_of(database, athlete.id)["activities"] == 2_000

    fake.clear_requests()
    server: AppServer = start_app(env)  # restarted, same database
    context, page = new_browser_visit(browser, server)
    expect(page.get_by_text("2,000 activities from Strava")).to_be_visible(timeout=30_000)
    go_to(page, "Activities")
    assert count_shown(page) == 2_000
    assert list_requests(fake) == 1
    screenshot(page, "returning-athlete")

    page.get_by_test_id("stSidebar").get_by_role(
        "button", name="Disconnect and delete my data"
    ).click()
    expect(page.get_by_text("deletes everything this server stored for you")).to_be_visible()
    screenshot(page, "disconnect-and-delete")
    click(page, "Disconnect and delete")
    expect(page.get_by_text("Your data was deleted from this server")).to_be_visible()
    assert athlete.id in fake.deauthorized
    assert rows_of(database, athlete.id) == {
        "athletes": 0,
        "activities": 0,
        "gear": 0,
        "streams": 0,
    }
    context.close()

    fake.clear_requests()
    context, page = new_browser_visit(browser, server)
    expect(page.get_by_text("2,000 activities from Strava")).to_be_visible(timeout=90_000)
    # Everything again: 10 pages and the empty one, plus at most the 2 pages past the end
    # that concurrent paging may ask for (2,000 is a whole number of pages).
    assert 11 <= list_requests(fake) <= 13
    assert rows_of(database, athlete.id)["activities"] == 2_000
    context.close()
