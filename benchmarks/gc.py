"""``runner.postScriptGC`` on or off: server memory over many browser sessions, page times.

    python -m benchmarks.gc [--sessions 50] [--parallel 2]

Streamlit runs ``gc.collect(2)`` after every script run when the option is on (its
default). That full collection walks every tracked object of the server process (all
sessions' records, Plotly figures, widget state) while holding the GIL. This starts two
real servers side by side (``streamlit run app.py``), one with the option on and one
with it off, and sends them the same sessions alternately, so a burst of load on the
shared machine hits both alike. Each session is a headless Chromium tab: open the app,
Explore with demo data, Charts, Activity detail, Activities, close. It reports each
server's resident memory (start, peak = VmHWM, after the sessions and an idle pause)
and the median page-switch time seen by the browser (click to the page drawn and idle).
Writes the ``gc`` section of BENCHMARKS.md. A benchmark: it reports, it gates nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

from benchmarks.common import Table, write_section
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "gc_probe"  # sitecustomize: times gc.collect
PAGES = ("Charts", "Activity detail", "Activities")
IDLE_S = 15  # after the last session: what the server keeps once the tabs are closed


@dataclass
class Server:
    gc_on: bool
    app: AppServer
    gc_log: Path
    start_mb: float = 0.0
    switches: list[float] = field(default_factory=list)
    sessions: int = 0

    @property
    def label(self) -> str:
        return "on (Streamlit's default)" if self.gc_on else "off"


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _ready(page: Page) -> None:
    # Drawn, and no script run pending: the status widget shows while one runs.
    await page.get_by_test_id("stApp").wait_for()
    await page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=120_000)


async def _go_to(page: Page, title: str) -> float:
    started = time.perf_counter()
    await page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title).click()
    await page.locator("h1", has_text=title).first.wait_for(timeout=120_000)
    await _ready(page)
    return time.perf_counter() - started


async def _session(browser: Browser, server: Server) -> None:
    context = await browser.new_context()
    try:
        page = await context.new_page()
        page.set_default_timeout(120_000)
        await page.goto(server.app.url)
        await page.get_by_role("button", name="Explore with demo data", exact=True).click()
        await page.locator("h1", has_text="Activities").first.wait_for()
        await _ready(page)
        for title in PAGES:
            server.switches.append(await _go_to(page, title))
        server.sessions += 1
    finally:
        await context.close()


async def _run(sessions: int, parallel: int) -> list[Server]:
    tmp = Path(tempfile.mkdtemp(prefix="gc-bench-"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(tmp / "config"))
    os.environ.setdefault("XDG_CACHE_HOME", str(tmp / "cache"))
    servers: list[Server] = []
    try:
        for gc_on in (True, False):
            # Streamlit reads any option from STREAMLIT_<SECTION>_<OPTION> in snake case.
            home = tmp / ("on" if gc_on else "off")
            home.mkdir()
            env = {
                "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true" if gc_on else "false",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(PROBE), str(ROOT)])),
                "DASH_GC_LOG": str(home / "gc.log"),
            }
            servers.append(Server(gc_on, AppServer(env, home), home / "gc.log"))
        for server in servers:
            server.start_mb = _status_mb(server.app.process.pid, "VmRSS")
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # Alternate: each round sends `parallel` sessions to each server at once.
            for _ in range(0, sessions, parallel):
                await asyncio.gather(
                    *(_session(browser, s) for _ in range(parallel) for s in servers)
                )
            await browser.close()
        await asyncio.sleep(IDLE_S)
        return servers
    except BaseException:
        for server in servers:
            print(server.app.log()[-3000:])
            server.app.stop()
        raise


def _cpu_s(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pauses(log: Path) -> list[float]:
    return [float(x) for x in log.read_text().split()] if log.exists() else []


def _table(servers: list[Server], sessions: int, parallel: int, load: str) -> Table:
    table = Table(
        f"`runner.postScriptGC` over {sessions} demo sessions per server",
        [
            "postScriptGC",
            "RSS at start",
            "peak RSS (VmHWM)",
            f"RSS {IDLE_S} s after the last tab closed",
            "page switch: median",
            "p90",
            "server CPU",
            "gc.collect calls: count, median, max",
        ],
    )
    for s in servers:
        pid = s.app.process.pid
        times = sorted(s.switches)
        table.add(
            s.label,
            f"{s.start_mb:.0f} MB",
            f"{_status_mb(pid, 'VmHWM'):.0f} MB",
            f"{_status_mb(pid, 'VmRSS'):.0f} MB",
            f"{statistics.median(times) * 1000:,.0f} ms",
            f"{times[int(len(times) * 0.9)] * 1000:,.0f} ms",
            f"{_cpu_s(pid):,.0f} s",
            _pause_text(_pauses(s.gc_log)),
        )
    table.notes.append(
        f"Two `streamlit run app.py` servers at once, one per setting; {parallel} sessions "
        f"went to each at a time, alternately. A session is a headless Chromium tab: "
        f"open the app, Explore with demo data, then {', '.join(PAGES)}; the tab is then "
        "closed. A page switch is timed from the click in the sidebar to the page drawn "
        "with no script run pending. "
        f"{sum(len(s.switches) for s in servers)} switches in all."
    )
    table.notes.append(
        "gc.collect calls are timed inside each server (benchmarks/gc_probe/sitecustomize.py "
        "wraps `gc.collect`): with the option on, one full collection per script run, "
        "during which the script thread holds the GIL. Python's own automatic collections "
        "run in both servers and are not in this column."
    )
    table.notes.append(f"One run; load average {load} (the machine's 2 cores are shared).")
    return table


def _pause_text(pauses: list[float]) -> str:
    if not pauses:
        return "0"
    return (
        f"{len(pauses)}, {statistics.median(pauses) * 1000:,.0f} ms, {max(pauses) * 1000:,.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="per server")
    parser.add_argument("--parallel", type=int, default=2, help="tabs per server at once")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    before = os.getloadavg()[0]
    servers = asyncio.run(_run(args.sessions, args.parallel))
    try:
        load = f"{before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
        table = _table(servers, args.sessions, args.parallel, load)
    finally:
        for server in servers:
            server.app.stop()
    print(table.markdown())
    if not args.no_write:
        command = f"python -m benchmarks.gc --sessions {args.sessions} --parallel {args.parallel}"
        write_section(args.output, "gc", table, command)


if __name__ == "__main__":
    main()
