"""OAuth with Strava: the authorize URL, code exchange, refresh, deauthorize, scope checks.

Strava wants ``client_id``/``client_secret`` in the POST body, scopes comma-separated,
and rotates refresh tokens: once a new refresh token is returned the old one is dead,
so :class:`TokenManager` always keeps the newest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

import requests

from strava_dash.errors import (
    AppInactiveError,
    AuthError,
    RateLimitError,
    ScopeError,
    StravaAPIError,
    TransportError,
)
from strava_dash.settings import Settings
from strava_dash.transport import Clock, build_session, json_body, send, utc_now

#: What the app asks for: public profile plus every activity, Only-You ones included.
#: Each scope is its own box on Strava's consent page, so ``activity:read`` is asked for
#: too: an athlete who unticks private activities still shares the others.
REQUESTED_SCOPES: tuple[str, ...] = ("read", "activity:read", "activity:read_all")
#: Refresh this long before ``expires_at`` so a request never starts with a dying token.
REFRESH_MARGIN_S = 300


def parse_scopes(scope: str | Iterable[str] | None) -> frozenset[str]:
    """Strava's comma-separated scope string (spaces tolerated) as a set."""
    if scope is None:
        return frozenset()
    parts = scope.replace(" ", ",").split(",") if isinstance(scope, str) else scope
    return frozenset(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True)
class Token:
    """One athlete's grant. Tokens are excluded from ``repr`` so they never reach a log."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int
    scopes: frozenset[str] = frozenset()
    athlete: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_response(
        cls,
        data: Mapping[str, Any],
        *,
        scopes: str | Iterable[str] | None = None,
        athlete: Mapping[str, Any] | None = None,
    ) -> Token:
        """Build from the token endpoint's JSON; the scopes come from the redirect."""
        try:
            access = str(data["access_token"])
            refresh = str(data["refresh_token"])
            expires_at = int(data["expires_at"])
        except (KeyError, TypeError, ValueError) as exc:
            raise AuthError(
                None, "Strava's token answer lacks access_token, refresh_token or expires_at"
            ) from exc
        summary = data.get("athlete") or athlete or {}
        return cls(access, refresh, expires_at, parse_scopes(scopes), dict(summary))

    @property
    def athlete_id(self) -> int | None:
        value = self.athlete.get("id")
        return int(value) if isinstance(value, int | str) and str(value).isdigit() else None

    @property
    def athlete_name(self) -> str:
        first = str(self.athlete.get("firstname") or "").strip()
        last = str(self.athlete.get("lastname") or "").strip()
        return f"{first} {last}".strip() or "Strava athlete"

    def expires_within(self, seconds: float, *, now: datetime) -> bool:
        return self.expires_at - now.timestamp() <= seconds


def authorize_url(
    settings: Settings,
    *,
    state: str,
    scopes: Iterable[str] = REQUESTED_SCOPES,
    approval_prompt: Literal["auto", "force"] = "auto",
) -> str:
    """The consent page URL; the athlete's browser goes there, never the server."""
    query = {
        "client_id": settings.client_id,
        "redirect_uri": settings.redirect_uri,
        "response_type": "code",
        "approval_prompt": approval_prompt,
        "scope": ",".join(scopes),
        "state": state,
    }
    return f"{settings.authorize_url}?{urlencode(query)}"


@dataclass(frozen=True)
class ScopeCheck:
    """What the granted scopes allow; ``warning`` is shown but does not block."""

    include_private: bool
    warning: str | None = None


def check_scopes(granted: Iterable[str]) -> ScopeCheck:
    """Fail clearly without an activity scope; warn when Only-You activities are left out."""
    scopes = parse_scopes(list(granted))
    if "activity:read_all" in scopes:
        return ScopeCheck(include_private=True)
    if "activity:read" in scopes:
        return ScopeCheck(
            include_private=False,
            warning=(
                "You shared only activities visible to Everyone or Followers, so private "
                '("Only You") activities are left out. To include them, connect again and tick '
                '"View data about your private activities".'
            ),
        )
    raise ScopeError(
        None,
        "Strava did not grant access to your activities. Connect again and leave "
        '"View data about your activities" (and, for private ones, "View data about your '
        "private activities\") ticked on Strava's page.",
    )


def _token_request(
    settings: Settings,
    session: requests.Session | None,
    form: dict[str, str],
    now: Clock,
) -> Mapping[str, Any]:
    http = session or build_session()
    body = {"client_id": settings.client_id, "client_secret": settings.client_secret, **form}
    response = send(http, "POST", settings.token_url, data=body, now=now)
    data = json_body(response)
    if not isinstance(data, dict):
        raise StravaAPIError(response.status_code, "Strava's token answer is not an object")
    return data


def exchange_code(
    settings: Settings,
    code: str,
    *,
    granted_scope: str | None,
    session: requests.Session | None = None,
    now: Clock = utc_now,
) -> Token:
    """Trade the one-use ``code`` from the redirect for a token (with the athlete summary)."""
    data = _token_request(
        settings, session, {"code": code, "grant_type": "authorization_code"}, now
    )
    return Token.from_response(data, scopes=granted_scope)


def refresh(
    settings: Settings,
    token: Token,
    *,
    session: requests.Session | None = None,
    now: Clock = utc_now,
) -> Token:
    """A fresh token; keeps scopes and athlete, which the refresh answer does not repeat."""
    data = _token_request(
        settings,
        session,
        {"grant_type": "refresh_token", "refresh_token": token.refresh_token},
        now,
    )
    fresh = Token.from_response(data, athlete=token.athlete)
    return replace(fresh, scopes=token.scopes)


