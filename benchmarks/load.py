"""Load: N browser sessions at once, each connecting, syncing and downloading a CSV.

    python -m benchmarks.load [--sessions 10] [--activities 2000] [--latency 0.05]

Starts the fake Strava (one athlete per session) and the real app (``streamlit run``),
drives Debian's Chromium with playwright's async API, checks every CSV holds exactly
that athlete's activities, and prints the wall time and the app server's peak memory
(VmHWM of the streamlit process). A benchmark: it reports, it does not gate CI.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from pathlib import Path

import pandas as pd
from playwright.async_api import Browser, async_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer, strava_env
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeAthlete, FakeStrava, make_activities


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process (Linux VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_session(browser: Browser, app: AppServer, athlete: FakeAthlete) -> float:
    """Connect as ``athlete``, wait for the sync, download the CSV; returns seconds taken."""
    started = time.perf_counter()
    context = await browser.new_context(accept_downloads=True)
    try:
        page = await context.new_page()
        page.set_default_timeout(300_000)
        await page.goto(app.url)
        frame = page.frame_locator('iframe[title="streamlit_oauth.authorize_button"]')
        async with page.expect_popup() as popup_info:
            await frame.get_by_role("button", name="Connect with Strava").click()
        popup = await popup_info.value
        await popup.wait_for_load_state()
        await popup.select_option("select[name=athlete_id]", str(athlete.id))
        await popup.click("#authorize")
        await page.get_by_text(f"{len(athlete.activities):,} activities from Strava").wait_for()
        await (
            page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Activities").click()
        )
        button = page.get_by_role("button", name="Download CSV")
        await button.wait_for()
        async with page.expect_download() as download_info:
            await button.click()
        download = await download_info.value
        path = await download.path()
        csv = pd.read_csv(io.BytesIO(Path(path).read_bytes()), dtype=str, keep_default_na=False)
        got = set(csv["Activity ID"].astype(int))
        expected = {a["id"] for a in athlete.activities}
        if got != expected:
            raise AssertionError(f"athlete {athlete.id}: {len(got)} rows, {len(expected)} expected")
        return time.perf_counter() - started
    finally:
        await context.close()


async def run(sessions: int, activities: int, latency: float) -> None:
    with FakeStrava(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, latency=latency) as fake:
        # Enough budget for every session's pages: this measures the app, not Strava's limit.
        fake.set_rate_limits(read=(100_000, 1_000_000), overall=(100_000, 1_000_000))
        athletes = [
            fake.add_athlete(
                firstname=f"Load{i}",
                lastname="Tester",
                activities=make_activities(activities, athlete_id=0, seed=100 + i),
            )
            for i in range(sessions)
        ]
        app = AppServer(strava_env(fake), Path(tempfile.mkdtemp()))
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                started = time.perf_counter()
                times = await asyncio.gather(*(one_session(browser, app, a) for a in athletes))
                wall = time.perf_counter() - started
                await browser.close()
            peak = peak_rss_mb(app.process.pid)
        finally:
            app.stop()
    print(f"{sessions} sessions x {activities:,} activities, latency {latency * 1000:.0f} ms")
    print(f"all {sessions} CSVs complete and correct")
    print(
        f"wall time: {wall:.1f} s; per session: median {sorted(times)[len(times) // 2]:.1f} s, "
        f"max {max(times):.1f} s"
    )
    print(f"app server peak memory (VmHWM): {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(run(args.sessions, args.activities, args.latency))


if __name__ == "__main__":
    main()
