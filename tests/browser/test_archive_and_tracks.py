"""In Chromium: an uploaded Strava archive drives the pages; GPX tracks come as a ZIP."""

from __future__ import annotations

import io
import zipfile

import gpxpy
from playwright.sync_api import BrowserContext, expect

from strava_dash import demo
from tests.browser.conftest import AppServer
from tests.browser.ui import (
    click,
    count_changes,
    count_shown,
    download,
    expect_figure,
    go_to,
    open_app,
    wait_ready,
)
from tests.test_pages_archive import archive_bytes


def test_uploaded_archive_drives_every_page(context: BrowserContext, start_app, tmp_path) -> None:
    app: AppServer = start_app()
    page = context.new_page()
    open_app(page, app.url)
    archive = tmp_path / "export_4242.zip"
    archive.write_bytes(archive_bytes())
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(archive)
    page.locator("h1", has_text="Activities").wait_for(timeout=60_000)
    wait_ready(page)
    assert count_shown(page) == 5
    for title in ("Charts", "Map", "Activity detail"):
        go_to(page, title)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect_figure(page)


def test_demo_tracks_download_as_gpx_that_reads_back_point_for_point(
    context: BrowserContext, start_app, tmp_path
) -> None:
    app: AppServer = start_app()
    page = context.new_page()
    open_app(page, app.url)
    click(page, "Explore with demo data")
    page.locator("h1", has_text="Activities").wait_for()
    everything = count_shown(page)
    page.get_by_test_id("stTextInput").filter(has_text="Name contains").locator("input").fill(
        "Rocacorba"
    )
    page.keyboard.press("Enter")
    # On a busy machine the rerun can start after wait_ready looked: wait for the count.
    wanted = count_changes(page, everything)
    wait_ready(page)
    assert 0 < wanted <= 100
    click(page, "Fetch tracks")
    expect(page.get_by_text("tracks are fetched")).to_be_visible(timeout=60_000)
    path = download(page, "Download tracks (ZIP)", tmp_path / "tracks.zip")
    records = {r["id"]: r for r in demo.demo_activities()}
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as bundle:
        gpx_names = [n for n in bundle.namelist() if n.endswith(".gpx")]
        with_gps = [
            i
            for i, r in records.items()
            if "Rocacorba" in r["name"] and r["map"]["summary_polyline"]
        ]
        assert len(gpx_names) == len(with_gps) > 0
        for name in gpx_names:
            activity_id = int(name.removesuffix(".gpx").rsplit("-", 1)[1])
            streams = demo.demo_streams(records[activity_id])
            track = gpxpy.parse(bundle.read(name).decode())
            points = [p for seg in track.tracks[0].segments for p in seg.points]
            latlng = streams["latlng"]["data"]
            assert len(points) == len(latlng)
            assert all(
                abs(p.latitude - lat) < 1e-6 and abs(p.longitude - lng) < 1e-6
                for p, (lat, lng) in zip(points, latlng, strict=True)
            )
