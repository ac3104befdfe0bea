"""Playwright steps on the Streamlit app, named the way a person would say them."""

from __future__ import annotations

import io
import itertools
import os
import re
import time
from pathlib import Path

import pandas as pd
from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
# Screenshots land in artifacts/ (ignored); DASH_SCREENSHOTS=docs/screenshots refreshes
# the ones the README shows.
ARTIFACTS = ROOT / os.environ.get("DASH_SCREENSHOTS", "artifacts")
# The Map page's routes are drawn by a component of the app, in this iframe.
MAP_IFRAME = 'iframe[title="strava_dash.ui.map_component.route_map"]'


def wait_ready(page: Page) -> None:
    """Streamlit draws over a websocket after load; wait until the script run settles.

    The "running" indicator can lag the action that causes a rerun, so callers that
    expect a change also wait for that change (see :func:`count_changes`).
    """
    page.get_by_test_id("stApp").wait_for()
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def count_changes(page: Page, before: int) -> int:
    """Wait until the Activities metric moves away from ``before``; return the new count."""
    value = page.get_by_test_id("stMetric").filter(has_text="Activities").first
    expect(value.get_by_test_id("stMetricValue")).not_to_have_text(f"{before:,}")
    wait_ready(page)
    return count_shown(page)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("h1").or_(page.get_by_test_id("stAlert")).first.wait_for()
    wait_ready(page)


def click(page: Page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    wait_ready(page)


def go_to(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title).click()
    heading = "Dash for Strava" if title == "Home" else title
    page.locator("h1", has_text=heading).first.wait_for()
    wait_ready(page)


def connect_with_strava(
    page: Page,
    *,
    approve: bool = True,
    untick: tuple[str, ...] = (),
    athlete_id: int | None = None,
) -> None:
    """The popup dance: Connect, the (fake) consent page, and back."""
    frame = page.frame_locator('iframe[title="streamlit_oauth.authorize_button"]')
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Connect with Strava").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    if athlete_id is not None:
        popup.select_option("select[name=athlete_id]", str(athlete_id))
    for scope in untick:
        popup.locator(f'input[name="scope"][value="{scope}"]').uncheck()
    popup.click("#authorize" if approve else "#cancel")
    popup.wait_for_event("close", timeout=30_000)
    wait_ready(page)
    # The popup's answer reaches the app on the component's next poll: wait for its effect.
    logged_in = page.get_by_text("See your activities")
    refused = page.get_by_test_id("stAlert").first
    expect(logged_in.or_(refused).first).to_be_visible(timeout=30_000)


def pick_sport(page: Page, sport: str) -> None:
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Sport types")
    box.locator("input").click()
    page.keyboard.type(sport)
    page.get_by_role("option", name=sport, exact=True).click()
    page.keyboard.press("Escape")
    wait_ready(page)


def pick_period(page: Page, label: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text="Period").click()
    page.get_by_role("option", name=label, exact=True).click()
    wait_ready(page)


def metric(page: Page, label: str) -> str:
    block = page.get_by_test_id("stMetric").filter(has_text=label).first
    return block.get_by_test_id("stMetricValue").inner_text()


def count_shown(page: Page) -> int:
    return int(re.sub(r"[^0-9]", "", metric(page, "Activities")))


def download(page: Page, label: str, save_as: Path) -> Path:
    try:
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
    except Exception:
        screenshot(page, f"failed-download-{save_as.stem}", full_page=True)
        raise
    info.value.save_as(save_as)
    return save_as


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)


def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def map_plot(page: Page) -> Locator:
    """The route map's plotly graph (inside the map component's iframe), once drawn."""
    plot = page.frame_locator(MAP_IFRAME).locator(".js-plotly-plot").first
    plot.locator(".maplibregl-canvas").first.wait_for()
    return plot


# True once plotly has put the figure's traces on the map (it does so only after MapLibre's
# "load", which waits for the basemap) and every route tile the map shows has loaded.
_MAP_IDLE = """(el) => {
    const sub = el._fullLayout && el._fullLayout.map && el._fullLayout.map._subplot;
    const map = sub && sub.map;
    if (!map || !map.style || !map.style._loaded) return false;
    const url = el.getAttribute("data-route-tiles");
    if (url === null) return false;  // the component has not drawn yet
    if (el.dataset.wanted !== el.dataset.drawn) return false;  // a draw is under way
    const traces = map.getStyle().layers.filter((l) => l.id.indexOf("plotly-trace-layer-") === 0);
    if ((el.data || []).length && !traces.length) return false;
    if (url) {
        const caches = map.style.sourceCaches || map.style.tileManagers || {};
        const cache = caches["route-tiles"];
        if (!cache || !cache.loaded()) return false;
    }
    return !map.isMoving();
}"""


