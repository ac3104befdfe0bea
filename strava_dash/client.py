"""A small Strava API client: one ``requests.Session``, bearer auth, paging, rate limits.

Transport concerns (retries, timeouts, error mapping) live in :mod:`strava_dash.transport`;
this module holds the domain calls. Records are returned exactly as Strava sent them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Protocol
from urllib.parse import quote

import requests

from strava_dash.errors import AuthError, ScopeError, StravaAPIError
from strava_dash.ratelimit import RateLimits, parse_rate_limits
from strava_dash.transport import DEFAULT_TIMEOUT, Clock, build_session, json_body, send, utc_now

DEFAULT_API_URL = "https://www.strava.com/api/v3"
MAX_PER_PAGE = 200
STREAM_KEYS: tuple[str, ...] = (
    "time",
    "distance",
    "latlng",
    "altitude",
    "velocity_smooth",
    "heartrate",
    "cadence",
    "watts",
    "temp",
    "moving",
    "grade_smooth",
)
# Epoch seconds beyond this are almost surely milliseconds (year 5138), which Strava rejects.
_MAX_EPOCH_S = 100_000_000_000

Timestamp = datetime | date | int | float


class TokenSource(Protocol):
    """Something that hands out a valid access token and can refresh after a 401."""

    def access_token(self) -> str: ...

    def refresh_after_401(self, rejected: str) -> str: ...


@dataclass(frozen=True)
class PageProgress:
    """Reported after each activity page: for progress bars and usage displays."""

    page: int
    page_size: int
    fetched: int
    rate_limits: RateLimits | None


OnPage = Callable[[PageProgress], None]


def to_epoch(value: Timestamp) -> int:
    """Epoch seconds from a datetime (naive = UTC), a date (its UTC midnight) or a number."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    if isinstance(value, date):
        return int(datetime.combine(value, time(), tzinfo=UTC).timestamp())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a datetime, date or epoch seconds, got {type(value).__name__}")
    if not 0 <= value < _MAX_EPOCH_S:
        raise ValueError(f"{value!r} is not epoch seconds (milliseconds are not accepted)")
    return int(value)


class StravaClient:
    """Read-only access to one athlete's data.

    ``access_token`` is either the token string or a :class:`TokenSource` (for example
    :class:`strava_dash.auth.TokenManager`), which lets a long sync refresh transparently.
    The token only ever travels in the ``Authorization`` header.
    """

    def __init__(
        self,
        access_token: str | TokenSource,
        *,
        api_url: str = DEFAULT_API_URL,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        now: Clock = utc_now,
    ) -> None:
        self._tokens = access_token
        self.api_url = api_url.rstrip("/")
        self.session = session or build_session()
        self.timeout = timeout
        self._now = now
        self._rate_limits: RateLimits | None = None
        self._lock = threading.Lock()

    @property
    def rate_limits(self) -> RateLimits | None:
        """The usage Strava reported on the latest API response, or None before any."""
        return self._rate_limits

    def _token(self) -> str:
        return self._tokens if isinstance(self._tokens, str) else self._tokens.access_token()

    def _send(self, path: str, params: dict[str, Any] | None, token: str) -> requests.Response:
        return send(
            self.session,
            "GET",
            f"{self.api_url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.timeout,
            now=self._now,
            on_response=self._note_limits,
        )

    def _note_limits(self, response: requests.Response) -> None:
        limits = parse_rate_limits(response.headers, now=self._now())
        if limits is not None:
            with self._lock:
                self._rate_limits = limits

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``{api_url}{path}`` and return the decoded JSON.

        A 401 for an invalid token is retried once after a refresh (when the client
        holds a :class:`TokenSource`); a missing scope is not, since a refresh cannot add it.
        """
        token = self._token()
        try:
            response = self._send(path, params, token)
        except ScopeError:
            raise
        except AuthError:
            if isinstance(self._tokens, str):
                raise
            response = self._send(path, params, self._tokens.refresh_after_401(token))
        return json_body(response)

    def athlete(self) -> dict[str, Any]:
        """The authenticated athlete (summary, or detailed with ``profile:read_all``)."""
        return _expect_object(self.get("/athlete"), "/athlete")

    def athlete_stats(self, athlete_id: int) -> dict[str, Any]:
        """Totals of the athlete's Everyone-visible activities (recent, year to date, all)."""
        path = f"/athletes/{int(athlete_id)}/stats"
        return _expect_object(self.get(path), path)

    def activity(self, activity_id: int) -> dict[str, Any]:
        path = f"/activities/{int(activity_id)}"
        return _expect_object(self.get(path), path)

    def gear(self, gear_id: str) -> dict[str, Any]:
        """DetailedGear: ``name``, ``brand_name``, ``distance`` (m), …"""
        path = f"/gear/{quote(gear_id, safe='')}"
        return _expect_object(self.get(path), path)

    def streams(
        self, activity_id: int, keys: Sequence[str] = STREAM_KEYS
    ) -> dict[str, dict[str, Any]]:
        """Streams keyed by type: ``{"heartrate": {"data": [...], ...}, ...}``.

        Streams the activity does not have are absent; a manual activity has none
        (:class:`~strava_dash.errors.NotFoundError`).
        """
        path = f"/activities/{int(activity_id)}/streams"
        data = self.get(path, {"keys": ",".join(keys), "key_by_type": "true"})
        if isinstance(data, list):  # the un-keyed form: [{"type": "time", ...}, ...]
            data = {s["type"]: s for s in data if isinstance(s, dict) and "type" in s}
        return _expect_object(data, path)

    def iter_pages(
        self,
        *,
        after: Timestamp | None = None,
        before: Timestamp | None = None,
        per_page: int = MAX_PER_PAGE,
        first_page: int = 1,
    ) -> Iterator[list[dict[str, Any]]]:
        """Activity pages in order until an empty page (a short page is not the end)."""
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
        params: dict[str, Any] = {"per_page": per_page}
        if after is not None:
            params["after"] = to_epoch(after)
        if before is not None:
            params["before"] = to_epoch(before)
        page = first_page
        while True:
            data = self.get("/athlete/activities", {**params, "page": page})
            if not isinstance(data, list):
                raise StravaAPIError(200, f"activity page {page} is not a JSON array")
            if not data:
                return
            yield [r for r in data if isinstance(r, dict)]
            page += 1

    def iter_activities(
        self,
        *,
        after: Timestamp | None = None,
        before: Timestamp | None = None,
        per_page: int = MAX_PER_PAGE,
        on_page: OnPage | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every activity, newest first (oldest first when ``after`` is given).

        Records are yielded as each page arrives, so a failure on page k leaves the
        caller holding pages 1..k-1; it resumes with ``before=`` the oldest start it
        holds (plus one second) and drops ids it already has.
        """
        fetched = 0
        pages = self.iter_pages(after=after, before=before, per_page=per_page)
        for number, records in enumerate(pages, start=1):
            fetched += len(records)
            yield from records
            if on_page is not None:
                on_page(PageProgress(number, len(records), fetched, self._rate_limits))


def _expect_object(data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise StravaAPIError(200, f"{path} did not return a JSON object")
    return data
