"""The fake's push subscriptions, against a tiny callback server of the test's own."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava
from tests.fake_strava.push import HANDSHAKE_TIMEOUT

TIMEOUT = 10
TOKEN = "tok"


class Callback:
    """An app stand-in: answers the handshake (or not) and keeps the events it gets."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.token = TOKEN
        self.delay = 0.0
        self.echo = True
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                time.sleep(outer.delay)
                ok = query.get("hub.verify_token") == outer.token and outer.echo
                payload = json.dumps({"hub.challenge": query.get("hub.challenge")}).encode()
                self.send_response(200 if ok else 403)
                self.send_header("Content-Length", str(len(payload) if ok else 0))
                self.end_headers()
                if ok:
                    self.wfile.write(payload)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.events.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def callback() -> Iterator[Callback]:
    server = Callback()
    yield server
    server.stop()


def credentials(secret: str = FAKE_CLIENT_SECRET) -> dict[str, str]:
    return {"client_id": FAKE_CLIENT_ID, "client_secret": secret}


def create(server: FakeStrava, callback_url: str, token: str = TOKEN) -> requests.Response:
    return requests.post(
        f"{server.api_url}/push_subscriptions",
        data={**credentials(), "callback_url": callback_url, "verify_token": token},
        timeout=TIMEOUT,
    )


def test_create_runs_the_handshake_then_lists_and_deletes(
    fake_strava: FakeStrava, callback: Callback
) -> None:
    created = create(fake_strava, callback.url)
    assert created.status_code == 201
    subscription_id = created.json()["id"]
    assert [h.ok for h in fake_strava.handshakes] == [True]
    assert fake_strava.handshakes[0].callback_url == callback.url

    listed = requests.get(
        f"{fake_strava.api_url}/push_subscriptions", params=credentials(), timeout=TIMEOUT
    )
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["id"] == subscription_id
    assert item["callback_url"] == callback.url
    assert item["application_id"] == int(FAKE_CLIENT_ID)

    deleted = requests.delete(
        f"{fake_strava.api_url}/push_subscriptions/{subscription_id}",
        params=credentials(),
        timeout=TIMEOUT,
    )
    assert deleted.status_code == 204
    assert fake_strava.push_subscription is None
    again = requests.delete(
        f"{fake_strava.api_url}/push_subscriptions/{subscription_id}",
        params=credentials(),
        timeout=TIMEOUT,
    )
    assert again.status_code == 404


def test_one_subscription_per_application(fake_strava: FakeStrava, callback: Callback) -> None:
    assert create(fake_strava, callback.url).status_code == 201
    second = create(fake_strava, callback.url)
    assert second.status_code == 400
    assert second.json()["errors"][0]["code"] == "already exists"
    assert len(fake_strava.handshakes) == 1  # refused before calling back


@pytest.mark.parametrize("problem", ["token", "no echo", "slow", "unreachable"])
def test_a_failed_handshake_refuses_the_subscription(
    fake_strava: FakeStrava, callback: Callback, problem: str
) -> None:
    url = callback.url
    if problem == "token":
        callback.token = "something else"
    elif problem == "no echo":
        callback.echo = False
    elif problem == "slow":
        callback.delay = HANDSHAKE_TIMEOUT + 0.5
    else:
        callback.stop()
    response = create(fake_strava, url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "callback url"
    assert fake_strava.push_subscription is None
    assert [h.ok for h in fake_strava.handshakes] == [False]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"client_id": "999", "client_secret": FAKE_CLIENT_SECRET}, "client_id"),
        ({"client_id": FAKE_CLIENT_ID, "client_secret": "wrong"}, "client_secret"),
        ({}, "client_id"),
    ],
)
def test_wrong_credentials_get_401(
    fake_strava: FakeStrava, callback: Callback, params: dict[str, str], field: str
) -> None:
    for response in (
        requests.post(
            f"{fake_strava.api_url}/push_subscriptions",
            data={**params, "callback_url": callback.url, "verify_token": TOKEN},
            timeout=TIMEOUT,
        ),
        requests.get(f"{fake_strava.api_url}/push_subscriptions", params=params, timeout=TIMEOUT),
        requests.delete(
            f"{fake_strava.api_url}/push_subscriptions/1", params=params, timeout=TIMEOUT
        ),
    ):
        assert response.status_code == 401
        assert response.json()["errors"][0]["field"] == field
    assert fake_strava.handshakes == []


def test_push_event_posts_json_to_the_callback(fake_strava: FakeStrava, callback: Callback) -> None:
    subscription_id = create(fake_strava, callback.url).json()["id"]
    answer = fake_strava.push_event(
        42, object_type="athlete", aspect_type="update", updates={"authorized": "false"}
    )
    assert answer.status_code == 200
    [event] = callback.events
    assert event["owner_id"] == event["object_id"] == 42
    assert event["subscription_id"] == subscription_id
    assert event["updates"] == {"authorized": "false"}
    assert isinstance(event["event_time"], int)


def test_push_event_needs_a_subscription(fake_strava: FakeStrava) -> None:
    with pytest.raises(RuntimeError, match="no push subscription"):
        fake_strava.push_event(1, object_id=5)


def test_the_handshake_does_not_block_other_requests(
    fake_strava: FakeStrava, callback: Callback
) -> None:
    callback.delay = 1.0
    creating = threading.Thread(target=create, args=(fake_strava, callback.url))
    creating.start()
    time.sleep(0.2)
    started = time.monotonic()
    listed = requests.get(
        f"{fake_strava.api_url}/push_subscriptions", params=credentials(), timeout=TIMEOUT
    )
    assert listed.status_code == 200
    assert time.monotonic() - started < 0.5
    creating.join()
