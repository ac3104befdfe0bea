"""The deployment files: compose.yaml and the Dockerfile read back, HAProxy's stickiness run.

There is no Docker daemon where these tests run, so compose.yaml and the Dockerfile are
checked as files (what they must contain), not built. deploy/haproxy.cfg is checked by
Debian's haproxy (``scripts/test`` installs it) and then run in front of two stand-in
replicas: a browser's cookie must pin every request, the WebSocket upgrade included, to
one replica.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


# ---------------------------------------------------------------- compose.yaml


def test_compose_runs_a_proxy_two_replicas_redis_and_postgres() -> None:
    services = compose()["services"]
    assert set(services) == {"proxy", "app1", "app2", "redis", "postgres"}
    assert services["proxy"]["image"].startswith("haproxy:")
    assert (
        "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"
        in (services["proxy"]["volumes"])
    )
    assert services["app1"] == services["app2"]  # the same replica twice
    for name in ("redis", "postgres"):
        assert services[name]["healthcheck"]["test"]
        assert services["app1"]["depends_on"][name] == {"condition": "service_healthy"}


def test_compose_points_the_replicas_at_the_shared_services() -> None:
    env = compose()["services"]["app1"]["environment"]
    assert env["DASH_DATABASE_URL"].startswith("postgresql+psycopg://dash:")
    assert env["DASH_DATABASE_URL"].endswith("@postgres:5432/dash")
    assert env["DASH_REDIS_URL"].startswith("redis://:")
    assert env["DASH_REDIS_URL"].endswith("@redis:6379/0")
    assert env["STRAVA_REDIRECT_URI"].endswith(
        "/component/streamlit_oauth.authorize_button/index.html"
    )


def test_compose_takes_every_secret_from_the_environment() -> None:
    text = (ROOT / "compose.yaml").read_text()
    for secret in (
        "STRAVA_CLIENT_SECRET",
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "DASH_COOKIE_SECRET",
    ):
        # ":?" makes compose refuse to start without it, rather than run with an empty one.
        assert re.search(rf"\$\{{{secret}:\?[^}}]+\}}", text), secret
    env = compose()["services"]["app1"]["environment"]
    literal = [k for k, v in env.items() if "SECRET" in k and not str(v).startswith("${")]
    assert not literal
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored


# ---------------------------------------------------------------- Dockerfile


def test_dockerfile_slim_non_root_with_a_health_check() -> None:
    text = dockerfile()
    assert re.search(r"^FROM python:3\.\d+-slim$", text, re.M)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users
    assert users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/_stcore/health", text, re.M)
    assert "secrets.toml" not in re.sub(r"#.*", "", text)  # mentioned only to say: never


def test_dockerfile_runs_the_readme_command() -> None:
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile(), re.M)
    assert cmd is not None
    args = yaml.safe_load(cmd.group(1))  # a JSON array, which YAML reads too
    readme = (ROOT / "README.md").read_text()
    run = re.search(r"streamlit run app\.py --server\.headless true[^\n]*\n[^\n]*", readme)
    assert run is not None
    readme_args = run.group(0).replace("\\", " ").split()
    # The same command, listening on every interface inside the container.
    expected = [a if a != "127.0.0.1" else "0.0.0.0" for a in readme_args]
    assert args == expected


def test_the_build_context_leaves_secrets_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored
    assert ".env" in ignored


# ---------------------------------------------------------------- HAProxy


def haproxy() -> str:
    # Debian puts it in /usr/sbin, which is not on every user's PATH.
    binary = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        raise RuntimeError("haproxy is not installed: run scripts/test, which installs it")
    return binary


def test_haproxy_accepts_the_config() -> None:
    result = subprocess.run(
        [haproxy(), "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


class _Replica(BaseHTTPRequestHandler):
    """Answers with its replica's name; accepts a WebSocket upgrade and sends the name."""

    server: _ReplicaServer
    protocol_version = "HTTP/1.1"  # a 101 in HTTP/1.0 is no upgrade

    def do_GET(self) -> None:
        name = self.server.name.encode()
        if self.headers.get("Upgrade", "").lower() == "websocket":
            key = self.headers.get("Sec-WebSocket-Key", "") + WEBSOCKET_GUID
            accept = base64.b64encode(hashlib.sha1(key.encode()).digest()).decode()
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept)
            self.end_headers()
            self.wfile.write(name)
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(name)))
        self.end_headers()
        self.wfile.write(name)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Replica)
        self.name = name


@pytest.fixture
def sticky_proxy(tmp_path: Path) -> Iterator[tuple[str, dict[str, _ReplicaServer]]]:
    """deploy/haproxy.cfg with the replicas' addresses swapped for two local stand-ins."""
    replicas = {name: _ReplicaServer(name) for name in ("app1", "app2")}
    for replica in replicas.values():
        threading.Thread(target=replica.serve_forever, daemon=True).start()
    port = free_port()
    config = HAPROXY_CFG.read_text()
    for name, replica in replicas.items():
        config = config.replace(f"{name}:8501", f"127.0.0.1:{replica.server_address[1]}")
    # No Docker DNS here, and nothing else changes.
    config = config.replace(" resolvers docker", "").replace("bind :8080", f"bind 127.0.0.1:{port}")
    config = re.sub(r"resolvers docker\n(    .*\n)+", "", config)
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    process = subprocess.Popen(
        [haproxy(), "-db", "-f", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("haproxy did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", replicas
    finally:
        process.terminate()
        process.wait(timeout=10)
        for replica in replicas.values():
            replica.shutdown()
            replica.server_close()


def websocket_reaches(origin: str, cookie: str) -> str:
    """Open a WebSocket through the proxy with the browser's cookie; the replica's name."""
    host, port = origin.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            (
                "GET /_stcore/stream HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Cookie: {cookie}\r\n\r\n"
            ).encode()
        )
        data = b""
        while not data.endswith((b"app1", b"app2")):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return body.decode()


def test_a_browser_stays_on_its_replica(
    sticky_proxy: tuple[str, dict[str, _ReplicaServer]],
) -> None:
    origin, _ = sticky_proxy
    # New browsers are spread over both replicas, each told which one it has.
    first = [requests.get(origin, timeout=5) for _ in range(4)]
    assert {r.text for r in first} == {"app1", "app2"}
    for response in first:
        assert response.cookies["DASH_REPLICA"] == response.text
        set_cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in set_cookie
        assert "SameSite=Lax" in set_cookie
    # One browser: every request and its WebSocket go to the replica of its first page.
    browser = requests.Session()
    home = browser.get(origin, timeout=5).text
    assert {browser.get(f"{origin}/_stcore/upload_file", timeout=5).text for _ in range(6)} == {
        home
    }
    assert websocket_reaches(origin, f"DASH_REPLICA={home}") == home
    other = "app2" if home == "app1" else "app1"
    assert websocket_reaches(origin, f"DASH_REPLICA={other}") == other


def test_a_dead_replicas_browsers_move_to_the_live_one(
    sticky_proxy: tuple[str, dict[str, _ReplicaServer]],
) -> None:
    origin, replicas = sticky_proxy
    replicas["app1"].shutdown()
    replicas["app1"].server_close()
    moved = requests.get(origin, cookies={"DASH_REPLICA": "app1"}, timeout=10)
    assert moved.text == "app2"
    assert moved.cookies["DASH_REPLICA"] == "app2"
