"""``/api/strava/webhook`` as Starlette routes, mounted beside the app by ``st.App``.

GET is Strava's subscription handshake; POST is an event, answered at once and applied
after the answer (Strava waits 2 s and retries up to three times). No Streamlit here:
the routes run outside any session, and ``app.py`` hands in how settings are read.

Every POST body within the size cap gets 200, malformed and foreign ones included:
a retry cannot repair a body, the subscription check needs the store (work for after
the answer), and one answer for everything tells a prober nothing. Only a full queue
answers 503, so that Strava retries the event later.

The work runs on one thread of its own, not in Starlette's thread pool: that pool
also serves Streamlit's static files (28 threads), and events waiting on a locked or
slow database must not stall page loads. One thread also applies events in order.
"""

from __future__ import annotations

import hmac
import logging
import queue
import threading
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from strava_dash.errors import ConfigError
from strava_dash.settings import HostingSettings
from strava_dash.store.service import shared_store
from strava_dash.store.sql import SqlStore
from strava_dash.webhook.handler import Outcome, process_body

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/strava/webhook"
#: Strava's events are a few hundred bytes; anything far larger is not from Strava.
MAX_BODY_BYTES = 16 * 1024
MAX_CHALLENGE_CHARS = 1024
#: Events waiting for the worker; Strava sends a handful per activity, not thousands.
MAX_QUEUED = 1000


class _Worker:
    """One daemon thread applying queued bodies in arrival order."""

    def __init__(self, apply: Callable[[bytes], object], max_queued: int) -> None:
        self._apply = apply
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=max_queued)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, body: bytes) -> bool:
        """False when the queue is full."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="strava-webhook", daemon=True
                )
                self._thread.start()
        try:
            self._queue.put_nowait(body)
        except queue.Full:
            return False
        return True

    def join(self) -> None:
        """Wait until every queued body was applied (tests)."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            body = self._queue.get()
            try:
                self._apply(body)
            finally:
                self._queue.task_done()


class WebhookEndpoint:
    """The two routes, with the settings read once (on first use, not per request)."""

    def __init__(
        self,
        load_hosting: Callable[[], HostingSettings] = HostingSettings.from_env,
        open_store: Callable[[HostingSettings], SqlStore | None] = shared_store,
        *,
        max_queued: int = MAX_QUEUED,
    ) -> None:
        self._load_hosting = load_hosting
        self._open_store = open_store
        self._hosting: HostingSettings | None = None
        self._lock = threading.Lock()
        #: The last event's outcome (tests and debugging; no personal data).
        self.last_outcome: Outcome | None = None
        self._worker = _Worker(self.apply, max_queued)

    def hosting(self) -> HostingSettings:
        """Raises ConfigError; a broken setting is read again on the next request."""
        with self._lock:
            if self._hosting is None:
                self._hosting = self._load_hosting()
            return self._hosting

    def routes(self) -> list[BaseRoute]:
        return [
            Route(WEBHOOK_PATH, self.handshake, methods=["GET"]),
            Route(WEBHOOK_PATH, self.receive, methods=["POST"]),
        ]

    async def handshake(self, request: Request) -> Response:
        query = request.query_params
        challenge = query.get("hub.challenge", "")
        try:
            expected = self.hosting().webhook_verify_token
        except ConfigError as error:
            log.error("webhook handshake refused: %s", error)
            return Response(status_code=403)
        if not expected:
            log.warning("webhook handshake refused: STRAVA_WEBHOOK_VERIFY_TOKEN is not set")
            return Response(status_code=403)
        given = query.get("hub.verify_token", "")
        if (
            query.get("hub.mode") != "subscribe"
            or not challenge
            or len(challenge) > MAX_CHALLENGE_CHARS
            # Constant time: the token is the only secret guarding the subscription.
            or not hmac.compare_digest(given.encode(), expected.encode())
        ):
            log.warning("webhook handshake refused: wrong mode, challenge or verify token")
            return Response(status_code=403)
        log.info("webhook handshake answered")
        return JSONResponse({"hub.challenge": challenge})

    async def receive(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            log.warning("webhook body refused: %s bytes declared", declared)
            return Response(status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                log.warning("webhook body refused: over %d bytes", MAX_BODY_BYTES)
                return Response(status_code=413)
        if not self._worker.submit(bytes(body)):
            log.error("webhook event refused: the queue of waiting events is full")
            return Response(status_code=503, headers={"Retry-After": "60"})
        return Response(status_code=200)

    def wait_idle(self) -> None:
        """Block until every accepted event was applied (tests, shutdown)."""
        self._worker.join()

    def apply(self, body: bytes) -> Outcome:
        """The work after the answer: never raises (process_body logs instead)."""
        self.last_outcome = process_body(body, self._store_and_hosting)
        return self.last_outcome

    def _store_and_hosting(self) -> tuple[SqlStore | None, HostingSettings]:
        hosting = self.hosting()
        return self._open_store(hosting), hosting


def webhook_routes(
    load_hosting: Callable[[], HostingSettings] = HostingSettings.from_env,
) -> list[BaseRoute]:
    """The routes for ``st.App(..., routes=webhook_routes(...))``."""
    return WebhookEndpoint(load_hosting).routes()
