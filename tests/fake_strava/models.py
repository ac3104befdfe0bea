"""Plain data records of the fake Strava server: athletes, tokens, codes, injections, requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Every scope Strava knows; anything else on /oauth/authorize is a 400 (strava-api.md §1.1).
KNOWN_SCOPES = (
    "read",
    "read_all",
    "profile:read_all",
    "profile:write",
    "activity:read",
    "activity:read_all",
    "activity:write",
)
ACTIVITY_READ_SCOPES = frozenset({"activity:read", "activity:read_all"})

TOKEN_LIFETIME = 21_600  # s: a fresh access token lives 6 h (strava-api.md §1.2)
CODE_LIFETIME = 600  # s: Strava does not document it; 10 min is the usual OAuth figure
REFRESH_REUSE_MIN_LEFT = 3_600  # s: above this, a refresh returns the same access token (§1.3)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it, with the status it answered.

    ``headers`` keeps the names as the client sent them; use :meth:`header` for a
    case-insensitive lookup. ``query`` is ``parse_qs`` output (blank values kept).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int
    #: When it was answered, on the fake's clock (epoch s): which rate window it counted in.
    at: float = 0.0

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def param(self, name: str) -> str | None:
        """The first query-string value of ``name``, or None."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(eq=False)
class FakeAthlete:
    """An athlete of the fake; ``activities`` and ``gear`` are live and read on every request.

    ``activities`` holds SummaryActivity dicts (any order; the server sorts). Tests may
    append, remove, replace or edit them between requests (hold ``server.lock`` to do it
    while requests are in flight). ``gear`` maps gear id to DetailedGear.
    """

    id: int
    firstname: str = "Ada"
    lastname: str = "Lovelace"
    activities: list[dict[str, Any]] = field(default_factory=list)
    gear: dict[str, dict[str, Any]] = field(default_factory=dict)
    measurement_preference: str = "meters"
    city: str | None = "Paris"
    state: str | None = "Île-de-France"
    country: str | None = "France"
    sex: str | None = "F"
    username: str | None = None
    weight: float | None = 61.5  # kg
    ftp: int | None = None  # W
    created_at: str = "2015-03-14T09:26:53Z"
    updated_at: str = "2026-10-30T18:00:00Z"

    def find_activity(self, activity_id: int) -> dict[str, Any] | None:
        """The activity with this id, or None (a linear scan: fine for 20,000)."""
        return next((a for a in self.activities if a.get("id") == activity_id), None)


@dataclass
class AccessToken:
    """A bearer token; valid until ``expires_at`` (epoch s, server clock) unless revoked."""

    token: str
    athlete_id: int
    scopes: frozenset[str]
    expires_at: int


@dataclass
class RefreshToken:
    """A refresh token and the access token it last produced (§1.3 decides reuse on it)."""

    token: str
    athlete_id: int
    scopes: frozenset[str]
    access: AccessToken


@dataclass
class AuthCode:
    """A single-use authorization code; ``scopes`` are the accepted ones, in request order."""

    code: str
    athlete_id: int
    scopes: tuple[str, ...]
    expires_at: float  # epoch s, server clock


@dataclass
class Injection:
    """A scripted failure: the next ``remaining`` matching requests (None: all) get it.

    ``status`` None means "answer 200 with a truncated JSON body" instead of a Fault.
    """

    path: str
    page: int | None
    status: int | None
    remaining: int | None

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        if path.rstrip("/") != self.path.rstrip("/"):
            return False
        if self.page is None:
            return True
        raw = (query.get("page") or ["1"])[0]
        return raw.strip().isdigit() and int(raw) == self.page
