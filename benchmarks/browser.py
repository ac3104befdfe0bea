"""Click to settled page in Chromium: every page, Charts section, map mode and a filter.

    python -m benchmarks.browser [--sizes 2000 20000] [--distinct] [--dense] [--repeat 3]

For each size, a fresh fake Strava (one athlete, activities spread evenly over
``--years`` years; ``--distinct``: also 20,000 whose routes are all different;
``--dense``: also 20,000 at one a day, 55 years) and a fresh
``streamlit run app.py``; Debian's Chromium logs in through the fake OAuth popup, waits
for the sync, then clicks through the app ``--repeat`` times. Each interaction is timed
from the click to the page *settled* (see :data:`SETTLED_JS`), and the websocket bytes
the browser received for it are counted from playwright's ``framereceived`` events.
Writes the ``browser`` section of BENCHMARKS.md. A benchmark: it reports, never fails CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

from playwright.sync_api import Page, WebSocket, sync_playwright

from benchmarks.common import Table, Target, seconds, write_section
from tests.browser import ui
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer, strava_env
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava, make_activities
from tests.fake_strava.factory import distinct_routes, iso_z, paris_offset

ROOT = Path(__file__).resolve().parent.parent
ATHLETE_ID: Final = 134_815
QUIET_MS: Final = 500
SECOND: Final = 1.0
MB: Final = 1e6
# MapLibre needs WebGL; without a GPU Chromium only offers it through SwiftShader (software
# rendering) when asked: this is the "software rendering" the zoom/pan target speaks of.
BROWSER_ARGS: Final = [*CHROMIUM_ARGS, "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]

# Injected before any page script: timestamps of websocket messages and of main-thread
# long tasks (>= 50 ms, Chrome's Long Tasks API), on the page's own clock.
PROBE_JS: Final = """
(() => {
  window.__bench = {lastMessage: 0, lastTaskEnd: 0, tasks: []};
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', () => { window.__bench.lastMessage = performance.now(); });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__bench.tasks.push([e.startTime, e.duration]);
      window.__bench.lastTaskEnd = Math.max(window.__bench.lastTaskEnd, e.startTime + e.duration);
    }
  }).observe({type: 'longtask', buffered: true});
})();
"""

# "Settled": the server has answered the click, Streamlit's status widget is gone, and for
# QUIET_MS no websocket message has arrived and no long task has run (drawing a big figure
# is one).
# The settle moment is the later of the last message and the end of the last long task;
# the clock runs from the click, taken on the page's clock just before it.
SETTLED_JS: Final = """
([since, quiet, answered]) => {
  const b = window.__bench;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  // A click reruns the script, so the server always answers: until it has, a loaded
  // server has not even started (a quiet page then is not a settled one).
  if (answered && b.lastMessage <= since) return false;
  const last = Math.max(b.lastMessage, b.lastTaskEnd, since);
  return performance.now() - last >= quiet ? {took: last - since} : false;
}
"""


def spread(n: int, years: float, *, end: float, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` activities of the fake factory, newest first, evenly spread over ``years``.

    The factory puts one activity a day (20,000 = 55 years); real long accounts hold
    several a day over 10 to 15 years, so the starts are moved (and ids renumbered to keep
    growing with time, as Strava's do). Sports, routes and names are the factory's.
    """
    activities = make_activities(n, athlete_id=ATHLETE_ID, seed=seed, end=end)
    step = years * 365.25 * 86_400 / max(n, 1)
    first_id = activities[-1]["id"]
    for i, activity in enumerate(activities):
        start = int(end - 3600 - i * step)
        offset = paris_offset(start)
        activity["start_date"] = iso_z(start)
        activity["start_date_local"] = iso_z(start + offset)
        activity["utc_offset"] = float(offset)
        activity["id"] = first_id + (n - i)
        activity["map"]["id"] = f"a{activity['id']}"
    return activities


