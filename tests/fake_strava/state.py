"""Everything the fake remembers, behind one lock: clock, athletes, tokens, limits, scripts.

:class:`StravaState` is the test-facing control surface without the HTTP part;
``FakeStrava`` (server.py) adds the socket. All public methods are thread-safe.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from strava_dash.clock import read_offset
from tests.fake_strava.factory import DEFAULT_GEAR_IDS, default_gear
from tests.fake_strava.models import (
    CODE_LIFETIME,
    REFRESH_REUSE_MIN_LEFT,
    TOKEN_LIFETIME,
    AccessToken,
    AuthCode,
    FakeAthlete,
    Injection,
    RecordedRequest,
    RefreshToken,
)
from tests.fake_strava.ratelimit import DEFAULT_OVERALL_LIMITS, DEFAULT_READ_LIMITS, RateLimiter
from tests.fake_strava.representations import athlete_summary

ACTIVITIES_PATH = "/api/v3/athlete/activities"
FIRST_ATHLETE_ID = 134_815


def new_token() -> str:
    """40 lowercase hex characters, the shape of real Strava tokens."""
    return secrets.token_hex(20)


class StravaState:
    """The fake's memory. Attributes below may be set by tests at any time."""

    def __init__(
        self,
        client_id: str | int,
        client_secret: str,
        *,
        latency: float = 0.0,
        clock_file: Path | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.client_id = str(client_id)
        self.client_secret = client_secret
        self.latency = latency  # s added before every response
        self.authorize_mode = "page"  # "page" | "approve" | "deny"
        self.grant_scopes: tuple[str, ...] | None = None  # "approve" grants these when set
        # "approve" leaves these boxes unticked: each requested scope is its own box.
        self.untick: frozenset[str] = frozenset()
        self.default_athlete_id: int | None = None  # "approve" signs in as this athlete
        self.wrong_secret_status = 401  # Strava reports 401 and 400 (strava-api.md §1.3)
        self.deauthorized: list[int] = []  # athletes revoked via /oauth/deauthorize or revoke
        self.app_name = "Dash for Strava"  # shown on the consent page
        # True: like Strava, Only-You activities are cut from each page after paging (a
        # token without activity:read_all then sees short pages mid-list); False: they
        # are left out before paging, so only the last page is short.
        self.hide_after_paging = False
        self._origin = ""  # "http://host:port" once the socket is bound
        self._clock_offset = 0.0
        # Shared with the app's processes (DASH_CLOCK_FILE): advance() moves them too.
        self.clock_file = clock_file
        self._athletes: dict[int, FakeAthlete] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._codes: dict[str, AuthCode] = {}
        self._limiter = RateLimiter()
        self._injections: list[Injection] = []
        self._records: list[RecordedRequest] = []

    @property
    def origin(self) -> str:
        """``http://host:port`` of the running server ("" before it is started)."""
        return self._origin

    # ----- clock -------------------------------------------------------------------------------

    def now(self) -> float:
        """The server clock, epoch seconds: real time plus every ``advance()`` so far."""
        return time.time() + self.clock_offset()

    def clock_offset(self) -> float:
        """Seconds this clock runs ahead of real time (from ``clock_file`` when given)."""
        if self.clock_file is not None:
            return read_offset(self.clock_file)
        return self._clock_offset

    def advance(self, seconds: float) -> None:
        """Move the clock; token and code expiry and rate-limit windows follow it.

        With ``clock_file`` the file is rewritten (atomically), so every app process
        started with ``DASH_CLOCK_FILE`` pointing at it jumps at the same moment.
        """
        with self.lock:
            if self.clock_file is None:
                self._clock_offset += seconds
                return
            offset = read_offset(self.clock_file) + seconds
            draft = self.clock_file.with_name(self.clock_file.name + ".new")
            draft.write_text(repr(offset))
            os.replace(draft, self.clock_file)

    # ----- athletes ----------------------------------------------------------------------------

    def add_athlete(
        self,
        *,
        athlete_id: int | None = None,
        firstname: str = "Ada",
        lastname: str = "Lovelace",
        activities: list[dict[str, Any]] | None = None,
        measurement_preference: str = "meters",
        city: str | None = "Paris",
        country: str | None = "France",
        gear: list[dict[str, Any]] | None = None,
    ) -> FakeAthlete:
        """Register an athlete and return the live object (its lists are read per request).

        ``activities`` is kept as the same list object, not copied. Without ``gear``, every
        gear id used by the activities plus the factory's default ids gets a DetailedGear.
        """
        with self.lock:
            if athlete_id is None:
                athlete_id = max(self._athletes, default=FIRST_ATHLETE_ID - 1) + 1
            if athlete_id in self._athletes:
                raise ValueError(f"athlete {athlete_id} already exists")
            acts = activities if activities is not None else []
            if gear is None:
                used = [str(a["gear_id"]) for a in acts if a.get("gear_id")]
                gear = default_gear(list(dict.fromkeys([*DEFAULT_GEAR_IDS, *used])), acts)
            athlete = FakeAthlete(
                id=athlete_id,
                firstname=firstname,
                lastname=lastname,
                activities=acts,
                gear={g["id"]: g for g in gear},
                measurement_preference=measurement_preference,
                city=city,
                country=country,
            )
            self._athletes[athlete_id] = athlete
            if self.default_athlete_id is None:
                self.default_athlete_id = athlete_id
            return athlete

    def athlete(self, athlete_id: int) -> FakeAthlete:
        """The athlete with this id (KeyError when unknown)."""
        with self.lock:
            return self._athletes[athlete_id]

    @property
    def athletes(self) -> list[FakeAthlete]:
        """All athletes, in the order they were added."""
        with self.lock:
            return list(self._athletes.values())

    def signing_in_athlete(self) -> FakeAthlete | None:
        """Who "approve" mode signs in as: ``default_athlete_id``, else the first athlete."""
        with self.lock:
            if self.default_athlete_id in self._athletes:
                return self._athletes[self.default_athlete_id]
            return next(iter(self._athletes.values()), None)

    # ----- tokens ------------------------------------------------------------------------------

    def issue_token(
        self,
        athlete_id: int,
        scopes: Iterable[str] = ("read", "activity:read_all"),
        expires_in: int = TOKEN_LIFETIME,
    ) -> dict[str, Any]:
        """What ``POST /oauth/token`` answers for an authorization code, minus the consent page."""
        with self.lock:
            athlete = self.athlete(athlete_id)
            access, refresh = self._new_grant(athlete_id, frozenset(scopes), expires_in)
            body = self.token_body(access, refresh)
            body["athlete"] = athlete_summary(athlete, self._origin)
            return body

    def _new_grant(
        self, athlete_id: int, scopes: frozenset[str], expires_in: int = TOKEN_LIFETIME
    ) -> tuple[AccessToken, RefreshToken]:
        access = AccessToken(new_token(), athlete_id, scopes, int(self.now()) + expires_in)
        refresh = RefreshToken(new_token(), athlete_id, scopes, access)
        self._access[access.token] = access
        self._refresh[refresh.token] = refresh
        return access, refresh

    def token_body(self, access: AccessToken, refresh: RefreshToken) -> dict[str, Any]:
        return {
            "token_type": "Bearer",
            "expires_at": access.expires_at,
            "expires_in": max(0, access.expires_at - int(self.now())),
            "refresh_token": refresh.token,
            "access_token": access.token,
        }

    def new_code(self, athlete_id: int, scopes: tuple[str, ...]) -> str:
        with self.lock:
            code = new_token()
            self._codes[code] = AuthCode(code, athlete_id, scopes, self.now() + CODE_LIFETIME)
            return code

    def redeem_code(self, code: str) -> dict[str, Any] | None:
        """Token body (with athlete) for a valid code; the code is spent even when expired."""
        with self.lock:
            grant = self._codes.pop(code, None)
            if grant is None or grant.expires_at <= self.now():
                return None
            athlete = self._athletes.get(grant.athlete_id)
            if athlete is None:
                return None
            access, refresh = self._new_grant(athlete.id, frozenset(grant.scopes))
            body = self.token_body(access, refresh)
            body["athlete"] = athlete_summary(athlete, self._origin)
            return body

    def refresh(self, token: str) -> dict[str, Any] | None:
        """strava-api.md §1.3: same access token while more than 1 h is left, else a new pair.

        A rotated refresh token dies at once; the old access token lives to its expiry.
        """
        with self.lock:
            current = self._refresh.get(token)
            if current is None:
                return None
            if current.access.expires_at - self.now() > REFRESH_REUSE_MIN_LEFT:
                return self.token_body(current.access, current)
            del self._refresh[token]
            access, refresh = self._new_grant(current.athlete_id, current.scopes)
            return self.token_body(access, refresh)

    def access_token(self, token: str | None) -> AccessToken | None:
        """The unexpired, unrevoked access token, or None."""
        if not token:
            return None
        with self.lock:
            access = self._access.get(token)
            if access is None or access.expires_at <= self.now():
                return None
            return access

    def athlete_of_token(self, token: str) -> int | None:
        """Athlete id of any known access or refresh token, expired or not."""
        with self.lock:
            if token in self._access:
                return self._access[token].athlete_id
            if token in self._refresh:
                return self._refresh[token].athlete_id
            return None

    def revoke_athlete(self, athlete_id: int) -> None:
        """Invalidate every access and refresh token of this athlete for the app."""
        with self.lock:
            self._access = {k: v for k, v in self._access.items() if v.athlete_id != athlete_id}
            self._refresh = {k: v for k, v in self._refresh.items() if v.athlete_id != athlete_id}
            self.deauthorized.append(athlete_id)

    # ----- scripted failures -------------------------------------------------------------------

    def fail(
        self,
        page: int | None = None,
        *,
        status: int = 503,
        times: int | None = 1,
        path: str = ACTIVITIES_PATH,
    ) -> None:
        """Answer the next ``times`` requests to ``path`` (and ``page``) with ``status`` + Fault.

        ``times=None`` fails all of them until :meth:`clear_failures`; ``page=None`` any page.
        """
        with self.lock:
            self._injections.append(Injection(path, page, status, times))

    def malformed(
        self, page: int | None = None, *, times: int | None = 1, path: str = ACTIVITIES_PATH
    ) -> None:
        """Answer the next ``times`` matching requests with 200 and a truncated JSON body."""
        with self.lock:
            self._injections.append(Injection(path, page, None, times))

    def clear_failures(self) -> None:
        with self.lock:
            self._injections.clear()

    def take_injection(self, path: str, query: dict[str, list[str]]) -> Injection | None:
        """The first scripted failure matching this request, used up by one."""
        with self.lock:
            for injection in self._injections:
                if injection.matches(path, query):
                    if injection.remaining is not None:
                        injection.remaining -= 1
                        if injection.remaining <= 0:
                            self._injections.remove(injection)
                    return injection
            return None

    # ----- rate limits -------------------------------------------------------------------------

    def set_rate_limits(
        self,
        read: tuple[int, int] = DEFAULT_READ_LIMITS,
        overall: tuple[int, int] = DEFAULT_OVERALL_LIMITS,
    ) -> None:
        """(15-minute, daily) limits; the defaults are Strava's current ones. Usage is kept."""
        with self.lock:
            self._limiter.read_limits = (int(read[0]), int(read[1]))
            self._limiter.overall_limits = (int(overall[0]), int(overall[1]))

    def reset_usage(self) -> None:
        with self.lock:
            self._limiter.reset()

    def count_api_request(self, *, is_read: bool) -> tuple[bool, dict[str, str]]:
        """Count one /api/v3 request: (allowed, the rate-limit headers to send)."""
        with self.lock:
            now = self.now()
            allowed = self._limiter.count(now, is_read=is_read)
            return allowed, self._limiter.headers(now)

    # ----- request log -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far (OAuth included), oldest first."""
        with self.lock:
            return list(self._records)

    def clear_requests(self) -> None:
        with self.lock:
            self._records.clear()

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self._records.append(request)
