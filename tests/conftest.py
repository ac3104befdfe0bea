"""Shared fixtures. Keep this file small: put helpers in their own modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_strava import FakeStrava
from tests.postgres_server import PostgresServer

pytest_plugins = ["tests.apptest_support", "tests.redis_server"]

FAKE_CLIENT_ID = "12345"
FAKE_CLIENT_SECRET = "fake-client-secret-0123456789"


@pytest.fixture
def fake_strava() -> Iterator[FakeStrava]:
    """A running fake Strava with no athletes and no latency; stopped after the test."""
    with FakeStrava(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, latency=0.0) as server:
        yield server


@pytest.fixture(autouse=True)
def isolated_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Every test gets its own empty SQLite store: nothing reaches the developer's real
    data directory, and no athlete stored by one test returns in another."""
    from strava_dash.store import service

    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'dash.sqlite3'}"
    monkeypatch.setenv("DASH_DATABASE_URL", url)
    yield url
    service.close_all()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole test session (started once: ~1 s)."""
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database on each real engine the store supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'dash.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.new_database()
    yield url
    server.drop_database(url)
