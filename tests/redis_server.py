"""A real redis-server for tests: a free port on 127.0.0.1, no persistence, stopped by PID.

Debian's ``redis-server`` (``scripts/test`` installs it) does not start by itself, so each
test session starts its own. Tests that take Redis away and bring it back start their
own instance with :class:`RedisServer`.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

START_TIMEOUT_S = 10.0
WINDOW_S = 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def away_from_a_quarter_hour() -> None:
    """Wait if a quarter hour is near: the fake Strava's window turns on its clock, a
    server-time budget's on Redis ``TIME`` plus a margin, so counts differ just around it."""
    into = time.time() % WINDOW_S
    if into < 10 or into > WINDOW_S - 15:
        time.sleep((WINDOW_S - into + 10) % WINDOW_S)


class RedisServer:
    """One redis-server process; ``start()`` again after ``stop()`` reuses the port."""

    def __init__(self, workdir: Path, port: int | None = None, password: str = "") -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            # A missing server must fail loudly: skipping would hide untested code.
            raise RuntimeError("redis-server is not installed: run scripts/test, which installs it")
        self.binary = binary
        self.workdir = workdir
        self.port = port or free_port()
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if client.ping():
                    break
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not answer on port {self.port}") from None
                time.sleep(0.02)
        client.close()
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the whole test session."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's redis-server, emptied for this test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def clear_of_the_quarter_hour() -> None:
    """For tests on the real clock whose windows must not turn halfway."""
    away_from_a_quarter_hour()
