"""GPX, stream CSV and tracks ZIP exports (strava_dash.gpx)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import gpxpy
import pandas as pd
import pytest

from strava_dash.activities import to_frame
from strava_dash.demo import demo_activities, demo_streams
from strava_dash.errors import DataError, StravaDashError
from strava_dash.gpx import GPX_NS, TPX_NS, Skipped, streams_csv, to_gpx, tracks_zip

G = f"{{{GPX_NS}}}"
T = f"{{{TPX_NS}}}"
UNTIL = date(2024, 6, 30)


@pytest.fixture(scope="module")
def activities() -> list[dict[str, Any]]:
    return demo_activities(until=UNTIL)


@pytest.fixture(scope="module")
def ride(activities: list[dict[str, Any]]) -> dict[str, Any]:
    """A demo ride with GPS, heart rate, power, cadence and temperature streams."""
    return next(
        a
        for a in activities
        if a["map"]["summary_polyline"]
        and a.get("device_watts")
        and a.get("has_heartrate")
        and "average_temp" in a
    )


def _start(activity: dict[str, Any]) -> datetime:
    return datetime.strptime(activity["start_date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _streams(**data: list[Any]) -> dict[str, dict[str, Any]]:
    return {k: {"data": v, "series_type": "time", "resolution": "high"} for k, v in data.items()}


def _extension_values(point: Any) -> dict[str, str]:
    out = {}
    for element in point.extensions:
        if element.tag.endswith("TrackPointExtension"):
            out.update({child.tag.rpartition("}")[2]: child.text for child in element})
        else:
            out[element.tag.rpartition("}")[2]] = element.text
    return out


# --------------------------------------------------------------------------- to_gpx


def test_round_trip_gives_back_every_point(ride: dict[str, Any]) -> None:
    streams = demo_streams(ride)
    parsed = gpxpy.parse(to_gpx(ride, streams).decode("utf-8"))

    assert parsed.version == "1.1"
    assert len(parsed.tracks) == 1
    assert len(parsed.tracks[0].segments) == 1
    points = parsed.tracks[0].segments[0].points
    data = {k: v["data"] for k, v in streams.items()}
    assert len(points) == len(data["latlng"])
    start = _start(ride)
    for i, point in enumerate(points):
        assert (point.latitude, point.longitude) == pytest.approx(tuple(data["latlng"][i]))
        assert point.elevation == pytest.approx(data["altitude"][i])
        assert point.time == start + timedelta(seconds=data["time"][i])
        assert _extension_values(point) == {
            "power": str(data["watts"][i]),
            "atemp": str(data["temp"][i]),
            "hr": str(data["heartrate"][i]),
            "cad": str(data["cadence"][i]),
        }


def test_metadata_track_type_and_link(ride: dict[str, Any]) -> None:
    parsed = gpxpy.parse(to_gpx(ride, demo_streams(ride)).decode("utf-8"))

    assert parsed.name == ride["name"]
    assert parsed.time == _start(ride)
    assert parsed.link == f"https://www.strava.com/activities/{ride['id']}"
    assert parsed.link_text == "View on Strava"
    assert parsed.creator == "Dash for Strava"
    assert parsed.tracks[0].name == ride["name"]
    assert parsed.tracks[0].type == ride["sport_type"]


def test_gpx_1_1_structure(ride: dict[str, Any]) -> None:
    """What the GPX 1.1 and TrackPointExtension v1 schemas require, checked by hand (the
    XSDs cannot be fetched offline): namespaces, element order, attribute ranges."""
    raw = to_gpx(ride, demo_streams(ride))
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    head = raw[: raw.index(b">", raw.index(b"<gpx")) + 1].decode()
    assert f'xmlns="{GPX_NS}"' in head
    assert f'xmlns:gpxtpx="{TPX_NS}"' in head
    assert f'xsi:schemaLocation="{GPX_NS} http://www.topografix.com/GPX/1/1/gpx.xsd"' in head

    root = ET.fromstring(raw)
    assert root.tag == f"{G}gpx"
    assert root.get("version") == "1.1"
    assert root.get("creator")
    assert [c.tag for c in root] == [f"{G}metadata", f"{G}trk"]
    metadata = root.find(f"{G}metadata")
    assert metadata is not None
    assert [c.tag for c in metadata] == [f"{G}name", f"{G}link", f"{G}time"]  # xsd order
    trk = root.find(f"{G}trk")
    assert trk is not None
    assert [c.tag for c in trk] == [f"{G}name", f"{G}type", f"{G}trkseg"]
    points = trk.findall(f"{G}trkseg/{G}trkpt")
    assert points
    for point in points:
        assert -90 <= float(point.get("lat", "nan")) <= 90
        assert -180 <= float(point.get("lon", "nan")) <= 180
        assert [c.tag for c in point] == [f"{G}ele", f"{G}time", f"{G}extensions"]
        extensions = point.find(f"{G}extensions")
        assert extensions is not None
        assert [c.tag for c in extensions] == [f"{G}power", f"{T}TrackPointExtension"]
        tpx = extensions.find(f"{T}TrackPointExtension")
        assert tpx is not None
        assert [c.tag for c in tpx] == [f"{T}atemp", f"{T}hr", f"{T}cad"]  # xsd order
        assert 0 <= int(tpx.findtext(f"{T}hr", "")) <= 255
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", point.findtext(f"{G}time", ""))


def test_no_latlng_is_a_clear_error(activities: list[dict[str, Any]]) -> None:
    activity = {"id": 42, "name": "Zwift", "sport_type": "VirtualRide", "start_date": None}
    with pytest.raises(DataError, match=r"activity 42 \('Zwift'\) has no GPS track"):
        to_gpx(activity, _streams(time=[0, 1], watts=[200, 210]))
    with pytest.raises(StravaDashError, match="no GPS track"):
        to_gpx(activity, _streams(latlng=[None, [95.0, 0.0], ["a", "b"]]))
    with pytest.raises(DataError, match="no GPS track"):
        to_gpx(activity, {})


def test_missing_values_leave_out_only_their_element() -> None:
    activity = {"id": 7, "name": "Gaps", "sport_type": "Run", "start_date": "2024-05-04T06:12:09Z"}
    streams = _streams(
        time=[0, 5, 10, 15],
        latlng=[[41.0, 2.0], None, [41.001, 2.001], [41.002, 2.002]],
        altitude=[10.0, 11.0, None, float("nan")],
        heartrate=[120, 121, None],  # shorter than the others
        watts=[None, 100, 250, 3000],
    )
    points = gpxpy.parse(to_gpx(activity, streams).decode()).tracks[0].segments[0].points

    assert len(points) == 3  # the sample without a position is left out
    assert [p.elevation for p in points] == [10.0, None, None]
    assert [p.time.second for p in points if p.time] == [9, 19, 24]
    assert [_extension_values(p) for p in points] == [
        {"hr": "120"},
        {"power": "250"},
        {"power": "3000"},
    ]


def test_no_start_date_gives_points_without_time() -> None:
    streams = _streams(time=[0, 1], latlng=[[1.0, 2.0], [1.0, 2.1]])
    parsed = gpxpy.parse(to_gpx({"id": 1}, streams).decode())
    assert [p.time for p in parsed.tracks[0].segments[0].points] == [None, None]
    assert parsed.name is None
    assert parsed.tracks[0].type is None


@pytest.mark.parametrize(
    "start",
    [
        "2024-05-04T06:12:09Z",
        datetime(2024, 5, 4, 6, 12, 9, tzinfo=UTC),
        pd.Timestamp("2024-05-04 06:12:09", tz="UTC"),
        pd.Timestamp("2024-05-04 08:12:09", tz="Europe/Paris"),
    ],
)
def test_start_date_from_api_text_or_table_row(start: Any) -> None:
    """An API dict has ISO text; a row of the activity table has a Timestamp."""
    streams = _streams(time=[0, 60], latlng=[[1.0, 2.0], [1.0, 2.1]])
    point = gpxpy.parse(to_gpx({"id": 1, "start_date": start}, streams).decode())
    times = [p.time for p in point.tracks[0].segments[0].points]
    assert times == [
        datetime(2024, 5, 4, 6, 12, 9, tzinfo=UTC),
        datetime(2024, 5, 4, 6, 13, 9, tzinfo=UTC),
    ]


def test_text_that_xml_cannot_hold_is_dropped_not_fatal() -> None:
    name = 'Tom & "Jerry" <run>\x0b\x00 🏃 \ud83d'
    activity = {"id": 1, "name": name, "sport_type": "Run", "start_date": pd.NA}
    raw = to_gpx(activity, _streams(latlng=[[1.0, 2.0]]))
    parsed = gpxpy.parse(raw.decode("utf-8"))
    assert parsed.name == 'Tom & "Jerry" <run> 🏃 '
    ET.fromstring(raw)  # well-formed


# --------------------------------------------------------------------------- CSV


def test_streams_csv_one_row_per_sample(ride: dict[str, Any]) -> None:
    streams = demo_streams(ride)
    raw = streams_csv(streams)
    assert raw.startswith("\ufeff".encode())
    assert b"\r\n" in raw
    table = pd.read_csv(io.BytesIO(raw))
    n = len(streams["time"]["data"])
    assert len(table) == n
    assert list(table.columns) == [
        "time",
        "distance",
        "lat",
        "lng",
        "altitude",
        "velocity_smooth",
        "heartrate",
        "cadence",
        "watts",
        "temp",
        "moving",
        "grade_smooth",
    ]
    assert table["lat"].tolist() == [p[0] for p in streams["latlng"]["data"]]
    assert table["lng"].tolist() == [p[1] for p in streams["latlng"]["data"]]
    assert table["watts"].tolist() == streams["watts"]["data"]
    assert table["moving"].tolist() == streams["moving"]["data"]


def test_streams_csv_pads_short_streams_and_keeps_unknown_ones() -> None:
    raw = streams_csv(_streams(heartrate=[100, None], time=[0, 1, 2], smo2=[55.5]))
    assert raw.decode("utf-8-sig").split("\r\n") == [
        "time,heartrate,smo2",
        "0,100,55.5",
        "1,,",
        "2,,",
        "",
    ]
    assert streams_csv({}).decode("utf-8-sig") == "\r\n"


# --------------------------------------------------------------------------- ZIP


def _zip(raw: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(raw))


def test_tracks_zip_writes_tracks_and_lists_the_skipped(activities: list[dict[str, Any]]) -> None:
    with_gps = [a for a in activities if a["map"]["summary_polyline"]][:3]
    manual = {**next(a for a in activities if a["manual"])}
    indoor = {**next(a for a in activities if a["trainer"])}
    unfetched = with_gps[2]
    items = [
        (with_gps[0], demo_streams(with_gps[0])),
        (manual, None),
        (with_gps[1], demo_streams(with_gps[1])),
        (indoor, demo_streams(indoor)),
        (unfetched, None),
    ]
    raw, skipped = tracks_zip(items, include_csv=True)

    zf = _zip(raw)
    assert zf.testzip() is None
    names = zf.namelist()
    expected = []
    for a in with_gps[:2]:
        stem = f"{a['start_date_local'][:10]}-"
        assert any(n.startswith(stem) and n.endswith(f"-{a['id']}.gpx") for n in names)
        expected += [n for n in names if n.endswith((f"-{a['id']}.gpx", f"-{a['id']}.csv"))]
    assert sorted(names) == sorted([*expected, "README.txt"])
    assert len(names) == 5
    for name in names:
        if name.endswith(".gpx"):
            gpxpy.parse(zf.read(name).decode())

    assert [s.activity_id for s in skipped] == [manual["id"], indoor["id"], unfetched["id"]]
    assert skipped[0].reason.startswith("manual activity")
    assert skipped[1].reason.startswith("indoor activity")
    assert skipped[2].reason.startswith("streams not fetched")
    assert all(isinstance(s, Skipped) for s in skipped)
    readme = zf.read("README.txt").decode()
    assert "2 activities with a GPS track" in readme
    for s in skipped:
        assert f"(id {s.activity_id}): {s.reason}" in readme
        assert s.name in readme


def test_tracks_zip_without_csv_and_without_skips(ride: dict[str, Any]) -> None:
    raw, skipped = tracks_zip([(ride, demo_streams(ride))], include_csv=False)
    assert skipped == []
    names = _zip(raw).namelist()
    assert [n for n in names if not n.endswith(".gpx")] == ["README.txt"]
    assert "Skipped" not in _zip(raw).read("README.txt").decode()


def test_no_gps_without_streams_is_not_called_unfetched() -> None:
    activity = {"id": 9, "name": "Pool", "manual": False, "map": {"summary_polyline": ""}}
    _, skipped = tracks_zip([(activity, None)], include_csv=False)
    assert skipped[0].reason.startswith("no GPS track")
    row = {"id": 10, "name": "Row", "map_summary_polyline": pd.NA, "has_gps": False}
    _, skipped = tracks_zip([(row, None)], include_csv=False)
    assert skipped[0].reason.startswith("no GPS track")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Morning Run 🏃‍♀️🔥", "morning-run"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ('He said "go"', "he-said-go"),
        ("Été à Zürich — 東京", "ete-a-zurich"),
        ("🚴🚴", "activity"),
        ("", "activity"),
        ("..", "activity"),
        ("x" * 200, "x" * 60),
        ("CON", "con"),
    ],
)
def test_file_names_are_safe(name: str, slug: str) -> None:
    activity = {"id": 5, "name": name, "start_date": "2024-05-04T23:30:00Z"}
    raw, _ = tracks_zip([(activity, _streams(latlng=[[1.0, 2.0]]))], include_csv=True)
    names = _zip(raw).namelist()
    assert names[:2] == [f"2024-05-04-{slug}-5.gpx", f"2024-05-04-{slug}-5.csv"]
    for n in names:
        assert re.fullmatch(r"[a-zA-Z0-9.-]+", n), n
        assert ".." not in n.removesuffix(".gpx").removesuffix(".csv")


def test_file_names_are_unique_and_use_the_local_date() -> None:
    a = {"id": 5, "name": "Run", "start_date": "2024-05-04T23:30:00Z"}
    b = {**a, "start_date_local": "2024-05-05T01:30:00Z"}
    streams = _streams(latlng=[[1.0, 2.0]])
    raw, _ = tracks_zip([(a, streams), (a, streams), (b, streams)], include_csv=False)
    assert _zip(raw).namelist() == [
        "2024-05-04-run-5.gpx",
        "2024-05-04-run-5-2.gpx",
        "2024-05-05-run-5.gpx",
        "README.txt",
    ]


def test_an_empty_list_gives_a_readme_only() -> None:
    raw, skipped = tracks_zip([], include_csv=True)
    assert skipped == []
    assert _zip(raw).namelist() == ["README.txt"]
    assert "0 activities with a GPS track" in _zip(raw).read("README.txt").decode()


def test_rows_of_the_activity_table_work_as_activities(activities: list[dict[str, Any]]) -> None:
    """Pages hold table rows, not API dicts: Timestamps, NA and flattened map columns."""
    chosen = [next(a for a in activities if a["map"]["summary_polyline"]), *activities[:6]]
    rows = to_frame(chosen).to_dict("records")
    by_id = {a["id"]: a for a in chosen}
    items = [(r, None if r["manual"] else demo_streams(by_id[r["id"]])) for r in rows]
    raw, skipped = tracks_zip(items, include_csv=False)

    written = [n for n in _zip(raw).namelist() if n.endswith(".gpx")]
    assert len(written) + len(skipped) == len(rows)
    assert written
    for name in written:
        activity_id = int(name.removesuffix(".gpx").rpartition("-")[2])
        row = next(r for r in rows if r["id"] == activity_id)
        assert name.startswith(row["start_date_local"].strftime("%Y-%m-%d-"))
        parsed = gpxpy.parse(_zip(raw).read(name).decode())
        first = parsed.tracks[0].segments[0].points[0]
        assert first.time == row["start_date"].to_pydatetime()
