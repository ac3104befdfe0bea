"""Push subscriptions of the fake (hosting-notes.md, "Strava webhooks"): one per app.

``POST /api/v3/push_subscriptions`` first runs Strava's handshake against the callback
(a GET that must answer 200 with the challenge within 2 s), then answers 201 ``{"id"}``.
The handshake is an outbound request to the app under test, so it runs without the
fake's lock: the app may call the fake meanwhile.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from tests.fake_strava.messages import (
    Request,
    Response,
    fault,
    json_response,
    record_not_found,
    resource_not_found,
)

if TYPE_CHECKING:
    from tests.fake_strava.server import FakeStrava

PATH = "/api/v3/push_subscriptions"
ONE = re.compile(re.escape(PATH) + r"/(\d+)")
HANDSHAKE_TIMEOUT = 2.0  # s Strava waits for the callback
FIRST_SUBSCRIPTION_ID = 120_475
# Shapes seen in third-party reports [O]: the field names are Strava's, the code texts too.
CALLBACK_FAILED = ("PushSubscription", "callback url", "GET to callback URL does not return 200")
ALREADY_EXISTS = ("PushSubscription", "", "already exists")


@dataclass(frozen=True)
class PushSubscription:
    id: int
    callback_url: str
    verify_token: str
    created_at: str

    def as_json(self, application_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "resource_state": 2,
            "application_id": int(application_id),
            "callback_url": self.callback_url,
            "created_at": self.created_at,
            "updated_at": self.created_at,
        }


@dataclass(frozen=True)
class Handshake:
    """One handshake the fake ran: what the callback answered and how fast."""

    callback_url: str
    status: int | None  # None: no answer (refused, timed out)
    ok: bool
    seconds: float


def is_push_path(path: str) -> bool:
    return path.rstrip("/") == PATH or ONE.fullmatch(path) is not None


def _credentials_fault(fake: FakeStrava, params: dict[str, str]) -> Response | None:
    if params.get("client_id", "").strip() != fake.client_id:
        return fault(401, "Authorization Error", ("Application", "client_id", "invalid"))
    secret = params.get("client_secret", "").encode()
    if not hmac.compare_digest(secret, fake.client_secret.encode()):
        return fault(401, "Authorization Error", ("Application", "client_secret", "invalid"))
    return None


def handle(fake: FakeStrava, req: Request) -> Response:
    """Serve one push-subscription request; takes the fake's lock only around its state."""
    params = req.params()
    refused = _credentials_fault(fake, params)
    if refused is not None:
        return refused
    if req.path.rstrip("/") == PATH:
        if req.method == "POST":
            return _create(fake, params)
        if req.method == "GET":
            with fake.lock:
                current = fake.push_subscription
            return json_response([current.as_json(fake.client_id)] if current else [])
        return resource_not_found()
    match = ONE.fullmatch(req.path)
    if match is None or req.method != "DELETE":
        return resource_not_found()
    with fake.lock:
        current = fake.push_subscription
        if current is None or current.id != int(match.group(1)):
            return record_not_found("PushSubscription")
        fake.push_subscription = None
    return Response(204, b"")


def _create(fake: FakeStrava, params: dict[str, str]) -> Response:
    callback_url = params.get("callback_url", "").strip()
    if not callback_url.startswith(("http://", "https://")):
        return fault(400, "Bad Request", ("PushSubscription", "callback_url", "invalid"))
    with fake.lock:
        if fake.push_subscription is not None:
            return fault(400, "Bad Request", ALREADY_EXISTS)
    token = params.get("verify_token", "")
    if not run_handshake(fake, callback_url, token):
        return fault(400, "Bad Request", CALLBACK_FAILED)
    with fake.lock:
        if fake.push_subscription is not None:  # another create won meanwhile
            return fault(400, "Bad Request", ALREADY_EXISTS)
        fake.push_subscription = PushSubscription(
            id=fake.next_subscription_id,
            callback_url=callback_url,
            verify_token=token,
            created_at=datetime.fromtimestamp(fake.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        fake.next_subscription_id += 1
        return json_response({"id": fake.push_subscription.id}, 201)


def run_handshake(fake: FakeStrava, callback_url: str, token: str) -> bool:
    challenge = secrets.token_urlsafe(16)
    started = time.monotonic()
    status: int | None = None
    ok = False
    with requests.Session() as session:
        session.trust_env = False  # never through a proxy from the environment
        try:
            answer = session.get(
                callback_url,
                params={
                    "hub.mode": "subscribe",
                    "hub.challenge": challenge,
                    "hub.verify_token": token,
                },
                timeout=HANDSHAKE_TIMEOUT,
            )
            status = answer.status_code
            body = answer.json() if status == 200 else None
            ok = isinstance(body, dict) and body.get("hub.challenge") == challenge
        except (requests.RequestException, ValueError):
            ok = False
    seconds = time.monotonic() - started
    ok = ok and seconds <= HANDSHAKE_TIMEOUT
    with fake.lock:
        fake.handshakes.append(Handshake(callback_url, status, ok, seconds))
    return ok


def deliver(
    fake: FakeStrava,
    *,
    owner_id: int,
    object_type: str = "activity",
    object_id: int | None = None,
    aspect_type: str = "create",
    updates: dict[str, Any] | None = None,
    event_time: int | None = None,
    subscription_id: int | None = None,
    timeout: float = 10.0,
) -> requests.Response:
    """POST one event, as Strava does, to the subscription's callback; its answer."""
    with fake.lock:
        current = fake.push_subscription
    if current is None:
        raise RuntimeError("FakeStrava has no push subscription: subscribe first")
    event = {
        "object_type": object_type,
        "object_id": owner_id if object_id is None and object_type == "athlete" else object_id,
        "aspect_type": aspect_type,
        "updates": updates or {},
        "owner_id": owner_id,
        "subscription_id": current.id if subscription_id is None else subscription_id,
        "event_time": int(fake.now()) if event_time is None else event_time,
    }
    with requests.Session() as session:
        session.trust_env = False
        return session.post(current.callback_url, json=event, timeout=timeout)
