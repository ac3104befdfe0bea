"""Reads configuration for the app: ``[strava]`` in ``st.secrets``, overridden by the env."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from strava_dash.errors import ConfigError
from strava_dash.settings import HOSTING_KEYS, KEYS, HostingSettings, Settings


def _secrets_section(name: str = "strava") -> dict[str, Any]:
    try:
        section = st.secrets.get(name, {})
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}
    return dict(section) if hasattr(section, "items") else {}


def load_settings() -> tuple[Settings, ConfigError | None]:
    """The app's settings; on a configuration error, demo-only settings and the error.

    A broken configuration must not take the demo down with it, so the caller shows
    the error (which names the key, never the secret) and carries on in demo mode.
    """
    values: dict[str, Any] = _secrets_section()
    values.update({k: v for k, v in os.environ.items() if k in KEYS and v.strip()})
    try:
        return Settings.from_mapping(values), None
    except ConfigError as error:
        return Settings(), error


def load_hosting() -> HostingSettings:
    """Storage and replica settings: ``[dash]`` in ``st.secrets``, overridden by the env.

    Unlike the Strava credentials, a bad value here stops the app: running on with a
    different store than the one configured would hide or lose athletes' data.
    """
    values: dict[str, Any] = _secrets_section("dash")
    values.update({k: v for k, v in os.environ.items() if k in HOSTING_KEYS and v.strip()})
    hosting = HostingSettings.from_mapping(values)
    _share_with_the_core(hosting)
    return hosting


def _share_with_the_core(hosting: HostingSettings) -> None:
    """Make ``[dash]`` secrets that the core reads from the environment visible to it.

    The core takes the Redis budget and refresh lock from ``DASH_REDIS_URL`` in the
    environment, so that any process using it (a script, a worker) shares them with no
    other call; a server configured through secrets must share them just the same.
    The environment wins: only unset keys are filled in.
    """
    if hosting.redis_url and not os.environ.get("DASH_REDIS_URL", "").strip():
        os.environ["DASH_REDIS_URL"] = hosting.redis_url
        os.environ["DASH_FALLBACK_SHARE"] = str(hosting.fallback_share)
