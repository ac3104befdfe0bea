"""OAuth against the fake Strava: authorize URL, code exchange, refresh, deauthorize."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from strava_dash.auth import (
    Token,
    TokenManager,
    authorize_url,
    check_scopes,
    deauthorize,
    describe_token_error,
    exchange_code,
    parse_scopes,
    refresh,
    revoke_access,
    uses_revoke_endpoint,
)
from strava_dash.client import StravaClient
from strava_dash.errors import AuthError, ScopeError, StravaAPIError
from strava_dash.settings import Settings
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeStrava, make_activities

REDIRECT = "http://localhost:8501/component/streamlit_oauth.authorize_button/index.html"


def settings_for(server: FakeStrava, secret: str = FAKE_CLIENT_SECRET) -> Settings:
    return Settings(
        client_id=FAKE_CLIENT_ID,
        client_secret=secret,
        base_url=server.base_url,
        redirect_uri=REDIRECT,
    )


def authorize(server: FakeStrava, settings: Settings, state: str = "s-1") -> dict[str, list[str]]:
    """Follow the authorize URL like a browser whose athlete clicks straight through."""
    server.authorize_mode = "approve"
    response = requests.get(authorize_url(settings, state=state), allow_redirects=False, timeout=5)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def clock(server: FakeStrava):  # type: ignore[no-untyped-def]
    return lambda: datetime.fromtimestamp(server.now(), UTC)


def test_authorize_url_has_what_strava_wants(fake_strava: FakeStrava) -> None:
    settings = settings_for(fake_strava)
    url = authorize_url(settings, state="abc", approval_prompt="force")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{fake_strava.base_url}/oauth/authorize?")
    assert query == {
        "client_id": [FAKE_CLIENT_ID],
        "redirect_uri": [REDIRECT],
        "response_type": ["code"],
        "approval_prompt": ["force"],
        "scope": ["read,activity:read,activity:read_all"],
        "state": ["abc"],
    }
    assert FAKE_CLIENT_SECRET not in url


def test_code_exchange_gives_a_token_with_athlete_and_scopes(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete(firstname="Ada", lastname="Lovelace")
    settings = settings_for(fake_strava)
    redirect = authorize(fake_strava, settings)
    assert redirect["state"] == ["s-1"]
    token = exchange_code(settings, redirect["code"][0], granted_scope=redirect["scope"][0])
    assert token.athlete_id == athlete.id
    assert token.athlete_name == "Ada Lovelace"
    assert token.scopes == {"read", "activity:read", "activity:read_all"}
    assert token.expires_at - fake_strava.now() == pytest.approx(21600, abs=5)
    assert len(token.access_token) == 40
    # Strava wants the credentials in the POST body, never in the URL.
    exchange = next(r for r in fake_strava.requests if r.path == "/oauth/token")
    assert FAKE_CLIENT_SECRET.encode() in exchange.body
    assert FAKE_CLIENT_SECRET not in exchange.path
    assert not exchange.query


def test_a_code_works_once(fake_strava: FakeStrava) -> None:
    fake_strava.add_athlete()
    settings = settings_for(fake_strava)
    code = authorize(fake_strava, settings)["code"][0]
    exchange_code(settings, code, granted_scope="read,activity:read_all")
    with pytest.raises(StravaAPIError) as info:
        exchange_code(settings, code, granted_scope="read,activity:read_all")
    assert "expired or was already used" in describe_token_error(info.value)


@pytest.mark.parametrize("status", [401, 400])
def test_wrong_client_secret_says_so_without_leaking_it(
    fake_strava: FakeStrava, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    fake_strava.add_athlete()
    fake_strava.wrong_secret_status = status
    settings = settings_for(fake_strava, secret="not-the-right-secret-at-all")
    code = authorize(fake_strava, settings)["code"][0]
    with caplog.at_level(logging.DEBUG), pytest.raises(StravaAPIError) as info:
        exchange_code(settings, code, granted_scope="read,activity:read_all")
    message = describe_token_error(info.value)
    assert "STRAVA_CLIENT_SECRET" in message
    assert "not-the-right-secret-at-all" not in str(info.value) + message + caplog.text


def test_refresh_keeps_the_newest_refresh_token(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete()
    settings = settings_for(fake_strava)
    data = fake_strava.issue_token(athlete.id)
    token = Token.from_response(data, scopes="read,activity:read_all")
    fake_strava.advance(5 * 3600 + 1800)  # 30 minutes left: Strava issues a new pair
    fresh = refresh(settings, token, now=clock(fake_strava))
    assert fresh.access_token != token.access_token
    assert fresh.refresh_token != token.refresh_token
    assert fresh.scopes == token.scopes
    assert fresh.athlete == token.athlete  # the refresh answer has no athlete; keep ours
    with pytest.raises(StravaAPIError, match="RefreshToken"):
        refresh(settings, token)  # the old refresh token died with the rotation


def test_token_manager_refreshes_before_expiry(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete()
    token = Token.from_response(fake_strava.issue_token(athlete.id), scopes="read")
    seen: list[Token] = []
    manager = TokenManager(
        settings_for(fake_strava), token, now=clock(fake_strava), on_change=seen.append
    )
    assert manager.access_token() == token.access_token  # plenty of time left: no request
    fake_strava.advance(6 * 3600 - 120)  # two minutes left, inside the margin
    fresh = manager.access_token()
    assert fresh != token.access_token
    assert [t.access_token for t in seen] == [fresh]
    assert manager.token.refresh_token != token.refresh_token


def test_client_refreshes_once_after_a_401_for_an_expired_token(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(5, athlete_id=0))
    token = Token.from_response(
        fake_strava.issue_token(athlete.id), scopes="read,activity:read_all"
    )
    # The app's clock is behind Strava's: it believes the token is fresh, Strava says expired.
    manager = TokenManager(settings_for(fake_strava), token)
    fake_strava.advance(6 * 3600 + 60)
    client = StravaClient(manager, api_url=fake_strava.api_url)
    assert client.athlete()["id"] == athlete.id
    auth_headers = [
        r.headers["Authorization"] for r in fake_strava.requests if r.path == "/api/v3/athlete"
    ]
    assert auth_headers == [f"Bearer {token.access_token}", f"Bearer {manager.token.access_token}"]


def test_revoked_grant_ends_in_auth_error_telling_to_reconnect(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete()
    settings = settings_for(fake_strava)
    token = Token.from_response(fake_strava.issue_token(athlete.id), scopes="read")
    deauthorize(settings, token.access_token)
    assert fake_strava.deauthorized == [athlete.id]
    client = StravaClient(TokenManager(settings, token), api_url=fake_strava.api_url)
    with pytest.raises(AuthError, match="connect again"):
        client.athlete()


def token_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == "/oauth/token")


def test_a_dead_refresh_token_is_tried_once(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete()
    settings = settings_for(fake_strava)
    token = Token.from_response(fake_strava.issue_token(athlete.id), scopes="read")
    manager = TokenManager(settings, token)
    fake_strava.revoke_athlete(athlete.id)
    fake_strava.clear_requests()
    for _ in range(3):  # every page in flight saw a 401 for the same token
        with pytest.raises(AuthError, match="connect again"):
            manager.refresh_after_401(token.access_token)
    with pytest.raises(AuthError, match="connect again"):
        manager.access_token()
    assert manager.ended
    assert token_requests(fake_strava) == 1


def test_a_refresh_that_did_not_reach_strava_may_be_tried_again(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete()
    token = Token.from_response(fake_strava.issue_token(athlete.id), scopes="read")
    manager = TokenManager(settings_for(fake_strava), token)
    fake_strava.fail(status=429, path="/oauth/token")
    with pytest.raises(StravaAPIError):
        manager.refresh_after_401(token.access_token)
    assert not manager.ended
    fake_strava.advance(6 * 3600)  # expired now: the next refresh rotates the pair
    assert manager.refresh_after_401(token.access_token) != token.access_token


def test_deauthorize_kills_every_token(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete()
    token = fake_strava.issue_token(athlete.id)
    deauthorize(settings_for(fake_strava), token["access_token"])
    with pytest.raises(AuthError):
        StravaClient(token["access_token"], api_url=fake_strava.api_url).athlete()


def test_denied_consent_redirects_with_access_denied(fake_strava: FakeStrava) -> None:
    fake_strava.add_athlete()
    fake_strava.authorize_mode = "deny"
    response = requests.get(
        authorize_url(settings_for(fake_strava), state="xyz"), allow_redirects=False, timeout=5
    )
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"state": ["xyz"], "error": ["access_denied"]}


def test_fewer_scopes_granted_are_reported(fake_strava: FakeStrava) -> None:
    fake_strava.add_athlete()
    fake_strava.authorize_mode = "approve"
    fake_strava.grant_scopes = ("read",)
    settings = settings_for(fake_strava)
    response = requests.get(authorize_url(settings, state="s"), allow_redirects=False, timeout=5)
    granted = parse_qs(urlsplit(response.headers["Location"]).query)["scope"][0]
    token = exchange_code(
        settings,
        parse_qs(urlsplit(response.headers["Location"]).query)["code"][0],
        granted_scope=granted,
    )
    with pytest.raises(ScopeError, match="View data about your activities"):
        check_scopes(token.scopes)


def test_unticking_private_activities_still_shares_the_others(fake_strava: FakeStrava) -> None:
    fake_strava.add_athlete()
    fake_strava.untick = frozenset({"activity:read_all"})
    settings = settings_for(fake_strava)
    query = authorize(fake_strava, settings)
    assert query["scope"] == ["read,activity:read"]
    token = exchange_code(settings, query["code"][0], granted_scope=query["scope"][0])
    check = check_scopes(token.scopes)
    assert not check.include_private
    assert check.warning is not None
    assert "left out" in check.warning


def test_scope_checks() -> None:
    assert check_scopes(["read", "activity:read_all"]).include_private
    partial = check_scopes(parse_scopes("read,activity:read"))
    assert not partial.include_private
    assert partial.warning is not None
    assert "Only You" in partial.warning
    with pytest.raises(ScopeError, match="ticked"):
        check_scopes(["read"])


def test_token_repr_hides_secrets() -> None:
    token = Token("a" * 40, "b" * 40, 1, frozenset({"read"}), {"id": 1})
    assert "a" * 40 not in repr(token)
    assert "b" * 40 not in repr(token)


def test_malformed_token_answer_is_an_auth_error() -> None:
    with pytest.raises(AuthError, match="lacks"):
        Token.from_response({"token_type": "Bearer"})


# ----- revoking access: /oauth/deauthorize until Strava retires it, then /oauth/revoke --------


def test_the_revoke_endpoint_is_used_from_its_day_or_with_the_new_api_host() -> None:
    settings = Settings(client_id="1", client_secret="s")
    new_host = replace(settings, api_url="https://www.api-v3.strava.com")
    assert not uses_revoke_endpoint(settings, datetime(2027, 5, 31, 23, 59, tzinfo=UTC))
    assert uses_revoke_endpoint(settings, datetime(2027, 6, 1, tzinfo=UTC))
    assert uses_revoke_endpoint(new_host, datetime(2026, 12, 6, tzinfo=UTC))


@pytest.mark.parametrize(
    ("today", "endpoint"),
    [
        (datetime(2026, 12, 6, tzinfo=UTC), "/oauth/deauthorize"),
        (datetime(2027, 6, 1, tzinfo=UTC), "/oauth/revoke"),
    ],
)
def test_revoke_access_ends_every_token_of_the_grant(
    fake_strava: FakeStrava, today: datetime, endpoint: str
) -> None:
    athlete = fake_strava.add_athlete()
    token = Token.from_response(fake_strava.issue_token(athlete.id))
    revoke_access(settings_for(fake_strava), token, now=lambda: today)
    assert fake_strava.deauthorized == [athlete.id]
    assert [r.path for r in fake_strava.requests if r.path.startswith("/oauth/")] == [endpoint]
    with pytest.raises(AuthError):
        StravaClient(token.access_token, api_url=fake_strava.api_url).athlete()
