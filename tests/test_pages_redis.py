"""AppTest: with DASH_REDIS_URL set, a Strava login spends the shared budget and refreshes once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis
import streamlit as st
from streamlit.testing.v1 import AppTest

from strava_dash.budget import use_budget_factory
from strava_dash.budget_failover import FailoverBudget
from strava_dash.budget_redis import RedisBudget
from strava_dash.refresh_redis import RedisSharedRefresh
from tests.apptest_support import (
    APP,
    TIMEOUT,
    log_in,
    new_app,
    oauth_redirect,
    strava_env,
    wait_for_sync,
)
from tests.conftest import FAKE_CLIENT_ID
from tests.fake_strava import FakeStrava, make_activities
from tests.redis_server import away_from_a_quarter_hour


@pytest.fixture
def with_redis(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> Iterator[str]:
    monkeypatch.setenv("DASH_REDIS_URL", redis_url)
    use_budget_factory(None)  # budgets handed out before were built without Redis
    yield redis_url
    use_budget_factory(None)


def test_a_login_syncs_through_the_shared_budget(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, with_redis: str
) -> None:
    away_from_a_quarter_hour()
    fake_strava.add_athlete(activities=make_activities(450, athlete_id=0, seed=9))
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    log_in(at, oauth_redirect(fake_strava, at))
    assert wait_for_sync(at).ok
    session = at.session_state["dash_session"]
    assert len(session.store.records) == 450
    budget = session.client.budget
    assert isinstance(budget, FailoverBudget)
    assert budget.using_redis
    assert session.tokens._shared_refresh is not None
    assert isinstance(session.tokens._shared_refresh, RedisSharedRefresh)
    # Another replica sees what this one learned from Strava's headers.
    host = fake_strava.api_url.split("/")[2]
    other = RedisBudget(redis.Redis.from_url(with_redis), host, FAKE_CLIENT_ID)
    sent = sum(1 for r in fake_strava.requests if r.path.startswith("/api/v3"))
    assert other.remaining(datetime.now(UTC)) == 100 - sent


def test_a_redis_url_in_the_dash_secrets_is_shared_like_the_environment(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, redis_url: str
) -> None:
    # Recorded as unset, so that what the app sets is undone after the test.
    monkeypatch.setenv("DASH_REDIS_URL", "")
    monkeypatch.setenv("DASH_FALLBACK_SHARE", "")
    use_budget_factory(None)
    away_from_a_quarter_hour()
    fake_strava.add_athlete(activities=make_activities(30, athlete_id=0, seed=9))
    strava_env(monkeypatch, fake_strava)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["dash"] = {"redis_url": redis_url, "fallback_share": "1/3"}
    at.run()
    log_in(at, oauth_redirect(fake_strava, at))
    try:
        assert wait_for_sync(at).ok
        session = at.session_state["dash_session"]
        assert isinstance(session.client.budget, FailoverBudget)
        assert session.client.budget.using_redis
        assert isinstance(session.tokens._shared_refresh, RedisSharedRefresh)
    finally:
        use_budget_factory(None)
