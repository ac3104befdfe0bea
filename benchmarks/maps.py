"""The Map page's figure on the server: build time and the JSON Streamlit sends.

    python -m benchmarks.maps [--repeat 3] [--output BENCHMARKS.md]

Routes and start density at 2,000 and 20,000 activities: the fake Strava's accounts
(spread over 12 years; its routes are 72 loops reused, as an athlete rides the same loops)
and 20,000 activities whose routes are all different (60-point random walks around one
city: the worst case, nothing repeats). Builders before issue 14 (``benchmarks.before``,
frozen) and now, interleaved. "Cold" is a new session (nothing decoded yet); "warm" reuses
the session's decoded routes, as a filter change does. A benchmark: it reports only.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, MutableMapping
from functools import partial
from pathlib import Path
from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go

from benchmarks.before import maps as maps_before
from benchmarks.browser import distinct_routes, spread
from benchmarks.common import Table, Target, ratio, seconds, timed_together, write_section
from strava_dash import activities, maps

ROOT = Path(__file__).resolve().parent.parent
MB: Final = 1e6
Builder = Callable[..., go.Figure]


def _distinct(n: int) -> pd.DataFrame:
    """The fake's activities, each route replaced by a random walk of its own."""
    records = spread(n, 12, end=time.time())
    distinct_routes(records)
    return activities.to_frame(records)


def _build(builder: Builder, df: pd.DataFrame, mode: str, warm: dict[str, Any] | None) -> Any:
    cache: MutableMapping[str, Any] = {} if warm is None else warm
    return builder(df, mode=mode, cache=cache)


def run(repeat: int) -> tuple[Table, list[Target]]:
    table = Table(
        "Map figure on the server: build and JSON",
        ["activities", "mode", "cold before", "cold now", "warm before", "warm now",
         "JSON before", "JSON now", "now ÷ before"],
    )  # fmt: skip
    targets: list[Target] = []
    cases = {
        "2,000 (fake, 12 y)": activities.to_frame(spread(2_000, 12, end=time.time())),
        "20,000 (fake, 12 y)": activities.to_frame(spread(20_000, 12, end=time.time())),
        "20,000, every route different": _distinct(20_000),
    }
    for label, df in cases.items():
        for mode in ("routes", "starts"):
            warm_before: dict[str, Any] = {}
            warm_now: dict[str, Any] = {}
            runs: dict[str, Callable[[], Any]] = {
                "cold before": partial(_build, maps_before.routes_figure, df, mode, None),
                "cold now": partial(_build, maps.routes_figure, df, mode, None),
                "warm before": partial(_build, maps_before.routes_figure, df, mode, warm_before),
                "warm now": partial(_build, maps.routes_figure, df, mode, warm_now),
            }
            # One untimed round first: plotly's first figure loads its validators.
            result = timed_together(runs, repeat, warmup=True)
            old_b = len(result["cold before"][1].to_json())
            new_b = len(result["cold now"][1].to_json())
            table.add(
                label, mode, *(seconds(result[k][0]) for k in result),
                f"{old_b / 1000:,.0f} kB", f"{new_b / 1000:,.0f} kB", ratio(new_b, old_b),
            )  # fmt: skip
            print(table.rows[-1], flush=True)
            if label.startswith("20,000"):
                targets.append(
                    Target(f"Map {mode} JSON, {label}", "≤ 1 MB", f"{new_b / 1000:,.0f} kB",
                           new_b <= MB)
                )  # fmt: skip
    table.notes += [
        f"Medians of {repeat} builds after one untimed round, the four interleaved; cold builds "
        "start from an empty decoded-route cache (a new session), warm ones share one per "
        "builder (the session's `decoded_routes`, as on a filter change).",
        "JSON is `len(fig.to_json())`, what `st.plotly_chart` sends; the app adds the page's "
        "other elements.",
        *(
            f"{t.what}: {t.measured} (target {t.goal}: {'met' if t.met else '**not met**'})"
            for t in targets
        ),
    ]
    return table, targets


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.maps", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="builds per approach (median)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    table, _ = run(args.repeat)
    table.notes.append(
        f"Load average {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end "
        "(2 shared cores): compare within a run."
    )
    print(table.markdown(), flush=True)
    write_section(args.output, "maps", table, f"python -m benchmarks.maps --repeat {args.repeat}")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
