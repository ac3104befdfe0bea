"""The fake Strava for the benchmarks, in a child process (as Strava is not in ours).

In the same process its JSON encoding would compete with the client's decoding for one
GIL, and concurrent paging would be measured against a server that can only work for
one request at a time. ``--server thread`` runs it in-process anyway, for comparison.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from tests.fake_strava import FakeAthlete, FakeStrava, make_activities
from tests.fake_strava.factory import mix_outside

CLIENT_ID = "12345"
CLIENT_SECRET = "benchmark-secret-0123456789"
GENEROUS = {"read": (100_000, 1_000_000), "overall": (200_000, 2_000_000)}


def same_second_pairs(activities: list[dict[str, Any]], per_page: int, pairs: int) -> None:
    """Give ``pairs`` activities the start second of their older neighbour, each pair
    straddling the end of a page of an ``after=`` walk with ``per_page``.

    Real accounts have such pairs (one ride recorded by two devices, manual entries at
    round times); where one falls on a page boundary, an ``after=`` cursor set to the
    page's last start skips the twin. The walk is simulated to find the boundaries.
    """
    oldest_first = sorted(activities, key=lambda a: (a["start_date"], a["id"]))
    pages = len(oldest_first) // per_page
    targets = {pages * k // (pairs + 1) for k in range(1, pairs + 1)}
    position = page = 0
    while position + per_page < len(oldest_first):
        last = position + per_page - 1
        if page in targets:
            older, newer = oldest_first[last], oldest_first[last + 1]
            newer["start_date"] = older["start_date"]
            newer["start_date_local"] = older["start_date_local"]
            position = last + 2  # the twin is skipped by the cursor
        else:
            position = last + 1
        page += 1


def build_activities(n: int, seed: int = 1, outside: float = 0.0) -> list[dict[str, Any]]:
    activities = make_activities(n, athlete_id=0, seed=seed)
    same_second_pairs(activities, per_page=30, pairs=2)
    if outside:
        mix_outside(activities, outside, seed)
    return activities


@dataclass(frozen=True)
class Athlete:
    id: int
    token: str
    ids: frozenset[int]


class _Local:
    """The commands, run against a FakeStrava in this process."""

    def __init__(self, latency: float) -> None:
        self.fake = FakeStrava(CLIENT_ID, CLIENT_SECRET, latency=latency).start()
        self.fake.set_rate_limits(**GENEROUS)
        self.athletes: dict[int, FakeAthlete] = {}

    def call(self, name: str, *args: Any) -> Any:
        fake = self.fake
        if name == "api_url":
            return fake.api_url
        if name == "add_athlete":
            n, seed, *outside = args
            athlete = fake.add_athlete(activities=build_activities(n, seed, *outside))
            self.athletes[athlete.id] = athlete
            token = str(fake.issue_token(athlete.id)["access_token"])
            return Athlete(athlete.id, token, frozenset(a["id"] for a in athlete.activities))
        if name == "prepend":
            athlete_id, k = args
            athlete = self.athletes[athlete_id]
            newest = max(athlete.activities, key=lambda a: a["start_date"])
            extra = make_activities(k, athlete_id=0, seed=99, end=_after(newest["start_date"], k))
            top = max(a["id"] for a in athlete.activities)
            for i, record in enumerate(extra, start=1):
                record["id"] = top + i
                record["map"]["id"] = f"a{top + i}"
            with fake.lock:
                athlete.activities.extend(extra)
            return frozenset(a["id"] for a in athlete.activities)
        if name == "set_latency":
            fake.latency = args[0]
            return None
        if name == "set_rate_limits":
            fake.set_rate_limits(*args)
            return None
        if name == "reset_usage":
            fake.reset_usage()
            return None
        if name == "now":
            return fake.now()
        if name == "advance":
            fake.advance(args[0])
            return None
        if name == "clear_requests":
            fake.clear_requests()
            return None
        if name == "requests":
            return [(r.path, r.status) for r in fake.requests]
        raise ValueError(f"unknown command {name!r}")

    def stop(self) -> None:
        self.fake.stop()


def _after(start_date: str, days: int) -> float:
    from tests.fake_strava.factory import parse_epoch

    return parse_epoch(start_date) + (days + 1) * 86_400.0


def _serve(conn: Connection, latency: float) -> None:
    local = _Local(latency)
    try:
        while True:
            message = conn.recv()
            if message is None:
                return
            name, args = message
            try:
                conn.send((True, local.call(name, *args)))
            except Exception as exc:  # report to the parent instead of dying silently
                conn.send((False, repr(exc)))
    finally:
        local.stop()


class BenchServer:
    """A fake Strava in a child process (``placement="process"``) or a thread."""

    def __init__(self, latency: float, placement: str = "process") -> None:
        self.placement = placement
        self.offset = 0.0  # the fake's clock runs this far ahead of ours (``advance``)
        self._lock = threading.Lock()  # one message at a time on the pipe
        self._local: _Local | None = None
        self._conn: Connection | None = None
        self._proc: Any = None
        if placement == "thread":
            self._local = _Local(latency)
        else:
            ctx = mp.get_context("fork")
            parent, child = ctx.Pipe()
            self._proc = ctx.Process(target=_serve, args=(child, latency), daemon=True)
            self._proc.start()
            self._conn = parent
        self.api_url: str = self.call("api_url")

    def call(self, name: str, *args: Any) -> Any:
        if self._local is not None:
            return self._local.call(name, *args)
        assert self._conn is not None
        with self._lock:
            self._conn.send((name, args))
            ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"fake Strava failed on {name}: {value}")
        return value

    def now(self) -> float:
        """The fake's clock (both processes read the same system clock)."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.call("advance", seconds)
        self.offset += seconds

    def list_requests(self) -> int:
        return sum(1 for path, _ in self.call("requests") if path.endswith("/athlete/activities"))

    def api_requests(self) -> int:
        return sum(1 for path, _ in self.call("requests") if path.startswith("/api/v3"))

    def close(self) -> None:
        if self._local is not None:
            self._local.stop()
        elif self._conn is not None:
            self._conn.send(None)
            self._proc.join(timeout=10)

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