@dataclass
class Probe:
    """Counts websocket bytes received (playwright's frame events) and times clicks."""

    page: Page
    received: int = 0
    timeout_s: float = 120.0

    def attach(self) -> None:
        def on_socket(ws: WebSocket) -> None:
            ws.on("framereceived", self._frame)

        self.page.on("websocket", on_socket)

    def _frame(self, payload: str | bytes) -> None:
        self.received += len(payload.encode() if isinstance(payload, str) else payload)

    def measure(self, action: Callable[[], None]) -> tuple[float, int]:
        """(seconds from the click to settled, websocket bytes received meanwhile)."""
        self.settle()
        self.received = 0
        since = float(self.page.evaluate("performance.now()"))
        action()
        handle = self.page.wait_for_function(
            SETTLED_JS, arg=[since, QUIET_MS, True], timeout=self.timeout_s * 1000, polling=50
        )
        took = float(handle.json_value()["took"]) / 1000
        return took, self.received

    def settle(self) -> None:
        since = float(self.page.evaluate("performance.now()"))
        self.page.wait_for_function(
            SETTLED_JS, arg=[since, QUIET_MS, False], timeout=self.timeout_s * 1000, polling=50
        )

    def longest_task_ms(self, action: Callable[[], None]) -> float:
        """The longest main-thread task while ``action`` runs (0 when none reached 50 ms)."""
        self.settle()
        since = float(self.page.evaluate("performance.now()"))
        action()
        self.settle()
        tasks = self.page.evaluate("window.__bench.tasks")
        return max((float(d) for s, d in tasks if float(s) >= since), default=0.0)


@dataclass
class Results:
    """Per interaction: the seconds and bytes of each repetition, first one first."""

    times: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, took: float, received: int) -> None:
        self.times.setdefault(name, []).append(took)
        self.sizes.setdefault(name, []).append(received)
        print(f"  {name}: {took * 1000:,.0f} ms, {received / 1000:,.0f} kB", flush=True)


def _segment(page: Page, label: str) -> Callable[[], None]:
    """Click a segmented-control option (Charts sections, map modes)."""

    def click() -> None:
        page.get_by_role("radio", name=label, exact=True).click()

    return click


def _nav(page: Page, title: str) -> Callable[[], None]:
    def click() -> None:
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title).click()

    return click


def _sport(page: Page, sport: str | None) -> Callable[[], None]:
    """Pick ``sport`` in the sidebar's sport filter, or clear the filter (None)."""

    def click() -> None:
        box = page.get_by_test_id("stMultiSelect").filter(has_text="Sport types")
        if sport is None:
            box.get_by_role("button", name="Clear all").click()
            return
        box.locator("input").click()
        page.keyboard.type(sport)
        page.get_by_role("option", name=sport, exact=True).click()
        page.keyboard.press("Escape")

    return click


def _calendar_measure(page: Page, label: str) -> Callable[[], None]:
    def click() -> None:
        page.get_by_test_id("stSelectbox").filter(has_text="Colour by").click()
        page.get_by_role("option", name=label, exact=True).click()

    return click


CHART_SECTIONS: Final = (
    "Year over year",
    "Calendar",
    "When you train",
    "Distribution",
    "Records & streaks",
    "Volume",
)


def _drawing_map(page: Page, action: Callable[[], None]) -> Callable[[], None]:
    """``action``, then wait for the routes map to be drawn in its component's iframe, with
    every map tile it shows loaded.

    The iframe fetches plotly.js and draws on its own, and tiles come over HTTP: no
    websocket message marks either, so without this wait "settled" could come before the
    map is there. The iframe outlives the page (strava_dash/ui/map_host.py), so the map
    may already be at rest from an earlier visit: the wait starts once the server has
    answered and gone quiet (the new arguments have reached the iframe), and the
    interaction ends when the map last came to rest, which a revisit that changed nothing
    leaves before the click.
    """

    def act() -> None:
        since = float(page.evaluate("performance.now()"))
        action()
        page.wait_for_function(SETTLED_JS, arg=[since, QUIET_MS, True], polling=50)
        rested = float(
            ui.wait_map_idle(page).evaluate(
                "(el) => Number(el.dataset.idleAt) || performance.timeOrigin + performance.now()"
            )
        )
        page.evaluate(
            "(rested) => { const b = window.__bench;"
            " b.lastTaskEnd = Math.max(b.lastTaskEnd, rested - performance.timeOrigin); }",
            rested,
        )

    return act


