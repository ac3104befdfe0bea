"""Strava's push-subscription endpoints: the app's one subscription, created, listed, deleted.

They authenticate the application (client id and secret), not an athlete, and are not
rate-limited like the API. Errors go through :func:`strava_dash.transport.error_for` as
every other Strava answer does; the secret only ever travels in the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from strava_dash import transport
from strava_dash.errors import ConfigError, StravaAPIError
from strava_dash.settings import Settings

#: Strava waits ~2 s for the callback's handshake before answering the create call.
CREATE_TIMEOUT: tuple[float, float] = (5.0, 30.0)


@dataclass(frozen=True)
class Subscription:
    id: int
    callback_url: str
    created_at: str = ""

    @classmethod
    def from_json(cls, item: Any) -> Subscription:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            raise StravaAPIError(None, "Strava listed a subscription without an id")
        return cls(
            id=int(item["id"]),
            callback_url=str(item.get("callback_url") or ""),
            created_at=str(item.get("created_at") or ""),
        )


class PushSubscriptions:
    """Client of ``{api_url}/push_subscriptions`` for one Strava application."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        if not settings.has_credentials:
            raise ConfigError(
                "STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET must be set to manage webhooks"
            )
        self.settings = settings
        # Retries would repeat a create whose handshake Strava already ran; one attempt.
        self.session = session or transport.build_session(retries=0)
        self.url = f"{settings.api_url}/push_subscriptions"

    def _credentials(self) -> dict[str, str]:
        return {
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
        }

    def create(self, callback_url: str, verify_token: str) -> int:
        """Create the subscription; Strava first checks the callback's handshake.

        Raises:
            StravaAPIError: refused (bad credentials, one exists already, handshake failed).
        """
        form = {**self._credentials(), "callback_url": callback_url, "verify_token": verify_token}
        response = transport.send(self.session, "POST", self.url, data=form, timeout=CREATE_TIMEOUT)
        body = transport.json_body(response)
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            raise StravaAPIError(response.status_code, "Strava's answer carried no subscription id")
        return int(body["id"])

    def list(self) -> list[Subscription]:
        # GET has no body: Strava takes the credentials in the query; transport keeps the
        # query out of every error message and log line it writes.
        response = transport.send(self.session, "GET", self.url, params=self._credentials())
        body = transport.json_body(response)
        if not isinstance(body, list):
            raise StravaAPIError(response.status_code, "Strava's subscription list is not a list")
        return [Subscription.from_json(item) for item in body]

    def delete(self, subscription_id: int) -> None:
        transport.send(
            self.session,
            "DELETE",
            f"{self.url}/{subscription_id}",
            params=self._credentials(),
        )
