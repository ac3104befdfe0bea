"""``/api/strava/webhook`` in Starlette's TestClient: handshake, events, refusals.

The work runs on the endpoint's own thread after the answer: tests wait for it with
``wait_idle()``. That the answer never waits for the work is proven against the real
server in test_webhook_server.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from strava_dash.errors import ConfigError
from strava_dash.settings import HostingSettings
from strava_dash.store import service
from strava_dash.store.sql import SqlStore
from strava_dash.webhook import SUBSCRIPTION_META_KEY, Outcome
from strava_dash.webhook.routes import MAX_BODY_BYTES, WEBHOOK_PATH, WebhookEndpoint
from tests.webhook_support import (
    ATHLETE,
    OTHER,
    SUBSCRIPTION_ID,
    body,
    deauthorization,
    rows_in_sqlite,
    seed,
)

TOKEN = "verify-me-0123456789"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dash.sqlite3"


@pytest.fixture
def hosting(db_path: Path) -> HostingSettings:
    return HostingSettings(database_url=f"sqlite:///{db_path}", webhook_verify_token=TOKEN)


@pytest.fixture
def store(hosting: HostingSettings) -> Iterator[SqlStore]:
    opened = service.shared_store(hosting)
    assert opened is not None
    opened.set_meta(SUBSCRIPTION_META_KEY, str(SUBSCRIPTION_ID))
    yield opened
    service.close_all()


def client_for(endpoint: WebhookEndpoint) -> TestClient:
    return TestClient(Starlette(routes=endpoint.routes()))


def post(endpoint: WebhookEndpoint, content: bytes) -> int:
    status = client_for(endpoint).post(WEBHOOK_PATH, content=content).status_code
    endpoint.wait_idle()
    return status


@pytest.fixture
def endpoint(hosting: HostingSettings) -> WebhookEndpoint:
    return WebhookEndpoint(lambda: hosting)


def handshake(client: TestClient, **overrides: str) -> tuple[int, bytes]:
    params = {"hub.mode": "subscribe", "hub.challenge": "15f7d1a9", "hub.verify_token": TOKEN}
    params.update(overrides)
    response = client.get(WEBHOOK_PATH, params=params)
    return response.status_code, response.content


def test_handshake_echoes_the_challenge(endpoint: WebhookEndpoint) -> None:
    response = client_for(endpoint).get(
        WEBHOOK_PATH,
        params={"hub.mode": "subscribe", "hub.challenge": "abc123", "hub.verify_token": TOKEN},
    )
    assert response.status_code == 200
    assert response.json() == {"hub.challenge": "abc123"}
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "overrides",
    [
        {"hub.verify_token": "wrong"},
        {"hub.verify_token": ""},
        {"hub.verify_token": TOKEN + "x"},
        {"hub.verify_token": TOKEN[:-1]},
        {"hub.mode": "unsubscribe"},
        {"hub.mode": ""},
        {"hub.challenge": ""},
        {"hub.challenge": "x" * 5000},
    ],
)
def test_handshake_refuses_anything_else(
    endpoint: WebhookEndpoint, overrides: dict[str, str]
) -> None:
    status, content = handshake(client_for(endpoint), **overrides)
    assert status == 403
    assert b"challenge" not in content


def test_handshake_refused_when_no_token_is_configured(db_path: Path) -> None:
    # An unset token must not match an empty one sent by anyone.
    endpoint = WebhookEndpoint(lambda: HostingSettings(database_url=None))
    assert handshake(client_for(endpoint), **{"hub.verify_token": ""})[0] == 403


def test_handshake_refused_on_a_configuration_error() -> None:
    def broken() -> HostingSettings:
        raise ConfigError("DASH_RETENTION_DAYS must be a whole number")

    assert handshake(client_for(WebhookEndpoint(broken)))[0] == 403


def test_deauthorization_event_deletes_that_athlete(
    endpoint: WebhookEndpoint, store: SqlStore, db_path: Path
) -> None:
    seed(store, ATHLETE)
    seed(store, OTHER)
    other_before = rows_in_sqlite(db_path, OTHER)

    assert post(endpoint, body(deauthorization())) == 200
    assert endpoint.last_outcome is Outcome.DELETED_ATHLETE
    assert sum(rows_in_sqlite(db_path, ATHLETE).values()) == 0
    assert rows_in_sqlite(db_path, OTHER) == other_before


@pytest.mark.parametrize(
    ("payload", "outcome"),
    [
        (b"", Outcome.MALFORMED),
        (b"<xml/>", Outcome.MALFORMED),
        (b'{"object_type": "activity"}', Outcome.MALFORMED),
        (body(deauthorization(subscription_id=SUBSCRIPTION_ID + 1)), Outcome.FOREIGN),
    ],
)
def test_malformed_and_foreign_bodies_get_200_and_change_nothing(
    endpoint: WebhookEndpoint,
    store: SqlStore,
    db_path: Path,
    payload: bytes,
    outcome: Outcome,
) -> None:
    seed(store, ATHLETE)
    before = rows_in_sqlite(db_path, ATHLETE)
    assert post(endpoint, payload) == 200
    assert endpoint.last_outcome is outcome
    assert rows_in_sqlite(db_path, ATHLETE) == before


def test_oversized_bodies_are_refused_declared_or_streamed(endpoint: WebhookEndpoint) -> None:
    client = client_for(endpoint)
    big = b"{" + b" " * MAX_BODY_BYTES + b"}"
    assert client.post(WEBHOOK_PATH, content=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap must hold while reading
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    assert client.post(WEBHOOK_PATH, content=chunks()).status_code == 413
    assert endpoint.last_outcome is None  # nothing was handed to the background


def test_no_store_configured_still_answers_200() -> None:
    opened: list[HostingSettings] = []

    def open_store(hosting: HostingSettings) -> SqlStore | None:
        opened.append(hosting)
        return service.shared_store(hosting)

    endpoint = WebhookEndpoint(
        lambda: HostingSettings.from_env({"DASH_DATABASE_URL": "none"}), open_store
    )
    assert post(endpoint, body(deauthorization())) == 200
    assert endpoint.last_outcome is Outcome.NO_STORE
    assert [h.database_url for h in opened] == [None]


def test_a_configuration_error_answers_200_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> HostingSettings:
        raise ConfigError("DASH_DATABASE_URL is broken")

    endpoint = WebhookEndpoint(broken)
    assert post(endpoint, body(deauthorization())) == 200
    assert endpoint.last_outcome is Outcome.FAILED
    assert "DASH_DATABASE_URL is broken" in caplog.text


def test_settings_are_read_once(hosting: HostingSettings) -> None:
    calls: list[int] = []

    def load() -> HostingSettings:
        calls.append(1)
        return hosting

    client = client_for(WebhookEndpoint(load))
    for _ in range(3):
        assert handshake(client)[0] == 200
    assert len(calls) == 1


def test_store_is_opened_after_the_body_proved_an_event(hosting: HostingSettings) -> None:
    opened: list[int] = []

    def open_store(_hosting: HostingSettings) -> SqlStore | None:
        opened.append(1)
        return None

    endpoint = WebhookEndpoint(lambda: hosting, open_store)
    post(endpoint, b"junk")
    assert opened == []
    post(endpoint, body(deauthorization()))
    assert opened == [1]


def test_answers_do_not_wait_for_the_work_and_a_full_queue_asks_for_a_retry(
    hosting: HostingSettings,
) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow_store(_hosting: HostingSettings) -> SqlStore | None:
        started.set()
        release.wait(10)
        return None

    endpoint = WebhookEndpoint(lambda: hosting, slow_store, max_queued=2)
    client = client_for(endpoint)
    try:
        assert client.post(WEBHOOK_PATH, content=body(deauthorization())).status_code == 200
        assert started.wait(5)  # the worker holds the first event
        statuses = [
            client.post(WEBHOOK_PATH, content=body(deauthorization())).status_code for _ in range(3)
        ]
        # Two wait in the queue; the third is refused with 503 so that Strava retries it.
        assert statuses == [200, 200, 503]
    finally:
        release.set()
    endpoint.wait_idle()
    assert endpoint.last_outcome is Outcome.NO_STORE
