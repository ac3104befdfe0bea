"""app.py's two roles: a script run draws pages only; the server's import builds the
routes only (see the module docstring of app.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import plotly
import pytest
import streamlit as st

from tests.apptest_support import new_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.usefixtures("no_strava_credentials")
def test_reruns_never_build_the_server_app(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a rerun built st.App")

    monkeypatch.setattr(st, "App", refuse)
    at = new_app()
    at.run()  # a second rerun of the same session
    assert not at.exception
    assert at.title


def test_the_server_import_builds_the_routes_and_draws_nothing() -> None:
    probe = (
        "import app, streamlit as st\n"
        "assert isinstance(app.app, st.App)\n"
        "print([getattr(r, 'path', None) for r in app.app._user_routes])\n"
        "print(hasattr(app, 'pages'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    routes, drew_pages = done.stdout.strip().splitlines()[-2:]
    plotly_js = f"/api/assets/plotly-{plotly.__version__}.min.js"  # the map component's
    tiles = "/api/tiles/{token}/{z:int}/{x:int}/{y:int}"  # big route maps' tiles
    assert routes == (
        f"['/api/strava/webhook', '/api/strava/webhook', '{plotly_js}', "
        f"'{tiles}.png', '{tiles}@2x.png']"
    )
    assert drew_pages == "False"
    # Page calls outside a session would warn about a missing ScriptRunContext.
    assert "ScriptRunContext" not in done.stderr
