"""Two replicas refreshing one athlete's token at once must not lock the athlete out.

The fake Strava rotates refresh tokens like Strava (strava-api.md §1.3): once a new one
is returned the old one is dead, so the second of two uncoordinated refreshes fails.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from typing import Any

import pytest
import redis

from strava_dash.auth import SharedRefresh, Token, TokenManager
from strava_dash.errors import AuthError
from strava_dash.refresh_redis import RedisSharedRefresh, shared_refresh_from_env
from strava_dash.settings import Settings
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava
from tests.redis_server import free_port

ROTATES = 5 * 3600 + 1800  # 30 minutes left: Strava answers with a new pair


def settings_for(server: FakeStrava) -> Settings:
    return Settings(
        client_id=FAKE_CLIENT_ID, client_secret=FAKE_CLIENT_SECRET, base_url=server.base_url
    )


def replica_refresh(url: str) -> RedisSharedRefresh:
    """What one replica builds: its own Redis connection."""
    return RedisSharedRefresh(redis.Redis.from_url(url), FAKE_CLIENT_ID, url=url)


def refresh_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == "/oauth/token")


def refresh_at_once(
    settings: Settings, token: Token, shared: list[SharedRefresh | None]
) -> list[Token | AuthError]:
    """One TokenManager per entry (a replica each), all refreshing after the same 401."""
    managers = [TokenManager(settings, token, shared_refresh=s) for s in shared]
    start = threading.Barrier(len(managers))
    results: list[Token | AuthError] = [AuthError(None, "not run")] * len(managers)

    def run(i: int) -> None:
        start.wait()
        try:
            managers[i].refresh_after_401(token.access_token)
            results[i] = managers[i].token
        except AuthError as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(managers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def athlete_token(fake_strava: FakeStrava) -> Token:
    athlete = fake_strava.add_athlete()
    token = Token.from_response(fake_strava.issue_token(athlete.id), scopes="read")
    fake_strava.advance(ROTATES)
    fake_strava.clear_requests()
    return Token.from_response(
        {
            "access_token": token.access_token,
            "refresh_token": token.refresh_token,
            "expires_at": token.expires_at,
        },
        scopes="read",
        athlete={"id": athlete.id},
    )


def test_uncoordinated_replicas_lock_the_athlete_out(
    fake_strava: FakeStrava, athlete_token: Token
) -> None:
    """The race this module prevents is real: without a shared lock one replica fails."""
    results = refresh_at_once(settings_for(fake_strava), athlete_token, [None, None])
    assert sum(isinstance(r, AuthError) for r in results) == 1
    assert refresh_requests(fake_strava) == 2


def test_replicas_sharing_redis_refresh_once_and_both_keep_the_grant(
    fake_strava: FakeStrava, athlete_token: Token, redis_url: str
) -> None:
    settings = settings_for(fake_strava)
    results = refresh_at_once(settings, athlete_token, [replica_refresh(redis_url) for _ in "ab"])
    assert not [r for r in results if isinstance(r, AuthError)]
    tokens = [r for r in results if isinstance(r, Token)]
    assert tokens[0].refresh_token == tokens[1].refresh_token != athlete_token.refresh_token
    assert tokens[0].access_token == tokens[1].access_token
    assert tokens[0].athlete_id == athlete_token.athlete_id
    assert refresh_requests(fake_strava) == 1
    # The grant lives on: the newest refresh token still works at Strava.
    fake_strava.advance(ROTATES + 1800)
    manager = TokenManager(settings, tokens[1], shared_refresh=replica_refresh(redis_url))
    assert manager.refresh_after_401(tokens[1].access_token) != tokens[1].access_token


def _process_replica(
    base_url: str, redis_url: str, token: dict[str, Any], start: Any, out: Any
) -> None:
    settings = Settings(
        client_id=FAKE_CLIENT_ID, client_secret=FAKE_CLIENT_SECRET, base_url=base_url
    )
    held = Token(
        token["access"], token["refresh"], token["expires_at"], athlete={"id": token["athlete"]}
    )
    manager = TokenManager(settings, held, shared_refresh=replica_refresh(redis_url))
    start.wait()
    try:
        manager.refresh_after_401(held.access_token)
        out.put(("ok", manager.token.refresh_token))
    except AuthError as error:
        out.put(("failed", error.message))


def test_replica_processes_refresh_one_athlete_once(
    fake_strava: FakeStrava, athlete_token: Token, redis_url: str
) -> None:
    context = multiprocessing.get_context("spawn")
    start, out = context.Barrier(3), context.Queue()
    held = {
        "access": athlete_token.access_token,
        "refresh": athlete_token.refresh_token,
        "expires_at": athlete_token.expires_at,
        "athlete": athlete_token.athlete_id,
    }
    processes = [
        context.Process(
            target=_process_replica, args=(fake_strava.base_url, redis_url, held, start, out)
        )
        for _ in range(3)
    ]
    for process in processes:
        process.start()
    answers = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert {status for status, _ in answers} == {"ok"}, answers
    assert len({refresh for _, refresh in answers}) == 1
    assert refresh_requests(fake_strava) == 1


def test_without_redis_the_refresh_still_happens(
    fake_strava: FakeStrava, athlete_token: Token, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="strava_dash.refresh_redis")
    url = f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"
    shared = RedisSharedRefresh(redis.Redis.from_url(url), FAKE_CLIENT_ID, url=url)
    manager = TokenManager(settings_for(fake_strava), athlete_token, shared_refresh=shared)
    fresh = manager.refresh_after_401(athlete_token.access_token)
    assert fresh != athlete_token.access_token
    assert "not coordinated" in caplog.text
    assert "hunter2-secret" not in caplog.text


def test_configured_by_the_environment(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.delenv("DASH_REDIS_URL", raising=False)
    assert shared_refresh_from_env(FAKE_CLIENT_ID) is None
    monkeypatch.setenv("DASH_REDIS_URL", redis_url)
    assert isinstance(shared_refresh_from_env(FAKE_CLIENT_ID), RedisSharedRefresh)
