"""Two replicas, one Strava budget: the same browser run with Redis and without, side by side.

    python -m benchmarks.replicas [--runs 3] [--activities 4000] [--limit 20] [--write]

Starts redis-server and PostgreSQL, then per run two ``streamlit run app.py`` processes
sharing the database (and Redis, or not), a fake Strava allowing ``--limit`` reads per 15
minutes, and Debian's Chromium: athletes A and B connect on replica 1 and 2 at once and
download everything across windows; the quarter hours pass on a shared test clock
(``DASH_CLOCK_FILE``) instead of in real time (tests/browser/replicas.py). Then A logs in
on replica 2. Prints the table; ``--write`` puts it into BENCHMARKS.md. A benchmark: it
reports, it never fails on a slow run.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import redis
from playwright.sync_api import sync_playwright

from benchmarks.common import Table, write_section
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.replicas import LATENCY_S, Outcome, Services, run_replicas
from tests.postgres_server import PostgresServer
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
SECTION = "replicas"


def _spread(values: list[int | float], fmt: str = "{:,.0f}") -> str:
    """One value, or the median with the range over the runs."""
    if len(set(values)) == 1:
        return fmt.format(values[0])
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{fmt.format(mid)} ({fmt.format(low)}–{fmt.format(high)})"


def _once(outcome: Outcome) -> bool:
    """Both athletes: every activity stored, none twice, none foreign."""
    want = outcome.activities
    return all(
        rows == distinct == want and equal for rows, distinct, equal in outcome.stored.values()
    )


def _column(runs: list[Outcome]) -> list[str]:
    returning: list[int | float] = [
        r.returning_lists for r in runs if r.returning_lists is not None
    ]
    lists = _spread([r.list_requests for r in runs])
    others = _spread([r.requests - r.list_requests for r in runs])
    return [
        f"{lists} + {others}",
        f"**{_spread([r.refused for r in runs])}**",
        _spread([r.max_per_window for r in runs]),
        "; ".join(" · ".join(str(n) for n in r.per_window.values()) for r in runs),
        _spread([r.windows for r in runs]),
        "yes" if all(map(_once, runs)) else "**no**",
        _spread([r.wall_s for r in runs], "{:.1f} s"),
        _spread(returning) if returning else "—",
    ]


def table(with_redis: list[Outcome], without: list[Outcome], latency: float) -> Table:
    first = with_redis[0]
    out = Table(
        f"Two replicas, one budget ({first.activities:,} activities each, "
        f"{first.limit} reads / 15 min)",
        ["", "with Redis (`DASH_REDIS_URL`)", "without Redis (a budget per replica)"],
    )
    labels = [
        "requests: list + other (stats, gear)",
        "refused by Strava (429)",
        f"most requests in one 15-min window (limit {first.limit})",
        "requests per window, each run",
        "windows to finish both",
        "every activity stored exactly once (both athletes)",
        "wall time (quarter hours skipped on the test clock)",
        "A later on replica 2: list requests",
    ]
    for label, a, b in zip(labels, _column(with_redis), _column(without), strict=True):
        out.add(label, a, b)
    out.notes += [
        f"{len(with_redis)} run(s) of each, median (range). Two `streamlit run app.py` "
        "processes on PostgreSQL, athletes A and B connecting in two Chromium contexts at "
        f"once; {latency * 1000:.0f} ms added to every answer of the fake Strava.",
        "Without Redis each replica still learns the app's usage from Strava's headers, "
        "but not the other replica's requests in flight: when both are busy in one window "
        "they grant the same last requests and Strava refuses the excess (its 429s count "
        "too). "
        "With Redis the leases of both replicas are in one place: nothing is refused and no "
        "window holds more than the limit.",
        "Windows turn on a test clock (`DASH_CLOCK_FILE`, read by the app, its Redis budget "
        "and the fake Strava): when both pages are paused, the scenario moves it past the "
        "quarter hour and the pages' own countdowns resume the downloads. In real time "
        "each extra window is a 15-minute wait.",
    ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replicas", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median, range)")
    parser.add_argument("--activities", type=int, default=4_000, help="per athlete")
    parser.add_argument("--limit", type=int, default=20, help="reads per 15 minutes")
    parser.add_argument("--latency", type=float, default=LATENCY_S, help="s per answer")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)
    with_redis: list[Outcome] = []
    without: list[Outcome] = []
    home = Path(tempfile.mkdtemp(prefix="dash-replicas-"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(home / "config"))
    os.environ.setdefault("XDG_CACHE_HOME", str(home / "cache"))
    postgres = PostgresServer()
    try:
        with RedisServer(home) as redis_server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(args.runs):
                for use_redis, results in ((True, with_redis), (False, without)):
                    if use_redis:
                        redis.Redis.from_url(redis_server.url).flushall()
                    url = postgres.new_database()
                    tmp = home / f"run-{run}-{'redis' if use_redis else 'alone'}"
                    services = Services(url, redis_server.url if use_redis else None, tmp)
                    tmp.mkdir()
                    outcome = run_replicas(
                        browser,
                        services,
                        activities=args.activities,
                        limit=args.limit,
                        returning=use_redis,
                        latency=args.latency,
                    )
                    postgres.drop_database(url)
                    results.append(outcome)
                    print(
                        f"run {run + 1}, {'with' if use_redis else 'without'} Redis: "
                        f"{outcome.requests} requests, {outcome.refused} refused, per window "
                        f"{list(outcome.per_window.values())}, {outcome.wall_s:.1f} s",
                        flush=True,
                    )
            browser.close()
    finally:
        postgres.stop()
        shutil.rmtree(home, ignore_errors=True)
    result = table(with_redis, without, args.latency)
    print(result.markdown())
    if args.write:
        given = sys.argv[1:] if argv is None else list(argv)
        command = "python -m benchmarks.replicas " + shlex.join(given)
        write_section(ROOT / "BENCHMARKS.md", SECTION, result, command.strip())
        print("written to BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
