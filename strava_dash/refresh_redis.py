"""One token refresh for every replica holding the same grant, coordinated in Redis.

Strava rotates refresh tokens: the first refresh kills the old one, so a second replica
refreshing the same token a moment later gets 400 and the athlete would have to
connect again. A lock alone does not help (the waiter still holds the dead token), so
the replica that refreshes also leaves the new token under a key derived from the *old*
refresh token: a waiter that finds it takes it instead of refreshing.

The lock is per athlete and short (:data:`LOCK_TTL_S`, longer than one token request);
the hand-over lives :data:`HANDOFF_TTL_S`. Its key is a SHA-256 of the old refresh
token, so only a holder of that token can name it. If Redis cannot be reached the
refresh goes ahead unlocked (one log line per failure): a login must not depend on Redis.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace

import redis

from strava_dash.auth import SharedRefresh, Token
from strava_dash.redis_conn import UNREACHABLE, describe_url, scrub, shared_client
from strava_dash.settings import HostingSettings

log = logging.getLogger(__name__)

#: Longer than one token request (5 s to connect, 30 s to read) so a slow refresh keeps it.
LOCK_TTL_S = 40.0
#: A waiter gives up waiting after this long and refreshes anyway.
WAIT_S = 45.0
#: How long a replica that still holds the old refresh token can pick up the new one.
HANDOFF_TTL_S = 900


#: A lock that expired while held, or a Redis gone meanwhile: either way its TTL frees it.
RELEASE_ERRORS: tuple[type[Exception], ...] = (redis.exceptions.LockError, *UNREACHABLE)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class RedisSharedRefresh:
    """A :data:`~strava_dash.auth.SharedRefresh` over Redis for one Strava application."""

    def __init__(
        self,
        client: redis.Redis,
        client_id: str,
        *,
        url: str = "",
        lock_ttl_s: float = LOCK_TTL_S,
        wait_s: float = WAIT_S,
        handoff_ttl_s: int = HANDOFF_TTL_S,
    ) -> None:
        self._redis = client
        self._prefix = f"strava-dash:refresh:{client_id}"
        self._url = url
        self._lock_ttl_s = lock_ttl_s
        self._wait_s = wait_s
        self._handoff_ttl_s = handoff_ttl_s

    def __call__(self, token: Token, refresh_now: Callable[[Token], Token]) -> Token:
        subject = token.athlete_id or _digest(token.refresh_token)
        lock = self._redis.lock(
            f"{self._prefix}:lock:{subject}",
            timeout=self._lock_ttl_s,
            blocking_timeout=self._wait_s,
        )
        try:
            held = bool(lock.acquire())
        except UNREACHABLE as error:
            self._unreachable(error)
            return refresh_now(token)
        try:
            successor = self._successor(token)
            if successor is not None:
                return successor
            fresh = refresh_now(token)
            self._hand_over(token, fresh)
            return fresh
        finally:
            if held:
                with suppress(*RELEASE_ERRORS):  # it expires by its TTL
                    lock.release()

    def _handoff_key(self, token: Token) -> str:
        return f"{self._prefix}:next:{_digest(token.refresh_token)}"

    def _successor(self, token: Token) -> Token | None:
        """The token another replica got for ``token``'s refresh token, if one did."""
        try:
            raw = self._redis.get(self._handoff_key(token))
        except UNREACHABLE as error:
            self._unreachable(error)
            return None
        if raw is None:
            return None
        data = json.loads(raw)
        return replace(
            token,
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_at=int(data["expires_at"]),
        )

    def _hand_over(self, old: Token, fresh: Token) -> None:
        value = {
            "access_token": fresh.access_token,
            "refresh_token": fresh.refresh_token,
            "expires_at": fresh.expires_at,
        }
        try:
            self._redis.set(self._handoff_key(old), json.dumps(value), ex=self._handoff_ttl_s)
        except UNREACHABLE as error:
            self._unreachable(error)

    def _unreachable(self, error: Exception) -> None:
        log.warning(
            "Redis at %s is unreachable (%s); this token refresh is not coordinated with "
            "other replicas.",
            describe_url(self._url) if self._url else "(unknown)",
            scrub(f"{type(error).__name__}: {error}", self._url),
        )


def shared_refresh_from_env(client_id: str) -> SharedRefresh | None:
    """Coordinated refreshes when ``DASH_REDIS_URL`` is set; None (this process only) if not."""
    url = HostingSettings.from_env().redis_url
    if url is None:
        return None
    return RedisSharedRefresh(shared_client(url), client_id, url=url)
