from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from strava_dash.activities import (
    API_FIELDS,
    FOOT_SPORTS,
    SCHEMA,
    SPORT_GROUP_NAMES,
    SPORT_GROUPS,
    empty_frame,
    to_frame,
)
from strava_dash.errors import DataError

SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"

# The example of strava-api.md §2.2 (a real-shaped SummaryActivity).
RUN: dict[str, Any] = {
    "resource_state": 2,
    "athlete": {"id": 134815, "resource_state": 1},
    "name": "Morning Run",
    "distance": 10234.6,
    "moving_time": 3012,
    "elapsed_time": 3120,
    "total_elevation_gain": 84.0,
    "type": "Run",
    "sport_type": "Run",
    "workout_type": 0,
    "id": 12345678901,
    "start_date": "2024-05-04T06:12:09Z",
    "start_date_local": "2024-05-04T08:12:09Z",
    "timezone": "(GMT+01:00) Europe/Paris",
    "utc_offset": 7200.0,
    "location_city": None,
    "location_state": None,
    "location_country": "France",
    "achievement_count": 3,
    "kudos_count": 7,
    "comment_count": 1,
    "athlete_count": 1,
    "photo_count": 0,
    "map": {
        "id": "a12345678901",
        "summary_polyline": "ki{eFvqfiVsBmA`Feh@qg@iX",
        "resource_state": 2,
    },
    "trainer": False,
    "commute": False,
    "manual": False,
    "private": False,
    "visibility": "everyone",
    "flagged": False,
    "gear_id": "g1234567",
    "start_latlng": [48.85, 2.35],
    "end_latlng": [48.86, 2.34],
    "average_speed": 3.398,
    "max_speed": 5.1,
    "average_cadence": 84.2,
    "has_heartrate": True,
    "average_heartrate": 148.3,
    "max_heartrate": 171.0,
    "heartrate_opt_out": False,
    "display_hide_heartrate_option": True,
    "elev_high": 61.2,
    "elev_low": 32.0,
    "upload_id": 13012345678,
    "upload_id_str": "13012345678",
    "external_id": "garmin_ping_301234567890",
    "from_accepted_tag": False,
    "pr_count": 1,
    "total_photo_count": 0,
    "has_kudoed": False,
    "suffer_score": 42.0,
}

# tests/resources/activity-manual.3.json of stravalib (strava-samples/): a real manual
# activity — null polyline but a non-empty start_latlng, no sport_type, no elev/HR keys.
MANUAL: dict[str, Any] = {
    "achievement_count": 0,
    "athlete": {"id": 1513, "resource_state": 1},
    "athlete_count": 1,
    "average_speed": 0.5821912144702842,
    "calories": 2084.438266172827,
    "comment_count": 0,
    "commute": False,
    "distance": 22530.8,
    "elapsed_time": 38700,
    "end_latlng": None,
    "external_id": None,
    "flagged": False,
    "gear_id": "g69911",
    "guid": "7143b325a3e3d6b8f7fc207952a1d03a023b4b9d",
    "has_kudoed": False,
    "id": 96089609,
    "kudos_count": 0,
    "location_city": "El Dorado County, CA, USA",
    "location_state": "CA",
    "manual": True,
    "map": {"id": "a96089609", "polyline": None, "resource_state": 3, "summary_polyline": None},
    "max_speed": 0.0,
    "moving_time": 38700,
    "name": "Mt. Tallac Summit Sunday",
    "photo_count": 0,
    "total_photo_count": 0,
    "private": False,
    "resource_state": 3,
    "segment_efforts": [],
    "start_date": "2013-11-17T16:00:00Z",
    "start_date_local": "2013-11-17T08:00:00Z",
    "start_latitude": 38.74263759999999,
    "start_latlng": [38.74263759999999, -120.4357631],
    "start_longitude": -120.4357631,
    "timezone": "(GMT-08:00) America/Los_Angeles",
    "total_elevation_gain": 0,
    "trainer": False,
    "type": "Hike",
    "upload_id": None,
}


