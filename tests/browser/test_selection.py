"""The visual filter in Chromium: a box on the scatter, a click on a volume bar, the table
and the files follow, and a bookmark of it comes back through the demo button."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import polyline
from playwright.sync_api import Browser, BrowserContext, Page, expect

from strava_dash import demo
from strava_dash.activities import FOOT_SPORTS
from tests.browser.conftest import AppServer
from tests.browser.ui import (
    click,
    click_tallest_recent_bar,
    count_shown,
    download,
    go_to,
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


def expected_on_map(part: str) -> set[int]:
    """Demo activities whose start or any route vertex lies in the URL's map box, from the
    raw records decoded with the polyline library (not the app's NumPy decoder)."""
    fields = part.split(",")
    assert fields[:2] == ["m", "r"], part
    lat0, lat1, lng0, lng1 = (float(v) for v in fields[2:6])
    ids: set[int] = set()
    for record in demo.demo_activities():
        encoded = (record.get("map") or {}).get("summary_polyline")  # type: ignore[union-attr]
        if not encoded:
            continue  # no GPS: never on a map selection
        points = polyline.decode(str(encoded))
        start = record.get("start_latlng") or []
        if len(start) == 2:  # type: ignore[arg-type]
            points.append((float(start[0]), float(start[1])))  # type: ignore[index]
        if any(lat0 <= lat <= lat1 and lng0 <= lng <= lng1 for lat, lng in points):
            ids.add(int(record["id"]))  # type: ignore[call-overload]
    return ids


def test_a_box_on_the_map_keeps_the_routes_through_it(context: BrowserContext, start_app) -> None:
    # OpenStreetMap's tiles are out of reach here, and MapLibre takes no selection on a
    # map whose style never loaded: the blank basemap stands in for them.
    app: AppServer = start_app({"DASH_MAP_STYLE": "white-bg"})
    page = context.new_page()
    open_app(page, app.url)
    click(page, "Explore with demo data")
    page.locator("h1", has_text="Activities").wait_for()
    everything = count_shown(page)

    go_to(page, "Map")
    chart = page.locator('[data-testid="stPlotlyChart"]').first.locator(".js-plotly-plot")
    chart.first.wait_for()
    chart.first.hover()
    page.locator('.modebar-btn[data-title="Box Select"]').first.click()
    box = chart.first.bounding_box()
    assert box is not None
    x0, y0 = box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.3
    x1, y1 = box["x"] + box["width"] * 0.65, box["y"] + box["height"] * 0.7
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10)
    page.mouse.up()
    expect(page.get_by_text("Selected on Map")).to_be_visible()
    wait_ready(page)
    screenshot(page, "selection-map")

    parts = selection_param(page)
    assert len(parts) == 1
    expected = expected_on_map(parts[0])
    assert 0 < len(expected) < everything
    go_to(page, "Activities")
    assert count_shown(page) == len(expected)
