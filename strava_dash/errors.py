"""The one exception hierarchy of the package; pages catch these and nothing broader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


class StravaDashError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(StravaDashError):
    """Configuration is missing or malformed (the message names the key)."""


class DataError(StravaDashError):
    """Input data (an API record, an upload, a file) cannot be used as it is."""


@dataclass(frozen=True)
class FaultDetail:
    """One entry of Strava's Fault ``errors`` array."""

    resource: str = ""
    field: str = ""
    code: str = ""

    @classmethod
    def from_json(cls, item: Any) -> FaultDetail:
        if not isinstance(item, dict):
            return cls(code=str(item))
        return cls(
            resource=str(item.get("resource") or ""),
            field=str(item.get("field") or ""),
            code=str(item.get("code") or ""),
        )


class StravaAPIError(StravaDashError):
    """Strava answered with an error status, or with a body that is not valid JSON."""

    def __init__(
        self,
        status: int | None,
        message: str,
        errors: tuple[FaultDetail, ...] = (),
        *,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.message = message
        self.errors = tuple(errors)
        self.url = url
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" ({self.url})" if self.url else ""
        status = f"HTTP {self.status}: " if self.status is not None else ""
        details = "; ".join(
            "/".join(part for part in (e.resource, e.field, e.code) if part) for e in self.errors
        )
        return f"{status}{self.message}{where}" + (f" [{details}]" if details else "")

    def has_error(self, *, resource: str | None = None, field: str | None = None) -> bool:
        """True when any Fault entry matches the given resource and/or field."""
        return any(
            (resource is None or e.resource == resource) and (field is None or e.field == field)
            for e in self.errors
        )


class AuthError(StravaAPIError):
    """The token is missing, expired, revoked, or lacks a scope; or the app is refused."""


class ScopeError(AuthError):
    """The athlete did not grant a scope the app needs (the message says what to tick)."""


class AppInactiveError(StravaAPIError):
    """Strava has switched off this app (403 Application Inactive): no athlete can fix it
    by connecting again; the app's owner must (see :data:`APP_INACTIVE`)."""


APP_INACTIVE = (
    "Strava has switched off this app's access to its data (the app is 'Inactive'). "
    "Connecting again cannot fix that: only the person who runs this app can, on Strava. "
    "Since 2026-06-30 the owner of a Standard-tier Strava app needs a Strava subscription "
    "for it to work."
)


class NotFoundError(StravaAPIError):
    """The resource does not exist or this athlete may not see it."""


class RateLimitError(StravaAPIError):
    """Strava's 15-minute or daily request limit is spent; retry at ``retry_at`` (UTC)."""

    def __init__(
        self,
        status: int | None,
        message: str,
        errors: tuple[FaultDetail, ...] = (),
        *,
        retry_at: datetime,
        daily: bool = False,
        url: str | None = None,
    ) -> None:
        self.retry_at = retry_at
        self.daily = daily
        super().__init__(status, message, errors, url=url)


class TransportError(StravaAPIError):
    """Strava could not be reached (network failure, timeout) after the bounded retries."""


class StoreError(StravaDashError):
    """The athlete store cannot be read or written (disk full, database down, read-only).

    The message is safe to show: it never carries the database URL or stored data.
    """


class AthleteGone(StoreError):
    """The athlete's stored data was deleted (deauthorized, swept) while a sync ran."""