def run(**changes: Any) -> dict[str, Any]:
    """A copy of RUN with ``changes``; a value of ``...`` removes the key."""
    record = copy.deepcopy(RUN)
    for key, value in changes.items():
        if value is ...:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def typed(data: dict[str, list[Any]], dtypes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(v, dtype=dtypes[c]) for c, v in data.items()})


def schema_dtypes(df: pd.DataFrame) -> dict[str, str]:
    return {c: str(df[c].dtype) for c in SCHEMA}


EXPECTED_DTYPES = {c: spec.dtype for c, spec in SCHEMA.items()}


# ------------------------------------------------------------------------- schema


def test_every_schema_column_has_its_dtype() -> None:
    df = to_frame([RUN, MANUAL, run(id=1, has_heartrate=False, average_heartrate=...)])
    assert list(df.columns[: len(SCHEMA)]) == list(SCHEMA)
    assert schema_dtypes(df) == EXPECTED_DTYPES


def test_empty_input_gives_the_full_schema() -> None:
    df = to_frame([])
    assert df.empty
    assert list(df.columns) == list(SCHEMA)
    assert schema_dtypes(df) == EXPECTED_DTYPES
    assert_frame_equal(df, empty_frame())
    assert_frame_equal(to_frame(iter(())), empty_frame())


def test_schema_doc_lists_exactly_the_schema() -> None:
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", SCHEMA_DOC.read_text(), flags=re.M)
    assert rows == [(c, spec.dtype) for c, spec in SCHEMA.items()]


def test_schema_entries_are_complete() -> None:
    assert all(spec.meaning for spec in SCHEMA.values())
    assert set(API_FIELDS) <= set(SCHEMA)


# ---------------------------------------------------------------- the API example


def test_api_example_values() -> None:
    df = to_frame([RUN])
    columns = ["id", "name", "start_date", "start_date_local", "athlete_id", "map_id"]
    columns += ["map_summary_polyline", "start_lat", "start_lng", "end_lat", "end_lng"]
    columns += ["workout_type", "utc_offset", "has_gps", "is_foot", "sport_group", "strava_url"]
    expected = typed(
        {
            "id": [12345678901],
            "name": ["Morning Run"],
            "start_date": [pd.Timestamp("2024-05-04 06:12:09", tz="UTC")],
            "start_date_local": [pd.Timestamp("2024-05-04 08:12:09")],
            "athlete_id": [134815],
            "map_id": ["a12345678901"],
            "map_summary_polyline": ["ki{eFvqfiVsBmA`Feh@qg@iX"],
            "start_lat": [48.85],
            "start_lng": [2.35],
            "end_lat": [48.86],
            "end_lng": [2.34],
            "workout_type": [0],
            "utc_offset": [7200.0],
            "has_gps": [True],
            "is_foot": [True],
            "sport_group": ["Run"],
            "strava_url": ["https://www.strava.com/activities/12345678901"],
        },
        EXPECTED_DTYPES,
    )
    assert_frame_equal(df[columns], expected)


def test_start_date_local_keeps_the_wall_clock() -> None:
    df = to_frame([RUN])
    local = df.loc[0, "start_date_local"]
    assert local.tzinfo is None
    assert (local.hour, local.minute) == (8, 12)  # not shifted by the bogus "Z"
    assert df.loc[0, "start_date"] == pd.Timestamp("2024-05-04T06:12:09Z")
    assert df.loc[0, "hour"] == 8


def test_offset_variants_of_start_date_local_are_all_wall_clock() -> None:
    records = [
        run(id=1, start_date_local="2024-05-04T08:12:09Z"),
        run(id=2, start_date_local="2024-05-04T08:12:09+02:00"),
        run(id=3, start_date_local="2024-05-04T08:12:09"),
    ]
    df = to_frame(records)
    assert (df["start_date_local"] == pd.Timestamp("2024-05-04 08:12:09")).all()


# ------------------------------------------------------------ presence variations


