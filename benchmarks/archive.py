"""Archive uploads: what reading large Strava exports costs the server's memory.

    python -m benchmarks.archive [--activities 60000] [--write]

Writes three exports of ``--activities`` activities each (about 270 bytes of
activities.csv per activity; one in random row order), then reads one, and all three at
once (one thread each, as three sessions would), then one whose rows are stripped to
the three required cells (about 147 bytes each: the least CSV per activity), each time
in a fresh process set up as app.py sets up the server's (tests/large_archive.py).
Reports the wall time and how far resident memory rose (VmHWM) against the budget the
README states: at most 4× the activities.csv being read. Prints the table; ``--write``
puts it into BENCHMARKS.md. A benchmark: it reports, it does not gate CI.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import Table, Target, write_section
from tests.large_archive import activities_csv, probe, sparse_activities_csv, write_export
from tests.test_archive import CURRENT

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 4.0
"""Peak growth per byte of activities.csv being read (README, "Hosting it for others")."""
MB = 1e6
SECTION = "archive"
NOTES = (
    "Each export is a ZIP with only `activities.csv` (current header; about 270 bytes a "
    "row, 20 columns filled, one of the three in random row order; or stripped to Activity "
    'ID, Date and Type, about 147 bytes a row), built by `tests/large_archive.py`. "Peak '
    'growth" is VmHWM above the resident size just before the reads, in a process set up '
    'as app.py sets up the server\'s (`strava_dash.memory.configure`); "kept after" is '
    'the resident size once the tables are dropped; "tables" what they hold while a '
    "session keeps them. Not part of `python -m benchmarks`: each read needs a fresh process.",
    "Columns no row fills are not held per activity: they share one all-NA array per "
    "dtype, so a table costs what its rows hold. The same probe on the commit before that "
    "(three runs of each, interleaved): one upload 54 MB (3.3×), its table 35 MB; three "
    "at once 144–149 MB (3.0×); rows of 3 cells 51 MB (5.8×), table 33 MB. Before issue "
    "11 (a probe that dropped each table once read): one upload 445 MB (26.9×), three "
    "1,265 MB (25.5×).",
    "Three uploads at once vary by about 10 MB from run to run (where the threads' peaks "
    "fall): 116–124 MB in the three runs above.",
    "Track files add their routes (at most 200 points per activity).",
)


def run(activities: int) -> tuple[Table, list[Target]]:
    table = Table(
        f"Archive uploads ({activities:,} activities each, read by a fresh server process)",
        [
            "uploads at once",
            "activities.csv",
            "wall",
            "peak growth",
            "× CSV",
            "tables",
            "kept after",
        ],
    )
    targets: list[Target] = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = [
            write_export(Path(tmp) / f"export_{i}.zip", activities_csv(CURRENT, activities,
                         seed=i, shuffled=i == 2))
            for i in range(3)
        ]  # fmt: skip
        stripped = write_export(
            Path(tmp) / "stripped.zip", sparse_activities_csv(CURRENT, activities)
        )
        for group in (paths[:1], paths, [stripped]):
            result = probe(*group)
            csv_bytes = sum(result["csv_bytes"])
            growth = result["peak_growth_bytes"]
            kind = ", rows of 3 cells" if group == [stripped] else ""
            table.add(
                f"{len(group)}{kind}",
                f"{csv_bytes / MB:.1f} MB",
                f"{result['seconds']:.1f} s",
                f"{growth / MB:.0f} MB",
                f"{growth / csv_bytes:.1f}×",
                f"{result['tables_bytes'] / MB:.0f} MB",
                f"{result['retained_bytes'] / MB:.0f} MB",
            )
            targets.append(
                Target(
                    f"{len(group)} upload{'s' if len(group) > 1 else ''} of {activities:,} "
                    f"activities{kind}{' at once' if len(group) > 1 else ''}: peak memory growth",
                    f"≤ {BUDGET:g} × activities.csv ({BUDGET * csv_bytes / MB:.0f} MB)",
                    f"{growth / MB:.0f} MB ({growth / csv_bytes:.1f}×)",
                    growth <= BUDGET * csv_bytes,
                )
            )
    table.notes.extend(NOTES)
    return table, targets


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.archive", description=__doc__)
    parser.add_argument("--activities", type=int, default=60_000)
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    table, targets = run(args.activities)
    print(table.markdown())
    for target in targets:
        print("| " + " | ".join(target.row()) + " |")
    if args.write:
        given = [a for a in (sys.argv[1:] if argv is None else list(argv)) if a != "--write"]
        command = " ".join(["python -m benchmarks.archive", shlex.join(given)]).strip()
        load = os.getloadavg()[0]
        table.notes.append(
            f"One run, {time.perf_counter() - started:.0f} s; load average {load:.1f} at its end "
            "on the machine's shared cores."
        )
        write_section(ROOT / "BENCHMARKS.md", SECTION, table, command)
        print("written to BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
