"""The one Redis connection setup: short timeouts, one client per URL, URLs fit for logs."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import redis

#: Redis answers in well under a millisecond; waiting longer only stalls requests.
CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 2.0
#: Errors that mean "Redis is not there", as opposed to a bug in a command or script.
UNREACHABLE: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def describe_url(url: str) -> str:
    """``redis://host:port/db`` with no user name or password, fit for a log line."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def scrub(text: str, url: str) -> str:
    """``text`` (e.g. an error message) without the URL's password."""
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


def connect(url: str) -> redis.Redis:
    """A client with short timeouts; connections are made on first use, not here."""
    return redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=SOCKET_TIMEOUT_S
    )


def shared_client(url: str) -> redis.Redis:
    """One client (one connection pool) per URL for the whole process."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = connect(url)
        return client
