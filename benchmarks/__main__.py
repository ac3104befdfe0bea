"""Run every comparison side by side and write the tables to BENCHMARKS.md.

    python -m benchmarks [--latency 0.1] [--activities 5000] [--repeat 3]

Benchmarks report; they never fail on a slow run (the exit code is 0 unless a run
crashed). Each table's ratios come from one run on one machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shlex
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import paging, returning, tables, ui
from benchmarks.common import Table, Target, kept_sections

ROOT = Path(__file__).resolve().parent.parent

NOTES = """### How to read this

- **The fake Strava** (`tests.fake_strava`) answers over real HTTP with the configured
  latency, Strava's rate-limit headers and its paging rules. It runs in a child process,
  as Strava is not in ours: in a thread of this process its JSON encoding would compete
  with the client for the GIL and the 2 cores, which penalises every concurrent approach
  (`--server thread` shows it).
- **Requests**: "list" counts `GET /athlete/activities`; "other" is the one
  `GET /athletes/{id}/stats` look-up (the plain client also asks `GET /athlete` for the
  id) whose Everyone-visible ride/run/swim count, refined by the pages seen, is a lower
  bound of the list's length. Pages it vouches for go out up to 8 at once (never more
  than the shared budget grants), with the one right after them (the list's end at the
  latest). The share of counted activities on the pages seen estimates the rest; on its
  say (or, before the stats answer, a full page's) at most 2 pages go out beyond what the
  bound proves. Hence at most 2 requests past the empty page that ends the list.
- **The mixed account** has 45 % of its activities outside ride/run/swim (walks,
  workouts, yoga), so its stats vouch for under half of the list.
- **20,000 activities** use Strava's real limits (100 reads per 15 minutes): the sync
  spends the first window, reports `paused_until`, waits (here the fake's clock is moved
  instead of sleeping 15 minutes) and continues from its cursor. The re-read boundary
  activity can cost one extra short page: 102 list requests where one walk needs 101.
- **Pages** are timed with `streamlit.testing.v1.AppTest`: the page script rerun on the
  server, with widgets and data marshalled, not the browser's drawing.
- Benchmarks report; nothing here fails CI. Ratios are taken within one run.
"""


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.python_implementation()} {platform.python_version()} on {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the start "
        "(a shared, noisy machine: compare ratios within one run, not across runs)"
    )


def _targets_table(targets: list[Target]) -> Table:
    table = Table("Targets", ["target", "goal", "measured", "met"])
    for target in targets:
        table.rows.append(target.row())
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--latency", type=float, default=0.1, help="s added per response")
    parser.add_argument("--activities", type=int, default=5_000, help="for paging")
    parser.add_argument("--repeat", type=int, default=3, help="runs per approach (median)")
    parser.add_argument("--records", type=int, default=10_000, help="for to_frame")
    parser.add_argument("--excel", type=int, default=5_000, help="rows for the Excel export")
    parser.add_argument("--ui-activities", type=int, default=10_000)
    parser.add_argument("--ui-runs", type=int, default=7, help="reruns per page (median)")
    parser.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="where the fake Strava runs (a thread shares this process's GIL)",
    )
    parser.add_argument(
        "--only",
        choices=("paging", "returning", "tables", "ui"),
        action="append",
        help="run only these",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    sections = set(args.only or ("paging", "returning", "tables", "ui"))
    command = "python -m benchmarks " + shlex.join(sys.argv[1:] if argv is None else argv)
    machine = _machine()
    started = time.perf_counter()
    out: list[Table] = []
    targets: list[Target] = []
    if "paging" in sections:
        result = paging.run(args.latency, args.activities, args.repeat, args.server)
        out.append(result.table)
        targets += result.targets
        print(result.table.markdown(), flush=True)
    if "returning" in sections:
        visits, visit_targets = returning.run(args.latency, args.activities, args.server)
        out.append(visits)
        targets += visit_targets
        print(visits.markdown(), flush=True)
    if "tables" in sections:
        made = tables.run(args.records, args.excel, args.repeat)
        out += [made.transform, made.export]
        targets += made.targets
        print(made.transform.markdown(), flush=True)
        print(made.export.markdown(), flush=True)
    if "ui" in sections:
        pages = ui.run(args.ui_activities, args.ui_runs)
        out.append(pages.table)
        targets += pages.targets
        print(pages.table.markdown(), flush=True)
    summary = _targets_table(targets)
    print(summary.markdown(), flush=True)
    took = time.perf_counter() - started
    text = [
        "# Benchmarks",
        "",
        f"Reproduce: `{command.strip()}` (took {took:.0f} s on {datetime.now(UTC):%Y-%m-%d}).",
        "",
        f"Machine: {machine}.",
        "",
        summary.markdown(),
        *(t.markdown() for t in out),
        *kept_sections(args.output),
        NOTES,
    ]
    args.output.write_text("\n".join(text))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
