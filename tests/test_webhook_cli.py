"""The webhook CLI's configuration and messages (the full round trip against a running
app is in test_webhook_server.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from strava_dash.store.sql import SqlStore
from strava_dash.webhook import SUBSCRIPTION_META_KEY
from strava_dash.webhook.cli import load_config, main
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava
from tests.fake_strava.push import PushSubscription


def run(argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--secrets", "/nonexistent", *argv], environ=environ, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def env_for(fake: FakeStrava, **extra: str) -> dict[str, str]:
    return {
        "STRAVA_CLIENT_ID": FAKE_CLIENT_ID,
        "STRAVA_CLIENT_SECRET": FAKE_CLIENT_SECRET,
        "STRAVA_BASE_URL": fake.base_url,
        **extra,
    }


def test_secrets_file_then_environment(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[strava]\nclient_id = "111"\nclient_secret = "from-file"\n'
        '[dash]\nwebhook_verify_token = "file-token"\ndatabase_url = "none"\n'
    )
    settings, hosting = load_config(secrets, {"STRAVA_CLIENT_ID": "222"})
    assert settings.client_id == "222"
    assert settings.client_secret == "from-file"
    assert hosting.webhook_verify_token == "file-token"
    assert hosting.database_url is None
    # A missing file is no error: the environment alone configures the CLI.
    assert load_config(tmp_path / "absent.toml", {})[1].webhook_verify_token == ""


def test_subscribe_needs_a_verify_token(fake_strava: FakeStrava) -> None:
    code, _, err = run(
        ["subscribe", "--callback-url", "https://example.org/api/strava/webhook"],
        env_for(fake_strava, DASH_DATABASE_URL="none"),
    )
    assert code == 2
    assert "STRAVA_WEBHOOK_VERIFY_TOKEN" in err
    assert fake_strava.requests == []  # refused before asking Strava


def test_credentials_are_required(tmp_path: Path) -> None:
    code, _, err = run(["list"], {"DASH_DATABASE_URL": "none"})
    assert code == 2
    assert "STRAVA_CLIENT_ID" in err


def test_list_records_the_id_and_unsubscribe_clears_it(
    fake_strava: FakeStrava, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'dash.sqlite3'}"
    fake_strava.push_subscription = PushSubscription(7, "https://x.example/hook", "t", "")
    env = env_for(fake_strava, DASH_DATABASE_URL=url)

    code, out, _ = run(["list"], env)
    assert code == 0
    assert "7\thttps://x.example/hook" in out
    store = SqlStore.open(url)
    try:
        assert store.get_meta(SUBSCRIPTION_META_KEY) == "7"
        assert run(["unsubscribe"], env)[0] == 0
        assert store.get_meta(SUBSCRIPTION_META_KEY) is None
    finally:
        store.dispose()
    assert fake_strava.push_subscription is None
    code, out, _ = run(["unsubscribe"], env)
    assert code == 0
    assert "No push subscription" in out


def test_without_a_store_the_cli_says_which_setting_to_use(fake_strava: FakeStrava) -> None:
    fake_strava.push_subscription = PushSubscription(9, "https://x.example/hook", "t", "")
    code, out, _ = run(["list"], env_for(fake_strava, DASH_DATABASE_URL="none"))
    assert code == 0
    assert "STRAVA_WEBHOOK_SUBSCRIPTION_ID=9" in out


def test_unknown_subscription_id_is_a_clear_error(fake_strava: FakeStrava) -> None:
    code, _, err = run(["unsubscribe", "--id", "5"], env_for(fake_strava, DASH_DATABASE_URL="none"))
    assert code == 1
    assert "HTTP 404" in err
    assert FAKE_CLIENT_SECRET not in err


def test_module_entry_point_shows_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "strava_dash.webhook", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    for command in ("subscribe", "list", "unsubscribe"):
        assert command in done.stdout
