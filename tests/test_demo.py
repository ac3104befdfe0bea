"""The demo athlete: deterministic history in the exact Strava API shape."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polyline
import pytest

from strava_dash import demo
from strava_dash.errors import NotFoundError, StravaAPIError

UNTIL = date(2026, 6, 30)
GIRONA = (41.9794, 2.8214)
MADRID = ZoneInfo("Europe/Madrid")

ALWAYS_PRESENT = {
    "id", "resource_state", "external_id", "upload_id", "athlete", "name", "distance",
    "moving_time", "elapsed_time", "total_elevation_gain", "type", "sport_type", "start_date",
    "start_date_local", "timezone", "utc_offset", "location_city", "location_state",
    "location_country", "achievement_count", "kudos_count", "comment_count", "athlete_count",
    "photo_count", "total_photo_count", "map", "trainer", "commute", "manual", "private",
    "flagged", "visibility", "gear_id", "start_latlng", "end_latlng", "average_speed",
    "max_speed", "has_heartrate", "heartrate_opt_out", "display_hide_heartrate_option",
    "has_kudoed", "from_accepted_tag", "pr_count",
}  # fmt: skip
"""Keys §2.1 of docs/strava-api.md lists without a presence condition."""
SENSOR_KEYS = {
    "average_heartrate", "max_heartrate", "suffer_score", "average_cadence", "average_watts",
    "weighted_average_watts", "max_watts", "kilojoules", "device_watts", "elev_high", "elev_low",
}  # fmt: skip
PARENT = {"GravelRide": "Ride", "MountainBikeRide": "Ride", "TrailRun": "Run"}


@pytest.fixture(scope="module")
def acts() -> list[dict[str, Any]]:
    return demo.demo_activities(until=UNTIL)


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111.13
    dx = (a[1] - b[1]) * 111.32 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def path_km(points: list[tuple[float, float]]) -> float:
    return sum(km_between(p, q) for p, q in itertools.pairwise(points))


def local_day(a: dict[str, Any]) -> date:
    return date.fromisoformat(a["start_date_local"][:10])


def parse_z(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


# --- determinism -------------------------------------------------------------------------


def test_same_until_gives_identical_history_even_without_the_cache() -> None:
    first = demo.demo_activities(until=UNTIL)
    demo._history.cache_clear()
    assert demo.demo_activities(until=UNTIL) == first


def test_fixed_until_gives_known_first_and_last_ids(acts: list[dict[str, Any]]) -> None:
    # Golden values: if these change, every demo user's history changed.
    assert (acts[0]["id"], acts[-1]["id"], len(acts)) == (16_450_902_657, 12_727_939_170, 1838)


def test_moving_until_by_a_day_leaves_earlier_days_unchanged() -> None:
    today = demo.demo_activities(until=UNTIL)
    tomorrow = demo.demo_activities(until=UNTIL + timedelta(days=1))
    first_day = min(local_day(a) for a in today)
    kept = [a for a in today if local_day(a) > first_day]
    assert [a for a in tomorrow if local_day(a) <= UNTIL] == kept


def test_returned_activities_are_copies(acts: list[dict[str, Any]]) -> None:
    mine = demo.demo_activities(until=UNTIL)
    mine[0]["name"] = "edited"
    mine[0]["map"]["summary_polyline"] = ""
    again = demo.demo_activities(until=UNTIL)
    assert again[0]["name"] != "edited"
    assert again[0]["map"] == acts[0]["map"]


def test_default_until_is_today_and_leaves_out_what_has_not_finished() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    latest = demo.demo_activities()
    assert local_day(latest[0]) >= (now - timedelta(days=7)).date()
    for a in latest[:5]:
        assert parse_z(a["start_date"]) + timedelta(seconds=a["elapsed_time"]) <= now


# --- volume and ordering -------------------------------------------------------------------


def test_history_is_long_enough(acts: list[dict[str, Any]]) -> None:
    days = [local_day(a) for a in acts]
    assert len(acts) >= 1500
    assert (max(days) - min(days)).days >= 5 * 365
    assert max(days) == UNTIL


def test_ids_are_unique_large_and_newest_first(acts: list[dict[str, Any]]) -> None:
    ids = [a["id"] for a in acts]
    assert len(set(ids)) == len(ids)
    assert all(10**9 < i < 2**63 for i in ids)
    starts = [a["start_date"] for a in acts]
    assert starts == sorted(starts, reverse=True)
    assert ids == sorted(ids, reverse=True)  # like Strava's, ids grow with time


def test_every_sport_of_the_athlete_appears(acts: list[dict[str, Any]]) -> None:
    sports = Counter(a["sport_type"] for a in acts)
    for sport in (
        "Ride", "GravelRide", "MountainBikeRide", "VirtualRide", "Run", "TrailRun", "Swim",
        "Walk", "Hike", "WeightTraining", "Yoga", "Kayaking", "EBikeRide",
    ):  # fmt: skip
        assert sports[sport] > 0, sport
    assert sports["AlpineSki"] + sports["NordicSki"] > 0
    assert sports["Ride"] + sports["VirtualRide"] > sports["Run"]


def test_activities_are_json_serialisable(acts: list[dict[str, Any]]) -> None:
    assert json.loads(json.dumps(acts)) == acts


# --- API shape -----------------------------------------------------------------------------


def test_always_present_keys(acts: list[dict[str, Any]]) -> None:
    for a in acts:
        missing = ALWAYS_PRESENT - a.keys()
        assert not missing, (a["id"], missing)
        assert a["resource_state"] == 2
        assert a["athlete"] == {"id": demo.DEMO_ATHLETE_ID, "resource_state": 1}
        assert a["map"]["id"] == f"a{a['id']}"
        assert a["map"]["resource_state"] == 2


def test_type_is_the_legacy_parent_of_sport_type(acts: list[dict[str, Any]]) -> None:
    for a in acts:
        assert a["type"] == PARENT.get(a["sport_type"], a["sport_type"])


def test_manual_activities_have_no_sensor_keys_and_no_gps(acts: list[dict[str, Any]]) -> None:
    manual = [a for a in acts if a["manual"]]
    runs_rides = [a for a in acts if a["type"] in ("Run", "Ride") and not a["commute"]]
    share = sum(a["manual"] for a in runs_rides) / len(runs_rides)
    assert 1 / 80 < share < 1 / 20  # about every 40th
    assert any(a["sport_type"] == "WeightTraining" for a in manual)
    for a in manual:
        assert not SENSOR_KEYS & a.keys(), a["id"]
        assert "upload_id_str" not in a
        assert (a["upload_id"], a["external_id"]) == (None, None)
        assert a["map"]["summary_polyline"] == ""
        assert a["start_latlng"] == a["end_latlng"] == []
        assert a["max_speed"] == 0
        assert a["has_heartrate"] is False
        assert a["moving_time"] == a["elapsed_time"]
        if a["moving_time"]:
            assert a["average_speed"] == pytest.approx(a["distance"] / a["moving_time"], abs=1e-3)


def test_heart_rate_keys_only_with_heart_rate(acts: list[dict[str, Any]]) -> None:
    for a in acts:
        hr_keys = {"average_heartrate", "max_heartrate", "suffer_score"} & a.keys()
        if a["has_heartrate"]:
            assert hr_keys == {"average_heartrate", "max_heartrate", "suffer_score"}
            assert a["average_heartrate"] < a["max_heartrate"] <= 200
        else:
            assert not hr_keys
    outdoor = [a for a in acts if a["map"]["summary_polyline"] and local_day(a).year >= 2023]
    assert sum(a["has_heartrate"] for a in outdoor) / len(outdoor) > 0.85
    assert not any(a["has_heartrate"] for a in acts if local_day(a) < date(2021, 1, 1))


def test_power_keys(acts: list[dict[str, Any]]) -> None:
    for a in acts:
        if a["manual"] or a["type"] not in ("Ride", "VirtualRide"):
            assert "average_watts" not in a
            continue
        assert a["average_watts"] > 0
        assert a["kilojoules"] == pytest.approx(a["average_watts"] * a["moving_time"] / 1000, 0.01)
        measured = {"max_watts", "weighted_average_watts"} <= a.keys()
        assert a["device_watts"] is measured
        if a["sport_type"] == "VirtualRide":
            assert a["device_watts"] is True
    late_road = [
        a
        for a in acts
        if a["sport_type"] == "Ride" and not (a["commute"] or a["manual"])
        if local_day(a) >= date(2023, 1, 1)
    ]
    assert all(a["device_watts"] for a in late_road)


def test_indoor_activities_have_no_gps(acts: list[dict[str, Any]]) -> None:
    for a in acts:
        if a["sport_type"] in ("VirtualRide", "Swim", "WeightTraining", "Yoga"):
            assert a["map"]["summary_polyline"] == ""
            assert a["start_latlng"] == []
            assert a["trainer"] is (a["sport_type"] == "VirtualRide")
        if a["sport_type"] in ("WeightTraining", "Yoga"):
            assert a["distance"] == 0.0
        if a["sport_type"] == "VirtualRide":
            assert a["name"].startswith("Zwift - ")
            assert a["external_id"].startswith("zwift-activity-")
        elif not a["manual"]:
            assert a["external_id"].startswith("garmin_ping_")
            assert a["upload_id_str"] == str(a["upload_id"])


def test_gear(acts: list[dict[str, Any]]) -> None:
    gear = demo.demo_gear(until=UNTIL)
    for a in acts:
        if a["type"] in ("Ride", "VirtualRide", "Run") and a["sport_type"] != "EBikeRide":
            assert a["gear_id"] in gear, a["id"]
            assert a["gear_id"][0] == ("g" if a["type"] == "Run" else "b")
        elif a["sport_type"] != "EBikeRide":
            assert a["gear_id"] is None
    commuter = {a["gear_id"] for a in acts if a["commute"] and a["sport_type"] == "Ride"}
    assert len(commuter) == 1
    for gear_id, g in gear.items():
        used = sum(a["distance"] for a in acts if a["gear_id"] == gear_id)
        assert g["distance"] == pytest.approx(used, abs=1.0)
        assert g["resource_state"] == 3
        assert g["id"] == gear_id
    assert any(g["retired"] for g in gear.values() if g["id"].startswith("b"))
    assert any(g["retired"] for g in gear.values() if g["id"].startswith("g"))


def test_visibility_and_private_flags(acts: list[dict[str, Any]]) -> None:
    seen = Counter(a["visibility"] for a in acts)
    assert seen.keys() == {"everyone", "followers_only", "only_me"}
    assert seen["only_me"] < seen["followers_only"] < seen["everyone"]
    for a in acts:
        assert a["private"] is (a["visibility"] == "only_me")


def test_races_and_workout_types(acts: list[dict[str, Any]]) -> None:
    allowed = {"Run": {None, 0, 1, 2, 3}, "Ride": {None, 10, 11, 12}, "VirtualRide": {None, 10, 12}}
    for a in acts:
        assert a["workout_type"] in allowed.get(a["type"], {None}), a["id"]
    marathons = [a for a in acts if a["workout_type"] == 1 and a["distance"] > 42_000]
    assert marathons, "a spring marathon is in the window"
    assert all(local_day(a).month == 3 for a in marathons)
    assert any(a["workout_type"] == 2 for a in acts)


# --- time ----------------------------------------------------------------------------------


def test_timestamps_and_utc_offset_follow_madrid_dst(acts: list[dict[str, Any]]) -> None:
    offsets = set()
    for a in acts:
        start, local = parse_z(a["start_date"]), parse_z(a["start_date_local"])
        expected = start.replace(tzinfo=UTC).astimezone(MADRID).utcoffset()
        assert expected is not None
        assert a["utc_offset"] == expected.total_seconds()
        assert isinstance(a["utc_offset"], float)
        assert (local - start).total_seconds() == a["utc_offset"]
        assert a["timezone"] == "(GMT+01:00) Europe/Madrid"
        offsets.add(a["utc_offset"])
    assert offsets == {3600.0, 7200.0}


def test_start_hours_are_realistic(acts: list[dict[str, Any]]) -> None:
    weekday_hours: Counter[int] = Counter()
    weekend_hours: Counter[int] = Counter()
    for a in acts:
        hours = weekday_hours if local_day(a).weekday() < 5 else weekend_hours
        hours[parse_z(a["start_date_local"]).hour] += 1
    assert all(5 <= h <= 21 for h in weekday_hours | weekend_hours)
    assert weekday_hours[18] + weekday_hours[19] > weekday_hours[10] + weekday_hours[11]
    assert weekend_hours[8] + weekend_hours[9] > weekend_hours[6] + weekend_hours[7]


def test_commutes_are_weekday_rides(acts: list[dict[str, Any]]) -> None:
    commutes = [a for a in acts if a["commute"]]
    assert len(commutes) > 100
    for a in commutes:
        assert a["type"] in ("Ride", "EBikeRide")
        assert local_day(a).weekday() < 5
        assert a["distance"] < 12_000


# --- routes and physics --------------------------------------------------------------------


def test_polylines_stay_around_girona(acts: list[dict[str, Any]]) -> None:
    gps = [a for a in acts if a["map"]["summary_polyline"]]
    assert len(gps) > 0.6 * len(acts)
    near_home = 0
    for a in gps:
        points = polyline.decode(a["map"]["summary_polyline"], 5)
        assert 50 <= len(points) <= 300
        assert all(km_between(p, GIRONA) < 120 for p in points), a["id"]
        assert a["start_latlng"] == pytest.approx(list(points[0]), abs=0.006)
        assert a["end_latlng"] == pytest.approx(list(points[-1]), abs=0.006)
        near_home += km_between(points[0], GIRONA) < 10
    assert near_home > 0.85 * len(gps)


def test_distance_matches_the_polyline(acts: list[dict[str, Any]]) -> None:
    for a in acts:
        if a["map"]["summary_polyline"]:
            km = path_km(polyline.decode(a["map"]["summary_polyline"], 5))
            assert a["distance"] / 1000 == pytest.approx(km, rel=0.1), a["id"]


def test_speeds_are_sport_plausible(acts: list[dict[str, Any]]) -> None:
    kmh: dict[str, list[float]] = {}
    for a in acts:
        if a["manual"] or not a["distance"] or a["commute"]:
            continue
        assert a["moving_time"] <= a["elapsed_time"]
        assert a["max_speed"] > a["average_speed"]
        assert a["average_speed"] == pytest.approx(a["distance"] / a["moving_time"], abs=1e-3)
        if "elev_high" in a and a["map"]["summary_polyline"]:
            assert a["elev_low"] < a["elev_high"]
            assert a["total_elevation_gain"] >= 0.0
        kmh.setdefault(a["sport_type"], []).append(a["average_speed"] * 3.6)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    assert 26 <= median(kmh["Ride"]) <= 32
    assert 19 <= median(kmh["GravelRide"]) <= 25
    assert 13 <= median(kmh["MountainBikeRide"]) <= 19
    assert 60 / 6.0 <= median(kmh["Run"]) <= 60 / 4.5  # 4:30-6:00 per km
    assert 2.5 <= median(kmh["Swim"]) <= 3.3  # about 2:00 per 100 m


def test_summer_has_more_riding_outdoors_and_winter_more_zwift(
    acts: list[dict[str, Any]],
) -> None:
    def ride_km(month: int, *, indoor: bool) -> float:
        return sum(
            a["distance"] / 1000
            for a in acts
            if a["type"] in ("Ride", "VirtualRide")
            and a["trainer"] is indoor
            and local_day(a).month == month
        )

    assert ride_km(7, indoor=False) > 2 * ride_km(1, indoor=False)
    assert ride_km(1, indoor=True) > ride_km(7, indoor=True)


def test_names_are_varied_and_human(acts: list[dict[str, Any]]) -> None:
    names = {a["name"] for a in acts}
    assert len(names) > 100
    assert "Morning Ride" in names
    assert any(n.startswith("Swim ") and n.endswith(" km") for n in names)
    assert any('"' in n for n in names)
    assert any("," in n for n in names)
    assert any(any(c in n for c in "àèéíòóúïç") for n in names)
    assert any(any(ord(c) > 0x2000 for c in n) for n in names)  # an emoji or two


# --- streams -------------------------------------------------------------------------------


def _first(acts: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    return next(a for a in acts if all(a.get(k) == v for k, v in match.items()))


def test_streams_have_equal_lengths_and_match_the_summary(acts: list[dict[str, Any]]) -> None:
    checked: Counter[str] = Counter()
    for a in acts[:400]:
        if a["manual"]:
            continue
        s = demo.demo_streams(a)
        lengths = {len(v["data"]) for v in s.values()}
        assert len(lengths) == 1
        n = lengths.pop()
        assert 2 <= n <= 2000
        for v in s.values():
            assert v["original_size"] == n
            assert v["resolution"] == "high"
        assert s["time"]["data"][-1] == a["elapsed_time"]
        assert ("heartrate" in s) is a["has_heartrate"]
        assert ("latlng" in s) is bool(a["map"]["summary_polyline"])
        assert ("watts" in s) is bool(a.get("device_watts"))
        if a["distance"]:
            assert s["distance"]["data"][-1] == pytest.approx(a["distance"], rel=0.01)
        if "latlng" in s:
            start = polyline.decode(a["map"]["summary_polyline"], 5)[0]
            assert km_between(tuple(s["latlng"]["data"][0]), start) < 0.05
            assert s["altitude"]["data"]
            assert "grade_smooth" in s
        if "heartrate" in s:
            hr = s["heartrate"]["data"]
            assert max(hr) == a["max_heartrate"]
            assert sum(hr) / n == pytest.approx(a["average_heartrate"], abs=3)
        if "watts" in s:
            watts = s["watts"]["data"]
            assert max(watts) == a["max_watts"]
            assert sum(watts) / n == pytest.approx(a["average_watts"], abs=3)
        checked[a["sport_type"]] += 1
    assert checked["Ride"]
    assert checked["Run"]
    assert checked["VirtualRide"]


def test_streams_are_deterministic_and_keep_only_requested_keys(
    acts: list[dict[str, Any]],
) -> None:
    ride = _first(acts, sport_type="Ride", manual=False, commute=False, device_watts=True)
    first = demo.demo_streams(ride)
    # Per id, not per call or per object: a copy of the activity and another interpreter
    # (another hash seed) give the same samples, and the result is never shared.
    again = demo.demo_streams(copy.deepcopy(ride))
    assert again == first
    assert again is not first
    assert again["time"]["data"] is not first["time"]["data"]
    assert streams_digest_in_fresh_process(ride["id"]) == digest(first)
    s = demo.demo_streams(ride, ["watts", "distance", "nonsense"])
    assert list(s) == ["watts", "distance"]
    assert s["watts"]["series_type"] == "distance"
    assert max(s["watts"]["data"]) == ride["max_watts"]


def test_streams_omit_what_the_activity_lacks(acts: list[dict[str, Any]]) -> None:
    swim = _first(acts, sport_type="Swim", manual=False)
    assert set(demo.demo_streams(swim)) == {"time", "distance", "velocity_smooth", "moving"}
    gym = next(a for a in acts if a["sport_type"] == "Yoga" and not a["manual"])
    assert set(demo.demo_streams(gym)) <= {"time", "moving", "heartrate"}


def test_streams_of_a_manual_activity_are_not_found(acts: list[dict[str, Any]]) -> None:
    manual = _first(acts, manual=True)
    with pytest.raises(NotFoundError, match="Resource Not Found") as caught:
        demo.demo_streams(manual)
    assert isinstance(caught.value, StravaAPIError)
    assert caught.value.status == 404


# --- athlete and stats ---------------------------------------------------------------------


def test_athlete_is_a_detailed_athlete() -> None:
    athlete = demo.demo_athlete(until=UNTIL)
    assert athlete["id"] == demo.DEMO_ATHLETE_ID
    assert athlete["resource_state"] == 3
    assert athlete["measurement_preference"] == "meters"
    assert athlete["city"] == "Girona"
    for key in ("profile", "profile_medium"):
        assert athlete[key].startswith("data:image/svg+xml;base64,")
    assert athlete["bikes"]
    assert athlete["shoes"]
    for g in athlete["bikes"] + athlete["shoes"]:
        assert {"id", "primary", "name", "resource_state", "distance"} <= g.keys()
        assert g["resource_state"] == 2
    assert sum(g["primary"] for g in athlete["bikes"]) == 1
    first = demo.demo_activities(until=UNTIL)[-1]
    assert parse_z(athlete["created_at"]) < parse_z(first["start_date"])


def test_stats_count_only_public_activities(acts: list[dict[str, Any]]) -> None:
    stats = demo.demo_stats(until=UNTIL)
    public = [a for a in acts if a["visibility"] == "everyone"]
    rides = [a for a in public if a["type"] in ("Ride", "VirtualRide")]
    runs = [a for a in public if a["type"] == "Run"]
    assert stats["all_ride_totals"]["count"] == len(rides)
    assert stats["all_run_totals"]["count"] == len(runs)
    assert stats["all_swim_totals"]["count"] == sum(a["type"] == "Swim" for a in public)
    assert stats["all_ride_totals"]["distance"] == pytest.approx(sum(a["distance"] for a in rides))
    assert stats["all_run_totals"]["moving_time"] == sum(a["moving_time"] for a in runs)
    assert stats["biggest_ride_distance"] == max(a["distance"] for a in rides)
    ytd = [a for a in runs if a["start_date_local"].startswith(str(UNTIL.year))]
    assert stats["ytd_run_totals"]["count"] == len(ytd)
    end = datetime.combine(UNTIL + timedelta(days=1), datetime.min.time())
    recent = [a for a in rides if parse_z(a["start_date"]) >= end - timedelta(days=28)]
    assert stats["recent_ride_totals"]["count"] == len(recent) > 0
    assert "achievement_count" in stats["recent_ride_totals"]
    assert "achievement_count" not in stats["all_ride_totals"]
    assert len(public) < len(acts)


# --- performance ---------------------------------------------------------------------------


def test_whole_history_builds_in_under_a_second_and_a_half() -> None:
    demo._history.cache_clear()
    # CPU time, so that other processes on a busy test machine do not count against it.
    started = time.process_time()
    built = demo.demo_activities(until=UNTIL + timedelta(days=3))
    elapsed = time.process_time() - started
    assert len(built) >= 1500
    assert elapsed < 1.5


def digest(streams: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(streams, sort_keys=True).encode()).hexdigest()


def streams_digest_in_fresh_process(activity_id: int) -> str:
    code = (
        "import hashlib, json; from strava_dash import demo; from tests.test_demo import UNTIL; "
        "acts = demo.demo_activities(until=UNTIL); "
        f"a = next(a for a in acts if a['id'] == {activity_id}); "
        "print(hashlib.sha256(json.dumps(demo.demo_streams(a), sort_keys=True).encode())"
        ".hexdigest())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    return done.stdout.strip()
