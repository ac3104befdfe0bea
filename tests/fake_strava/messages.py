"""HTTP request/response values and the Fault bodies Strava answers with (strava-api.md §4)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """A parsed request: path without the query string, ``parse_qs`` query, raw body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def arg(self, name: str) -> str | None:
        """First query-string value of ``name``."""
        values = self.query.get(name)
        return values[0] if values else None

    def form(self) -> dict[str, list[str]]:
        """The body as ``application/x-www-form-urlencoded`` (empty when it is JSON)."""
        if not self.body or self._is_json():
            return {}
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def params(self) -> dict[str, str]:
        """Query string, form body and JSON body merged (body wins), one value per name.

        Strava documents token parameters "in query" but its own examples post a form,
        and clients also send JSON, so the token endpoints accept all three.
        """
        merged = {k: v[0] for k, v in self.query.items() if v}
        if self._is_json():
            try:
                decoded = json.loads(self.body)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                merged.update({str(k): str(v) for k, v in decoded.items() if v is not None})
        else:
            merged.update({k: v[0] for k, v in self.form().items() if v})
        return merged

    def _is_json(self) -> bool:
        ctype = (self.header("Content-Type") or "").lower()
        return "json" in ctype or self.body.lstrip().startswith(b"{")


@dataclass
class Response:
    """What the handler sends: status, body bytes, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def json_response(payload: Any, status: int = 200) -> Response:
    # ensure_ascii=False keeps emoji as UTF-8 like Strava does, so clients must decode properly
    return Response(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def fault(status: int, message: str, *errors: tuple[str, str, str]) -> Response:
    """A Strava Fault body; each error is ``(resource, field, code)``."""
    return json_response(
        {
            "message": message,
            "errors": [{"resource": r, "field": f, "code": c} for r, f, c in errors],
        },
        status,
    )


def bad_request(resource: str, field_name: str, code: str = "invalid") -> Response:
    return fault(400, "Bad Request", (resource, field_name, code))


def auth_invalid() -> Response:
    return fault(401, "Authorization Error", ("Athlete", "access_token", "invalid"))


def scope_missing() -> Response:
    return fault(401, "Authorization Error", ("AccessToken", "activity:read_permission", "missing"))


def app_inactive() -> Response:
    """Every API call of an app whose owner has no subscription (since 2026-06-30)."""
    return fault(403, "Forbidden", ("Application", "Status", "Inactive"))


def record_not_found(resource: str = "Activity") -> Response:
    return fault(404, "Record Not Found", (resource, "id", "invalid"))


def resource_not_found() -> Response:
    return fault(404, "Resource Not Found")


def rate_limited() -> Response:
    return fault(429, "Rate Limit Exceeded", ("Application", "rate limit", "exceeded"))


def injected_fault(status: int) -> Response:
    """The Fault a scripted ``fail(status=...)`` answers, shaped like Strava's for that status."""
    if status == 401:
        return auth_invalid()
    if status == 403:  # the one 403 Strava documents: the app's owner let it lapse
        return app_inactive()
    if status == 404:
        return record_not_found()
    if status == 429:
        return rate_limited()
    try:
        message = HTTPStatus(status).phrase
    except ValueError:
        message = "Error"
    return fault(status, message)


def redirect(location: str) -> Response:
    return Response(302, b"", "text/plain; charset=utf-8", {"Location": location})
