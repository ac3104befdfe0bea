"""Shared fixtures. Keep this file small: put helpers in their own modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_strava import FakeStrava

pytest_plugins = ["tests.apptest_support", "tests.redis_server"]

FAKE_CLIENT_ID = "12345"
FAKE_CLIENT_SECRET = "fake-client-secret-0123456789"


@pytest.fixture
def fake_strava() -> Iterator[FakeStrava]:
    """A running fake Strava with no athletes and no latency; stopped after the test."""
    with FakeStrava(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, latency=0.0) as server:
        yield server
