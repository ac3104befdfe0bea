from __future__ import annotations

import logging

import pytest

from strava_dash.errors import ConfigError
from strava_dash.settings import DEFAULT_REDIRECT_URI, HostingSettings, Settings

SECRET = "0123456789abcdef0123456789abcdef01234567"


def test_defaults_mean_demo_only() -> None:
    settings = Settings.from_env({})
    assert not settings.has_credentials
    assert settings.base_url == "https://www.strava.com"
    assert settings.api_url == "https://www.strava.com/api/v3"
    assert settings.redirect_uri == DEFAULT_REDIRECT_URI


def test_env_keys_and_derived_urls() -> None:
    settings = Settings.from_env(
        {
            "STRAVA_CLIENT_ID": "12345",
            "STRAVA_CLIENT_SECRET": SECRET,
            "STRAVA_BASE_URL": "http://127.0.0.1:8765/",
            "STRAVA_REDIRECT_URI": "https://dash.example.org",
        }
    )
    assert settings.has_credentials
    assert settings.client_id == "12345"
    assert settings.base_url == "http://127.0.0.1:8765"
    assert settings.api_url == "http://127.0.0.1:8765/api/v3"
    assert settings.token_url == "http://127.0.0.1:8765/oauth/token"
    assert settings.authorize_url == "http://127.0.0.1:8765/oauth/authorize"
    assert settings.deauthorize_url == "http://127.0.0.1:8765/oauth/deauthorize"


def test_api_url_is_its_own_setting_for_the_2027_host_move() -> None:
    settings = Settings.from_env(
        {"STRAVA_API_URL": "https://www.api-v3.strava.com", "STRAVA_BASE_URL": "https://x.org"}
    )
    assert settings.api_url == "https://www.api-v3.strava.com"
    assert settings.token_url == "https://x.org/oauth/token"


def test_secrets_toml_section_uses_lower_case_names() -> None:
    settings = Settings.from_mapping({"client_id": 777, "client_secret": SECRET})
    assert settings.client_id == "777"
    assert settings.has_credentials


def test_blank_values_count_as_unset() -> None:
    settings = Settings.from_env({"STRAVA_CLIENT_ID": "  ", "STRAVA_BASE_URL": ""})
    assert not settings.has_credentials
    assert settings.base_url == "https://www.strava.com"


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"STRAVA_CLIENT_ID": "12345"}, "STRAVA_CLIENT_SECRET"),
        ({"STRAVA_CLIENT_SECRET": SECRET}, "STRAVA_CLIENT_ID"),
        ({"STRAVA_CLIENT_ID": "my-app", "STRAVA_CLIENT_SECRET": SECRET}, "STRAVA_CLIENT_ID"),
        ({"STRAVA_BASE_URL": "www.strava.com"}, "STRAVA_BASE_URL"),
        ({"STRAVA_API_URL": "ftp://strava"}, "STRAVA_API_URL"),
        ({"STRAVA_REDIRECT_URI": "localhost:8501"}, "STRAVA_REDIRECT_URI"),
        ({"STRAVA_CLIENT_ID": ["1"]}, "STRAVA_CLIENT_ID"),
    ],
)
def test_bad_values_name_the_key(values: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        Settings.from_mapping(values)


def test_secret_never_in_repr_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({"STRAVA_CLIENT_ID": "12345", "STRAVA_CLIENT_SECRET": SECRET})
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("settings: %s %r", settings, settings)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert SECRET not in caplog.text
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"STRAVA_CLIENT_ID": "abc", "STRAVA_CLIENT_SECRET": SECRET})
    assert SECRET not in str(info.value)


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.client_id = "1"  # type: ignore[misc]


# --------------------------------------------------------------------------- hosting


def test_hosting_defaults_to_sqlite_under_the_user_data_dir() -> None:
    hosting = HostingSettings.from_mapping({})
    assert hosting.database_url is not None
    assert hosting.database_url.startswith("sqlite:///")
    assert hosting.database_url.endswith("strava-dash/dash.sqlite3")
    assert (hosting.retention_days, hosting.fallback_share, hosting.redis_url) == (7, 0.25, None)


def test_hosting_none_keeps_data_in_the_session_only() -> None:
    assert HostingSettings.from_mapping({"DASH_DATABASE_URL": "None"}).stores_data is False


def test_hosting_env_names_and_secret_names_both_work() -> None:
    from_env = HostingSettings.from_mapping(
        {"DASH_RETENTION_DAYS": "30", "DASH_FALLBACK_SHARE": "1/3", "DASH_REDIS_URL": "redis://h"}
    )
    from_secrets = HostingSettings.from_mapping({"retention_days": 30, "fallback_share": "0.5"})
    assert (from_env.retention_days, from_env.redis_url) == (30, "redis://h")
    assert from_env.fallback_share == pytest.approx(1 / 3)
    assert (from_secrets.retention_days, from_secrets.fallback_share) == (30, 0.5)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("DASH_RETENTION_DAYS", "seven", "DASH_RETENTION_DAYS"),
        ("DASH_RETENTION_DAYS", "0", "DASH_RETENTION_DAYS"),
        ("DASH_FALLBACK_SHARE", "2", "DASH_FALLBACK_SHARE"),
        ("DASH_FALLBACK_SHARE", "1/0", "DASH_FALLBACK_SHARE"),
        ("STRAVA_WEBHOOK_SUBSCRIPTION_ID", "abc", "STRAVA_WEBHOOK_SUBSCRIPTION_ID"),
    ],
)
def test_hosting_bad_values_name_their_key(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        HostingSettings.from_mapping({key: value})


def test_hosting_repr_hides_passwords_and_the_verify_token() -> None:
    hosting = HostingSettings.from_mapping(
        {
            "DASH_DATABASE_URL": "postgresql+psycopg://u:pw-secret@h/db",
            "DASH_REDIS_URL": "redis://:redis-secret@h",
            "STRAVA_WEBHOOK_VERIFY_TOKEN": "verify-secret",
        }
    )
    assert "secret" not in repr(hosting)
