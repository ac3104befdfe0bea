"""A big account's map in Chromium: routes too many for lines come as tiles drawn by the
server, the map shows them, zoom fetches sharper ones, and a box still selects exactly."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from strava_dash import maps
from strava_dash.ui import map_host
from tests.browser.conftest import AppServer, strava_env
from tests.browser.map_truth import expected_on_map
from tests.browser.ui import (
    MAP_IFRAME,
    UNPROJECT,
    choose_tool,
    click,
    connect_with_strava,
    count_shown,
    drag_through,
    go_to,
    open_app,
    screenshot,
    wait_map_idle,
    wait_ready,
)
from tests.fake_strava import FakeStrava, make_activities
from tests.fake_strava.factory import distinct_routes

ATHLETE = 4_242
PIXEL_RATIO = "(el) => el._fullLayout.map._subplot.map.getPixelRatio()"
# 60 points a route, all different: over maps.MAX_POINTS once 840 routes have GPS.
ACTIVITIES = 1_300


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    made = make_activities(ACTIVITIES, athlete_id=ATHLETE, seed=8)
    distinct_routes(made)  # type: ignore[arg-type]
    routed = sum(1 for r in made if r["map"]["summary_polyline"])  # type: ignore[index]
    assert routed * 60 > maps.MAX_POINTS
    return made  # type: ignore[return-value]


@pytest.fixture(scope="module")
def app(module_fake_strava: FakeStrava, records: list[dict[str, object]], start_app) -> AppServer:  # type: ignore[no-untyped-def]
    module_fake_strava.add_athlete(athlete_id=ATHLETE, activities=records)
    module_fake_strava.set_rate_limits(read=(10_000, 100_000), overall=(10_000, 100_000))
    return start_app({**strava_env(module_fake_strava), "DASH_MAP_STYLE": "white-bg"})


def route_pixels(png: bytes) -> float:
    """The share of a screenshot's pixels that are clearly coloured (routes, not the blank
    basemap or grey text)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    spread = rgb.max(axis=2) - rgb.min(axis=2)
    return float((spread > 60).mean())


def logged_in(context: BrowserContext, app: AppServer) -> tuple[Page, list[Response]]:
    """A page logged in as the athlete, and every tile response the context will get."""
    tiles: list[Response] = []
    context.on("response", lambda r: tiles.append(r) if "/api/tiles/" in r.url else None)
    page = context.new_page()
    open_app(page, app.url)
    connect_with_strava(page, athlete_id=ATHLETE)
    return page, tiles


