"""The Redis budget against a real redis-server: many replicas, one limit, leases that expire.

Each ``RedisBudget`` instance here stands for one replica (its own connection, its own
leases); processes stand for replicas on other machines.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis

from strava_dash import budget as budget_module
from strava_dash.budget import RESET_MARGIN, InProcessBudget, budget_for, use_budget_factory
from strava_dash.budget_failover import FailoverBudget
from strava_dash.budget_redis import RedisBudget
from strava_dash.ratelimit import RateLimits, Window

# These run on the real clock (Redis TIME): a window turning mid-test would reset usage.
pytestmark = pytest.mark.usefixtures("clear_of_the_quarter_hour")

HOST, CLIENT = "www.strava.com", "12345"
LIMIT = 100


def replica(url: str, *, lease_ttl_s: float = 60.0, client_id: str = CLIENT) -> RedisBudget:
    return RedisBudget(redis.Redis.from_url(url), HOST, client_id, lease_ttl_s=lease_ttl_s)


def reading(used: int, *, at: datetime | None = None) -> RateLimits:
    read = Window(used, LIMIT, used, 1000)
    observed = at or datetime.now(UTC)
    return RateLimits(overall=Window(0, 200, 0, 2000), read=read, observed_at=observed)


def grab_until_refused(budget: RedisBudget, out: list[int], lock: threading.Lock) -> None:
    mine = 0
    while (grant := budget.reserve(3, now=datetime.now(UTC))).granted:
        mine += grant.granted
    with lock:
        out.append(mine)


def test_threads_of_many_replicas_never_overbook(redis_url: str) -> None:
    replicas = [replica(redis_url) for _ in range(8)]
    replicas[0].observe(reading(0))
    granted: list[int] = []
    lock = threading.Lock()
    threads = [
        threading.Thread(target=grab_until_refused, args=(replicas[i % 8], granted, lock))
        for i in range(24)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == LIMIT
    assert replicas[3].in_flight == LIMIT
    assert replicas[5].remaining(datetime.now(UTC)) == 0


def _learn(replicas: list[RedisBudget], i: int, start: threading.Barrier, now: datetime) -> None:
    start.wait()
    if i == 0:
        time.sleep(0.005)  # amid the others' reads and writes
        replicas[0].observe(reading(99, at=now))
        return
    for k in range(60):
        replicas[i].observe(reading(84 + (k + i) % 15, at=now))


def test_concurrent_readings_keep_the_highest_usage(redis_url: str) -> None:
    """Replicas learning at once: a lower reading written last must not win (compare-and-set).

    One replica learns the highest usage once while seven keep learning lower ones (all
    within REORDER_SLACK, so none reads as a counter reset). A replica that merged a
    stale count and wrote it blindly would bury the highest.
    """
    now = datetime.now(UTC)
    lost = []
    for round_ in range(8):
        replicas = [replica(redis_url, client_id=f"round-{round_}") for _ in range(8)]
        replicas[0].observe(reading(84, at=now))
        start = threading.Barrier(len(replicas))
        threads = [
            threading.Thread(target=_learn, args=(replicas, i, start, now))
            for i in range(len(replicas))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        left = replicas[0].remaining(datetime.now(UTC))
        if left != LIMIT - 99:
            lost.append((round_, left))
    assert not lost


def _replica_process(url: str, sent_key: str, results: multiprocessing.Queue[int]) -> None:
    """One replica's sync loop: reserve, "send" (Strava counts it), learn the usage, release."""
    budget = replica(url)
    strava = redis.Redis.from_url(url)
    sent = 0
    while True:
        grant = budget.reserve(2, now=datetime.now(UTC))
        if grant.blocked:
            break
        if not grant.granted:
            time.sleep(0.001)  # requests of other replicas are in flight: their answers tell
            continue
        for _ in range(grant.granted):
            usage = int(strava.incr(sent_key))  # what Strava's usage header would say
            sent += 1
            budget.observe(reading(usage))
            budget.release()
    results.put(sent)


def test_processes_spend_exactly_the_window_and_never_more(redis_url: str) -> None:
    """Four processes in a reserve/send/observe/release loop: Strava sees at most the limit."""
    seed = replica(redis_url)
    seed.observe(reading(0))
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    processes = [
        context.Process(target=_replica_process, args=(redis_url, "fake-strava:sent", results))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    sent = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    total = int(redis.Redis.from_url(redis_url).get("fake-strava:sent") or 0)
    assert total == sum(sent) == LIMIT
    assert seed.in_flight == 0  # every lease was given back


def _crash_with_leases(url: str, ttl: float) -> None:
    budget = replica(url, lease_ttl_s=ttl)
    assert budget.reserve(10, now=datetime.now(UTC)).granted == 10
    os._exit(0)  # no release, no cleanup: what a killed replica leaves behind


def test_leases_of_a_crashed_replica_expire(redis_url: str) -> None:
    survivor = replica(redis_url)
    survivor.observe(reading(50))
    process = multiprocessing.get_context("spawn").Process(
        target=_crash_with_leases, args=(redis_url, 1.0)
    )
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 0
    now = datetime.now(UTC)
    assert survivor.remaining(now) == 40  # the dead replica's ten still count...
    time.sleep(1.2)
    assert survivor.remaining(datetime.now(UTC)) == 50  # ...until their TTL passes
    assert survivor.in_flight == 0


def test_windows_follow_the_redis_clock_not_the_replicas(redis_url: str) -> None:
    budget = replica(redis_url)
    # A replica whose clock is an hour ahead: its reading still lands in Redis' window.
    skewed = datetime.now(UTC) + timedelta(hours=1)
    budget.observe(reading(LIMIT, at=skewed))
    refused = budget.reserve(1, now=skewed)
    assert refused.blocked
    assert refused.wait_until is not None
    # The wait is measured on the server's clock and handed back on the caller's.
    wait = refused.wait_until - skewed
    assert timedelta(0) < wait <= timedelta(minutes=15) + RESET_MARGIN
    server_s, server_us = redis.Redis.from_url(redis_url).time()
    server_now = datetime.fromtimestamp(server_s + server_us / 1e6, UTC)
    on_server = budget_module.resets_after(server_now, daily=False) - server_now
    assert abs((budget.resets_at(skewed) - skewed) - on_server) < timedelta(seconds=1)


def test_one_budget_per_host_and_client_id(redis_url: str) -> None:
    first, second = replica(redis_url), replica(redis_url)
    other_app = replica(redis_url, client_id="999")
    first.observe(reading(90))
    assert second.remaining(datetime.now(UTC)) == 10  # another replica of the same app
    assert other_app.remaining(datetime.now(UTC)) is None  # another app knows nothing yet
    assert first.reserve(4, now=datetime.now(UTC)).granted == 4
    assert second.remaining(datetime.now(UTC)) == 6


def test_budget_for_uses_redis_when_the_environment_names_it(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        monkeypatch.setenv("DASH_REDIS_URL", redis_url)
        use_budget_factory(None)
        shared = budget_for("https://www.strava.com/api/v3", CLIENT)
        assert isinstance(shared, FailoverBudget)
        assert shared.using_redis
        shared.observe(reading(70))
        assert replica(redis_url).remaining(datetime.now(UTC)) == 30
        monkeypatch.delenv("DASH_REDIS_URL")
        use_budget_factory(None)
        assert isinstance(budget_for("https://www.strava.com/api/v3", CLIENT), InProcessBudget)
    finally:
        use_budget_factory(None)
