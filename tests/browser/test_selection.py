"""The visual filter in Chromium: a box on the scatter, a click on a volume bar, the table
and the files follow, and a bookmark of it comes back through the demo button."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from strava_dash import demo
from strava_dash.activities import FOOT_SPORTS
from tests.browser.conftest import AppServer
from tests.browser.map_truth import expected_on_map
from tests.browser.ui import (
    MAP_IFRAME,
    UNPROJECT,
    choose_tool,
    click,
    click_tallest_recent_bar,
    count_shown,
    download,
    drag_through,
    go_to,
    map_plot,
    open_app,
    read_csv,
    screenshot,
    wait_ready,
)

# Pixel position of data coordinates on a plotly subplot, from plotly's own axes.
_TO_PIXELS = """(el, [xs, ys, xaxis, yaxis]) => {
    const layout = el._fullLayout, box = el.getBoundingClientRect();
    const xa = layout[xaxis], ya = layout[yaxis];
    return [xs.map(v => box.left + xa._offset + xa.d2p(v)),
            ys.map(v => box.top + ya._offset + ya.d2p(v))];
}"""


def section(page: Page, name: str) -> None:
    page.get_by_test_id("stMain").get_by_text(name, exact=True).first.click()
    wait_ready(page)


def selection_param(page: Page) -> list[str]:
    raw = parse_qs(urlsplit(page.url).query).get("sel", [""])[0]
    return [part for part in raw.split("~") if part]


def drag_box(page: Page, plot: str, xs: tuple[float, float], ys: tuple[float, float]) -> None:
    chart = page.locator(plot).locator(".js-plotly-plot").first
    chart.wait_for()
    (px0, px1), (py0, py1) = chart.evaluate(_TO_PIXELS, [xs, ys, "xaxis", "yaxis"])
    page.mouse.move(px0, py0)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(px0 + (px1 - px0) * step / 10, py0 + (py1 - py0) * step / 10)
    page.mouse.up()


def expected_ids(parts: list[str]) -> set[int]:
    """The demo activities under both selections, from the raw records and the URL's numbers."""
    scatter = next(p for p in parts if p.startswith("s,s,m,")).split(",")
    x0, x1, y0, y1 = (float(v) for v in scatter[3:7])
    volume = next(p for p in parts if p.startswith("v,m,")).split(",")[2:]
    months: set[tuple[str, int]] = set()
    for group in volume:
        sport, runs = group.split(":")
        for run in runs.split("_"):
            low, _, high = run.partition("-")
            months |= {(sport, i) for i in range(int(low), int(high or low) + 1)}
    ids: set[int] = set()
    for record in demo.demo_activities():
        distance = float(record.get("distance") or 0) / 1000.0
        speed = float(record.get("average_speed") or 0) * 3.6
        sport = str(record["sport_type"])
        local = str(record["start_date_local"])
        month = int(local[:4]) * 12 + int(local[5:7]) - 1
        on_speed_panel = sport not in FOOT_SPORTS and distance > 0 and speed > 0
        in_box = x0 <= distance <= x1 and y0 <= speed <= y1
        if on_speed_panel and in_box and (sport, month) in months:
            ids.add(int(record["id"]))  # type: ignore[call-overload]
    return ids


def test_select_on_scatter_and_volume_then_files_and_a_bookmark(
    context: BrowserContext, browser: Browser, start_app, tmp_path: Path
) -> None:
    app: AppServer = start_app()
    page = context.new_page()
    open_app(page, app.url)
    click(page, "Explore with demo data")
    page.locator("h1", has_text="Activities").wait_for()
    everything = count_shown(page)

    go_to(page, "Charts")
    section(page, "Distribution")
    plot = '[data-testid="stPlotlyChart"] >> nth=0'
    drag_box(page, plot, (20.0, 70.0), (21.0, 28.0))
    expect(page.get_by_text("Selected on Distance against speed")).to_be_visible()
    wait_ready(page)

    section(page, "Volume")
    click_tallest_recent_bar(page)
    expect(page.get_by_text("Selected on Volume")).to_be_visible()
    wait_ready(page)
    screenshot(page, "selection-charts")

    parts = selection_param(page)
    expected = expected_ids(parts)
    assert 0 < len(expected) < everything

    go_to(page, "Activities")
    expect(page.get_by_text("Selected on Volume")).to_be_visible()
    assert count_shown(page) == len(expected)
    csv = read_csv(download(page, "Download CSV", tmp_path / "selected.csv"))
    assert {int(i) for i in csv["Activity ID"]} == expected
    assert len(csv) == len(expected)
    sheet = openpyxl.load_workbook(download(page, "Download Excel", tmp_path / "s.xlsx"))[
        "Activities"
    ]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {int(r[header.index("Activity ID")]) for r in rows} == expected
    assert len(rows) == len(expected)

    # The bookmark, in a browser that has never seen the app.
    bookmark = page.url
    assert "sel=" in bookmark
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = fresh.new_page()
        other.goto(bookmark)
        expect(other.get_by_text("Connect with Strava or open the demo")).to_be_visible()
        other.get_by_role("link", name="Go to Home").click()
        other.get_by_role("button", name="Explore with demo data").click()
        other.locator("h1", has_text="Activities").wait_for()
        wait_ready(other)
        expect(other.get_by_text("Selected on Volume")).to_be_visible()
        expect(other.get_by_text("Selected on Distance against speed")).to_be_visible()
        assert count_shown(other) == len(expected)
        assert sorted(selection_param(other)) == sorted(parts)
    finally:
        fresh.close()