INSIGHTS_SECTIONS: Final = ("Goals", "Gear", "The year ahead", "Fitness & form")


def _select_bar(page: Page) -> Callable[[], None]:
    """Click the tallest recent Volume bar: a visual filter on every page."""

    def click() -> None:
        ui.click_tallest_recent_bar(page)

    return click


def _clear_selection(page: Page) -> Callable[[], None]:
    def click() -> None:
        page.get_by_role("button", name="Clear selection").first.click()

    return click


def _zoom_and_pan(page: Page) -> None:
    """Three wheel zooms in, a drag, three out: what a person does to look around.

    The routes map is drawn in the map component's iframe (same origin: its long tasks
    reach the page's observer); playwright gives its box in the page's coordinates.
    """
    box = ui.map_plot(page).bounding_box()
    if box is None:
        return
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    for _ in range(3):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(150)
    page.mouse.down()
    page.mouse.move(x + 150, y + 80, steps=10)
    page.mouse.up()
    for _ in range(3):
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(150)


def _tour(page: Page, probe: Probe, results: Results, rep: int) -> None:
    """One pass over every interaction, in a fixed order."""
    steps: list[tuple[str, Callable[[], None]]] = [
        ("Activities page", _nav(page, "Activities")),
        ("Charts page (Volume)", _nav(page, "Charts")),
        *((f"Charts: {s}", _segment(page, s)) for s in CHART_SECTIONS[:2]),
        ("Charts: Calendar by moving time", _calendar_measure(page, "Moving time")),
        ("Charts: Calendar by distance", _calendar_measure(page, "Distance")),
        *((f"Charts: {s}", _segment(page, s)) for s in CHART_SECTIONS[2:]),
        ("Charts: click a Volume bar (selection)", _select_bar(page)),
        ("Charts: Clear selection", _clear_selection(page)),
        # Bars per week: the most bars (2,870 at 55 years); back to month, the default.
        ("Charts: Volume per week", _segment(page, "Week")),
        ("Charts: Volume per month", _segment(page, "Month")),
        # Every map interaction waits for the map in its iframe to come to rest: its
        # redraw there sends no websocket message.
        ("Map page (Routes)", _drawing_map(page, _nav(page, "Map"))),
        ("Map: Start density", _drawing_map(page, _segment(page, "Start density"))),
        ("Map: Routes", _drawing_map(page, _segment(page, "Routes"))),
        ("Map: sport filter Ride", _drawing_map(page, _sport(page, "Ride"))),
        ("Map: sport filter cleared", _drawing_map(page, _sport(page, None))),
        ("Activity detail page", _nav(page, "Activity detail")),
        ("Insights page (Fitness & form)", _nav(page, "Insights")),
        *((f"Insights: {s}", _segment(page, s)) for s in INSIGHTS_SECTIONS),
    ]
    for name, action in steps:
        took, received = probe.measure(action)
        results.add(name, took, received)
        if rep == 0 and os.environ.get("BENCH_SCREENSHOTS"):
            page.screenshot(path=f"{os.environ['BENCH_SCREENSHOTS']}/{len(results.times):02d}.png")
        if name == "Map: Routes" and rep == 0:
            longest = probe.longest_task_ms(lambda: _zoom_and_pan(page))
            results.notes.append(f"longest main-thread task during zoom and pan: {longest:.0f} ms")
            print(f"  zoom/pan longest task: {longest:.0f} ms", flush=True)


