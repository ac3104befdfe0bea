"""``python -m strava_dash.webhook subscribe|list|unsubscribe``: the app's one push subscription.

Configuration as the app reads it: ``.streamlit/secrets.toml`` (``[strava]``, ``[dash]``)
when present, overridden by the environment. The subscription id is recorded in the
store's ``app_meta`` so the webhook route can recognise its own events.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from strava_dash.errors import AuthError, ConfigError, StoreError, StravaAPIError
from strava_dash.settings import HOSTING_KEYS, KEYS, HostingSettings, Settings
from strava_dash.store.sql import SqlStore
from strava_dash.webhook.handler import SUBSCRIPTION_META_KEY
from strava_dash.webhook.subscriptions import PushSubscriptions

DEFAULT_SECRETS = Path(".streamlit") / "secrets.toml"


def _section(secrets: Mapping[str, Any], name: str) -> dict[str, Any]:
    section = secrets.get(name, {})
    return dict(section) if isinstance(section, dict) else {}


def load_config(
    secrets_path: Path | None, environ: Mapping[str, str]
) -> tuple[Settings, HostingSettings]:
    """Settings as ``ui/config.py`` builds them: secrets first, the environment wins."""
    secrets: dict[str, Any] = {}
    if secrets_path is not None and secrets_path.is_file():
        try:
            secrets = tomllib.loads(secrets_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{secrets_path} could not be read: {error}") from None
    strava = _section(secrets, "strava")
    strava.update({k: v for k, v in environ.items() if k in KEYS and v.strip()})
    dash = _section(secrets, "dash")
    dash.update({k: v for k, v in environ.items() if k in HOSTING_KEYS and v.strip()})
    return Settings.from_mapping(strava), HostingSettings.from_mapping(dash)


def _explain(error: StravaAPIError) -> str:
    """Strava's refusal in words an operator can act on (never the secret)."""
    if isinstance(error, AuthError):
        return (
            f"Strava refused the application's credentials ({error}). Check "
            "STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET."
        )
    details = " ".join(f"{e.field} {e.code}".lower() for e in error.errors)
    if "already exists" in details:
        return (
            f"Strava allows one subscription per application and this one has it already "
            f"({error}). Run `list`, then `unsubscribe` first to move it."
        )
    if "callback" in details:
        return (
            f"Strava could not verify the callback URL ({error}). It must be reachable by "
            "Strava, answer the GET handshake within 2 s, and the running app must have "
            "the same STRAVA_WEBHOOK_VERIFY_TOKEN."
        )
    return f"Strava refused the request: {error}"


class Commands:
    def __init__(
        self,
        client: PushSubscriptions,
        hosting: HostingSettings,
        out: TextIO,
        store: SqlStore | None,
    ) -> None:
        self.client = client
        self.hosting = hosting
        self.out = out
        self.store = store

    def _record(self, subscription_id: int | None) -> None:
        if self.store is not None:
            self.store.set_meta(
                SUBSCRIPTION_META_KEY, None if subscription_id is None else str(subscription_id)
            )
        elif subscription_id is not None:
            print(
                "No store is configured (DASH_DATABASE_URL=none): set "
                f"STRAVA_WEBHOOK_SUBSCRIPTION_ID={subscription_id} for the app.",
                file=self.out,
            )

    def subscribe(self, callback_url: str) -> int:
        token = self.hosting.webhook_verify_token
        if not token:
            raise ConfigError(
                "STRAVA_WEBHOOK_VERIFY_TOKEN is not set: choose a random string and give "
                "the same value to the running app"
            )
        subscription_id = self.client.create(callback_url, token)
        self._record(subscription_id)
        print(f"Subscribed: subscription {subscription_id} -> {callback_url}", file=self.out)
        return 0

    def list(self) -> int:
        found = self.client.list()
        if not found:
            print("No push subscription.", file=self.out)
        for item in found:
            print(f"{item.id}\t{item.callback_url}\t{item.created_at}", file=self.out)
        # One per application: what Strava lists is the truth the route should check against.
        self._record(found[0].id if len(found) == 1 else None)
        return 0

    def unsubscribe(self, subscription_id: int | None) -> int:
        if subscription_id is None:
            found = self.client.list()
            if not found:
                print("No push subscription to delete.", file=self.out)
                self._record(None)
                return 0
            subscription_id = found[0].id
        self.client.delete(subscription_id)
        self._record(None)
        print(f"Deleted subscription {subscription_id}.", file=self.out)
        return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m strava_dash.webhook",
        description="Manage the app's Strava push subscription (webhook events).",
    )
    top.add_argument(
        "--secrets",
        type=Path,
        default=DEFAULT_SECRETS,
        help="secrets.toml to read [strava] and [dash] from, when present "
        "(default: .streamlit/secrets.toml); the environment overrides it",
    )
    commands = top.add_subparsers(dest="command", required=True)
    subscribe = commands.add_parser("subscribe", help="create the subscription")
    subscribe.add_argument(
        "--callback-url",
        required=True,
        help="public URL of the app's webhook, e.g. https://dash.example.org/api/strava/webhook",
    )
    commands.add_parser("list", help="show the subscription and record its id")
    unsubscribe = commands.add_parser("unsubscribe", help="delete the subscription")
    unsubscribe.add_argument("--id", type=int, help="subscription id (default: the listed one)")
    unsubscribe.add_argument("--callback-url", help=argparse.SUPPRESS)  # accepted, not needed
    return top


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    args = parser().parse_args(argv)
    out = out or sys.stdout
    err = err or sys.stderr
    store: SqlStore | None = None
    try:
        settings, hosting = load_config(args.secrets, os.environ if environ is None else environ)
        client = PushSubscriptions(settings)
        if hosting.database_url is not None:
            store = SqlStore.open(hosting.database_url)
        commands = Commands(client, hosting, out, store)
        if args.command == "subscribe":
            return commands.subscribe(args.callback_url)
        if args.command == "list":
            return commands.list()
        return commands.unsubscribe(args.id)
    except StravaAPIError as error:
        print(_explain(error), file=err)
        return 1
    except (ConfigError, StoreError) as error:
        print(str(error), file=err)
        return 2
    finally:
        if store is not None:
            store.dispose()