def test_manual_activity_sample() -> None:
    df = to_frame([MANUAL])
    row = df.iloc[0]
    assert bool(row["manual"]) is True
    for column in ("elev_high", "elev_low", "average_heartrate", "average_cadence", "utc_offset"):
        assert pd.isna(row[column]), column
    assert pd.isna(row["upload_id"])
    assert pd.isna(row["external_id"])
    assert pd.isna(row["map_summary_polyline"])
    assert not row["has_gps"]  # no polyline, even though a start point is given
    assert row["start_lat"] == pytest.approx(38.7426376)
    assert row["start_lng"] == pytest.approx(-120.4357631)
    assert pd.isna(row["end_lat"])
    assert pd.isna(row["end_lng"])
    assert row["sport_type"] == "Hike"  # no sport_type key: falls back to the legacy type
    assert row["sport_group"] == "Walk"
    assert row["moving_duration"] == pd.Timedelta(hours=10, minutes=45)
    # unknown fields of a detailed record are kept, lists stay lists
    assert row["calories"] == pytest.approx(2084.438266172827)
    assert row["guid"] == "7143b325a3e3d6b8f7fc207952a1d03a023b4b9d"
    assert row["segment_efforts"] == []
    assert "map_polyline" in df.columns
    assert schema_dtypes(df) == EXPECTED_DTYPES


def test_no_heart_rate_keys() -> None:
    record = run(has_heartrate=False, average_heartrate=..., max_heartrate=..., suffer_score=...)
    df = to_frame([record])
    expected = typed(
        {
            "has_heartrate": [False],
            "average_heartrate": [pd.NA],
            "max_heartrate": [pd.NA],
            "suffer_score": [pd.NA],
        },
        EXPECTED_DTYPES,
    )
    assert_frame_equal(df[list(expected.columns)], expected)


@pytest.mark.parametrize(
    ("latlng", "polyline"),
    [([], ""), (None, None)],  # current payloads, then older ones
    ids=["empty", "null"],
)
def test_indoor_activity_without_gps(latlng: Any, polyline: Any) -> None:
    record = run(
        trainer=True,
        start_latlng=latlng,
        end_latlng=latlng,
        map={"id": "a12345678901", "summary_polyline": polyline, "resource_state": 2},
        distance=0.0,
        average_speed=0.0,
    )
    df = to_frame([record])
    expected = typed(
        {
            "start_lat": [pd.NA],
            "start_lng": [pd.NA],
            "end_lat": [pd.NA],
            "end_lng": [pd.NA],
            "map_summary_polyline": [pd.NA],
            "has_gps": [False],
            "trainer": [True],
            "distance_km": [0.0],
            "pace_per_km": [pd.NaT],
        },
        EXPECTED_DTYPES,
    )
    assert_frame_equal(df[list(expected.columns)], expected)


def test_missing_workout_type_and_absent_columns_are_na() -> None:
    df = to_frame([run(workout_type=...), run(id=2, workout_type=None)])
    assert df["workout_type"].isna().all()
    assert df["hide_from_home"].isna().all()  # optional key never sent here
    assert df["device_name"].isna().all()


def test_float_utc_offset_and_integers_sent_as_floats() -> None:
    df = to_frame([run(utc_offset=-25200.0, moving_time=3012.0, kudos_count=7.0)])
    assert df.loc[0, "utc_offset"] == -25200.0
    assert df.loc[0, "moving_time"] == 3012
    assert df.loc[0, "kudos_count"] == 7
    assert schema_dtypes(df) == EXPECTED_DTYPES


# ---------------------------------------------------------------- unknown fields


