"""The one place configuration is read: a frozen :class:`Settings` built once, passed down.

Keys are the same in the environment (``STRAVA_CLIENT_ID``) and in
``.streamlit/secrets.toml`` (section ``[strava]``, lower-case ``client_id``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
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
