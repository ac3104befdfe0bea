"""The fake Strava server itself, over real HTTP with ``requests`` (not the project's client)."""

from __future__ import annotations

import calendar
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeAthlete, FakeStrava, RecordedRequest, make_activities

REDIRECT_URI = "http://localhost:8501/callback"
TIMEOUT = 10  # s per HTTP call
HEX40 = re.compile(r"[0-9a-f]{40}")
AUTH_INVALID = {
    "message": "Authorization Error",
    "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
}
SCOPE_MISSING = {
    "message": "Authorization Error",
    "errors": [{"resource": "AccessToken", "field": "activity:read_permission", "code": "missing"}],
}
SUMMARY_KEYS = {  # every key of the SummaryActivity example in strava-api.md §2.2
    "resource_state", "athlete", "name", "distance", "moving_time", "elapsed_time",
    "total_elevation_gain", "type", "sport_type", "workout_type", "id", "start_date",
    "start_date_local", "timezone", "utc_offset", "location_city", "location_state",
    "location_country", "achievement_count", "kudos_count", "comment_count", "athlete_count",
    "photo_count", "map", "trainer", "commute", "manual", "private", "visibility", "flagged",
    "gear_id", "start_latlng", "end_latlng", "average_speed", "max_speed", "average_cadence",
    "has_heartrate", "average_heartrate", "max_heartrate", "heartrate_opt_out",
    "display_hide_heartrate_option", "elev_high", "elev_low", "upload_id", "upload_id_str",
    "external_id", "from_accepted_tag", "pr_count", "total_photo_count", "has_kudoed",
    "suffer_score",
}  # fmt: skip


# ----- helpers -----------------------------------------------------------------------------------


def authorize(server: FakeStrava, **overrides: str) -> requests.Response:
    params = {
        "client_id": FAKE_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "read,activity:read_all",
        "state": "xyz",
        **overrides,
    }
    return requests.get(
        f"{server.base_url}/oauth/authorize", params=params, allow_redirects=False, timeout=TIMEOUT
    )


def redirect_query(response: requests.Response) -> dict[str, list[str]]:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def exchange(server: FakeStrava, **params: str) -> requests.Response:
    data = {"client_id": FAKE_CLIENT_ID, "client_secret": FAKE_CLIENT_SECRET, **params}
    return requests.post(f"{server.base_url}/oauth/token", data=data, timeout=TIMEOUT)


def code_from(server: FakeStrava, scope: str = "read,activity:read_all") -> str:
    server.authorize_mode = "approve"
    return redirect_query(authorize(server, scope=scope))["code"][0]


def refresh(server: FakeStrava, refresh_token: str) -> requests.Response:
    return exchange(server, grant_type="refresh_token", refresh_token=refresh_token)