def test_unknown_fields_are_kept_after_the_schema() -> None:
    record = run(
        perceived_exertion=7,
        photos={"count": 2, "primary": {"id": 5, "urls": {"100": "https://x/1.jpg"}}},
        segment_efforts=[{"id": 1}, {"id": 2}],
        gear={"id": "g1234567", "name": "Old shoes"},
        athlete={"id": 134815, "resource_state": 1, "firstname": "Ann"},
    )
    record["map"]["polyline"] = "abc"
    df = to_frame([record])
    extras = list(df.columns[len(SCHEMA) :])
    assert set(extras) == {
        "athlete_firstname",
        "map_polyline",
        "perceived_exertion",
        "photos_count",
        "photos_primary_id",
        "photos_primary_urls_100",
        "segment_efforts",
        "gear_id_2",  # gear.id would collide with the schema's gear_id
        "gear_name",
    }
    row = df.iloc[0]
    assert row["perceived_exertion"] == 7
    assert row["photos_primary_urls_100"] == "https://x/1.jpg"
    assert row["segment_efforts"] == [{"id": 1}, {"id": 2}]
    assert row["gear_id"] == "g1234567"
    assert row["gear_name"] == "Old shoes"
    assert row["athlete_firstname"] == "Ann"
    assert row["map_polyline"] == "abc"
    # the nested objects' own detail level is the one thing dropped
    assert "athlete_resource_state" not in df.columns
    assert "map_resource_state" not in df.columns
    for raw in ("athlete", "map", "start_latlng", "end_latlng"):
        assert raw not in df.columns


def test_unknown_field_only_on_some_records() -> None:
    df = to_frame([run(id=1), run(id=2, new_metric=1.5, tags=["a", "b"])])
    by_id = df.set_index("id")
    assert by_id.loc[2, "new_metric"] == 1.5
    assert pd.isna(by_id.loc[1, "new_metric"])
    assert by_id.loc[2, "tags"] == ["a", "b"]


# ------------------------------------------------------------------ odd payloads


def test_wrong_types_become_na() -> None:
    record = run(
        distance="n/a",
        moving_time="abc",
        kudos_count=3.5,
        trainer="yes",
        commute=[True],
        start_latlng="48.85,2.35",
        end_latlng=[48.86],
        average_speed=float("inf"),
        start_date="garbage",
        start_date_local="0001-01-01T00:00:00Z",  # outside datetime64[ns]
        athlete="someone",
        map=None,
    )
    df = to_frame([record])
    na_columns = [
        "distance",
        "moving_time",
        "kudos_count",
        "trainer",
        "commute",
        "start_lat",
        "start_lng",
        "end_lat",
        "end_lng",
        "average_speed",
        "start_date",
        "start_date_local",
        "athlete_id",
        "map_id",
        "distance_km",
        "pace_per_km",
        "local_date",
        "iso_week",
        "weekday_name",
    ]
    assert df.loc[0, na_columns].isna().all(), df.loc[0, na_columns]
    assert schema_dtypes(df) == EXPECTED_DTYPES


def test_numeric_text_is_read_as_a_number() -> None:
    assert to_frame([run(distance="10234.6")]).loc[0, "distance"] == 10234.6


def test_lone_surrogate_is_replaced() -> None:
    df = to_frame([run(name="Run \ud83d")])  # json.loads("\"Run \\ud83d\"") gives this
    assert df.loc[0, "name"] == "Run \ufffd"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({}, r"activity record 1 has no 'id'"),
        ({"id": None}, r"activity record 1 has no 'id'"),
        ({"id": "12345"}, r"activity record 1 has a non-integer id '12345'"),
        ({"id": 12.5}, r"activity record 1 has a non-integer id 12\.5"),
        ({"id": True}, r"activity record 1 has a non-integer id True"),
    ],
)
def test_records_without_an_integer_id_are_refused(bad: dict[str, Any], message: str) -> None:
    second = run(id=...)
    second.update(bad)
    with pytest.raises(DataError, match=message):
        to_frame([run(), second])


def test_all_records_without_id() -> None:
    with pytest.raises(DataError, match="no 'id' field"):
        to_frame([run(id=...), run(id=...)])


def test_the_error_counts_further_bad_records() -> None:
    with pytest.raises(DataError, match=r"record 0 has no 'id' \(2 more records too\)"):
        to_frame([run(id=...), run(id="x"), run(id=None), run()])


