"""Downloading every activity: the baselines against ``sync()`` with the shared budget.

Baselines live here, written the way their sources do it:

* **per_page=30 with an ``after=`` cursor** (the 2020 stravaio package): ask for the 30
  activities after the newest start seen, until a short page. A twin starting in the
  same second as the last one of a page is skipped by the exclusive cursor.
* **sequential pages of 200 until an empty page** (Strava's own advice).
* **8 pages in flight per window**: batches of 8 concurrent pages until a batch holds
  an empty page (fast, but asks for pages past the end).

On its own (``python -m benchmarks.paging --help``) this section is run alone and put
into BENCHMARKS.md in place: its table and its rows of the Targets table, nothing else.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from benchmarks.common import Table, Target, ratio, seconds, timed
from benchmarks.server import Athlete, BenchServer
from strava_dash.budget import InProcessBudget
from strava_dash.client import StravaClient
from strava_dash.sync import ActivityStore, sync
from strava_dash.transport import build_session

Record = dict[str, Any]


def _get(session: requests.Session, url: str, token: str, **params: Any) -> list[Record]:
    response = session.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    data: list[Record] = response.json()
    return data


def after_cursor_loop(api_url: str, token: str) -> list[Record]:
    """stravaio (2020): pages of 30, each ``after=`` the newest start of the last page."""
    session, url, out, after = build_session(), f"{api_url}/athlete/activities", [], 0
    while True:
        page = _get(session, url, token, per_page=30, after=after)
        out.extend(page)
        if len(page) < 30:
            return out
        after = int(datetime.fromisoformat(page[-1]["start_date"]).timestamp())


def sequential_loop(api_url: str, token: str) -> list[Record]:
    """Pages of 200, one after the other, until an empty page."""
    session, url, out, page = build_session(), f"{api_url}/athlete/activities", [], 1
    while True:
        data = _get(session, url, token, per_page=200, page=page)
        if not data:
            return out
        out.extend(data)
        page += 1


def batches_of_eight(api_url: str, token: str) -> list[Record]:
    """8 pages at once per round, until a round holds an empty page."""
    session, url, out, first = build_session(), f"{api_url}/athlete/activities", [], 1
    with ThreadPoolExecutor(8) as pool:
        while True:
            pages = list(
                pool.map(
                    lambda p: _get(session, url, token, per_page=200, page=p),
                    range(first, first + 8),
                )
            )
            for data in pages:
                if not data:
                    return out
                out.extend(data)
            first += 8


def _ours(server: BenchServer, athlete: Athlete, budget: Callable[[], InProcessBudget]) -> Any:
    def run() -> ActivityStore:
        client = StravaClient(athlete.token, api_url=server.api_url, budget=budget())
        store = ActivityStore(athlete_id=athlete.id)
        report = sync(client, store)
        if not report.ok:
            raise RuntimeError(f"sync failed: {report.error}")
        return store

    return run


def _plain(server: BenchServer, athlete: Athlete) -> Callable[[], list[Record]]:
    """A library user: a client with nothing but the token, no store, no budget, no hint."""
    return lambda: list(StravaClient(athlete.token, api_url=server.api_url).iter_activities())


SEQUENTIAL = "sequential pages of 200 until an empty page"
OURS = "**ours**: `sync()` — stats hint + concurrent pages, shared budget"
PLAIN = "ours: plain client `iter_activities()`, nothing passed but the token"
MIXED = "mixed account (45 % outside ride/run/swim)"


def _newest_first(records: list[Record]) -> list[int]:
    ordered = sorted(records, key=lambda r: (r["start_date"], r["id"]), reverse=True)
    return [r["id"] for r in ordered]


@dataclass
class Measured:
    wall: float
    ids: list[int]
    lists: int
    others: int


@dataclass
class PagingResult:
    table: Table
    targets: list[Target]


def _measure(server: BenchServer, fn: Callable[[], Any], repeat: int) -> Measured:
    server.call("clear_requests")
    wall, got = timed(fn, repeat)
    records = list(got.records.values()) if isinstance(got, ActivityStore) else got
    lists = server.list_requests() // repeat
    others = server.api_requests() // repeat - lists
    return Measured(wall, _newest_first(records), lists, others)


def run(
    latency: float, activities: int, repeat: int, placement: str, big: int = 20_000
) -> PagingResult:
    repeat = max(repeat, 1)
    table = Table(
        "Downloading every activity",
        ["approach", "list requests", "other requests", "median wall", "vs sequential",
         "ids equal", "lost"],
    )  # fmt: skip
    with BenchServer(latency, placement) as server:
        athlete = server.call("add_athlete", activities, 1)
        url, token = server.api_url, athlete.token
        warm = InProcessBudget()
        StravaClient(token, api_url=url, budget=warm).athlete()  # a server that ran before
        rows = {
            "per_page=30, `after=` cursor (stravaio 2020)": lambda: after_cursor_loop(url, token),
            "sequential pages of 200 until an empty page": lambda: sequential_loop(url, token),
            "8 pages in flight per round until an empty page": lambda: batches_of_eight(url, token),
            OURS: _ours(server, athlete, lambda: warm),
            "ours, budget cold (first request of a fresh server process)": _ours(
                server, athlete, InProcessBudget
            ),
            PLAIN: _plain(server, athlete),
        }
        measured = {label: _measure(server, fn, repeat) for label, fn in rows.items()}
        seq, ours, plain = measured[SEQUENTIAL], measured[OURS], measured[PLAIN]
        _add_rows(table, measured, seq, athlete, "")
        mixed_athlete = server.call("add_athlete", activities, 3, 0.45)
        mixed_rows = {
            SEQUENTIAL: lambda: sequential_loop(url, mixed_athlete.token),
            OURS: _ours(server, mixed_athlete, lambda: warm),
            PLAIN: _plain(server, mixed_athlete),
        }
        mixed = {label: _measure(server, fn, repeat) for label, fn in mixed_rows.items()}
        _add_rows(table, mixed, mixed[SEQUENTIAL], mixed_athlete, f"{MIXED}: ")
        refresh = _refresh_rows(server, athlete)
        for label, wall, lists, others, ok in refresh:
            table.add(label, lists, others, seconds(wall), "—", ok, 0)
        windows = _two_windows(server, big)
        table.add(*windows["row"])
    table.notes.append(
        f"{activities:,} activities, {latency * 1000:.0f} ms added to every response, "
        f"median of {repeat}; the fake Strava runs in a {placement}. The data set has 2 "
        "pairs of activities starting in the same second where a page of 30 ends, as "
        "real accounts have (one ride, two devices): the `after=` cursor skips each twin."
    )
    table.notes.append(
        "Warm budget: the server process has talked to Strava before, so the budget knows "
        "how much is left and the stats look-up goes out with page 1. Cold: page 1 goes "
        "alone (nothing is known yet), then the stats."
    )
    at = f"{activities:,}, {latency * 1000:.0f} ms"
    targets = [
        *_floor_targets(f"sync at {at}", ours, seq),
        *_floor_targets(f"plain client `iter_activities()` at {at}", plain, seq),
        *_floor_targets(f"sync, {MIXED}", mixed[OURS], mixed[SEQUENTIAL]),
        *_floor_targets(f"plain client, {MIXED}", mixed[PLAIN], mixed[SEQUENTIAL]),
        Target(
            "refresh, nothing new",
            "exactly 1 request",
            f"{refresh[0][2]} (+{refresh[0][3]} other)",
            refresh[0][2] + refresh[0][3] == 1,
        ),
        Target(
            "refresh, k = 250 new",
            "≤ ceil(k/200) + 1 = 3",
            f"{refresh[1][2]} (+{refresh[1][3]} other)",
            refresh[1][2] + refresh[1][3] <= 3,
        ),
        Target(
            f"{big:,} activities at 100 requests / 15 min",
            "two windows, by itself, nothing lost or repeated",
            windows["measured"],
            windows["met"],
        ),
    ]
    return PagingResult(table, targets)


def _add_rows(
    table: Table, measured: dict[str, Measured], seq: Measured, athlete: Athlete, prefix: str
) -> None:
    for label, m in measured.items():
        table.add(
            prefix + label,
            m.lists,
            m.others,
            seconds(m.wall),
            ratio(m.wall, seq.wall),
            "yes" if m.ids == seq.ids else "no",
            len(athlete.ids - set(m.ids)),
        )


def _floor_targets(what: str, ours: Measured, seq: Measured) -> list[Target]:
    """Wall time, list requests and results of one walk against the sequential loop."""
    return [
        Target(
            f"{what}: wall time",
            "≤ 0.25 × sequential",
            f"{ours.wall / seq.wall:.2f}× ({seconds(ours.wall)} vs {seconds(seq.wall)})",
            ours.wall <= 0.25 * seq.wall,
        ),
        Target(
            f"{what}: list requests",
            "≤ sequential + 2",
            f"{ours.lists} vs {seq.lists} (+{ours.others} other)",
            ours.lists <= seq.lists + 2,
        ),
        Target(
            f"{what}: results identical to sequential",
            "same ids, same order",
            "yes" if ours.ids == seq.ids else "no",
            ours.ids == seq.ids,
        ),
    ]


def _refresh_rows(server: BenchServer, athlete: Athlete) -> list[tuple[str, float, int, int, str]]:
    """A full sync, then ``k`` new activities upload, then the timed refresh."""
    budget = InProcessBudget()
    rows = []
    for k in (0, 250):
        client = StravaClient(athlete.token, api_url=server.api_url, budget=budget)
        store = ActivityStore(athlete_id=athlete.id)
        sync(client, store)
        truth = server.call("prepend", athlete.id, k) if k else athlete.ids
        server.call("clear_requests")
        wall, _ = timed(lambda c=client, s=store: sync(c, s), 1)
        lists = server.list_requests()
        others = server.api_requests() - lists
        ok = "yes" if set(store.records) == truth else "no"
        rows.append((f"ours: refresh, {k} new", wall, lists, others, ok))
    return rows


def _two_windows(server: BenchServer, big: int) -> dict[str, Any]:
    """``big`` activities at Strava's real limits: the sync waits out a window by itself."""
    athlete = server.call("add_athlete", big, 2)
    server.call("set_rate_limits", (100, 1000), (200, 2000))
    server.call("reset_usage")
    server.call("clear_requests")
    clock = lambda: datetime.fromtimestamp(server.now(), UTC)  # noqa: E731
    client = StravaClient(
        athlete.token, api_url=server.api_url, budget=InProcessBudget(), now=clock
    )
    store = ActivityStore(athlete_id=athlete.id)
    paused: list[datetime] = []

    def on_progress(progress: Any) -> None:
        if progress.paused_until is not None:
            paused.append(progress.paused_until)

    def sleep(seconds_: float) -> None:
        server.advance(seconds_)

    wall, report = timed(
        lambda: sync(client, store, on_progress=on_progress, wait_for_window=True, sleep=sleep), 1
    )
    requests_ = server.call("requests")
    refused = sum(1 for _, status in requests_ if status == 429)
    lists = server.list_requests()
    others = server.api_requests() - lists
    server.call("set_rate_limits", (100_000, 1_000_000), (200_000, 2_000_000))
    lost = len(athlete.ids - set(store.records))
    met = report.ok and report.complete and lost == 0 and len(paused) == 1 and refused == 0
    windows = f"{len(paused) + 1} windows, {report.pauses} pause"
    return {
        "row": (
            f"ours: {big:,} activities at 100 requests / 15 min ({windows}; the wait is simulated)",
            lists,
            f"{others} (429s: {refused})",
            seconds(wall) + " + the wait",
            "—",
            "yes" if lost == 0 else "no",
            lost,
        ),
        "measured": f"{'complete' if report.complete else 'incomplete'}, {windows}, "
        f"{lists} list requests, {refused} refused, {lost} lost",
        "met": met,
    }


