"""Archive uploads: what reading large Strava exports costs the server's memory.

    python -m benchmarks.archive [--activities 60000]

Writes three exports of ``--activities`` activities each (about 270 bytes of
activities.csv per activity; one in random row order), then reads one, and all three at
once (one thread each, as three sessions would), each time in a fresh process set up
as app.py sets up the server's (tests/large_archive.py). Reports the wall time and how
far resident memory rose (VmHWM) against the budget the README states: at most 4× the
activities.csv being read. A benchmark: it reports, it does not gate CI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import Table, Target
from tests.large_archive import activities_csv, write_export
from tests.test_archive import CURRENT

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 4.0
"""Peak growth per byte of activities.csv being read (README, "Hosting it for others")."""
MB = 1e6


def probe(paths: list[Path]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.large_archive", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(activities: int) -> tuple[Table, list[Target]]:
    table = Table(
        f"Archive uploads ({activities:,} activities each, read by a fresh server process)",
        ["uploads at once", "activities.csv", "wall", "peak growth", "× CSV", "kept after"],
    )
    targets: list[Target] = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = [
            write_export(Path(tmp) / f"export_{i}.zip", activities_csv(CURRENT, activities,
                         seed=i, shuffled=i == 2))
            for i in range(3)
        ]  # fmt: skip
        for group in (paths[:1], paths):
            result = probe(group)
            csv_bytes = sum(result["csv_bytes"])
            growth = result["peak_growth_bytes"]
            table.add(
                len(group),
                f"{csv_bytes / MB:.1f} MB",
                f"{result['seconds']:.1f} s",
                f"{growth / MB:.0f} MB",
                f"{growth / csv_bytes:.1f}×",
                f"{result['retained_bytes'] / MB:.0f} MB",
            )
            targets.append(
                Target(
                    f"{len(group)} upload{'s' if len(group) > 1 else ''} of {activities:,} "
                    "activities at once: peak memory growth",
                    f"≤ {BUDGET:g} × activities.csv ({BUDGET * csv_bytes / MB:.0f} MB)",
                    f"{growth / MB:.0f} MB ({growth / csv_bytes:.1f}×)",
                    growth <= BUDGET * csv_bytes,
                )
            )
    return table, targets


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.archive", description=__doc__)
    parser.add_argument("--activities", type=int, default=60_000)
    args = parser.parse_args()
    table, targets = run(args.activities)
    print(table.markdown())
    for target in targets:
        print("| " + " | ".join(target.row()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