def test_a_record_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(DataError, match="activity record 1 is a list, not a JSON object"):
        to_frame([run(), [1, 2]])  # type: ignore[list-item]


# -------------------------------------------------------------- order and dedup


def test_newest_first_then_id_descending() -> None:
    same = "2024-05-04T06:12:09Z"
    records = [
        run(id=1, start_date="2024-05-01T06:00:00Z"),
        run(id=2, start_date=same),
        run(id=3, start_date=same),
        run(id=4, start_date=None),
        run(id=5, start_date="2024-06-01T06:00:00Z"),
    ]
    assert to_frame(records)["id"].tolist() == [5, 3, 2, 1, 4]
    assert to_frame(records).index.tolist() == [0, 1, 2, 3, 4]


def test_repeated_id_keeps_the_last_record() -> None:
    df = to_frame([run(name="old"), run(id=2), run(name="renamed")])
    assert df["id"].tolist() == [12345678901, 2]
    assert df.loc[0, "name"] == "renamed"


# --------------------------------------------------------------------- derived


def test_iso_week_and_calendar_across_a_year_boundary() -> None:
    records = [
        run(id=1, start_date_local="2024-12-30T07:00:00Z"),  # Monday of ISO 2025-W01
        run(id=2, start_date_local="2021-01-03T23:59:59Z"),  # Sunday of ISO 2020-W53
        run(id=3, start_date_local="2024-02-29T12:30:00Z"),
    ]
    df = to_frame(records).sort_values("id", ignore_index=True)
    columns = ["local_date", "year", "month", "month_start", "iso_year", "iso_week"]
    columns += ["week_start", "weekday", "weekday_name", "hour"]
    ts = pd.Timestamp
    expected = typed(
        {
            "local_date": [ts("2024-12-30"), ts("2021-01-03"), ts("2024-02-29")],
            "year": [2024, 2021, 2024],
            "month": [12, 1, 2],
            "month_start": [ts("2024-12-01"), ts("2021-01-01"), ts("2024-02-01")],
            "iso_year": [2025, 2020, 2024],
            "iso_week": [1, 53, 9],
            "week_start": [ts("2024-12-30"), ts("2020-12-28"), ts("2024-02-26")],
            "weekday": [0, 6, 3],
            "weekday_name": ["Mon", "Sun", "Thu"],
            "hour": [7, 23, 12],
        },
        EXPECTED_DTYPES,
    )
    assert_frame_equal(df[columns], expected)


def test_calendar_columns_use_local_time_not_utc() -> None:
    record = run(start_date="2024-12-31T23:30:00Z", start_date_local="2025-01-01T00:30:00Z")
    row = to_frame([record]).iloc[0]
    assert (row["year"], row["month"], row["iso_year"], row["iso_week"]) == (2025, 1, 2025, 1)


def test_unit_conversions() -> None:
    record = run(distance=10_000.0, total_elevation_gain=100.0, average_speed=10.0, max_speed=5.0)
    df = to_frame([record])
    columns = ["distance_km", "distance_mi", "elevation_gain_m", "elevation_gain_ft"]
    columns += ["average_speed_kmh", "average_speed_mph", "max_speed_kmh", "max_speed_mph"]
    expected = typed(
        {
            "distance_km": [10.0],
            "distance_mi": [6.2137119],
            "elevation_gain_m": [100.0],
            "elevation_gain_ft": [328.0839895],
            "average_speed_kmh": [36.0],
            "average_speed_mph": [22.3693629],
            "max_speed_kmh": [18.0],
            "max_speed_mph": [11.1846815],
        },
        EXPECTED_DTYPES,
    )
    assert_frame_equal(df[columns], expected, atol=1e-6)


