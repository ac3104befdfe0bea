"""HTTP plumbing shared by :mod:`strava_dash.auth` and :mod:`strava_dash.client`.

One ``requests.Session`` with urllib3's ``Retry`` for transient failures, timeouts on
every request, and the ONE function that maps an error response onto the exception
hierarchy (:func:`error_for`), so the OAuth endpoints and the API fail the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

# Re-exported: the client and auth take their default clock from here.
from strava_dash.clock import utc_now as utc_now
from strava_dash.errors import (
    APP_INACTIVE,
    AppInactiveError,
    AuthError,
    FaultDetail,
    NotFoundError,
    RateLimitError,
    ScopeError,
    StravaAPIError,
    TransportError,
)
from strava_dash.ratelimit import next_utc_midnight, next_window_start, parse_rate_limits

log = logging.getLogger(__name__)

#: (connect, read) seconds. Strava answers list pages of 200 in well under a second.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})

Clock = Callable[[], datetime]


def build_session(*, retries: int = 3, backoff: float = 0.5) -> requests.Session:
    """A session that retries connection errors and 5xx answers with exponential backoff.

    Only idempotent methods are retried on read errors or 5xx: a token exchange POST
    might have been applied before the failure, and its code is single-use. Connection
    errors (nothing was sent) are retried for every method.
    """
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        backoff_factor=backoff,
        backoff_max=8.0,
        status_forcelist=sorted(TRANSIENT_STATUSES),
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "dash-for-strava/0.1 (+requests)"
    return session


def _fault(body: Any) -> tuple[str, tuple[FaultDetail, ...]]:
    if isinstance(body, dict):
        message = str(body.get("message") or "")
        raw_errors = body.get("errors")
        errors = (
            tuple(FaultDetail.from_json(e) for e in raw_errors)
            if isinstance(raw_errors, list)
            else ()
        )
        return message, errors
    return "", ()


def error_for(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    url: str | None = None,
    now: datetime | None = None,
) -> StravaAPIError:
    """Map one error response to the exception hierarchy (the only place this is decided).

    ``url`` must already be free of secrets; callers pass it without the query string.
    """
    try:
        parsed: Any = json.loads(body) if body else None
    except ValueError:
        parsed = None
    message, errors = _fault(parsed)
    message = message or f"Strava answered HTTP {status}"
    if status == 429:
        seen = now or utc_now()
        limits = parse_rate_limits(headers, now=seen)
        daily = limits.daily_exhausted if limits is not None else False
        retry_at = next_utc_midnight(seen) if daily else next_window_start(seen)
        return RateLimitError(status, message, errors, retry_at=retry_at, daily=daily, url=url)
    if status == 401:
        if any(e.field.endswith("_permission") for e in errors):
            return ScopeError(status, message, errors, url=url)
        return AuthError(status, message, errors, url=url)
    if status == 403 and any(e.code.lower() == "inactive" for e in errors):
        # Not an AuthError: the athlete's grant is fine, and reconnecting cannot help.
        return AppInactiveError(status, APP_INACTIVE, errors, url=url)
    if status == 404:
        return NotFoundError(status, message, errors, url=url)
    return StravaAPIError(status, message, errors, url=url)


def _safe_url(url: str) -> str:
    # Query strings may hold codes or tokens; error messages and logs never show them.
    return url.split("?", 1)[0]


def _transport_error(
    exc: requests.RequestException, timeout: tuple[float, float], url: str
) -> TransportError:
    # After urllib3's retries a timeout arrives wrapped: ConnectionError(MaxRetryError(
    # reason=ReadTimeoutError)). The exception text can quote the full URL, so the
    # message says only what kind of failure it was.
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    # NewConnectionError subclasses ConnectTimeoutError for old callers: a refusal, not a wait.
    timed_out = isinstance(reason, ReadTimeoutError | ConnectTimeoutError) and not isinstance(
        reason, NewConnectionError
    )
    if timed_out or isinstance(exc, requests.Timeout):
        return TransportError(
            None, f"Strava did not answer within {timeout[1]:g} s", url=_safe_url(url)
        )
    return TransportError(
        None, f"Could not reach Strava ({type(exc).__name__})", url=_safe_url(url)
    )


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    now: Clock = utc_now,
    on_response: Callable[[requests.Response], None] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one request; network failures become :class:`TransportError`, errors mapped.

    ``on_response`` sees every response, error or not, before it is mapped (the client
    reads the rate-limit headers there, which matter most on a 429).
    """
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise _transport_error(exc, timeout, url) from exc
    log.debug("%s %s -> %s", method, _safe_url(url), response.status_code)
    if on_response is not None:
        on_response(response)
    if response.status_code >= 400:
        raise error_for(
            response.status_code,
            response.headers,
            response.content,
            url=_safe_url(url),
            now=now(),
        )
    return response


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body; a body that is not JSON is a :class:`StravaAPIError`."""
    try:
        return response.json()
    except ValueError as exc:
        raise StravaAPIError(
            response.status_code,
            "Strava sent a response that is not valid JSON (a truncated or garbled page)",
            url=_safe_url(response.url),
        ) from exc
