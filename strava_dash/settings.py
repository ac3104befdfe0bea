"""The one place configuration is read: a frozen :class:`Settings` built once, passed down.

Keys are the same in the environment (``STRAVA_CLIENT_ID``) and in
``.streamlit/secrets.toml`` (section ``[strava]``, lower-case ``client_id``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from strava_dash.errors import ConfigError

DEFAULT_BASE_URL = "https://www.strava.com"
# streamlit-oauth's popup is watched until its URL starts with the redirect URI, so the
# default points at the component's own page on the app's origin (see docs/architecture.md).
DEFAULT_REDIRECT_URI = "http://localhost:8501/component/streamlit_oauth.authorize_button/index.html"

KEYS = (
    "STRAVA_CLIENT_ID",
    "STRAVA_CLIENT_SECRET",
    "STRAVA_REDIRECT_URI",
    "STRAVA_BASE_URL",
    "STRAVA_API_URL",
)


def _check_url(key: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{key} must be an http(s) URL like https://example.org, got {value!r}")
    return value.rstrip("/")


@dataclass(frozen=True)
class Settings:
    """Strava application credentials and endpoints.

    ``client_secret`` is excluded from ``repr`` so it cannot leak into logs or pages.
    With neither ``client_id`` nor ``client_secret`` set, the app offers demo data only.
    """

    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = DEFAULT_REDIRECT_URI
    base_url: str = DEFAULT_BASE_URL
    api_url: str = ""

    def __post_init__(self) -> None:
        if self.client_id and not self.client_id.isdigit():
            raise ConfigError(
                "STRAVA_CLIENT_ID must be the numeric Client ID shown at "
                "https://www.strava.com/settings/api"
            )
        if bool(self.client_id) != bool(self.client_secret):
            missing = "STRAVA_CLIENT_SECRET" if self.client_id else "STRAVA_CLIENT_ID"
            raise ConfigError(f"{missing} is missing: set the client id and secret, or neither")
        # Frozen dataclass: normalising the URLs has to go through object.__setattr__.
        base = _check_url("STRAVA_BASE_URL", self.base_url)
        object.__setattr__(self, "base_url", base)
        redirect = _check_url("STRAVA_REDIRECT_URI", self.redirect_uri)
        object.__setattr__(self, "redirect_uri", redirect)
        api_url = _check_url("STRAVA_API_URL", self.api_url or f"{base}/api/v3")
        object.__setattr__(self, "api_url", api_url)

    @property
    def has_credentials(self) -> bool:
        """True when the Strava login can be offered; otherwise only the demo works."""
        return bool(self.client_id and self.client_secret)

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/oauth/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth/token"

    @property
    def deauthorize_url(self) -> str:
        return f"{self.base_url}/oauth/deauthorize"

    @property
    def revoke_url(self) -> str:
        return f"{self.base_url}/oauth/revoke"

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Build from a mapping with either ``STRAVA_CLIENT_ID`` or ``client_id`` style keys.

        Empty strings count as unset, so an empty line in a ``.env`` file means "use the default".
        """
        picked: dict[str, str] = {}
        for key in KEYS:
            short = key.removeprefix("STRAVA_").lower()
            raw = values.get(key, values.get(short, values.get(key.lower())))
            if raw is None:
                continue
            if not isinstance(raw, str | int):
                raise ConfigError(f"{key} must be a string, got {type(raw).__name__}")
            text = str(raw).strip()
            if text:
                picked[short] = text
        return cls(**picked)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build from ``os.environ`` (or the given mapping)."""
        return cls.from_mapping(os.environ if environ is None else environ)


# --------------------------------------------------------------------------- hosting

#: Hosting keys: environment name -> short name in the ``[dash]`` secrets section.
HOSTING_KEYS = {
    "DASH_DATABASE_URL": "database_url",
    "DASH_RETENTION_DAYS": "retention_days",
    "DASH_REDIS_URL": "redis_url",
    "DASH_FALLBACK_SHARE": "fallback_share",
    "STRAVA_WEBHOOK_VERIFY_TOKEN": "webhook_verify_token",
    "STRAVA_WEBHOOK_SUBSCRIPTION_ID": "webhook_subscription_id",
}
#: ``DASH_DATABASE_URL=none`` keeps every athlete's data in the browser session only.
NO_DATABASE = "none"
APP_DIR_NAME = "strava-dash"


def default_database_url() -> str:
    """SQLite under the user's data directory, so ``streamlit run app.py`` needs nothing else."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path(APP_DIR_NAME) / 'dash.sqlite3'}"


@dataclass(frozen=True)
class HostingSettings:
    """Where athletes' data is kept and how replicas share Strava's budget.

    ``database_url`` None means session-only (nothing stored). URLs may carry passwords
    and the verify token is a shared secret with Strava: all three stay out of ``repr``.
    """

    database_url: str | None = field(default_factory=default_database_url, repr=False)
    retention_days: int = 7
    redis_url: str | None = field(default=None, repr=False)
    #: The share of Strava's window a replica allows itself while Redis is unreachable.
    fallback_share: float = 0.25
    webhook_verify_token: str = field(default="", repr=False)
    webhook_subscription_id: int | None = None

    def __post_init__(self) -> None:
        if self.retention_days < 1:
            raise ConfigError("DASH_RETENTION_DAYS must be a whole number of days, at least 1")
        if not 0 < self.fallback_share <= 1:
            raise ConfigError("DASH_FALLBACK_SHARE must be a fraction above 0 and at most 1")

    @property
    def stores_data(self) -> bool:
        return self.database_url is not None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> HostingSettings:
        """Build from ``DASH_…`` environment-style keys or ``[dash]`` short keys."""
        picked: dict[str, Any] = {}
        for key, short in HOSTING_KEYS.items():
            raw = values.get(key, values.get(short))
            text = "" if raw is None else str(raw).strip()
            if not text:
                continue
            if short == "database_url":
                picked[short] = None if text.lower() == NO_DATABASE else text
            elif short in ("retention_days", "webhook_subscription_id"):
                if not text.isdigit():
                    raise ConfigError(f"{key} must be a whole number, got {text!r}")
                picked[short] = int(text)
            elif short == "fallback_share":
                picked[short] = _fraction(key, text)
            else:
                picked[short] = text
        return cls(**picked)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HostingSettings:
        return cls.from_mapping(os.environ if environ is None else environ)


def _fraction(key: str, text: str) -> float:
    """``0.25`` or ``1/4``."""
    try:
        if "/" in text:
            top, bottom = text.split("/", 1)
            return float(top) / float(bottom)
        return float(text)
    except (ValueError, ZeroDivisionError):
        raise ConfigError(f"{key} must be a fraction like 0.25 or 1/4, got {text!r}") from None


# --------------------------------------------------------------------------- test clock

#: Tests only: a file of seconds the app's clock adds to real time (see strava_dash.clock).
CLOCK_FILE_ENV = "DASH_CLOCK_FILE"


def clock_file_from_env(environ: Mapping[str, str] | None = None) -> Path | None:
    """The test clock's file, or None (production: real time, no file read).

    Environment only, never secrets: it exists so tests and benchmarks can move time past
    Strava's quarter hours without waiting for them, and has no use in a deployment.
    """
    values = os.environ if environ is None else environ
    text = values.get(CLOCK_FILE_ENV, "").strip()
    return Path(text) if text else None
