"""Page reruns with a big session, through ``streamlit.testing.v1.AppTest``.

The demo athlete is opened, then its store is swapped for ``n`` activities in the API's
shape; each timed run follows a change of the name filter (a different query every
time, so every run really filters). AppTest runs the page script in this process, as
the server does; the browser's rendering is not included.
"""

from __future__ import annotations

import json
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

from benchmarks.common import Table, Target, seconds
from strava_dash import export
from tests.apptest_support import open_demo
from tests.fake_strava import make_activities

QUERIES = ("ride", "run", "swim", "walk", "morning", "", "gravel", "a", "zwift", "lunch")


@dataclass
class UIResult:
    table: Table
    targets: list[Target]


def query_reruns(at: AppTest, runs: int, what: str) -> list[float]:
    """Seconds of ``runs`` reruns of the page ``at`` shows, each after a name-filter change.

    The first change is not counted: it also warms the page's caches.
    """
    times = []
    for query in (QUERIES * 3)[: runs + 1]:
        at.text_input(key="q").set_value(query)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{what} failed: {at.exception}")
    return times[1:]


def _reruns(at: AppTest, page: str, runs: int) -> list[float]:
    at.switch_page(page).run()
    return query_reruns(at, runs, page)


def _memory(n: int) -> tuple[int, int]:
    """Bytes held by ``n`` raw records (decoded from JSON, as the API sends them) and
    by their table."""
    from strava_dash.activities import to_frame

    payload = json.dumps(make_activities(n, athlete_id=1, seed=3)).encode()
    tracemalloc.start()
    records = json.loads(payload)
    raw = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    frame = to_frame(records)
    return raw, int(frame.memory_usage(deep=True).sum())


def run(n: int, runs: int) -> UIResult:
    streamlit_logger.set_log_level("error")  # AppTest's "no runtime" chatter
    built: list[int] = []
    to_xlsx = export.to_xlsx

    def counting(*args: Any, **kwargs: Any) -> bytes:
        built.append(1)
        return to_xlsx(*args, **kwargs)

    export.to_xlsx = counting  # type: ignore[assignment]
    try:
        return _run(n, runs, built)
    finally:
        export.to_xlsx = to_xlsx  # type: ignore[assignment]


def _run(n: int, runs: int, built: list[int]) -> UIResult:
    at = open_demo()
    session = at.session_state["dash_session"]
    with session.store.lock:
        session.store.records.clear()
    session.store.merge(make_activities(n, athlete_id=session.athlete_id or 0, seed=3))
    activities = _reruns(at, "pages/activities.py", runs)
    charts = _reruns(at, "pages/charts.py", runs)
    raw, frame = _memory(n)
    table = Table(
        f"Pages with {n:,} activities in the session (a filter change, then the rerun)",
        ["page", "median rerun", "min", "max", "runs"],
    )
    for label, times in (("Activities", activities), ("Charts", charts)):
        table.add(
            label,
            seconds(statistics.median(times)),
            seconds(min(times)),
            seconds(max(times)),
            len(times),
        )
    mb = 1024 * 1024
    table.notes.append(
        f"Workbooks built during these {len(activities) + len(charts) + 2} reruns: "
        f"{len(built)} (the Excel bytes are made only when the button is pressed)."
    )
    table.notes.append(
        f"Session memory for {n:,} activities: raw records {raw / mb:.0f} MiB (tracemalloc "
        f"of `json.loads` of the API pages) + the table {frame / mb:.0f} MiB "
        f"(`memory_usage(deep=True)`) = {(raw + frame) / mb:.0f} MiB; the frame is built "
        "once per store revision and kept in the session, not rebuilt on reruns."
    )
    targets = [
        Target(
            f"Activities rerun, {n:,} activities",
            "≤ 300 ms",
            seconds(statistics.median(activities)),
            statistics.median(activities) <= 0.3,
        ),
        Target(
            f"Charts rerun, {n:,} activities",
            "≤ 1 s",
            seconds(statistics.median(charts)),
            statistics.median(charts) <= 1.0,
        ),
        Target(
            "Excel built only when the button is used",
            "0 workbooks on reruns",
            f"{len(built)} workbooks in {len(activities) + len(charts) + 2} reruns",
            not built,
        ),
        Target(
            f"session memory, {n:,} activities",
            "stated",
            f"{(raw + frame) / mb:.0f} MiB",
            True,
        ),
    ]
    return UIResult(table, targets)