def test_a_map_of_many_different_routes_is_drawn_from_server_tiles(
    context: BrowserContext, app: AppServer, records: list[dict[str, object]]
) -> None:
    page, tiles = logged_in(context, app)
    go_to(page, "Activities")
    expect(page.get_by_text(f"{ACTIVITIES:,} activities from Strava")).to_be_visible(
        timeout=120_000
    )
    everything = count_shown(page)
    go_to(page, "Map")
    expect(page.get_by_text("drawn as map tiles")).to_be_visible()
    plot = wait_map_idle(page)
    screenshot(page, "map-tiles")
    assert tiles, "the map asked the server for tiles"
    assert {r.status for r in tiles} == {200}
    assert all(r.header_value("content-type") == "image/png" for r in tiles)
    assert route_pixels(plot.screenshot()) > 0.05, "the routes show on the map"
    token = urlsplit(tiles[0].url).path.split("/")[3]
    assert token not in page.url, "the tiles' token stays out of the page's address"

    # Zooming in asks for the next zoom's tiles: drawn sharp, not the old ones stretched.
    zooms = {int(urlsplit(r.url).path.split("/")[4]) for r in tiles}
    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(4):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(200)
        # Software WebGL, as here: the map moves at half its resolution (a quarter of the
        # pixels to draw per frame)...
        assert plot.evaluate(PIXEL_RATIO) == 0.5
    wait_map_idle(page)
    deeper = {int(urlsplit(r.url).path.split("/")[4]) for r in tiles}
    assert max(deeper) > max(zooms)
    assert {r.status for r in tiles} == {200}
    for _ in range(4):
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(200)
    wait_map_idle(page)
    # ... and is sharp again once at rest.
    page.wait_for_function(
        f"() => ({PIXEL_RATIO})(document.querySelector('{MAP_IFRAME}')"
        ".contentDocument.querySelector('.js-plotly-plot')) === 1",
        timeout=10_000,
    )

    # Start density and back: one iframe all along (plotly.js and MapLibre's workers stay
    # loaded), the tiles gone under the density and back with the routes.
    plot.evaluate(
        "(el) => { window.__sameFrame = true; window.__map = el._fullLayout.map._subplot.map; }"
    )
    page.get_by_test_id("stMain").get_by_text("Start density", exact=True).click()
    expect(page.get_by_text("Where activities start")).to_be_visible()
    wait_ready(page)
    plot = wait_map_idle(page)
    kinds = plot.evaluate("(el) => el.data.map((t) => t.type)")
    assert kinds == ["densitymap"]
    assert plot.evaluate("(el) => el.getAttribute('data-route-tiles')") == ""
    assert plot.evaluate("() => window.__sameFrame === true")
    # The same MapLibre map, too (a new one costs as much as a first visit), without the
    # box and lasso buttons: start density takes no selection.
    same_map = "(el) => el._fullLayout.map._subplot.map === window.__map"
    assert plot.evaluate(same_map)
    expect(plot.locator('[data-title="Box Select"]')).to_have_count(0)
    page.get_by_test_id("stMain").get_by_text("Routes", exact=True).click()
    expect(page.get_by_text("drawn as map tiles")).to_be_visible()
    wait_ready(page)
    plot = wait_map_idle(page)
    assert plot.evaluate("() => window.__sameFrame === true")
    assert plot.evaluate(same_map)
    expect(plot.locator('[data-title="Box Select"]')).to_have_count(1)
    assert {r.status for r in tiles} == {200}

    # A box still selects exactly: the activities whose route or start is in it.
    plot = choose_tool(page, "Box Select")
    drawn = drag_through(page, plot, [(0.3, 0.3), (0.6, 0.6)])
    expect(page.get_by_text("Selected on Map: routes in a box around")).to_be_visible()
    wait_ready(page)
    raw = parse_qs(urlsplit(page.url).query)["sel"][0]
    fields = raw.split(",")
    lat0, lat1, lng0, lng1 = (float(v) for v in fields[2:6])
    (north, west), (south, east), (below, _) = plot.evaluate(
        UNPROJECT, [drawn[0], drawn[1], [drawn[1][0], drawn[1][1] + 1]]
    )
    # The box drawn (not the one around the points it caught), to a pixel and a half:
    # plotly reads the mouse, the test MapLibre's projection of where it moved.
    pixel = abs(south - below)
    assert (lat0, lat1, lng0, lng1) == pytest.approx((south, north, west, east), abs=1.5 * pixel)
    expected = expected_on_map(raw, records)
    assert 0 < len(expected) < everything
    go_to(page, "Activities")
    assert count_shown(page) == len(expected)

    # Away from the Map, its iframe stays but takes no room and shows nothing; back on the
    # Map it is the same iframe (no new map to make), with the box drawn back.
    folded = page.locator(f".st-key-{map_host.SLOT_KEY}")
    expect(folded).to_be_hidden()
    assert (folded.bounding_box() or {"height": 0})["height"] == 0
    expect(page.locator(MAP_IFRAME)).to_have_count(1)
    go_to(page, "Map")
    wait_ready(page)
    plot = wait_map_idle(page)
    assert plot.evaluate("() => window.__sameFrame === true")
    layers = plot.evaluate("(el) => el.layout.map.layers.map((l) => l.name)")
    assert "Selected area outline" in layers
    assert route_pixels(plot.screenshot()) > 0.05

    # Logging out takes the map, and the routes in it, away with the athlete.
    click(page, "Log out")
    expect(page.get_by_text("Connect with Strava or open the demo")).to_be_visible()
    expect(page.locator(MAP_IFRAME)).to_have_count(0)


def test_a_screen_with_two_pixels_per_point_gets_tiles_twice_as_sharp(
    browser: Browser, app: AppServer
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, device_scale_factor=2)
    context.set_default_timeout(30_000)
    try:
        page, tiles = logged_in(context, app)
        go_to(page, "Map")
        expect(page.get_by_text("drawn as map tiles")).to_be_visible(timeout=120_000)
        wait_map_idle(page)
        assert tiles
        assert all(r.url.endswith("@2x.png") and r.status == 200 for r in tiles)
        sizes = {Image.open(io.BytesIO(r.body())).size for r in tiles}
        assert sizes == {(512, 512)}
    finally:
        context.close()
