"""``FakeStrava``: the fake's state served over real HTTP on 127.0.0.1.

A ``ThreadingHTTPServer`` in a daemon thread; every request is handled under the state's
lock, after the configured latency, and recorded with its final status.
"""

from __future__ import annotations

import contextlib
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.fake_strava import api, avatar, oauth, push
from tests.fake_strava.messages import (
    HTML_TYPE,
    Request,
    Response,
    fault,
    injected_fault,
    rate_limited,
    resource_not_found,
)
from tests.fake_strava.models import RecordedRequest
from tests.fake_strava.state import StravaState

AVATAR = re.compile(r"/fake/avatar/(\d+)/(\w+)\.png")
# A body cut off mid-string: what a dropped connection or a proxy hiccup can hand a client.
TRUNCATED_JSON = b'[{"resource_state":2,"athlete":{"id":1,"resource_state":1},"name":"Trunc'


def is_api_path(path: str) -> bool:
    """True for rate-limited, bearer-authenticated ``/api/v3`` paths (not its OAuth aliases)."""
    in_api = path == api.PREFIX or path.startswith(api.PREFIX + "/")
    return in_api and not path.startswith(api.PREFIX + "/oauth/")


def dispatch(state: StravaState, req: Request) -> Response:
    """Route one request. Order: rate limit, scripted failure, then the real handler."""
    if is_api_path(req.path):
        allowed, limit_headers = state.count_api_request(is_read=req.method == "GET")
        response = rate_limited() if not allowed else _scripted(state, req)
        if response is None:
            response = api.handle(state, req)
        response.headers.update(limit_headers)
        return response
    response = _scripted(state, req) or oauth.handle(state, req)
    if response is not None:
        return response
    if (match := AVATAR.fullmatch(req.path)) and (image := avatar.png(int(match[1]), match[2])):
        return Response(200, image, "image/png")
    if req.path == "/" and req.method == "GET":
        return _index(state)
    return resource_not_found()


def _scripted(state: StravaState, req: Request) -> Response | None:
    injection = state.take_injection(req.path, req.query)
    if injection is None:
        return None
    if injection.status is None:
        return Response(200, TRUNCATED_JSON)
    return injected_fault(injection.status)


def _index(state: StravaState) -> Response:
    names = "".join(f"<li>{a.id}: {len(a.activities)} activities</li>" for a in state.athletes)
    page = (
        "<!doctype html><meta charset='utf-8'><title>Fake Strava</title>"
        f"<h1>Fake Strava</h1><p>OAuth at /oauth/…, API at /api/v3.</p><ul>{names}</ul>"
    )
    return Response(200, page.encode("utf-8"), HTML_TYPE)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive handler threads would make server_close() wait for clients to hang up;
    # stop() closes their sockets instead.
    block_on_close = False

    def __init__(self, address: tuple[str, int], fake: FakeStrava) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about clients that hang up (timeouts, Ctrl-C); loud about anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            open_now = list(self.connections)
        for conn in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API; Content-Length always set
    server_version = "FakeStrava/1.0"
    timeout = 60  # s an idle keep-alive connection is kept
    # Headers and body go out in two writes; with Nagle's algorithm the body of a small
    # answer would wait ~40 ms for the client's delayed ACK. Strava shows no such stall.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: request lines can carry codes and tokens in their query strings."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        target = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=target.path or "/",
            query=parse_qs(target.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=body,
        )
        response = self.server.fake.serve(req)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)


class FakeStrava(StravaState):
    """A fake Strava (OAuth at ``base_url/oauth``, API at ``api_url``) for tests and demos.

    Usable as ``with FakeStrava("12345", "s3cret") as server: ...`` or via start()/stop().
    See strava-api.md §7 for the behaviour it guarantees.
    """

    def __init__(
        self,
        client_id: str | int = "12345",
        client_secret: str = "s3cret",
        *,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        clock_file: Path | None = None,
    ) -> None:
        super().__init__(client_id, client_secret, latency=latency, clock_file=clock_file)
        self.host = host
        self.port = port  # 0 until start() picks a free port
        self.errors: list[BaseException] = []  # exceptions the fake raised (answered 500)
        self._httpd: _HTTPServer | None = None
        self.push_subscription: push.PushSubscription | None = None  # one per app
        self.next_subscription_id = push.FIRST_SUBSCRIPTION_ID
        self.handshakes: list[push.Handshake] = []  # every callback check, in order
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``; OAuth lives at ``/oauth/...`` under it."""
        if self._httpd is None:
            raise RuntimeError("FakeStrava is not started: call start() or use it in a with block")
        return self._origin

    @property
    def api_url(self) -> str:
        return self.base_url + api.PREFIX

    def start(self) -> FakeStrava:
        """Bind and serve in a daemon thread; returns self. Starting twice is a no-op."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), self)
        self.port = httpd.server_address[1]
        self._origin = f"http://{self.host}:{self.port}"
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True,
            name=f"fake-strava-{self.port}",
        )  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections. Safe to call twice."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._httpd = self._thread = None
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeStrava:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def push_event(self, owner_id: int, **event: Any) -> requests.Response:
        """POST a webhook event to the subscription's callback (see push.deliver)."""
        return push.deliver(self, owner_id=owner_id, **event)

    def serve(self, req: Request) -> Response:
        """Answer one request as the HTTP handler does (latency, routing, recording)."""
        delay = self.latency
        if delay > 0:
            time.sleep(delay)
        at = self.now()
        try:
            if push.is_push_path(req.path):
                # Not under the lock: creating one calls the app back (the handshake).
                response = push.handle(self, req)
            else:
                with self.lock:
                    at = self.now()  # the moment its rate window is decided
                    response = dispatch(self, req)
        except Exception as exc:  # a bug in the fake must not look like a network failure
            with self.lock:
                self.errors.append(exc)
            # Type and path only: messages and query strings may hold tokens.
            message = f"FakeStrava: {type(exc).__name__} serving {req.method} {req.path}"
            print(message, file=sys.stderr)
            response = fault(500, f"Fake Strava bug: {type(exc).__name__}")
        with self.lock:
            self.record(
                RecordedRequest(
                    method=req.method,
                    path=req.path,
                    query=req.query,
                    headers=dict(req.headers),
                    body=req.body,
                    status=response.status,
                    at=at,
                )
            )
        return response
