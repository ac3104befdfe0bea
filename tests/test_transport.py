"""The error mapping function, on raw (status, headers, body) triples."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from strava_dash.errors import (
    AppInactiveError,
    AuthError,
    NotFoundError,
    RateLimitError,
    ScopeError,
    StravaAPIError,
    StravaDashError,
)
from strava_dash.transport import error_for

NOW = datetime(2026, 5, 4, 10, 7, 30, tzinfo=UTC)


def fault(message: str, *errors: tuple[str, str, str]) -> bytes:
    return json.dumps(
        {
            "message": message,
            "errors": [dict(zip(("resource", "field", "code"), e, strict=False)) for e in errors],
        }
    ).encode()


def test_401_invalid_token_is_auth_error() -> None:
    body = fault("Authorization Error", ("Athlete", "access_token", "invalid"))
    error = error_for(401, {}, body, now=NOW)
    assert type(error) is AuthError
    assert error.status == 401
    assert error.message == "Authorization Error"
    assert error.has_error(resource="Athlete", field="access_token")


def test_401_missing_scope_is_scope_error() -> None:
    body = fault("Authorization Error", ("AccessToken", "activity:read_permission", "missing"))
    assert isinstance(error_for(401, {}, body, now=NOW), ScopeError)


def test_404_is_not_found() -> None:
    body = fault("Record Not Found", ("Activity", "id", "invalid"))
    assert isinstance(error_for(404, {}, body, now=NOW), NotFoundError)


def test_429_retry_at_next_quarter_hour() -> None:
    headers = {"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "201,900"}
    body = fault("Rate Limit Exceeded", ("Application", "rate limit", "exceeded"))
    error = error_for(429, headers, body, now=NOW)
    assert isinstance(error, RateLimitError)
    assert error.retry_at == datetime(2026, 5, 4, 10, 15, tzinfo=UTC)
    assert not error.daily


def test_429_with_daily_limit_spent_waits_for_utc_midnight() -> None:
    headers = {
        "X-RateLimit-Limit": "200,2000",
        "X-RateLimit-Usage": "20,900",
        "X-ReadRateLimit-Limit": "100,1000",
        "X-ReadRateLimit-Usage": "20,1003",
    }
    error = error_for(429, headers, b"", now=NOW)
    assert isinstance(error, RateLimitError)
    assert error.daily
    assert error.retry_at == datetime(2026, 5, 5, tzinfo=UTC)


def test_other_4xx_keeps_stravas_message_and_errors() -> None:
    body = fault("Bad Request", ("Application", "after", "future"))
    error = error_for(400, {}, body, url="https://x/api/v3/athlete/activities", now=NOW)
    assert type(error) is StravaAPIError
    assert "Bad Request" in str(error)
    assert "Application/after/future" in str(error)
    assert error.has_error(field="after")


def test_inactive_app_403_says_who_can_fix_it_and_is_no_auth_error() -> None:
    body = fault("Forbidden", ("Application", "Status", "Inactive"))
    error = error_for(403, {}, body, now=NOW)
    assert isinstance(error, AppInactiveError)
    assert not isinstance(error, AuthError)  # the athlete's grant is fine: no reconnect
    assert "only the person who runs this app" in error.message
    assert "subscription" in error.message
    assert "Connecting again cannot fix that" in error.message


@pytest.mark.parametrize("body", [b"", b"<html>502 Bad Gateway</html>", b"[1, 2"])
def test_non_json_error_bodies_still_map(body: bytes) -> None:
    error = error_for(502, {}, body, now=NOW)
    assert isinstance(error, StravaDashError)
    assert error.status == 502
    assert "502" in str(error)