def deauthorize(
    settings: Settings,
    access_token: str,
    *,
    session: requests.Session | None = None,
    now: Clock = utc_now,
) -> None:
    """Revoke every token of this athlete for the app (the log-out Strava recommends)."""
    http = session or build_session()
    send(
        http,
        "POST",
        settings.deauthorize_url,
        data={"access_token": access_token},
        now=now,
    )


#: Strava retires ``/oauth/deauthorize`` on this day (strava-api.md, upcoming changes).
DEAUTHORIZE_RETIRED = datetime(2027, 6, 1, tzinfo=UTC)
#: The API host from the same day; configuring it means the app already speaks the new API.
NEW_API_HOST = "www.api-v3.strava.com"


def uses_revoke_endpoint(settings: Settings, now: datetime) -> bool:
    """Whether access is revoked with ``/oauth/revoke`` rather than ``/oauth/deauthorize``."""
    return urlsplit(settings.api_url).hostname == NEW_API_HOST or now >= DEAUTHORIZE_RETIRED


def revoke_access(
    settings: Settings,
    token: Token,
    *,
    session: requests.Session | None = None,
    now: Clock = utc_now,
) -> None:
    """End the app's access for this athlete at Strava (every token of the grant).

    ``/oauth/deauthorize`` until Strava retires it, ``/oauth/revoke`` from then on or
    when the new API host is configured: client credentials as HTTP Basic, the refresh
    token as ``token`` (revoking it revokes the access token too).
    """
    if not uses_revoke_endpoint(settings, now()):
        deauthorize(settings, token.access_token, session=session, now=now)
        return
    http = session or build_session()
    send(
        http,
        "POST",
        settings.revoke_url,
        data={"token": token.refresh_token, "token_type_hint": "refresh_token"},
        auth=(settings.client_id, settings.client_secret),
        now=now,
    )


def describe_token_error(error: StravaAPIError) -> str:
    """A message an athlete can act on for a failed code exchange or refresh."""
    if error.has_error(field="client_secret") or (
        error.status == 401 and not error.has_error(field="code")
    ):
        return (
            "Strava rejected this app's credentials (client id or secret). The operator must "
            "check STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET."
        )
    if error.has_error(field="client_id"):
        return (
            "Strava does not know this app's client id; the operator must check STRAVA_CLIENT_ID."
        )
    if error.has_error(resource="AuthorizationCode"):
        return "The login code expired or was already used. Please connect again."
    if error.has_error(resource="RefreshToken"):
        return "Your Strava session ended (access was revoked or expired). Please connect again."
    return f"Strava refused the login: {error.message}. Please try again."


#: Runs one refresh for every replica holding the same grant: ``shared(token, refresh_now)``
#: returns the fresh token, from ``refresh_now(token)`` or from a replica that already
#: refreshed ``token`` (Strava kills the old refresh token, so a second refresh would
#: fail). See :mod:`strava_dash.refresh_redis`.
SharedRefresh = Callable[[Token, Callable[[Token], Token]], Token]


class TokenManager:
    """Hands out a valid access token, refreshing it before expiry or once after a 401.

    Thread-safe, because a sync fetches pages from worker threads. ``on_change`` is
    called with every new token so the caller can store the newest refresh token.
    ``shared_refresh`` coordinates refreshes across processes (None: this process only).

    A refresh Strava refuses ends the grant for good: every later call (the other pages
    in flight included) raises the same :class:`~strava_dash.errors.AuthError` without
    asking Strava again, since a dead refresh token never comes back to life.
    """

    def __init__(
        self,
        settings: Settings,
        token: Token,
        *,
        session: requests.Session | None = None,
        now: Clock = utc_now,
        margin_s: float = REFRESH_MARGIN_S,
        on_change: Callable[[Token], None] | None = None,
        shared_refresh: SharedRefresh | None = None,
    ) -> None:
        self._settings = settings
        self._token = token
        self._session = session
        self._now = now
        self._margin_s = margin_s
        self._on_change = on_change
        self._shared_refresh = shared_refresh
        self._lock = threading.Lock()
        self._ended: AuthError | None = None

    @property
    def token(self) -> Token:
        return self._token

    @property
    def ended(self) -> bool:
        """True once Strava refused a refresh: the athlete must connect again."""
        return self._ended is not None

    def access_token(self) -> str:
        with self._lock:
            if self._ended is not None or self._token.expires_within(
                self._margin_s, now=self._now()
            ):
                self._refresh_locked()
            return self._token.access_token

    def refresh_after_401(self, rejected: str) -> str:
        """Refresh once for a token the API rejected; a concurrent refresh is reused."""
        with self._lock:
            if self._token.access_token == rejected or self._ended is not None:
                self._refresh_locked()
            return self._token.access_token

    def _refresh_locked(self) -> None:
        ended = self._ended
        if ended is not None:
            # A fresh exception per caller: threads must not share one traceback.
            raise AuthError(ended.status, ended.message, ended.errors)
        try:
            if self._shared_refresh is None:
                fresh = self._refresh_now(self._token)
            else:
                fresh = self._shared_refresh(self._token, self._refresh_now)
        except (TransportError, RateLimitError, AppInactiveError):
            raise  # not the grant's fault: a later try may succeed, reconnecting would not help
        except StravaAPIError as exc:
            # A dead refresh token means the athlete must connect again: say so as an AuthError.
            ended = AuthError(exc.status, describe_token_error(exc), exc.errors)
            self._ended = ended
            raise ended from exc
        self._token = fresh
        if self._on_change is not None:
            self._on_change(fresh)

    def _refresh_now(self, token: Token) -> Token:
        return refresh(self._settings, token, session=self._session, now=self._now)
