"""The visual filter (#13): its masks on a big table, and page reruns with selections.

    python -m benchmarks.selection [--activities 10000] [--runs 7]

Writes the "selection" section of BENCHMARKS.md (kept by ``python -m benchmarks``).
Masks are timed on their own (median of ``runs``); page reruns through AppTest follow a
change of the name filter, as in :mod:`benchmarks.ui`, with a stack of three selections
in the URL, against the same page without them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polyline
from streamlit import logger as streamlit_logger

from benchmarks.common import Table, seconds, write_section
from benchmarks.ui import query_reruns
from strava_dash.activities import to_frame
from strava_dash.selection import (
    MapSelection,
    ScatterSelection,
    Selection,
    VolumeSelection,
    WhenSelection,
    selection_mask,
)
from strava_dash.selection_codec import encode
from tests.apptest_support import open_demo
from tests.fake_strava import make_activities

ROOT = Path(__file__).resolve().parent.parent


def _median(run: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _stack(frame: pd.DataFrame) -> list[Selection]:
    months = pd.to_datetime(frame["local_date"]).dt.to_period("M").dropna().unique()
    recent = [p.to_timestamp().date() for p in sorted(months)[-24:]]
    sports = frame["sport_type"].dropna().unique().tolist()
    return [
        VolumeSelection("month", frozenset((d, s) for d in recent for s in sports)),
        WhenSelection(frozenset((d, h) for d in range(7) for h in range(5, 20))),
        ScatterSelection("speed", "metric", (5.0, 200.0), (10.0, 45.0)),
    ]


def _map_box(frame: pd.DataFrame) -> MapSelection:
    lat = frame["start_lat"].astype("Float64").dropna().to_numpy(dtype=np.float64)
    lng = frame["start_lng"].astype("Float64").dropna().to_numpy(dtype=np.float64)
    mid_lat, mid_lng = float(np.median(lat)), float(np.median(lng))
    return MapSelection(
        "routes", (mid_lat - 0.02, mid_lat + 0.02), (mid_lng - 0.02, mid_lng + 0.02)
    )


def _reruns(at: Any, page: str, runs: int) -> list[float]:
    at.switch_page(page).run()
    return query_reruns(at, runs, page)


def _distinct_routes(table: Table, frame: pd.DataFrame, box: MapSelection, runs: int) -> None:
    """The worst case for a map box: every route different (the fake's repeat)."""
    encoded = frame["map_summary_polyline"].astype("string")
    has = encoded.notna().to_numpy(dtype=bool, na_value=False)
    routes = [
        polyline.encode([(lat + i * 1e-5, lng) for lat, lng in polyline.decode(text)])
        for i, text in enumerate(encoded[has].tolist())
    ]
    distinct = frame.copy()
    distinct.loc[has, "map_summary_polyline"] = routes
    # Starts outside the box, so every route is decoded and searched.
    far = MapSelection("routes", box.lat, box.lng)
    distinct["start_lat"] = pd.array([0.0] * len(distinct), dtype="Float64")
    cold = []
    for _ in range(3):
        start = time.perf_counter()
        selection_mask(far, distinct, routes={})
        cold.append(time.perf_counter() - start)
    cache: dict[str, Any] = {}
    kept = int(selection_mask(far, distinct, routes=cache).sum())
    label = f"map box, {len(routes):,} distinct routes, starts outside"
    table.add(f"{label}, nothing decoded yet", seconds(statistics.median(cold)), f"{kept:,}")
    warm = _median(lambda: selection_mask(far, distinct, routes=cache), runs)
    table.add(f"{label}, routes decoded", seconds(warm), f"{kept:,}")


def run(n: int, runs: int) -> Table:
    streamlit_logger.set_log_level("error")
    records = make_activities(n, athlete_id=1, seed=3)
    frame = to_frame(records)
    stack = _stack(frame)
    box = _map_box(frame)
    table = Table(
        f"Visual filter with {n:,} activities (median of {runs})",
        ["what", "median", "rows kept"],
    )
    for selection in stack:
        kept = int(selection_mask(selection, frame).sum())
        table.add(
            f"mask: {selection.chart}",
            seconds(_median(lambda s=selection: selection_mask(s, frame), runs)),
            f"{kept:,}",
        )
    table.add(
        "mask: the three together",
        seconds(_median(lambda: selection_mask(stack, frame), runs)),
        f"{int(selection_mask(stack, frame).sum()):,}",
    )
    cold = []
    for _ in range(max(3, runs // 2)):
        start = time.perf_counter()
        selection_mask(box, frame, routes={})
        cold.append(time.perf_counter() - start)
    cache: dict[str, Any] = {}
    selection_mask(box, frame, routes=cache)
    kept = int(selection_mask(box, frame, routes=cache).sum())
    table.add(
        "map box over every route, nothing decoded yet",
        seconds(statistics.median(cold)),
        f"{kept:,}",
    )
    table.add(
        "map box over every route, routes decoded (the map was shown)",
        seconds(_median(lambda: selection_mask(box, frame, routes=cache), runs)),
        f"{kept:,}",
    )

    _distinct_routes(table, frame, box, runs)

    at = open_demo()
    session = at.session_state["dash_session"]
    with session.store.lock:
        session.store.records.clear()
    session.store.merge(records)
    for page in ("pages/activities.py", "pages/charts.py"):
        at.query_params.pop("sel", None)
        at.session_state["visual_selections"] = []
        plain = _reruns(at, page, runs)
        at.query_params["sel"] = encode(stack)
        selected = _reruns(at, page, runs)
        name = page.removeprefix("pages/").removesuffix(".py").capitalize()
        table.add(f"{name} rerun, no selection", seconds(statistics.median(plain)), "")
        table.add(f"{name} rerun, three selections", seconds(statistics.median(selected)), "")
    table.notes.append(
        "Masks: `strava_dash.selection.selection_mask` on the whole table; the map box "
        "decodes every summary polyline unless the session's route cache has them (the Map "
        "page fills it). Reruns: AppTest, server time only, after a name-filter change."
    )
    table.notes.append(f"Stack: {encode(stack)[:80]}…; map box: {encode([box])}.")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    table = run(args.activities, args.runs)
    print(table.markdown())
    command = f"python -m benchmarks.selection --activities {args.activities} --runs {args.runs}"
    write_section(ROOT / "BENCHMARKS.md", "selection", table, command)


if __name__ == "__main__":
    main()
