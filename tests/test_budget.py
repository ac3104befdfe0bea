"""The shared rate-limit budget: reservations, windows, the daily stop, the registry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import fakeredis
import pytest

from strava_dash.budget import (
    RESET_MARGIN,
    InProcessBudget,
    budget_for,
    budget_key,
    use_budget_factory,
)
from strava_dash.budget_redis import RedisBudget
from strava_dash.ratelimit import RateLimits, Window

#: Every rule below holds for both budgets: the Redis one (its Lua grant, its merge through
#: merge_reading) runs the same cases, on fakeredis with the windows driven by ``now``.
Budget = InProcessBudget | RedisBudget
KINDS = ("in_process", "redis")

NOW = datetime(2026, 5, 4, 10, 7, 30, tzinfo=UTC)


def reading(
    used: int,
    daily: int | None = None,
    *,
    at: datetime = NOW,
    limit: int = 100,
    limit_daily: int = 1000,
    overall: Window | None = None,
) -> RateLimits:
    read = Window(used, limit, used if daily is None else daily, limit_daily)
    return RateLimits(overall=overall or Window(0, 200, 0, 2000), read=read, observed_at=at)


def new_budget(kind: str) -> Budget:
    if kind == "in_process":
        return InProcessBudget()
    server = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    return RedisBudget(server, "www.strava.com", "1", time_source="caller")


@pytest.fixture(params=KINDS)
def budget(request: pytest.FixtureRequest) -> Budget:
    return new_budget(request.param)


def test_before_any_reading_one_request_at_a_time(budget: Budget) -> None:
    assert budget.remaining(NOW) is None
    first = budget.reserve(8, now=NOW)
    assert first.granted == 1  # its answer will say how much is left
    second = budget.reserve(8, now=NOW)
    assert (second.granted, second.wait_until) == (0, None)  # wait for that answer
    budget.observe(reading(1))
    budget.release()
    assert budget.reserve(8, now=NOW).granted == 8


def test_grants_never_exceed_what_is_left(budget: Budget) -> None:
    budget.observe(reading(90))
    assert budget.remaining(NOW) == 10
    assert budget.reserve(8, now=NOW).granted == 8
    assert budget.reserve(8, now=NOW).granted == 2
    refused = budget.reserve(1, now=NOW)
    # Ten in flight, none answered yet: their headers will tell, so no waiting time yet.
    assert (refused.granted, refused.wait_until) == (0, None)
    assert budget.remaining(NOW) == 0
    budget.observe(reading(100))
    budget.release(10)
    spent = budget.reserve(1, now=NOW)
    assert spent.blocked
    assert not spent.daily


def test_concurrent_reservations_never_overbook(budget: Budget) -> None:
    budget.observe(reading(0))
    granted: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def worker() -> None:
        start.wait()
        mine = 0
        while True:
            grant = budget.reserve(3, now=NOW)
            if not grant.granted:
                break
            mine += grant.granted
        with lock:
            granted.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 100
    assert budget.in_flight == 100


def test_release_gives_back_requests_that_were_never_answered(budget: Budget) -> None:
    budget.observe(reading(95))
    assert budget.reserve(5, now=NOW).granted == 5
    budget.release(5)  # e.g. cancelled before they were sent
    assert budget.remaining(NOW) == 5


def test_a_spent_window_resets_at_the_next_quarter_hour(budget: Budget) -> None:
    budget.observe(reading(100))
    refused = budget.reserve(1, now=NOW)
    reset = datetime(2026, 5, 4, 10, 15, tzinfo=UTC)
    assert refused.wait_until == reset + RESET_MARGIN
    assert budget.resets_at(NOW) == reset + RESET_MARGIN
    # Strava's clock may lag ours: just after :15 the old window still counts.
    assert budget.reserve(1, now=reset + timedelta(seconds=2)).blocked
    assert budget.reserve(1, now=reset + RESET_MARGIN).granted == 1
    assert budget.remaining(reset + RESET_MARGIN) == 99


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("minute", [0, 14, 15, 29, 44, 59])
def test_quarter_hours_are_on_the_clock(minute: int, kind: str) -> None:
    budget = new_budget(kind)
    at = datetime(2026, 5, 4, 10, minute, 30, tzinfo=UTC)
    budget.observe(reading(100, at=at))
    start = minute - minute % 15
    expected = at.replace(minute=start, second=0) + timedelta(minutes=15) + RESET_MARGIN
    assert budget.reserve(1, now=at).wait_until == expected


def test_the_daily_limit_stops_until_utc_midnight(budget: Budget) -> None:
    budget.observe(reading(3, 1000))
    refused = budget.reserve(1, now=NOW)
    assert refused.blocked
    assert refused.daily
    midnight = datetime(2026, 5, 5, tzinfo=UTC)
    assert refused.wait_until == midnight + RESET_MARGIN
    # A new quarter hour does not help; a new day does.
    assert budget.reserve(1, now=NOW + timedelta(minutes=30)).blocked
    assert budget.reserve(1, now=midnight + RESET_MARGIN).granted == 1


def test_the_tighter_pair_binds(budget: Budget) -> None:
    budget.observe(reading(10, overall=Window(195, 200, 500, 2000)))
    assert budget.remaining(NOW) == 5


def test_answers_arriving_out_of_order_keep_the_highest_usage(budget: Budget) -> None:
    budget.observe(reading(60))
    budget.observe(reading(57))  # sent earlier, answered later
    assert budget.remaining(NOW) == 40
    earlier_window = NOW - timedelta(minutes=15)
    budget.observe(reading(99, at=earlier_window))  # a straggler from the last window
    assert budget.remaining(NOW) == 40


def test_a_counter_that_was_reset_is_believed(budget: Budget) -> None:
    budget.observe(reading(100))
    budget.observe(reading(1))  # far below: the counter behind this key restarted
    assert budget.remaining(NOW) == 99
    budget.observe(reading(2, limit=2))  # changed limits: also a fresh start
    assert budget.remaining(NOW) == 0
    budget.observe(reading(1, limit=150))
    assert budget.remaining(NOW) == 149


def test_a_probe_goes_out_even_when_the_window_looks_spent(budget: Budget) -> None:
    budget.observe(reading(100))
    assert budget.reserve(1, now=NOW, probe=True).granted == 1
    assert budget.in_flight == 1


def test_reserve_needs_a_positive_count(budget: Budget) -> None:
    with pytest.raises(ValueError, match="at least one"):
        budget.reserve(0, now=NOW)


def test_one_budget_per_api_host_and_client_id() -> None:
    try:
        use_budget_factory(None)
        a = budget_for("https://www.strava.com/api/v3", "12345")
        assert budget_for("https://WWW.strava.com/api/v3/", 12345) is a
        assert budget_for("https://www.api-v3.strava.com", "12345") is not a
        assert budget_for("https://www.strava.com/api/v3", "999") is not a
        assert budget_for("http://127.0.0.1:8765/api/v3", "12345") is not budget_for(
            "http://127.0.0.1:8766/api/v3", "12345"
        )
        assert budget_key("http://127.0.0.1:8765/api/v3", " 12345 ") == ("127.0.0.1:8765", "12345")
    finally:
        use_budget_factory(None)


def test_the_implementation_can_be_swapped_for_a_shared_store() -> None:
    made: list[tuple[str, str]] = []

    def factory(host: str, client_id: str) -> InProcessBudget:
        made.append((host, client_id))
        return InProcessBudget()

    try:
        use_budget_factory(factory)
        first = budget_for("https://www.strava.com/api/v3", "1")
        assert budget_for("https://www.strava.com/api/v3", "1") is first
        assert made == [("www.strava.com", "1")]
    finally:
        use_budget_factory(None)