def wait_map_idle(page: Page, timeout_s: float = 60.0) -> Locator:
    """The route map once drawn with all its tiles loaded (polled every 50 ms)."""
    plot = map_plot(page)
    deadline = time.monotonic() + timeout_s
    while not plot.evaluate(_MAP_IDLE):
        if time.monotonic() > deadline:
            raise TimeoutError("the route map's tiles did not load")
        page.wait_for_timeout(50)
    return plot


def expect_figure(page: Page) -> None:
    """A plotly figure is drawn: in the page, or in the map component's iframe."""
    # The map's iframe stays, folded, on other pages (strava_dash/ui/map_host.py).
    shown_map = f"{MAP_IFRAME}:visible"
    either = page.locator(f".js-plotly-plot, {shown_map}").first
    either.wait_for(state="attached")
    if page.locator(shown_map).count():
        # The iframe shows once plotly.js (4.8 MB) has loaded in it: more than expect's 5 s
        # on a busy machine.
        inner = page.frame_locator(MAP_IFRAME).locator(".js-plotly-plot").first
        expect(inner).to_be_visible(timeout=30_000)
    else:
        expect(either).to_be_visible()


# The middle of the tallest bar of the most recent twelve periods of the first trace; on a
# Volume chart drawn as stepped areas (hundreds of periods), the highest recent point.
_BAR_CENTRE = """(el) => {
    const layout = el._fullLayout, box = el.getBoundingClientRect();
    const xa = layout.xaxis, ya = layout.yaxis;
    const cd = el.calcdata[0];
    if (cd[0].s0 === undefined) {
        const pts = cd.slice(-12).filter(p => p.y > 0);
        const top = pts.reduce((a, b) => (b.y > a.y ? b : a));
        return [box.left + xa._offset + xa.c2p(top.x), box.top + ya._offset + ya.c2p(top.y / 2)];
    }
    const bars = cd.slice(-12).filter(b => b.s1 > b.s0);
    const top = bars.reduce((a, b) => (b.s1 - b.s0 > a.s1 - a.s0 ? b : a));
    const middle = (top.s0 + top.s1) / 2;
    return [box.left + xa._offset + xa.c2p(top.p), box.top + ya._offset + ya.c2p(middle)];
}"""


def click_tallest_recent_bar(page: Page) -> None:
    """Click the tallest recent bar of the page's first chart (Volume): a selection."""
    chart = page.locator('[data-testid="stPlotlyChart"]').first.locator(".js-plotly-plot").first
    chart.wait_for()
    x, y = chart.evaluate(_BAR_CENTRE)
    page.mouse.click(x, y)


# Map pixels (relative to the map's top-left) -> [lat, lng], by MapLibre's own projection.
UNPROJECT = """(el, points) => {
    const map = el._fullLayout.map._subplot.map;
    return points.map(([x, y]) => { const p = map.unproject([x, y]); return [p.lat, p.lng]; });
}"""


def choose_tool(page: Page, title: str) -> Locator:
    """Press a map tool once the routes are drawn, as a person would: plotly adds the
    traces after MapLibre's load and redraws once the iframe has its width, and a box
    dragged before that selects nothing."""
    plot = wait_map_idle(page)
    page.wait_for_timeout(300)  # the component's resize redraw (SETTLE_MS 120) has run
    plot = wait_map_idle(page)
    plot.hover()
    plot.locator(f'.modebar-btn[data-title="{title}"]').first.click()
    return plot


def drag_through(
    page: Page, plot: Locator, fractions: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Press at the first point, move through the others in small steps, release; returns
    the points in pixels relative to the map (for MapLibre's unproject)."""
    box = plot.locator(".maplibregl-canvas").first.bounding_box()
    assert box is not None
    points = [(box["width"] * fx, box["height"] * fy) for fx, fy in fractions]
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        for step in range(1, 9):
            t = step / 8
            page.mouse.move(box["x"] + ax + (bx - ax) * t, box["y"] + ay + (by - ay) * t)
    page.mouse.up()
    return points