def test_pace_only_for_foot_sports_with_distance() -> None:
    records = [
        run(id=1, sport_type="Run", distance=10_000.0, moving_time=3000),
        run(id=2, sport_type="Walk", distance=5_000.0, moving_time=3600),
        run(id=3, sport_type="Ride", distance=10_000.0, moving_time=3000),
        run(id=4, sport_type="Run", distance=0.0, moving_time=1800),  # treadmill, no distance
        run(id=5, sport_type="Run", distance=10_000.0, moving_time=0),
    ]
    df = to_frame(records).sort_values("id", ignore_index=True)
    td = pd.Timedelta
    expected = typed(
        {
            "pace_per_km": [td(minutes=5), td(minutes=12), pd.NaT, pd.NaT, pd.NaT],
            # 3000 s / 6.2137 mi = 482.8 s -> rounded to 8:03
            "pace_per_mi": [td(minutes=8, seconds=3), td(minutes=19, seconds=19), *[pd.NaT] * 3],
            "is_foot": [True, True, False, True, True],
        },
        EXPECTED_DTYPES,
    )
    assert_frame_equal(df[["pace_per_km", "pace_per_mi", "is_foot"]], expected)


def test_durations() -> None:
    df = to_frame([run(moving_time=3723, elapsed_time=90_000)])
    assert df.loc[0, "moving_duration"] == pd.Timedelta("1:02:03")
    assert df.loc[0, "elapsed_duration"] == pd.Timedelta(hours=25)


def test_sport_groups_cover_every_sport_type() -> None:
    # strava-api.md §5, from Strava's swagger
    sport_types = {
        "AlpineSki",
        "BackcountrySki",
        "Badminton",
        "Basketball",
        "Canoeing",
        "Cricket",
        "Crossfit",
        "Dance",
        "EBikeRide",
        "Elliptical",
        "EMountainBikeRide",
        "Golf",
        "GravelRide",
        "Handcycle",
        "HighIntensityIntervalTraining",
        "Hike",
        "IceSkate",
        "InlineSkate",
        "Kayaking",
        "Kitesurf",
        "MountainBikeRide",
        "NordicSki",
        "Padel",
        "PhysicalTherapy",
        "Pickleball",
        "Pilates",
        "Racquetball",
        "Ride",
        "RockClimbing",
        "RollerSki",
        "Rowing",
        "Run",
        "Sail",
        "Skateboard",
        "Snowboard",
        "Snowshoe",
        "Soccer",
        "Squash",
        "StairStepper",
        "StandUpPaddling",
        "Surfing",
        "Swim",
        "TableTennis",
        "Tennis",
        "TrailRun",
        "Velomobile",
        "VirtualRide",
        "VirtualRow",
        "VirtualRun",
        "Volleyball",
        "Walk",
        "WeightTraining",
        "Wheelchair",
        "Windsurf",
        "Workout",
        "Yoga",
    }
    assert set(SPORT_GROUPS) == sport_types
    assert set(SPORT_GROUPS.values()) == set(SPORT_GROUP_NAMES)
    assert FOOT_SPORTS.issubset(SPORT_GROUPS)


def test_sport_group_values() -> None:
    records = [
        run(id=1, sport_type="GravelRide"),
        run(id=2, sport_type="Kayaking"),
        run(id=3, sport_type="SomethingNew"),
        run(id=4, sport_type=None, type=None),
    ]
    df = to_frame(records).sort_values("id", ignore_index=True)
    expected = pd.Series(["Ride", "Water", "Other", "Other"], dtype="string", name="sport_group")
    assert_series_equal(df["sport_group"], expected)


def test_strava_url_and_has_gps() -> None:
    df = to_frame([run(id=17)])
    assert df.loc[0, "strava_url"] == "https://www.strava.com/activities/17"
    assert bool(df.loc[0, "has_gps"]) is True


def test_ten_thousand_records_stay_typed() -> None:
    records = [run(id=i, start_date=f"2024-01-01T00:00:{i % 60:02d}Z") for i in range(10_000)]
    df = to_frame(records)
    assert len(df) == 10_000
    assert schema_dtypes(df) == EXPECTED_DTYPES
    assert np.array_equal(df["start_lat"].to_numpy(dtype=float), np.full(10_000, 48.85))