def api(server: FakeStrava, path: str, token: str | None, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{server.api_url}{path}", headers=headers, params=params, timeout=TIMEOUT)


def fault_of(response: requests.Response) -> tuple[str, str, str]:
    error = response.json()["errors"][0]
    return error["resource"], error["field"], error["code"]


def epoch(stamp: str) -> int:
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def align_clock(server: FakeStrava, period: float, plus: float = 1.0) -> None:
    """Move the clock to ``plus`` seconds after the next multiple of ``period`` (UTC epoch)."""
    now = server.now()
    server.advance(period - now % period + plus)


@pytest.fixture
def athlete(fake_strava: FakeStrava) -> FakeAthlete:
    return fake_strava.add_athlete(
        athlete_id=134815, activities=make_activities(90, athlete_id=134815)
    )


@pytest.fixture
def token(fake_strava: FakeStrava, athlete: FakeAthlete) -> str:
    return str(fake_strava.issue_token(athlete.id)["access_token"])


# ----- OAuth: authorize --------------------------------------------------------------------------


def test_approve_redirects_with_state_code_and_accepted_scopes(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    fake_strava.authorize_mode = "approve"
    response = authorize(fake_strava)
    query = redirect_query(response)
    assert query["state"] == ["xyz"]
    assert HEX40.fullmatch(query["code"][0])
    assert query["scope"] == ["read,activity:read_all"]
    assert "scope=read,activity:read_all" in response.headers["Location"]  # literal commas


def test_state_is_present_and_empty_when_none_was_sent(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    fake_strava.authorize_mode = "approve"
    params = {
        "client_id": FAKE_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "read",
    }
    response = requests.get(
        f"{fake_strava.base_url}/oauth/authorize",
        params=params,
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert redirect_query(response)["state"] == [""]


def test_deny_mode_redirects_with_access_denied(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    fake_strava.authorize_mode = "deny"
    query = redirect_query(authorize(fake_strava))
    assert query == {"state": ["xyz"], "error": ["access_denied"]}


def test_fewer_granted_scopes_gate_the_activity_list(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    fake_strava.authorize_mode = "approve"
    fake_strava.grant_scopes = ("read",)
    query = redirect_query(authorize(fake_strava))
    assert query["scope"] == ["read"]
    body = exchange(fake_strava, grant_type="authorization_code", code=query["code"][0]).json()
    listing = api(fake_strava, "/athlete/activities", body["access_token"])
    assert listing.status_code == 401
    assert listing.json() == SCOPE_MISSING
    assert api(fake_strava, "/athlete", body["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "fault"),
    [
        ({"client_id": "999"}, ("Application", "client_id", "invalid")),
        ({"scope": "read,activity:read_everything"}, ("Authorize", "scope", "invalid")),
        ({"scope": ""}, ("Authorize", "scope", "invalid")),
        ({"response_type": "token"}, ("Application", "response_type", "invalid")),
        ({"redirect_uri": ""}, ("Application", "redirect_uri", "invalid")),
    ],
)
def test_authorize_rejects_bad_parameters(
    fake_strava: FakeStrava,
    athlete: FakeAthlete,
    overrides: dict[str, str],
    fault: tuple[str, str, str],
) -> None:
    fake_strava.authorize_mode = "approve"
    response = authorize(fake_strava, **overrides)
    assert response.status_code == 400
    assert response.json()["message"] == "Bad Request"
    assert fault_of(response) == fault


def test_consent_page_posts_the_decision(fake_strava: FakeStrava, athlete: FakeAthlete) -> None:
    other = fake_strava.add_athlete(athlete_id=555, firstname="Grace", lastname="Hopper")
    page = authorize(fake_strava, scope="read,activity:read,profile:read_all")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert "Fake Strava — authorize" in html
    assert 'name="athlete_id"' in html
    assert "Grace Hopper (555)" in html
    for scope in ("read", "activity:read", "profile:read_all"):
        assert f'name="scope" id="scope-{scope.replace(":", "-")}" value="{scope}" checked' in html
    assert 'id="authorize"' in html
    assert 'id="cancel"' in html

    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert hidden["state"] == "xyz"
    form = {**hidden, "athlete_id": "555", "scope": ["read", "activity:read"]}
    approve = requests.post(
        f"{fake_strava.base_url}/oauth/authorize",
        data={**form, "decision": "authorize"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    query = redirect_query(approve)
    assert query["state"] == ["xyz"]
    assert query["scope"] == ["read,activity:read"]  # profile:read_all was unticked
    body = exchange(fake_strava, grant_type="authorization_code", code=query["code"][0]).json()
    assert body["athlete"]["id"] == other.id

    cancel = requests.post(
        f"{fake_strava.base_url}/oauth/authorize",
        data={**form, "decision": "cancel"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert redirect_query(cancel) == {"state": ["xyz"], "error": ["access_denied"]}


# ----- OAuth: token exchange ---------------------------------------------------------------------


def test_code_exchange_returns_token_and_athlete_summary(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    before = int(fake_strava.now())
    response = exchange(fake_strava, grant_type="authorization_code", code=code_from(fake_strava))
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers  # token endpoints carry no limits
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert HEX40.fullmatch(body["access_token"])
    assert HEX40.fullmatch(body["refresh_token"])
    assert body["expires_in"] == 21600
    assert before + 21600 <= body["expires_at"] <= before + 21602
    summary = body["athlete"]
    assert summary["id"] == athlete.id
    assert summary["resource_state"] == 2
    assert summary["profile_medium"].startswith(fake_strava.base_url)
    avatar = requests.get(summary["profile"], timeout=TIMEOUT)
    assert avatar.content.startswith(b"\x89PNG")
    issued = fake_strava.issue_token(athlete.id)  # the test shortcut answers the same shape
    assert set(issued) == set(body)
    assert issued["athlete"] == summary


def test_code_is_single_use(fake_strava: FakeStrava, athlete: FakeAthlete) -> None:
    code = code_from(fake_strava)
    assert exchange(fake_strava, grant_type="authorization_code", code=code).status_code == 200
    again = exchange(fake_strava, grant_type="authorization_code", code=code)
    assert again.status_code == 400
    assert fault_of(again) == ("AuthorizationCode", "code", "invalid")


def test_code_expires_after_ten_minutes(fake_strava: FakeStrava, athlete: FakeAthlete) -> None:
    fresh, stale = code_from(fake_strava), code_from(fake_strava)
    fake_strava.advance(590)
    assert exchange(fake_strava, grant_type="authorization_code", code=fresh).status_code == 200
    fake_strava.advance(20)
    late = exchange(fake_strava, grant_type="authorization_code", code=stale)
    assert late.status_code == 400
    assert fault_of(late) == ("AuthorizationCode", "code", "invalid")


def test_token_parameters_in_query_form_or_json(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    base = {"client_id": FAKE_CLIENT_ID, "client_secret": FAKE_CLIENT_SECRET}
    grant = {"grant_type": "authorization_code"}
    url = f"{fake_strava.base_url}/oauth/token"
    by_query = requests.post(
        url, params={**base, **grant, "code": code_from(fake_strava)}, timeout=TIMEOUT
    )
    by_json = requests.post(
        f"{fake_strava.base_url}/api/v3/oauth/token",
        json={**base, **grant, "client_id": int(FAKE_CLIENT_ID), "code": code_from(fake_strava)},
        timeout=TIMEOUT,
    )
    by_form = requests.post(url, data={**base, **grant, "code": code_from(fake_strava)}, timeout=5)
    assert [r.status_code for r in (by_query, by_json, by_form)] == [200, 200, 200]
    assert len({r.json()["access_token"] for r in (by_query, by_json, by_form)}) == 3


def test_token_endpoint_rejects_unknown_client_and_wrong_secret(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    code = code_from(fake_strava)
    unknown = requests.post(
        f"{fake_strava.base_url}/oauth/token",
        data={"client_id": "1", "client_secret": FAKE_CLIENT_SECRET, "code": code},
        timeout=TIMEOUT,
    )
    assert unknown.status_code == 400
    assert fault_of(unknown) == ("Application", "client_id", "invalid")
    wrong = {"client_id": FAKE_CLIENT_ID, "client_secret": "nope", "code": code}
    wrong["grant_type"] = "authorization_code"
    as_401 = requests.post(f"{fake_strava.base_url}/oauth/token", data=wrong, timeout=TIMEOUT)
    assert as_401.status_code == 401
    assert as_401.json()["message"] == "Authorization Error"
    assert fault_of(as_401)[1] == "client_secret"
    fake_strava.wrong_secret_status = 400
    as_400 = requests.post(f"{fake_strava.base_url}/oauth/token", data=wrong, timeout=TIMEOUT)
    assert as_400.status_code == 400
    assert fault_of(as_400) == ("Application", "client_secret", "invalid")
    # A refused secret does not burn the code.
    assert exchange(fake_strava, grant_type="authorization_code", code=code).status_code == 200


def test_access_token_lives_six_hours(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    fake_strava.advance(21600 - 30)
    assert api(fake_strava, "/athlete", token).status_code == 200
    fake_strava.advance(31)
    expired = api(fake_strava, "/athlete", token)
    assert expired.status_code == 401
    assert expired.json() == AUTH_INVALID


# ----- OAuth: refresh ----------------------------------------------------------------------------


def test_refresh_with_more_than_an_hour_left_returns_the_same_token(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    issued = fake_strava.issue_token(athlete.id)
    fake_strava.advance(600)
    response = refresh(fake_strava, issued["refresh_token"])
    assert response.status_code == 200
    body = response.json()
    assert "athlete" not in body
    assert body["access_token"] == issued["access_token"]
    assert body["refresh_token"] == issued["refresh_token"]
    assert body["expires_at"] == issued["expires_at"]
    assert 21600 - 602 <= body["expires_in"] <= 21600 - 599


def test_refresh_with_an_hour_or_less_left_rotates_both_tokens(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    issued = fake_strava.issue_token(athlete.id)
    fake_strava.advance(21600 - 3600)
    body = refresh(fake_strava, issued["refresh_token"]).json()
    assert body["access_token"] != issued["access_token"]
    assert body["refresh_token"] != issued["refresh_token"]
    assert body["expires_in"] == 21600

    stale = refresh(fake_strava, issued["refresh_token"])
    assert stale.status_code == 400
    assert fault_of(stale) == ("RefreshToken", "refresh_token", "invalid")
    # Both access tokens work until their own expiry.
    assert api(fake_strava, "/athlete", issued["access_token"]).status_code == 200
    assert api(fake_strava, "/athlete", body["access_token"]).status_code == 200
    fake_strava.advance(3601)
    assert api(fake_strava, "/athlete", issued["access_token"]).status_code == 401
    assert api(fake_strava, "/athlete", body["access_token"]).status_code == 200
    assert refresh(fake_strava, body["refresh_token"]).status_code == 200


def test_refresh_after_expiry_issues_a_new_token(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    issued = fake_strava.issue_token(athlete.id, scopes=("activity:read",))
    fake_strava.advance(3 * 86400)
    body = refresh(fake_strava, issued["refresh_token"]).json()
    assert api(fake_strava, "/athlete/activities", body["access_token"]).status_code == 200
    assert refresh(fake_strava, "0" * 40).status_code == 400


# ----- OAuth: deauthorize / revoke ---------------------------------------------------------------


def test_deauthorize_revokes_every_token_of_the_athlete(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    first, second = fake_strava.issue_token(athlete.id), fake_strava.issue_token(athlete.id)
    other = fake_strava.add_athlete(athlete_id=777)
    other_token = fake_strava.issue_token(other.id)["access_token"]
    response = requests.post(
        f"{fake_strava.base_url}/oauth/deauthorize",
        data={"access_token": first["access_token"]},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json() == {"access_token": first["access_token"]}
    for grant in (first, second):
        assert api(fake_strava, "/athlete", grant["access_token"]).json() == AUTH_INVALID
        assert refresh(fake_strava, grant["refresh_token"]).status_code == 400
    assert api(fake_strava, "/athlete", other_token).status_code == 200
    assert fake_strava.deauthorized == [athlete.id]
    again = requests.post(
        f"{fake_strava.base_url}/oauth/deauthorize",
        headers={"Authorization": f"Bearer {first['access_token']}"},
        timeout=TIMEOUT,
    )
    assert again.status_code == 401


def test_deauthorize_accepts_a_bearer_header(fake_strava: FakeStrava, athlete: FakeAthlete) -> None:
    access = fake_strava.issue_token(athlete.id)["access_token"]
    response = requests.post(
        f"{fake_strava.base_url}/oauth/deauthorize",
        headers={"Authorization": f"Bearer {access}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert api(fake_strava, "/athlete", access).status_code == 401


def test_revoke_with_basic_auth_kills_both_tokens(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    grant = fake_strava.issue_token(athlete.id)
    url = f"{fake_strava.base_url}/oauth/revoke"
    refused = requests.post(
        url, auth=(FAKE_CLIENT_ID, "wrong"), data={"token": grant["refresh_token"]}, timeout=5
    )
    assert refused.status_code == 401
    assert api(fake_strava, "/athlete", grant["access_token"]).status_code == 200
    response = requests.post(
        url,
        auth=(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET),
        data={"token": grant["refresh_token"], "token_type_hint": "refresh_token"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json() == {}
    assert api(fake_strava, "/athlete", grant["access_token"]).status_code == 401
    assert refresh(fake_strava, grant["refresh_token"]).status_code == 400
    assert fake_strava.deauthorized == [athlete.id]


# ----- API authentication ------------------------------------------------------------------------


def test_api_accepts_the_bearer_header_only(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    in_query = requests.get(
        f"{fake_strava.api_url}/athlete", params={"access_token": token}, timeout=TIMEOUT
    )
    assert in_query.status_code == 401
    assert in_query.json() == AUTH_INVALID
    missing = api(fake_strava, "/athlete/activities", None)
    assert missing.status_code == 401
    assert missing.json() == AUTH_INVALID
    unknown = api(fake_strava, "/athlete", "f" * 40)
    assert unknown.status_code == 401
    assert api(fake_strava, "/athlete", token).json()["id"] == athlete.id


def test_athlete_is_summary_or_detailed_by_scope(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    summary = api(fake_strava, "/athlete", token).json()
    assert summary["resource_state"] == 2
    assert "measurement_preference" not in summary
    profile = fake_strava.issue_token(athlete.id, scopes=("read", "profile:read_all"))
    detailed = api(fake_strava, "/athlete", profile["access_token"]).json()
    assert detailed["resource_state"] == 3
    assert detailed["measurement_preference"] == "meters"
    assert [b["id"] for b in detailed["bikes"]] == ["b1001"]
    assert [s["id"] for s in detailed["shoes"]] == ["g2001"]
    assert set(detailed["bikes"][0]) == {"id", "primary", "name", "resource_state", "distance"}


# ----- /athlete/activities paging ----------------------------------------------------------------


def visible_sorted(athlete: FakeAthlete, *, read_all: bool = True) -> list[dict[str, Any]]:
    acts = [a for a in athlete.activities if read_all or a["visibility"] != "only_me"]
    return sorted(acts, key=lambda a: a["start_date"], reverse=True)


def test_default_page_is_30_newest_first(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    response = api(fake_strava, "/athlete/activities", token)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    page = response.json()
    assert [a["id"] for a in page] == [a["id"] for a in visible_sorted(athlete)[:30]]
    second = api(fake_strava, "/athlete/activities", token, page=2).json()
    assert [a["id"] for a in second] == [a["id"] for a in visible_sorted(athlete)[30:60]]


def test_per_page_is_capped_at_200_and_pages_end_empty(
    fake_strava: FakeStrava,
) -> None:
    big = fake_strava.add_athlete(activities=make_activities(250, athlete_id=42))
    token = fake_strava.issue_token(big.id)["access_token"]
    first = api(fake_strava, "/athlete/activities", token, per_page=500).json()
    assert len(first) == 200
    second = api(fake_strava, "/athlete/activities", token, per_page=500, page=2).json()
    assert len(second) == 50
    assert api(fake_strava, "/athlete/activities", token, per_page=200, page=3).json() == []
    assert {a["id"] for a in first + second} == {a["id"] for a in big.activities}


def test_after_returns_oldest_first_and_bounds_are_strict(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    newest_first = visible_sorted(athlete)
    pivot = newest_first[10]
    pivot_epoch = epoch(pivot["start_date"])
    after = api(fake_strava, "/athlete/activities", token, after=pivot_epoch).json()
    assert [a["id"] for a in after] == [a["id"] for a in reversed(newest_first[:10])]
    before = api(fake_strava, "/athlete/activities", token, before=pivot_epoch, per_page=5).json()
    assert [a["id"] for a in before] == [a["id"] for a in newest_first[11:16]]
    window_start = epoch(newest_first[20]["start_date"])
    both = api(
        fake_strava, "/athlete/activities", token, after=window_start, before=pivot_epoch
    ).json()
    assert [a["id"] for a in both] == [a["id"] for a in reversed(newest_first[11:20])]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": "1.5"}, "per_page"),
        ({"before": "yesterday"}, "before"),
    ],
)
def test_bad_paging_parameters_are_400(
    fake_strava: FakeStrava, token: str, params: dict[str, Any], field: str
) -> None:
    response = api(fake_strava, "/athlete/activities", token, **params)
    assert response.status_code == 400
    assert fault_of(response)[1] == field


def test_after_in_the_future_is_refused(fake_strava: FakeStrava, token: str) -> None:
    in_ms = int(fake_strava.now() * 1000)
    response = api(fake_strava, "/athlete/activities", token, after=in_ms)
    assert response.status_code == 400
    assert fault_of(response) == ("Application", "after", "future")
    tomorrow = int(fake_strava.now()) + 3600
    assert api(fake_strava, "/athlete/activities", token, after=tomorrow).json() == []


def test_only_me_activities_need_activity_read_all(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    hidden = [a for a in athlete.activities if a["visibility"] == "only_me"]
    assert hidden
    assert all(a["private"] for a in hidden)
    public_token = fake_strava.issue_token(athlete.id, scopes=("read", "activity:read"))
    limited = api(
        fake_strava, "/athlete/activities", public_token["access_token"], per_page=200
    ).json()
    assert [a["id"] for a in limited] == [a["id"] for a in visible_sorted(athlete, read_all=False)]
    full = api(fake_strava, "/athlete/activities", token, per_page=200).json()
    assert len(full) == len(athlete.activities)
    secret = hidden[0]["id"]
    for path in (f"/activities/{secret}", f"/activities/{secret}/streams"):
        response = api(fake_strava, path, public_token["access_token"], keys="time")
        assert response.status_code == 404
        assert response.json()["message"] == "Record Not Found"
    assert api(fake_strava, f"/activities/{secret}", token).status_code == 200


def test_the_activity_list_is_live(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    first = api(fake_strava, "/athlete/activities", token, per_page=1).json()[0]
    athlete.activities[0]["name"] = "Renamed"
    newer = {**first, "id": first["id"] + 1, "name": "Brand new", "visibility": "everyone"}
    newer["start_date"] = "2026-11-01T07:59:59Z"
    athlete.activities.append(newer)
    page = api(fake_strava, "/athlete/activities", token, per_page=2).json()
    assert [a["name"] for a in page] == ["Brand new", "Renamed"]
    # Same length, edited in place or replaced: the server still sees it.
    oldest = min(athlete.activities, key=lambda a: a["start_date"])
    oldest["start_date"] = "2026-11-01T08:00:00Z"
    assert api(fake_strava, "/athlete/activities", token, per_page=1).json()[0] == oldest
    athlete.activities[-1] = {**newer, "id": newer["id"] + 1, "name": "Replacement"}
    page = api(fake_strava, "/athlete/activities", token, per_page=3).json()
    assert [a["name"] for a in page] == [oldest["name"], "Replacement", "Renamed"]


# ----- activity detail, streams, gear, stats -----------------------------------------------------


def test_activity_detail(fake_strava: FakeStrava, athlete: FakeAthlete, token: str) -> None:
    summary = next(a for a in athlete.activities if a["map"]["summary_polyline"])
    detail = api(fake_strava, f"/activities/{summary['id']}", token).json()
    assert detail["resource_state"] == 3
    assert {"description", "calories", "device_name"} <= set(detail)
    assert detail["map"]["polyline"] == summary["map"]["summary_polyline"]
    assert detail["name"] == summary["name"]
    missing = api(fake_strava, "/activities/1", token)
    assert missing.status_code == 404
    assert missing.json() == {
        "message": "Record Not Found",
        "errors": [{"resource": "Activity", "field": "id", "code": "invalid"}],
    }


def test_streams_keyed_by_type(fake_strava: FakeStrava, athlete: FakeAthlete, token: str) -> None:
    ride = next(
        a for a in athlete.activities if a["map"]["summary_polyline"] and a["has_heartrate"]
    )
    keys = "time,latlng,altitude,heartrate,velocity_smooth,moving,grade_smooth"
    streams = api(
        fake_strava, f"/activities/{ride['id']}/streams", token, keys=keys, key_by_type="true"
    ).json()
    assert set(streams) == set(keys.split(",")) | {"distance"}  # distance always comes back
    lengths = {len(s["data"]) for s in streams.values()}
    assert len(lengths) == 1
    assert 2 <= lengths.pop() <= 2000
    for stream in streams.values():
        assert stream["series_type"] == "distance"
        assert stream["resolution"] == "high"
        assert stream["original_size"] == len(stream["data"])
    time_data, distance = streams["time"]["data"], streams["distance"]["data"]
    assert time_data == sorted(time_data)
    assert time_data[0] == 0
    assert distance == sorted(distance)
    assert distance[-1] == pytest.approx(ride["distance"])
    assert streams["latlng"]["data"][0] == pytest.approx(ride["start_latlng"])
    assert all(isinstance(v, bool) for v in streams["moving"]["data"])


def test_streams_omit_what_the_activity_lacks_and_array_form(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    no_hr = next(a for a in athlete.activities if not a["has_heartrate"] and not a["manual"])
    no_watts = next(a for a in athlete.activities if "average_watts" not in a and not a["manual"])
    for activity in (no_hr, no_watts):
        streams = api(
            fake_strava,
            f"/activities/{activity['id']}/streams",
            token,
            keys="time,heartrate,watts",
        ).json()
        assert isinstance(streams, list)
        types = [s["type"] for s in streams]
        assert "heartrate" not in types if activity is no_hr else "watts" not in types
        assert types[0] == "time"
        assert "distance" in types


def test_streams_of_a_manual_activity_are_not_found(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    manual = next(a for a in athlete.activities if a["manual"])
    response = api(
        fake_strava, f"/activities/{manual['id']}/streams", token, keys="time", key_by_type="true"
    )
    assert response.status_code == 404
    assert response.json() == {"message": "Resource Not Found", "errors": []}


def test_gear(fake_strava: FakeStrava, athlete: FakeAthlete, token: str) -> None:
    bike = api(fake_strava, "/gear/b1001", token).json()
    assert bike["id"] == "b1001"
    assert bike["resource_state"] == 3
    assert {"primary", "name", "distance", "brand_name", "model_name", "frame_type"} <= set(bike)
    ridden = sum(a["distance"] for a in athlete.activities if a["gear_id"] == "b1001")
    assert bike["distance"] == pytest.approx(ridden, abs=0.5)
    assert api(fake_strava, "/gear/b999", token).status_code == 404


def test_stats_count_everyone_activities_by_sport(fake_strava: FakeStrava) -> None:
    align_clock(fake_strava, 86400, plus=12 * 3600)  # noon UTC: no activity near the 4-week edge
    now = fake_strava.now()
    acts = make_activities(60, athlete_id=9, end=now)
    athlete = fake_strava.add_athlete(athlete_id=9, activities=acts)
    token = fake_strava.issue_token(athlete.id)["access_token"]
    stats = api(fake_strava, "/athletes/9/stats", token).json()
    public = [a for a in acts if a["visibility"] == "everyone"]
    runs = [a for a in public if a["sport_type"] == "Run"]
    rides = [a for a in public if a["sport_type"] in ("Ride", "GravelRide", "VirtualRide")]
    assert stats["all_run_totals"]["count"] == len(runs)
    assert stats["all_ride_totals"]["distance"] == pytest.approx(sum(a["distance"] for a in rides))
    assert stats["biggest_ride_distance"] == max(a["distance"] for a in rides)
    recent_runs = [a for a in runs if epoch(a["start_date"]) >= now - 28 * 86400]
    assert 0 < len(recent_runs) < len(runs)
    assert stats["recent_run_totals"]["count"] == len(recent_runs)
    assert set(stats["recent_swim_totals"]) == {
        "count", "distance", "moving_time", "elapsed_time", "elevation_gain", "achievement_count"
    }  # fmt: skip
    assert "achievement_count" not in stats["all_swim_totals"]
    assert api(fake_strava, "/athletes/10/stats", token).status_code == 403


# ----- rate limits -------------------------------------------------------------------------------


def test_rate_limit_headers_on_every_api_response(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    align_clock(fake_strava, 86400, plus=60)
    token = fake_strava.issue_token(athlete.id)["access_token"]
    other = fake_strava.add_athlete()
    other_token = fake_strava.issue_token(other.id)["access_token"]
    first = api(fake_strava, "/athlete", token)
    assert first.headers["X-RateLimit-Limit"] == "200,2000"
    assert first.headers["X-ReadRateLimit-Limit"] == "100,1000"
    assert first.headers["X-RateLimit-Usage"] == "1,1"
    assert first.headers["X-ReadRateLimit-Usage"] == "1,1"
    unauthorized = api(fake_strava, "/athlete", None)
    assert unauthorized.headers["X-RateLimit-Usage"] == "2,2"
    # Usage is per application: another athlete's call counts in the same totals.
    assert api(fake_strava, "/athlete", other_token).headers["X-ReadRateLimit-Usage"] == "3,3"
    post = requests.post(
        f"{fake_strava.api_url}/activities",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert post.headers["X-RateLimit-Usage"] == "4,4"
    assert post.headers["X-ReadRateLimit-Usage"] == "3,3"  # only GETs count as reads


def test_429_within_the_window_and_reset_at_the_next_quarter_hour(
    fake_strava: FakeStrava, athlete: FakeAthlete
) -> None:
    align_clock(fake_strava, 86400, plus=60)  # 00:01 UTC: the test stays inside one day
    token = fake_strava.issue_token(athlete.id)["access_token"]
    fake_strava.set_rate_limits(read=(3, 6))
    assert [api(fake_strava, "/athlete", token).status_code for _ in range(3)] == [200] * 3
    refused = api(fake_strava, "/athlete", token)
    assert refused.status_code == 429
    assert refused.json() == {
        "message": "Rate Limit Exceeded",
        "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}],
    }
    assert refused.headers["X-ReadRateLimit-Usage"] == "4,4"  # refused requests still count
    fake_strava.advance(800)  # 00:14:20, same quarter
    assert api(fake_strava, "/athlete", token).status_code == 429
    align_clock(fake_strava, 900)  # 00:15:01
    fresh = api(fake_strava, "/athlete", token)
    assert fresh.status_code == 200
    assert fresh.headers["X-ReadRateLimit-Usage"] == "1,6"
    assert api(fake_strava, "/athlete", token).status_code == 429  # the daily 6 are spent
    align_clock(fake_strava, 86400)
    assert api(fake_strava, "/athlete", token).headers["X-ReadRateLimit-Usage"] == "1,1"
    fake_strava.reset_usage()
    fake_strava.set_rate_limits()
    assert api(fake_strava, "/athlete", token).headers["X-ReadRateLimit-Limit"] == "100,1000"


# ----- scripted failures, latency, recording -----------------------------------------------------


def test_fail_injects_a_fault_on_one_page(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    fake_strava.fail(page=2, status=503, times=2)
    assert api(fake_strava, "/athlete/activities", token, page=1).status_code == 200
    broken = api(fake_strava, "/athlete/activities", token, page=2)
    assert broken.status_code == 503
    assert broken.json() == {"message": "Service Unavailable", "errors": []}
    assert "X-RateLimit-Usage" in broken.headers
    assert api(fake_strava, "/athlete/activities", token, page=2).status_code == 503
    assert api(fake_strava, "/athlete/activities", token, page=2).status_code == 200
    statuses = [r.status for r in fake_strava.requests if r.path.endswith("/activities")]
    assert statuses == [200, 503, 503, 200]


def test_fail_forever_and_on_other_paths(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    fake_strava.fail(status=500, times=None)
    assert {
        api(fake_strava, "/athlete/activities", token, page=p).status_code for p in (1, 2, 9)
    } == {500}
    fake_strava.clear_failures()
    assert api(fake_strava, "/athlete/activities", token).status_code == 200
    fake_strava.fail(status=502, path="/oauth/token")
    assert refresh(fake_strava, "whatever").status_code == 502


def test_malformed_returns_truncated_json(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    fake_strava.malformed(page=1)
    response = api(fake_strava, "/athlete/activities", token)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert len(api(fake_strava, "/athlete/activities", token).json()) == 30


def test_a_bug_in_the_fake_answers_500_and_is_kept(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str, capfd: pytest.CaptureFixture[str]
) -> None:
    athlete.activities.append({"id": 1, "name": "no start_date"})
    response = api(fake_strava, "/athlete/activities", token)
    assert response.status_code == 500
    assert response.json()["message"] == "Fake Strava bug: KeyError"
    assert [type(e) for e in fake_strava.errors] == [KeyError]
    assert "KeyError serving GET /api/v3/athlete/activities" in capfd.readouterr().err


def test_latency_delays_every_response(fake_strava: FakeStrava, token: str) -> None:
    fake_strava.latency = 0.2
    started = time.perf_counter()
    assert api(fake_strava, "/athlete", token).status_code == 200
    assert time.perf_counter() - started >= 0.2


def test_requests_are_recorded_and_tokens_never_logged(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str, capfd: pytest.CaptureFixture[str]
) -> None:
    fake_strava.clear_requests()
    api(fake_strava, "/athlete/activities", token, per_page=5)
    requests.get(f"{fake_strava.api_url}/athlete", params={"access_token": token}, timeout=5)
    recorded = fake_strava.requests
    assert [type(r) for r in recorded] == [RecordedRequest, RecordedRequest]
    first = recorded[0]
    assert (first.method, first.path, first.status) == ("GET", "/api/v3/athlete/activities", 200)
    assert first.query == {"per_page": ["5"]}
    assert first.header("authorization") == f"Bearer {token}"
    assert recorded[1].status == 401
    out, err = capfd.readouterr()
    assert token not in out + err
    fake_strava.clear_requests()
    assert fake_strava.requests == []


def test_stop_closes_the_port() -> None:
    with FakeStrava("1", "s") as server:
        url = server.base_url
        assert requests.get(f"{url}/", timeout=TIMEOUT).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/", timeout=TIMEOUT)


# ----- make_activities and scale -----------------------------------------------------------------


def test_make_activities_shape_and_determinism() -> None:
    acts = make_activities(120, athlete_id=5, seed=3)
    assert acts == make_activities(120, athlete_id=5, seed=3)
    assert acts != make_activities(120, athlete_id=5, seed=4)
    ids = [a["id"] for a in acts]
    assert len(set(ids)) == 120
    assert ids == sorted(ids, reverse=True)
    assert ids[-1] > 12345678900
    starts = [a["start_date"] for a in acts]
    assert starts == sorted(starts, reverse=True)
    assert starts[0] < "2026-11-01T08:00:00Z"
    gps = next(a for a in acts if a["map"]["summary_polyline"] and a["has_heartrate"])
    assert SUMMARY_KEYS - set(gps) <= {"average_cadence"}
    for activity in acts:
        assert activity["resource_state"] == 2
        assert activity["athlete"] == {"id": 5, "resource_state": 1}
        assert activity["start_date_local"].endswith("Z")
        assert isinstance(activity["utc_offset"], float)
        assert activity["map"]["id"] == f"a{activity['id']}"
        if not activity["has_heartrate"]:
            assert "average_heartrate" not in activity
            assert "max_heartrate" not in activity
        if activity["manual"]:
            assert activity["start_latlng"] == []
            assert activity["map"]["summary_polyline"] == ""
            assert activity["upload_id"] is None
            assert activity["external_id"] is None
            assert activity["max_speed"] == 0
            assert not {"elev_high", "elev_low", "average_heartrate"} & set(activity)
    sports = {a["sport_type"] for a in acts}
    assert {"Ride", "GravelRide", "VirtualRide", "Run", "Swim", "WeightTraining", "Walk"} <= sports
    assert all(a["distance"] == 0 for a in acts if a["sport_type"] == "WeightTraining")
    assert all(
        a["trainer"] and a["start_latlng"] == [] for a in acts if a["sport_type"] == "VirtualRide"
    )
    names = {a["name"] for a in acts}
    assert {"Morning Ride 🚴‍♀️", "NA", "None", '=HYPERLINK("http://evil")'} <= names
    assert any("\n" in n for n in names)
    assert any("," in n and '"' in n for n in names)
    assert sum(a["manual"] for a in acts) == 8
    assert any(a["commute"] for a in acts)
    assert {a["gear_id"] for a in acts if a["sport_type"] == "Ride"} == {"b1001"}
    assert {a["gear_id"] for a in acts if a["sport_type"] == "Run"} == {"g2001"}


def test_twenty_thousand_activities_page_through_once(fake_strava: FakeStrava) -> None:
    started = time.perf_counter()
    acts = make_activities(20_000, athlete_id=2)
    assert time.perf_counter() - started < 2.0
    athlete = fake_strava.add_athlete(athlete_id=2, activities=acts)
    fake_strava.set_rate_limits(read=(1000, 10_000), overall=(1000, 10_000))
    token = fake_strava.issue_token(athlete.id)["access_token"]
    seen: list[int] = []
    page = 1
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        while True:
            batch = session.get(
                f"{fake_strava.api_url}/athlete/activities",
                params={"page": page, "per_page": 200},
                timeout=TIMEOUT,
            ).json()
            if not batch:
                break
            seen.extend(a["id"] for a in batch)
            page += 1
    assert page == 101
    assert len(seen) == len(set(seen)) == 20_000
    assert seen == sorted(seen, reverse=True)


def test_only_me_activities_can_be_cut_after_paging_as_strava_does(
    fake_strava: FakeStrava, athlete: FakeAthlete, token: str
) -> None:
    fake_strava.hide_after_paging = True
    public = fake_strava.issue_token(athlete.id, scopes=("read", "activity:read"))
    pages = range(1, 1 + -(-len(athlete.activities) // 30) + 1)
    for page in pages:
        full = api(fake_strava, "/athlete/activities", token, page=page, per_page=30).json()
        limited = api(
            fake_strava, "/athlete/activities", public["access_token"], page=page, per_page=30
        ).json()
        assert limited == [a for a in full if a["visibility"] != "only_me"]
    assert limited == []  # the page after the last is still empty
