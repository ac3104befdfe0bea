"""Helpers for AppTest page tests: the demo app, download capture, a Strava login."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import requests
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava

APP = str(Path(__file__).resolve().parent.parent / "app.py")
REDIRECT = "http://localhost:8501/component/streamlit_oauth.authorize_button/index.html"
TIMEOUT = 60


@pytest.fixture
def no_strava_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Demo mode: whatever the developer's shell exports, no Strava app is configured."""
    for key in ("STRAVA_CLIENT_ID", "STRAVA_CLIENT_SECRET", "STRAVA_BASE_URL", "STRAVA_API_URL"):
        monkeypatch.delenv(key, raising=False)


def new_app() -> AppTest:
    # Caches are process-global and AppTest sessions share one id: start clean.
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str) -> Any:
    everywhere = [*at.button, *at.sidebar.button]
    matches = [b for b in everywhere if b.label == label]
    assert matches, f"no button {label!r}; have {[b.label for b in everywhere]}"
    return matches[0]


def figure_specs(at: AppTest) -> list[dict[str, Any]]:
    """Every plotly figure drawn: ``st.plotly_chart`` specs, then the map component's figure
    (AppTest cannot render a custom component; its arguments are in the element)."""
    found = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    for element in at.get("component_instance"):
        args = {a.key: a.bytes for a in element.proto.special_args}
        if "figure" in args:
            found.append(json.loads(args["figure"]))
    return found


def map_component_args(at: AppTest) -> dict[str, Any]:
    """The JSON arguments of the route map component (figure aside)."""
    maps = [
        e for e in at.get("component_instance") if e.proto.component_name.endswith(".route_map")
    ]
    assert len(maps) == 1, "no route map component drawn"
    args: dict[str, Any] = json.loads(maps[0].proto.json_args)
    return args


def open_demo() -> AppTest:
    at = new_app()
    button(at, "Explore with demo data").click().run()
    assert not at.exception, at.exception
    return at


class Downloads:
    """What the download buttons of the last run would hand the browser, by file name."""

    def __init__(self) -> None:
        self.builders: dict[str, Callable[[], Any]] = {}

    def bytes_of(self, suffix: str) -> bytes:
        names = [n for n in self.builders if n.endswith(suffix)]
        assert names, f"no download ending {suffix!r}; have {sorted(self.builders)}"
        data = self.builders[names[-1]]()
        return data.encode() if isinstance(data, str) else bytes(data)

    def name_of(self, suffix: str) -> str:
        return next(n for n in self.builders if n.endswith(suffix))


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Downloads]:
    """Record the deferred ``data=`` callables of download buttons (AppTest never calls them)."""
    captured = Downloads()
    original = MediaFileManager.add_deferred

    def record(self: MediaFileManager, data_callable: Any, *args: Any, **kwargs: Any) -> str:
        file_name = kwargs.get("file_name") or (args[2] if len(args) > 2 else None)
        captured.builders[str(file_name)] = data_callable
        return original(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return captured


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def strava_env(monkeypatch: pytest.MonkeyPatch, server: FakeStrava, secret: str = "") -> None:
    monkeypatch.setenv("STRAVA_CLIENT_ID", FAKE_CLIENT_ID)
    monkeypatch.setenv("STRAVA_CLIENT_SECRET", secret or FAKE_CLIENT_SECRET)
    monkeypatch.setenv("STRAVA_BASE_URL", server.base_url)
    monkeypatch.setenv("STRAVA_REDIRECT_URI", REDIRECT)


def authorization_url(at: AppTest) -> str:
    """The authorize URL the Connect with Strava button opens in its popup."""
    buttons = at.get("component_instance")
    assert buttons, "the Connect with Strava button is missing"
    return str(json.loads(buttons[0].proto.json_args)["authorization_url"])


def oauth_redirect(server: FakeStrava, at: AppTest, *, mode: str = "approve") -> dict[str, str]:
    """What the popup hands back: the fake's answer to the URL the app's button opens."""
    server.authorize_mode = mode
    response = requests.get(authorization_url(at), allow_redirects=False, timeout=5)
    query = parse_qs(urlsplit(response.headers["Location"]).query, keep_blank_values=True)
    return {k: v[0] for k, v in query.items()}


def oauth_key(at: AppTest) -> str:
    key = "strava_oauth_attempt"
    attempt = at.session_state[key] if key in at.session_state else 0  # noqa: SIM401 (no .get)
    return f"strava_oauth_{attempt}"


def log_in(at: AppTest, redirect: dict[str, str]) -> AppTest:
    """Inject the popup's result into the OAuth button and run the token exchange."""
    at.session_state[oauth_key(at)] = redirect
    at.run()
    assert not at.exception, at.exception
    return at


def wait_for_sync(at: AppTest, timeout: float = 30) -> Any:
    """Wait for the background sync, then rerun the page; returns the sync report."""
    session = at.session_state["dash_session"]
    deadline = time.monotonic() + timeout
    while session.job is None or session.job.running:
        assert time.monotonic() < deadline, "sync did not finish"
        time.sleep(0.05)
    at.run()
    assert not at.exception, at.exception
    return session.job.report
