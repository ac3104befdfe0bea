"""The webhook through ``streamlit run app.py`` (a real server process), with the CLI
against the fake Strava: the fake's handshake reaches the running app's route.

No browser: the pages are checked through Streamlit's script health check, which runs
app.py in a session as a browser would.
"""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from strava_dash.store.sql import SqlStore
from strava_dash.webhook import SUBSCRIPTION_META_KEY
from strava_dash.webhook.cli import main as cli
from tests.browser.conftest import AppServer
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava
from tests.webhook_support import (
    ATHLETE,
    OTHER,
    body,
    deauthorization,
    event,
    rows_in_sqlite,
    seed,
)

TOKEN = "verify-token-for-tests-7f3a"
ANSWER_WITHIN = 2.0  # s, Strava's limit
TIMEOUT = 10


@dataclass
class Served:
    app: AppServer
    fake: FakeStrava
    db_path: Path
    env: dict[str, str]

    @property
    def callback_url(self) -> str:
        return f"{self.app.url}/api/strava/webhook"

    def cli(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli(["--secrets", "/nonexistent", *argv], environ=self.env, out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    def store(self) -> SqlStore:
        return SqlStore.open(f"sqlite:///{self.db_path}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("webhook-server")
    db_path = tmp / "dash.sqlite3"
    with FakeStrava(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET) as fake:
        env = {
            "DASH_DATABASE_URL": f"sqlite:///{db_path}",
            "STRAVA_WEBHOOK_VERIFY_TOKEN": TOKEN,
            "STRAVA_CLIENT_ID": FAKE_CLIENT_ID,
            "STRAVA_CLIENT_SECRET": FAKE_CLIENT_SECRET,
            "STRAVA_BASE_URL": fake.base_url,
            # Lets the test ask whether app.py's script runs cleanly in a session.
            "STREAMLIT_SERVER_SCRIPT_HEALTH_CHECK_ENABLED": "true",
        }
        app = AppServer(env, tmp)
        try:
            yield Served(app, fake, db_path, env)
        finally:
            app.stop()


@pytest.fixture
def subscribed(served: Served) -> Served:
    if served.fake.push_subscription is None:
        code, _, err = served.cli("subscribe", "--callback-url", served.callback_url)
        assert code == 0, err
    return served


def wait_for(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def timed_post(url: str, payload: bytes) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.post(
        url, data=payload, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    return response, time.monotonic() - started


def test_server_health_and_pages_still_answer(served: Served) -> None:
    assert requests.get(f"{served.app.url}/_stcore/health", timeout=TIMEOUT).text == "ok"
    page = requests.get(served.app.url, timeout=TIMEOUT)
    assert page.status_code == 200
    assert "<title>Streamlit</title>" in page.text
    # Runs app.py in a session (navigation, the Home page): 200 only when it ran cleanly.
    script = requests.get(f"{served.app.url}/_stcore/script-health-check", timeout=60)
    assert script.status_code == 200, script.text


def test_handshake_through_the_real_server(served: Served) -> None:
    started = time.monotonic()
    answer = requests.get(
        served.callback_url,
        params={"hub.mode": "subscribe", "hub.challenge": "c4ll", "hub.verify_token": TOKEN},
        timeout=TIMEOUT,
    )
    assert time.monotonic() - started < ANSWER_WITHIN
    assert answer.status_code == 200
    assert answer.json() == {"hub.challenge": "c4ll"}
    refused = requests.get(
        served.callback_url,
        params={"hub.mode": "subscribe", "hub.challenge": "c4ll", "hub.verify_token": "nope"},
        timeout=TIMEOUT,
    )
    assert refused.status_code == 403
    # streamlit run keeps uvicorn's access log off: the token is in the handshake's query.
    assert TOKEN not in served.app.log()


def test_cli_subscribe_list_unsubscribe(served: Served) -> None:
    if served.fake.push_subscription is not None:
        assert served.cli("unsubscribe")[0] == 0

    code, out, err = served.cli("subscribe", "--callback-url", served.callback_url)
    assert code == 0, err
    subscription = served.fake.push_subscription
    assert subscription is not None
    assert str(subscription.id) in out
    # The fake's handshake reached the running app's route and was answered in time.
    handshake = served.fake.handshakes[-1]
    assert handshake.callback_url == served.callback_url
    assert handshake.ok
    assert handshake.status == 200
    assert handshake.seconds < ANSWER_WITHIN
    store = served.store()
    try:
        assert store.get_meta(SUBSCRIPTION_META_KEY) == str(subscription.id)

        code, out, _ = served.cli("list")
        assert code == 0
        assert f"{subscription.id}\t{served.callback_url}" in out

        code, out, _ = served.cli("unsubscribe")
        assert code == 0
        assert served.fake.push_subscription is None
        assert store.get_meta(SUBSCRIPTION_META_KEY) is None
        assert "No push subscription" in served.cli("list")[1]
    finally:
        store.dispose()
    assert FAKE_CLIENT_SECRET not in out + err


def test_cli_reports_strava_refusals_without_the_secret(served: Served) -> None:
    code, _, err = served.cli("subscribe", "--callback-url", served.callback_url)
    assert code == 0, err
    code, out, err = served.cli("subscribe", "--callback-url", served.callback_url)
    assert code == 1
    assert "one subscription per application" in err

    wrong = {**served.env, "STRAVA_CLIENT_SECRET": "not-the-secret"}
    out_buffer, err_buffer = io.StringIO(), io.StringIO()
    code = cli(["list"], environ=wrong, out=out_buffer, err=err_buffer)
    assert code == 1
    assert "STRAVA_CLIENT_SECRET" in err_buffer.getvalue()
    assert "not-the-secret" not in err_buffer.getvalue() + out_buffer.getvalue()

    served.cli("unsubscribe")
    bad_token = {**served.env, "STRAVA_WEBHOOK_VERIFY_TOKEN": "another-token"}
    err_buffer = io.StringIO()
    code = cli(
        ["subscribe", "--callback-url", served.callback_url],
        environ=bad_token,
        out=io.StringIO(),
        err=err_buffer,
    )
    assert code == 1
    assert "could not verify the callback URL" in err_buffer.getvalue()
    assert served.fake.push_subscription is None
    assert FAKE_CLIENT_SECRET not in err + out + err_buffer.getvalue()


def test_deauthorization_posted_to_the_app_deletes_the_rows(subscribed: Served) -> None:
    store = subscribed.store()
    try:
        seed(store, ATHLETE)
        seed(store, OTHER)
    finally:
        store.dispose()
    other_before = rows_in_sqlite(subscribed.db_path, OTHER)

    started = time.monotonic()
    answer = subscribed.fake.push_event(
        ATHLETE, object_type="athlete", aspect_type="update", updates={"authorized": "false"}
    )
    assert time.monotonic() - started < ANSWER_WITHIN
    assert answer.status_code == 200

    wait_for(lambda: sum(rows_in_sqlite(subscribed.db_path, ATHLETE).values()) == 0)
    assert rows_in_sqlite(subscribed.db_path, OTHER) == other_before


def test_the_answer_comes_before_slow_work(subscribed: Served) -> None:
    store = subscribed.store()
    try:
        seed(store, OTHER)
    finally:
        store.dispose()
    assert subscribed.fake.push_subscription is not None
    payload = body(deauthorization(OTHER, subscription_id=subscribed.fake.push_subscription.id))

    # Hold SQLite's write lock: the app's delete must wait for it (as on a busy database),
    # and Strava's answer must not.
    blocker = sqlite3.connect(subscribed.db_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        answer, seconds = timed_post(subscribed.callback_url, payload)
        assert answer.status_code == 200
        assert seconds < ANSWER_WITHIN
        # More events than Starlette's thread pool has threads (28, shared with the
        # static files): waiting events must not stall the answers or the page.
        subscription_id = subscribed.fake.push_subscription.id
        for activity_id in range(1, 41):
            change = event(OTHER, aspect_type="update", object_id=activity_id)
            change["subscription_id"] = subscription_id
            answer, seconds = timed_post(subscribed.callback_url, body(change))
            assert answer.status_code == 200
            assert seconds < ANSWER_WITHIN
        for path in ("/_stcore/health", "/"):
            started = time.monotonic()
            assert requests.get(subscribed.app.url + path, timeout=ANSWER_WITHIN).ok
            assert time.monotonic() - started < ANSWER_WITHIN
        time.sleep(1.0)
        # The work is really waiting behind the lock, not done already.
        assert blocker.execute(
            "SELECT count(*) FROM activities WHERE athlete_id = ?", (OTHER,)
        ).fetchone()[0]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    wait_for(lambda: sum(rows_in_sqlite(subscribed.db_path, OTHER).values()) == 0)


def test_foreign_and_malformed_posts_change_nothing(subscribed: Served) -> None:
    store = subscribed.store()
    try:
        seed(store, ATHLETE)
    finally:
        store.dispose()
    before = rows_in_sqlite(subscribed.db_path, ATHLETE)
    assert subscribed.fake.push_subscription is not None
    foreign = deauthorization(subscription_id=subscribed.fake.push_subscription.id + 1)
    for payload in (body(foreign), b"{", b"[]", b'{"object_type":"athlete"}'):
        answer, seconds = timed_post(subscribed.callback_url, payload)
        assert answer.status_code == 200
        assert seconds < ANSWER_WITHIN
    too_big, _ = timed_post(subscribed.callback_url, b" " * 100_000)
    assert too_big.status_code == 413
    time.sleep(1.0)  # the background work of the posts above has run
    assert rows_in_sqlite(subscribed.db_path, ATHLETE) == before
    assert requests.get(f"{subscribed.app.url}/_stcore/health", timeout=TIMEOUT).text == "ok"
    assert "Traceback" not in subscribed.app.log()


def test_route_reads_the_dash_secrets_like_the_pages(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("webhook-secrets")
    secrets = tmp / "secrets.toml"
    secrets.write_text('[dash]\nwebhook_verify_token = "from-secrets"\ndatabase_url = "none"\n')
    # No token in the environment: only the [dash] section can make the handshake pass.
    app = AppServer(
        {"STREAMLIT_SECRETS_FILES": str(secrets), "STRAVA_WEBHOOK_VERIFY_TOKEN": ""}, tmp
    )
    try:
        url = f"{app.url}/api/strava/webhook"
        params = {"hub.mode": "subscribe", "hub.challenge": "s3", "hub.verify_token": "x"}
        assert requests.get(url, params=params, timeout=TIMEOUT).status_code == 403
        params["hub.verify_token"] = "from-secrets"
        answer = requests.get(url, params=params, timeout=TIMEOUT)
        assert answer.status_code == 200
        assert answer.json() == {"hub.challenge": "s3"}
        # database_url = "none": an event is answered and nothing is stored anywhere.
        assert requests.post(url, data=body(deauthorization()), timeout=TIMEOUT).status_code == 200
    finally:
        app.stop()
    assert "Traceback" not in app.log()


def test_the_server_sweeps_athletes_past_retention_when_it_starts(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("sweep-at-start")
    db_path = tmp / "dash.sqlite3"
    store = SqlStore.open(f"sqlite:///{db_path}")
    seed(store, ATHLETE)  # last visit: NOW (tests/webhook_support.py)
    seed(store, OTHER)
    old = datetime.now(UTC) - timedelta(days=8)
    store.visit(ATHLETE, scopes=("read",), now=old)
    store.visit(OTHER, scopes=("read",), now=datetime.now(UTC) - timedelta(days=6))
    store.dispose()
    app = AppServer({"DASH_DATABASE_URL": f"sqlite:///{db_path}", "DASH_RETENTION_DAYS": "7"}, tmp)
    try:
        # Nobody visits: the server's start alone runs the sweep.
        wait_for(lambda: rows_in_sqlite(db_path, ATHLETE)["athletes"] == 0)
        assert set(rows_in_sqlite(db_path, ATHLETE).values()) == {0}
        assert rows_in_sqlite(db_path, OTHER)["activities"] == 5
    finally:
        app.stop()
    assert "Traceback" not in app.log()