class Case(NamedTuple):
    """One account: ``n`` activities over ``years``, routes all different or the fake's."""

    n: int
    years: float
    distinct: bool = False

    @property
    def label(self) -> str:
        return f"{self.n:,} / {self.years:g} y" + (
            ", routes all different" if self.distinct else ""
        )

    @property
    def words(self) -> str:
        return f"{self.n:,} over {self.years:g} years" + (
            ", every route different" if self.distinct else ""
        )


def run_size(case: Case, repeat: int, tmp: Path) -> tuple[Results, float]:
    """Log in as an athlete with the case's activities; every interaction."""
    n, years = case.n, case.years
    results = Results()
    with FakeStrava(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, latency=0.0) as fake:
        # The app's speed is measured here, not Strava's limits.
        fake.set_rate_limits(read=(100_000, 1_000_000), overall=(100_000, 1_000_000))
        end = fake.now()
        activities = (
            make_activities(n, athlete_id=ATHLETE_ID, end=end)
            if years >= n / 365
            else spread(n, years, end=end)
        )
        if case.distinct:
            distinct_routes(activities)
        fake.add_athlete(athlete_id=ATHLETE_ID, activities=activities)
        # OpenStreetMap is out of reach here: with its style MapLibre waits for every basemap
        # tile to fail before plotly draws the routes (seconds that vary with DNS). The
        # blank basemap measures the app's own drawing.
        app = AppServer({**strava_env(fake), "DASH_MAP_STYLE": "white-bg"}, tmp)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                context.set_default_timeout(120_000)
                context.add_init_script(PROBE_JS)
                page = context.new_page()
                probe = Probe(page)
                probe.attach()
                started = time.perf_counter()
                ui.open_app(page, app.url)
                ui.connect_with_strava(page, athlete_id=ATHLETE_ID)
                ui.go_to(page, "Activities")
                page.get_by_text(f"{n:,} activities from Strava").wait_for(timeout=600_000)
                synced = time.perf_counter() - started
                ui.go_to(page, "Home")  # so the first timed click really changes page
                print(f"{case.words}: logged in and synced in {synced:.1f} s")
                webgl = page.evaluate("!!document.createElement('canvas').getContext('webgl2')")
                if not webgl:
                    results.notes.append("WebGL unavailable: the map did not draw")
                for rep in range(repeat):
                    _tour(page, probe, results, rep)
                browser.close()
        finally:
            app.stop()
    return results, synced


def _kb(size: float) -> str:
    return f"{size / 1000:,.0f} kB"


def _later(values: Sequence[float]) -> float:
    return statistics.median(values[1:] if len(values) > 1 else values)