def open_map(context: BrowserContext, start_app) -> tuple[Page, int]:
    # OpenStreetMap's tiles are out of reach here, and MapLibre takes no selection on a
    # map whose style never loaded: the blank basemap stands in for them.
    app: AppServer = start_app({"DASH_MAP_STYLE": "white-bg"})
    page = context.new_page()
    open_app(page, app.url)
    click(page, "Explore with demo data")
    page.locator("h1", has_text="Activities").wait_for()
    everything = count_shown(page)
    go_to(page, "Map")
    return page, everything


def shown_back(page: Page) -> None:
    """The selection in force is drawn on the map (as layers over the basemap), in view."""
    plot = map_plot(page)
    layers = "el => ((el.layout.map || {}).layers || []).map(l => l.name)"
    for _ in range(100):
        if "Selected area" in plot.evaluate(layers):
            break
        page.wait_for_timeout(100)
    assert "Selected area" in plot.evaluate(layers)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(500)


def test_a_lasso_on_the_map_keeps_the_routes_through_its_shape(
    context: BrowserContext, start_app
) -> None:
    page, everything = open_map(context, start_app)
    plot = choose_tool(page, "Lasso Select")
    # A concave chevron south-east of the usual start: its bounding box holds more routes.
    drawn = drag_through(
        page, plot, [(0.55, 0.55), (0.85, 0.6), (0.75, 0.95), (0.68, 0.72), (0.55, 0.55)]
    )
    chip = page.get_by_text("Selected on Map: routes in a lasso around")
    expect(chip).to_be_visible()
    wait_ready(page)
    shown_back(page)
    screenshot(page, "selection-map-lasso")

    parts = selection_param(page)
    assert len(parts) == 1
    fields = parts[0].split(",")
    assert len(fields) == 7, parts  # a box and the polygon, in degrees
    polygon = [tuple(float(v) for v in pair.split(":")) for pair in fields[6].split("_")]
    assert 3 <= len(polygon) <= 40
    # The polygon is the one drawn (not the bounding box of picked points): its corners
    # sit where the mouse turned, to the URL's rounding and plotly's sampling of the drag.
    corners = map_plot(page).evaluate(UNPROJECT, [list(p) for p in drawn[:4]])
    for lat, lng in corners:
        nearest = min(abs(lat - a) + abs(lng - b) for a, b in polygon)
        assert nearest < 0.01, (lat, lng, polygon)
    expected = expected_on_map(parts[0])
    box_only = expected_on_map(",".join(fields[:6]))
    assert 0 < len(expected) < len(box_only) < everything
    count = len(expected)
    expect(chip).to_contain_text(f"{count:,} activit")
    go_to(page, "Activities")
    expect(page.get_by_text("Selected on Map: routes in a lasso around")).to_be_visible()
    assert count_shown(page) == count


def test_a_box_on_the_map_keeps_the_routes_through_it(context: BrowserContext, start_app) -> None:
    page, everything = open_map(context, start_app)
    plot = choose_tool(page, "Box Select")
    drawn = drag_through(page, plot, [(0.35, 0.3), (0.65, 0.7)])
    expect(page.get_by_text("Selected on Map: routes in a box around")).to_be_visible()
    wait_ready(page)
    shown_back(page)
    screenshot(page, "selection-map")

    parts = selection_param(page)
    assert len(parts) == 1
    fields = parts[0].split(",")
    assert len(fields) == 6, parts
    lat0, lat1, lng0, lng1 = (float(v) for v in fields[2:6])
    # The box drawn, to the URL's 4 decimals: not the box around the points it caught.
    (north, west), (south, east) = map_plot(page).evaluate(UNPROJECT, [drawn[0], drawn[1]])
    assert (lat0, lat1, lng0, lng1) == pytest.approx((south, north, west, east), abs=2e-4)
    expected = expected_on_map(parts[0])
    assert 0 < len(expected) < everything
    go_to(page, "Activities")
    assert count_shown(page) == len(expected)

    # A double click on the map in a selection tool takes the selection away.
    go_to(page, "Map")
    plot = choose_tool(page, "Box Select")
    box = plot.locator(".maplibregl-canvas").first.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    expect(page.get_by_text("Selected on Map")).to_have_count(0)
    wait_ready(page)
    assert selection_param(page) == []
    go_to(page, "Activities")
    assert count_shown(page) == everything


def test_the_map_draws_with_its_own_plotly_copy_when_the_cached_route_is_missing(
    context: BrowserContext, start_app
) -> None:
    # A server started without app.py's routes (or behind a path it does not know): the
    # page falls back to the copy in the component's folder.
    context.route("**/api/assets/**", lambda route: route.abort())
    fallback: list[str] = []
    context.on(
        "requestfinished",
        lambda request: fallback.append(request.url) if "/component/" in request.url else None,
    )
    page, _ = open_map(context, start_app)
    expect(map_plot(page)).to_be_visible()
    assert any(url.endswith(".min.js") for url in fallback), fallback
