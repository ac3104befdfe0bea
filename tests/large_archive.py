"""Large Strava exports for the memory test and benchmark, and the probe that measures
what reading one costs a fresh process.

``python -m tests.large_archive PATH [PATH ...]`` reads each ZIP with
:func:`strava_dash.archive.read_archive` (several at once, one thread each, as a server's
sessions do) in a process set up as app.py sets up the server's, and
prints JSON: the CSV size, the wall time, and how far the process's resident memory rose
above where it stood just before (the peak, ``VmHWM``, so every allocator counts:
Python objects, NumPy and Arrow buffers alike), with the tables held, and once they are
dropped.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

FIRST = datetime(2010, 1, 1, 6, 0, 0)
ACTIVITY_TYPES = ("Ride", "Run", "Walk", "Virtual Ride", "Weight Training", "Swim")


def activities_csv(
    header: Sequence[str], rows: int, *, seed: int = 1, shuffled: bool = False
) -> bytes:
    """``rows`` activities as a real current export fills them: about 270 bytes a row
    (the hostile tester's 60,000-row file was 14 MB), most of its ~100 columns empty,
    oldest first in id order; ``shuffled`` puts the rows in random order."""
    where: dict[str, list[int]] = {}
    for position, name in enumerate(header):
        where.setdefault(name, []).append(position)
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    order = list(range(rows))
    if shuffled:
        rng.shuffle(order)
    for k in order:
        cells = [""] * len(header)

        def put(name: str, value: str, occurrence: int = 0, cells: list[str] = cells) -> None:
            cells[where[name][occurrence]] = value

        metres = 5000 + rng.random() * 60000
        moving = 1200 + k % 5000
        put("Activity ID", str(1_000_000_000 + k))
        put(
            "Activity Date",
            f"{FIRST + timedelta(hours=2 * k, seconds=k % 3600):%b %d, %Y, %I:%M:%S %p}",
        )
        put("Activity Name", f"Morning ride number {k}")
        put("Activity Type", ACTIVITY_TYPES[k % len(ACTIVITY_TYPES)])
        put("Elapsed Time", str(moving + 120))
        put("Distance", f"{metres / 1000:.2f}")
        put("Commute", "false")
        put("Filename", f"activities/{11_000_000_000 + k}.fit.gz")
        put("Elapsed Time", f"{moving + 120}.0", 1)
        put("Moving Time", f"{moving}.0")
        put("Distance", f"{metres:.1f}", 1)
        put("Max Speed", f"{rng.random() * 15:.3f}")
        put("Average Speed", f"{metres / moving:.3f}")
        put("Elevation Gain", f"{rng.random() * 900:.1f}")
        put("Elevation Low", f"{rng.random() * 100:.1f}")
        put("Elevation High", f"{100 + rng.random() * 900:.1f}")
        put("Average Heart Rate", f"{120 + rng.random() * 40:.1f}")
        put("Calories", f"{rng.random() * 1500:.0f}")
        put("Commute", "0.0", 1)
        put("From Upload", "1.0")
        put("Flagged", "0.0")
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def sparse_activities_csv(header: Sequence[str], rows: int) -> bytes:
    """``rows`` activities stripped to the three required cells (id, date, sport) under
    the full ``header``: about 147 bytes a row, the least an activity can cost the CSV,
    so the most the table's own size weighs against it."""
    where = {name: header.index(name) for name in ("Activity ID", "Activity Date", "Activity Type")}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for k in range(rows):
        cells = [""] * len(header)
        cells[where["Activity ID"]] = str(1_000_000_000 + k)
        start = FIRST + timedelta(hours=2 * k, seconds=k % 3600)
        cells[where["Activity Date"]] = f"{start:%b %d, %Y, %I:%M:%S %p}"
        cells[where["Activity Type"]] = ACTIVITY_TYPES[k % len(ACTIVITY_TYPES)]
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def write_export(path: Path, csv_data: bytes) -> Path:
    """A ZIP holding only ``activities.csv`` (its listed files absent: each is a note)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", csv_data)
    return path


def _resident() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def _reset_peak() -> None:
    """Start VmHWM again from the current size (the imports above peaked higher)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def _peak() -> int:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a probe
    # started by a large pytest process would report pytest's size as its own peak.
    with open("/proc/self/status") as fh:
        line = next(line for line in fh if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def measure(paths: Sequence[str]) -> dict[str, Any]:
    """Read every archive at once (one thread each); what it cost this process."""
    from strava_dash import memory
    from strava_dash.archive import ArchiveLimits, read_archive
    from strava_dash.archive._zip import open_zip
    from tests.test_archive import export, row

    memory.configure()  # as app.py does in the server
    read_archive(export([row(1), row(2)]))  # imports and first-use caches, not the upload
    sizes = []
    for path in paths:
        with open_zip(path, ArchiveLimits()) as zf:
            sizes.append(zf.getinfo("activities.csv").file_size)
    gc.collect()
    _reset_peak()
    before = _resident()
    tables: list[Any] = [None] * len(paths)

    def read(i: int) -> None:
        tables[i] = read_archive(paths[i])

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(paths))]
    started = time.perf_counter()
    if len(threads) == 1:
        read(0)  # no thread: one upload's figure without a second malloc arena
    for thread in threads if len(threads) > 1 else ():
        thread.start()
    for thread in threads if len(threads) > 1 else ():
        thread.join()
    seconds = time.perf_counter() - started
    held = _resident() - before  # with the tables, as the sessions keep them
    rows = [len(table) for table in tables]
    del tables[:]
    gc.collect()
    retained = _resident() - before
    return {
        "csv_bytes": sizes,
        "rows": rows,
        "seconds": seconds,
        "before_bytes": before,
        "peak_growth_bytes": max(_peak() - before, 0),
        # What dropping them gave back: what the tables held.
        "tables_bytes": held - retained,
        "retained_bytes": retained,
    }


ROOT = Path(__file__).resolve().parent.parent


def probe(*paths: Path, timeout: float = 300) -> dict[str, Any]:
    """:func:`measure` in a fresh interpreter, set up as the server is (this module's
    ``__main__``): a process's peak memory cannot be reset, only started anew."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.large_archive", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=timeout,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1:])))