def build_table(
    runs: dict[Case, Results], repeat: int, load: tuple[float, float]
) -> tuple[Table, list[Target]]:
    cases = list(runs)
    headers = ["interaction"]
    for case in cases:
        headers += [f"{case.label}: first", "then (median)", "payload first", "then"]
    table = Table("Browser: click to settled page (Chromium, software WebGL)", headers)
    targets: list[Target] = []
    names = list(next(iter(runs.values())).times)
    for name in names:
        row: list[str] = [name]
        for case in cases:
            times = runs[case].times.get(name, [])
            sizes = runs[case].sizes.get(name, [])
            if not times:
                row += ["—"] * 4
                continue
            row += [
                seconds(times[0]),
                seconds(_later(times)),
                _kb(sizes[0]),
                _kb(_later([float(s) for s in sizes])),
            ]
        table.rows.append(row)
    for case, results in runs.items():
        if case.n < 20_000:
            continue
        slow = [k for k, v in results.times.items() if _later(v) > SECOND]
        worst = max(results.times, key=lambda k: _later(results.times[k]))
        targets.append(
            Target(
                f"every click at {case.words} (median after the first)",
                "≤ 1 s",
                f"slowest: {worst} {seconds(_later(results.times[worst]))}"
                + (f"; over 1 s: {', '.join(slow)}" if slow else ""),
                not slow,
            )
        )
        heavy = [k for k, v in results.sizes.items() if _later([float(s) for s in v]) > MB]
        targets.append(
            Target(
                f"payload per click at {case.words} (after the first)",
                "≤ 1 MB",
                ", ".join(heavy) or "all within",
                not heavy,
            )
        )
    table.notes += [
        f"Each column pair: the first of {repeat} passes (cold: figures built, nothing "
        "cached) and the median of the others. Payload: websocket bytes the browser "
        "received for the click (playwright's `framereceived` events).",
        "Settled: the server has sent at least one message since the click (every click "
        f"reruns the script), Streamlit's status widget is gone, then {QUIET_MS} ms with no "
        "websocket message and no main-thread long task (≥ 50 ms, Chrome's Long Tasks API); "
        "the time is click → the later of the last message and the end of the last long task, "
        "so it includes the browser drawing the figure, not the quiet wait.",
        "Activities are the fake Strava's, spread evenly over the years (several a day); "
        "55 years is its own one-a-day list, the densest calendar. Routes are 18–36-point "
        "loops (Strava's summary polylines are of that order). Every sync is from scratch.",
        "The fake's routes are 72 loops used again and again (24 per kind), so the map draws "
        "each once (`strava_dash.map_simplify`); the 'routes all different' account gives "
        "every GPS activity a 60-point random walk of its own (the map's worst case).",
        "Payload is everything the click's rerun sent over the websocket (a chart's "
        "includes Streamlit's framing around the figure's JSON). A map drawn as route "
        "tiles (over 50,000 points: the all-different account) also fetches PNG tiles "
        "over HTTP: a map interaction ends when every route tile it shows has loaded.",
        "Chromium headless with SwiftShader (software WebGL, no GPU), 1400 × 1000 viewport. "
        "OpenStreetMap is not reachable from the machine: the app runs with "
        "DASH_MAP_STYLE=white-bg (a blank basemap), and a map interaction ends when plotly "
        "has put the routes on the map (after MapLibre's load) and every route tile shows.",
        f"Load average {load[0]:.1f} at the start and {load[1]:.1f} at the end, on 2 shared "
        "cores with other jobs running: compare within a run.",
    ]
    for case, results in runs.items():
        table.notes += [f"{case.words}: {note}" for note in results.notes]
    return table, targets


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[2_000, 10_000, 20_000])
    parser.add_argument("--years", type=float, default=12.0, help="spread of each account")
    parser.add_argument(
        "--dense", action="store_true", help="also 20,000 activities at one a day (55 years)"
    )
    parser.add_argument(
        "--distinct", action="store_true", help="also 20,000 whose routes are all different"
    )
    parser.add_argument("--repeat", type=int, default=3, help="passes over every interaction")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(home / "config"))
    os.environ.setdefault("XDG_CACHE_HOME", str(home / "cache"))
    cases = [Case(n, args.years) for n in args.sizes]
    if args.distinct:
        cases.append(Case(20_000, args.years, distinct=True))
    if args.dense:
        cases.append(Case(20_000, 55.0))
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    runs: dict[Case, Results] = {}
    for case in cases:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-{case.n}-", dir=home))
        runs[case], _ = run_size(case, args.repeat, tmp)
    took = time.perf_counter() - started
    table, targets = build_table(runs, args.repeat, (load_start, os.getloadavg()[0]))
    table.notes += [
        f"{t.what}: {t.measured} (target {t.goal}: {'met' if t.met else '**not met**'})"
        for t in targets
    ]
    table.notes.append(f"Whole run: {took:.0f} s ({datetime.now(UTC):%H:%M} UTC).")
    print(table.markdown(), flush=True)
    if not args.no_write:
        command = "python -m benchmarks.browser " + " ".join(
            [f"--sizes {' '.join(map(str, args.sizes))}", f"--repeat {args.repeat}"]
            + (["--distinct"] if args.distinct else [])
            + (["--dense"] if args.dense else [])
        )
        write_section(args.output, "browser", table, command)
        print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
