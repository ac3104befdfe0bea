"""``/api/v3`` resources of the fake (strava-api.md §2, §3), after the rate limiter ran.

Authentication is by ``Authorization: Bearer`` only: an ``access_token`` query parameter
is ignored, as Strava will do from 2027-06-01.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_strava import listing, representations, streams
from tests.fake_strava.messages import (
    Request,
    Response,
    auth_invalid,
    bad_request,
    fault,
    json_response,
    record_not_found,
    resource_not_found,
    scope_missing,
)
from tests.fake_strava.models import ACTIVITY_READ_SCOPES, AccessToken, FakeAthlete
from tests.fake_strava.oauth import bearer
from tests.fake_strava.state import StravaState

PREFIX = "/api/v3"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 200
FUTURE_SLACK = 86_400  # s: an `after` further ahead than this is refused as "future"

STATS = re.compile(r"/athletes/(\d+)/stats")
ACTIVITY = re.compile(r"/activities/(-?\d+)")
STREAMS = re.compile(r"/activities/(-?\d+)/streams")
GEAR = re.compile(r"/gear/([^/]+)")


def handle(state: StravaState, req: Request) -> Response:
    """Serve one ``/api/v3`` request (rate limits and injections already applied)."""
    access = state.access_token(bearer(req))
    if access is None:
        return auth_invalid()
    try:
        athlete = state.athlete(access.athlete_id)
    except KeyError:
        return auth_invalid()
    path = req.path.removeprefix(PREFIX).rstrip("/")
    if req.method != "GET":
        return resource_not_found()
    if path == "/athlete":
        return _athlete(state, athlete, access)
    if path == "/athlete/activities":
        return _list_activities(state, req, athlete, access)
    if match := STATS.fullmatch(path):
        return _stats(state, athlete, int(match.group(1)))
    if match := STREAMS.fullmatch(path):
        return _streams(req, athlete, access, int(match.group(1)))
    if match := ACTIVITY.fullmatch(path):
        return _activity(athlete, access, int(match.group(1)))
    if match := GEAR.fullmatch(path):
        gear = athlete.gear.get(match.group(1))
        return json_response(gear) if gear else record_not_found("Gear")
    return resource_not_found()


def _visible(activity: dict[str, Any], access: AccessToken) -> bool:
    return "activity:read_all" in access.scopes or not listing.is_only_me(activity)


def _athlete(state: StravaState, athlete: FakeAthlete, access: AccessToken) -> Response:
    origin = state.origin
    if "profile:read_all" in access.scopes:
        return json_response(representations.athlete_detailed(athlete, origin))
    return json_response(representations.athlete_summary(athlete, origin))


def _stats(state: StravaState, athlete: FakeAthlete, athlete_id: int) -> Response:
    if athlete_id != athlete.id:
        return fault(403, "Forbidden", ("Athlete", "id", "invalid"))
    return json_response(representations.activity_stats(athlete, state.now()))


def _int_arg(req: Request, name: str) -> int | Response | None:
    """The integer query parameter ``name``, None when absent, a 400 Fault when malformed."""
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        return bad_request("Application", name)


def _list_activities(
    state: StravaState, req: Request, athlete: FakeAthlete, access: AccessToken
) -> Response:
    if not access.scopes & ACTIVITY_READ_SCOPES:
        return scope_missing()
    values: dict[str, int | None] = {}
    for name in ("page", "per_page", "before", "after"):
        value = _int_arg(req, name)
        if isinstance(value, Response):
            return value
        values[name] = value
    page = 1 if values["page"] is None else values["page"]
    per_page = DEFAULT_PER_PAGE if values["per_page"] is None else values["per_page"]
    before, after = values["before"], values["after"]
    if page < 1:
        return bad_request("Application", "page")
    if per_page < 1:
        return bad_request("Application", "per_page")
    per_page = min(per_page, MAX_PER_PAGE)
    if after is not None and after > state.now() + FUTURE_SLACK:
        return bad_request("Application", "after", "future")

    activities = listing.page_of(
        athlete,
        read_all="activity:read_all" in access.scopes,
        hide_after_paging=state.hide_after_paging,
        before=before,
        after=after,
        page=page,
        per_page=per_page,
    )
    return json_response(activities)


def _owned_visible(
    athlete: FakeAthlete, access: AccessToken, activity_id: int
) -> dict[str, Any] | Response:
    if not access.scopes & ACTIVITY_READ_SCOPES:
        return scope_missing()
    activity = athlete.find_activity(activity_id)
    if activity is None or not _visible(activity, access):
        return record_not_found()
    return activity


def _activity(athlete: FakeAthlete, access: AccessToken, activity_id: int) -> Response:
    activity = _owned_visible(athlete, access, activity_id)
    if isinstance(activity, Response):
        return activity
    return json_response(representations.detailed_activity(activity, athlete))


def _streams(req: Request, athlete: FakeAthlete, access: AccessToken, activity_id: int) -> Response:
    activity = _owned_visible(athlete, access, activity_id)
    if isinstance(activity, Response):
        return activity
    keys = [k.strip() for k in (req.arg("keys") or "").split(",") if k.strip()]
    if not keys:
        return bad_request("Application", "keys")
    if activity.get("manual"):
        return resource_not_found()
    resolution = req.arg("resolution")
    series_type = req.arg("series_type") or "distance"
    pairs = streams.build(activity, keys, resolution=resolution)
    original_size = streams.point_count(activity)

    def stream(data: list[Any]) -> dict[str, Any]:
        return {
            "data": data,
            "series_type": series_type,
            "original_size": original_size,
            "resolution": resolution or "high",
        }

    if (req.arg("key_by_type") or "").lower() == "true":
        return json_response({kind: stream(data) for kind, data in pairs})
    return json_response([{"type": kind, **stream(data)} for kind, data in pairs])