def update_markdown(text: str, result: PagingResult, note: str) -> str:
    """``text`` (BENCHMARKS.md) with this section's table and Targets rows replaced."""
    table = result.table
    head = f"### {table.title}\n"
    start = text.find(head)
    if start < 0:
        raise ValueError(f"no {table.title!r} section to replace")
    end = text.find("\n### ", start + len(head))
    end = len(text) if end < 0 else end + 1
    table.notes.append(note)
    text = text[:start] + table.markdown() + ("\n" if end < len(text) else "") + text[end:]
    for target in result.targets:
        prefix = f"| {target.what} |"
        row = "| " + " | ".join(target.row()) + " |"
        lines = text.split("\n")
        found = [i for i, line in enumerate(lines) if line.startswith(prefix)]
        if not found:
            raise ValueError(f"no Targets row for {target.what!r}")
        lines[found[0]] = row
        text = "\n".join(lines)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.paging", description=__doc__)
    parser.add_argument("--latency", type=float, default=0.1, help="s added per response")
    parser.add_argument("--activities", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per approach (median)")
    parser.add_argument("--server", choices=("process", "thread"), default="process")
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--output", type=Path, default=root / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    result = run(args.latency, args.activities, args.repeat, args.server)
    after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    command = shlex.join(
        ["python", "-m", "benchmarks.paging", *(sys.argv[1:] if argv is None else argv)]
    )
    note = (
        f"This table and its Targets rows alone: `{command}` ({datetime.now(UTC):%Y-%m-%d}, "
        f"load average {load:.1f} at the start, {after:.1f} at the end; 2 shared cores)."
    )
    print(result.table.markdown(), flush=True)
    for target in result.targets:
        print("| " + " | ".join(target.row()) + " |")
    if not args.no_write:
        args.output.write_text(update_markdown(args.output.read_text(), result, note))
        print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
