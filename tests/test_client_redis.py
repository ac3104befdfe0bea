"""Two replicas' clients against the fake Strava: one Redis budget, no request refused.

Each client gets its own budget object, as two processes would: without Redis each knows
only its own requests in flight and together they overshoot; with Redis they share one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import redis

from strava_dash.budget import InProcessBudget, RateBudget
from strava_dash.budget_redis import RedisBudget
from strava_dash.client import StravaClient
from strava_dash.errors import RateLimitError
from strava_dash.transport import build_session
from tests.fake_strava import FakeStrava, make_activities
from tests.redis_server import away_from_a_quarter_hour
from tests.test_client import walk_at_once


def walk_both(server: FakeStrava, budgets: list[RateBudget]) -> list[BaseException | int]:
    """Two athletes synced at once, each by a client with its own budget object."""
    clients = []
    for seed, budget in enumerate(budgets, start=1):
        athlete = server.add_athlete(activities=make_activities(1_000, athlete_id=0, seed=seed))
        token = str(server.issue_token(athlete.id)["access_token"])
        clients.append(
            StravaClient(
                token,
                api_url=server.api_url,
                session=build_session(backoff=0.01),
                budget=budget,
            )
        )
    for client in clients:
        client.athlete()  # each replica has seen the usage once
    server.set_rate_limits(read=(12, 1000))  # ten left in this window, for the whole app
    for client in clients:
        client.athlete()  # ...and learned the new limit: eight left
    server.clear_requests()
    return walk_at_once(clients)


def test_replicas_without_a_shared_budget_get_refused(fake_strava: FakeStrava) -> None:
    """What the Redis budget prevents: each replica spends the app's last requests."""
    away_from_a_quarter_hour()
    fake_strava.latency = 0.05
    walk_both(fake_strava, [InProcessBudget(), InProcessBudget()])
    assert any(r.status == 429 for r in fake_strava.requests)


def test_replicas_sharing_redis_spend_the_window_and_are_never_refused(
    fake_strava: FakeStrava, redis_url: str
) -> None:
    away_from_a_quarter_hour()
    fake_strava.latency = 0.05
    replicas: list[RateBudget] = [
        RedisBudget(redis.Redis.from_url(redis_url), "127.0.0.1", "12345") for _ in range(2)
    ]
    results = walk_both(fake_strava, replicas)
    statuses = [r.status for r in fake_strava.requests]
    assert statuses == [200] * 8  # the eight that were left, and not one more
    assert any(isinstance(r, RateLimitError) for r in results)  # 10 pages needed in all
    assert replicas[0].remaining(datetime.now(UTC)) == 0
