"""Strava's bulk export (strava_dash.archive): activities.csv variants, tracks, safety.

Every archive is built here, in memory: activities.csv in several header versions (the
English headers are copied from docs/strava-api.md §6 and from a real en-GB export of
2020; the German one is §6's translated by hand), GPX/TCX files written as text and FIT
files written by the small encoder below (fitdecode only reads FIT; the encoder follows
the FIT protocol 2.0 layout and fitdecode, with CRC checks on, reads its output back).
"""

from __future__ import annotations

import builtins
import csv
import gzip
import io
import math
import os
import struct
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import fitdecode
import gpxpy
import gpxpy.gpx
import pandas as pd
import polyline
import pytest

from strava_dash.activities import SCHEMA, to_frame
from strava_dash.archive import Archive, ArchiveLimits, open_archive, read_archive
from strava_dash.archive._csv import VERSIONS, parse_date, sport_type
from strava_dash.errors import DataError, StravaDashError
from strava_dash.gpx import to_gpx

MiB = 1 << 20
EXTRA = ["gear_name", "calories", "description", "private_note", "local_time_inferred"]

# --------------------------------------------------------------------------- headers

SECTION_6 = (
    "Activity ID, Activity Date, Activity Name, Activity Type, Activity Description, "
    "Elapsed Time, Distance, Max Heart Rate, Relative Effort, Commute, Activity Private Note, "
    "Activity Gear, Filename, Athlete Weight, Bike Weight, Elapsed Time, Moving Time, Distance, "
    "Max Speed, Average Speed, Elevation Gain, Elevation Loss, Elevation Low, Elevation High, "
    "Max Grade, Average Grade, Average Positive Grade, Average Negative Grade, Max Cadence, "
    "Average Cadence, Max Heart Rate, Average Heart Rate, Max Watts, Average Watts, Calories, "
    "Max Temperature, Average Temperature, Relative Effort, Total Work, Number of Runs, "
    "Uphill Time, Downhill Time, Other Time, Perceived Exertion, Type, Start Time, "
    "Weighted Average Power, Power Count, Prefer Perceived Exertion, Perceived Relative Effort, "
    "Commute, Total Weight Lifted, From Upload, Grade Adjusted Distance, "
    "Weather Observation Time, Weather Condition, Weather Temperature, Apparent Temperature, "
    "Dewpoint, Humidity, Weather Pressure, Wind Speed, Wind Gust, Wind Bearing, "
    "Precipitation Intensity, Sunrise Time, Sunset Time, Moon Phase, Bike, Gear, "
    "Precipitation Probability, Precipitation Type, Cloud Cover, Weather Visibility, UV Index, "
    "Weather Ozone, Jump Count, Total Grit, Average Flow, Flagged, Average Elapsed Speed, "
    "Dirt Distance, Newly Explored Distance, Newly Explored Dirt Distance, Activity Count, "
    "Total Steps, Carbon Saved, Pool Length, Training Load, Intensity, "
    "Average Grade Adjusted Pace, Timer Time, Total Cycles, Recovery, With Pet, Competition, "
    "Long Run, For a Cause, With Kid, Downhill Distance, Total Sets, Total Reps, Media"
)
CURRENT = SECTION_6.split(", ")
EN_GB_2020 = (  # noqa: SIM905 - kept as the export prints it
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Relative Effort,Commute,Activity Gear,Filename,Athlete Weight,Bike Weight,"
    "Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Elevation Loss,"
    "Elevation Low,Elevation High,Max Grade,Average Grade,Average Positive Grade,"
    "Average Negative Grade,Max Cadence,Average Cadence,Max Heart Rate,Average Heart Rate,"
    "Max Watts,Average Watts,Calories,Max Temperature,Average Temperature,Relative Effort,"
    "Total Work,Number of Runs,Uphill Time,Downhill Time,Other Time,Perceived Exertion,"
    "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values.type,"
    "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values."
    "start_time,Weighted Average Power,Power Count,Prefer Perceived Exertion,"
    "Perceived Relative Effort,Commute,Total Weight Lifted,From Upload,Grade Adjusted Distance,"
    "Weather Observation Time,Weather Condition,Weather Temperature,Apparent Temperature,"
    "Dewpoint,Humidity,Weather Pressure,Wind Speed,Wind Gust,Wind Bearing,"
    "Precipitation Intensity,Sunrise Time,Sunset Time,Moon Phase,Bike,Gear,"
    "Precipitation Probability,Precipitation Type,Cloud Cover,Weather Visibility,UV Index,"
    "Weather Ozone,"
    "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values."
    "jump_count,"
    "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values."
    "total_grit,"
    "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values."
    "avg_flow,"
    "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values.flagged"
).split(",")
OLDEST = [
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Activity Description",
    "Elapsed Time",
    "Distance",
    "Commute",
    "Activity Gear",
    "Filename",
]
GERMAN = (  # noqa: SIM905 - one translated name per column of CURRENT
    "Aktivitäts-ID|Aktivitätsdatum|Name der Aktivität|Aktivitätsart|Aktivitätsbeschreibung|"
    "Verstrichene Zeit|Distanz|Maximale Herzfrequenz|Relative Effort|Pendeln|"
    "Private Notiz zur Aktivität|Aktivitätsausrüstung|Dateiname|Sportlergewicht|Fahrradgewicht|"
    "Verstrichene Zeit|Bewegungszeit|Distanz|Maximale Geschwindigkeit|"
    "Durchschnittliche Geschwindigkeit|Höhenzunahme|Höhenabnahme|Niedrigste Höhe|Höchste Höhe|"
    "Maximale Steigung|Durchschnittliche Steigung|Durchschnittliche positive Steigung|"
    "Durchschnittliche negative Steigung|Maximale Trittfrequenz|Durchschnittliche Trittfrequenz|"
    "Maximale Herzfrequenz|Durchschnittliche Herzfrequenz|Max. Watt|Durchschnittliche Watt|"
    "Kalorien|Maximale Temperatur|Durchschnittstemperatur|Relative Effort|Gesamtarbeit|"
    "Anzahl der Abfahrten|Zeit bergauf|Zeit bergab|Andere Zeit|Gefühlte Anstrengung|Typ|"
    "Startzeit|Gewichtete Durchschnittsleistung|Leistungsanzahl|"
    "Gefühlte Anstrengung bevorzugen|Gefühlter Relative Effort|Pendeln|"
    "Insgesamt gehobenes Gewicht|Aus Upload|Steigungsbereinigte Distanz|"
    "Zeitpunkt der Wetterbeobachtung|Wetterlage|Wettertemperatur|Gefühlte Temperatur|Taupunkt|"
    "Luftfeuchtigkeit|Luftdruck|Windgeschwindigkeit|Windböe|Windrichtung|"
    "Niederschlagsintensität|Sonnenaufgang|Sonnenuntergang|Mondphase|Fahrrad|Ausrüstung|"
    "Niederschlagswahrscheinlichkeit|Niederschlagsart|Bewölkung|Sichtweite|UV-Index|Ozon|"
    "Anzahl der Sprünge|Grit gesamt|Durchschnittlicher Flow|Markiert|"
    "Durchschnittliche Gesamtgeschwindigkeit|Schotterdistanz|Neu erkundete Distanz|"
    "Neu erkundete Schotterdistanz|Anzahl der Aktivitäten|Schritte gesamt|Eingespartes CO2|"
    "Beckenlänge|Trainingsbelastung|Intensität|Durchschnittliche steigungsbereinigte Pace|"
    "Timer-Zeit|Zyklen gesamt|Erholung|Mit Haustier|Wettkampf|Langer Lauf|"
    "Für einen guten Zweck|Mit Kind|Distanz bergab|Sätze gesamt|Wiederholungen gesamt|Medien"
).split("|")

Cells = Mapping[str | tuple[str, int], str]


def csv_bytes(
    header: Sequence[str], rows: Sequence[Cells], *, english: Sequence[str] = ()
) -> bytes:
    """activities.csv with ``header``; each row gives values by English column name
    (first occurrence) or (name, occurrence). ``english`` is the English header that
    ``rows`` are written against when ``header`` is a translation of it."""
    names = list(english or header)
    seen: dict[str, int] = {}
    keys = []
    for name in names:
        keys.append((name, seen.get(name, 0)))
        seen[name] = seen.get(name, 0) + 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        values = {(k, 0) if isinstance(k, str) else k: v for k, v in row.items()}
        writer.writerow([values.get(key, "") for key in keys])
    return out.getvalue().encode("utf-8")


def make_zip(files: Mapping[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def export(
    rows: Sequence[Cells], header: Sequence[str] = CURRENT, files: Mapping[str, bytes] | None = None
) -> bytes:
    """A Strava export: activities.csv plus ``files`` (path -> content)."""
    return make_zip({"activities.csv": csv_bytes(header, rows), **(files or {})})


def row(activity_id: int, **cells: str) -> dict[str | tuple[str, int], str]:
    out: dict[str | tuple[str, int], str] = {
        "Activity ID": str(activity_id),
        "Activity Date": "May 6, 2024, 4:02:34 AM",
        "Activity Name": f"Activity {activity_id}",
        "Activity Type": "Run",
    }
    for key, value in cells.items():
        name, _, occurrence = key.partition("__")
        out[(name.replace("_", " "), int(occurrence or 0))] = value
    return out


# --------------------------------------------------------------------------- tracks

START = datetime(2024, 5, 6, 4, 2, 34, tzinfo=UTC)


def track_points(n: int = 300, step: int = 2) -> list[dict[str, Any]]:
    """A circle of 210 m radius near Girona, 4.2 m apart: one point every ``step`` s."""
    return [
        {
            "time": START + timedelta(seconds=step * i),
            "lat": round(41.98 + 0.001889 * math.sin(i / 50), 6),
            "lng": round(2.82 + 0.002541 * math.cos(i / 50), 6),
            "ele": round(100 + 20 * math.sin(i / 30), 1),
            "hr": 120 + i % 40,
            "cad": 80 + i % 10,
            "power": 150 + i % 100,
            "temp": 18,
            "dist": 4.2 * i,
        }
        for i in range(n)
    ]


def gpx_file(points: Sequence[Mapping[str, Any]]) -> bytes:
    tpx = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "StravaGPX"
    gpx.nsmap["gpxtpx"] = tpx
    segment = gpxpy.gpx.GPXTrackSegment()
    gpx.tracks.append(gpxpy.gpx.GPXTrack())
    gpx.tracks[0].segments.append(segment)
    for p in points:
        point = gpxpy.gpx.GPXTrackPoint(p["lat"], p["lng"], elevation=p["ele"], time=p["time"])
        extension = ET.Element(f"{{{tpx}}}TrackPointExtension")
        ET.SubElement(extension, f"{{{tpx}}}hr").text = str(p["hr"])
        point.extensions.append(extension)
        segment.points.append(point)
    return gpx.to_xml(version="1.1").encode()


def tcx_file(points: Sequence[Mapping[str, Any]]) -> bytes:
    trackpoints = "".join(
        f"<Trackpoint><Time>{p['time'].strftime('%Y-%m-%dT%H:%M:%S.000Z')}</Time>"
        f"<Position><LatitudeDegrees>{p['lat']}</LatitudeDegrees>"
        f"<LongitudeDegrees>{p['lng']}</LongitudeDegrees></Position>"
        f"<AltitudeMeters>{p['ele']}</AltitudeMeters><DistanceMeters>{p['dist']}</DistanceMeters>"
        f"<HeartRateBps><Value>{p['hr']}</Value></HeartRateBps><Cadence>{p['cad']}</Cadence>"
        f"<Extensions><ns3:TPX><ns3:Watts>{p['power']}</ns3:Watts></ns3:TPX></Extensions>"
        "</Trackpoint>\n"
        for p in points
    )
    # Strava's .tcx files start with spaces before the XML declaration.
    return (
        '          <?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
        ' xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
        '<Activities><Activity Sport="Biking"><Id>2024-05-06T04:02:34Z</Id>'
        '<Lap StartTime="2024-05-06T04:02:34Z"><TotalTimeSeconds>600</TotalTimeSeconds>'
        "<DistanceMeters>99999</DistanceMeters><Cadence>1</Cadence>"
        f"<Track>\n{trackpoints}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


_FIT_CRC = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
            0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)  # fmt: skip
_FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
# record (global message 20) fields: (number, size, base type, struct format)
_RECORD = [(253, 4, 0x86, "<I"), (0, 4, 0x85, "<i"), (1, 4, 0x85, "<i"), (2, 2, 0x84, "<H"),
           (3, 1, 0x02, "<B"), (4, 1, 0x02, "<B"), (5, 4, 0x86, "<I"), (7, 2, 0x84, "<H"),
           (13, 1, 0x01, "<b")]  # fmt: skip


def _fit_crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _FIT_CRC[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _FIT_CRC[nibble]
    return crc


def fit_file(
    points: Sequence[Mapping[str, Any]], *, before_fix: int = 0, clock_offset: int | None = None
) -> bytes:
    """A FIT activity: file_id, then one record per point (the first ``before_fix`` ones
    without a position, as devices log them before the GPS fix), then, with
    ``clock_offset`` (s), an activity message whose local_timestamp is that far from UTC."""
    seconds = [int((p["time"] - _FIT_EPOCH).total_seconds()) for p in points]
    body = bytearray()
    body += bytes([0x40, 0, 0]) + struct.pack("<HB", 0, 4)  # definition, local 0: file_id
    body += bytes([0, 1, 0x00, 1, 2, 0x84, 3, 4, 0x8C, 4, 4, 0x86])
    body += bytes([0x00]) + struct.pack("<BHII", 4, 255, 1, seconds[0])
    body += bytes([0x41, 0, 0]) + struct.pack("<HB", 20, len(_RECORD))  # local 1: record
    body += b"".join(bytes([number, size, base]) for number, size, base, _ in _RECORD)
    semicircles = 2**31 / 180
    for i, (p, t) in enumerate(zip(points, seconds, strict=True)):
        lat = round(p["lat"] * semicircles) if i >= before_fix else 0x7FFFFFFF  # invalid
        lng = round(p["lng"] * semicircles) if i >= before_fix else 0x7FFFFFFF
        values = [t, lat, lng, round((p["ele"] + 500) * 5), p["hr"], p["cad"]]
        values += [round(p["dist"] * 100), p["power"], p["temp"]]
        body += bytes([0x01])
        body += b"".join(struct.pack(f[3], v) for f, v in zip(_RECORD, values, strict=True))
    if clock_offset is not None:  # local 2: activity (34), timestamp and local_timestamp
        body += bytes([0x42, 0, 0]) + struct.pack("<HB", 34, 2) + bytes([253, 4, 0x86, 5, 4, 0x86])
        body += bytes([0x02]) + struct.pack("<II", seconds[-1], seconds[-1] + clock_offset)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", _fit_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", _fit_crc(data))


def test_the_fit_encoder_writes_what_fitdecode_reads_with_crc_checks() -> None:
    points = track_points(5)
    data = fit_file(points, clock_offset=7200)
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as r:
        frames = [f for f in r if isinstance(f, fitdecode.FitDataMessage)]
    records = [f for f in frames if f.name == "record"]
    assert len(records) == 5
    assert records[1].get_value("heart_rate") == points[1]["hr"]
    assert records[1].get_value("timestamp") == points[1]["time"]
    (activity,) = [f for f in frames if f.name == "activity"]
    assert activity.get_value("timestamp") == points[-1]["time"]
    # fitdecode labels the local clock UTC: it is the UTC time plus the offset
    assert activity.get_value("local_timestamp") == points[-1]["time"] + timedelta(hours=2)


# --------------------------------------------------------------------------- the table


def one(frame: pd.DataFrame, activity_id: int) -> pd.Series:
    return frame.set_index("id").loc[activity_id]


FULL_ROW = row(
    13000000001,
    Activity_Name='Morning Ride ☕, with "friends"',
    Activity_Type="Ride",
    Activity_Description="Coffee stop\nin Girona",
    Elapsed_Time="3725",
    Distance="40.12",
    Max_Heart_Rate="171",
    Relative_Effort="85",
    Commute="false",
    Activity_Private_Note="legs heavy",
    Activity_Gear="Canyon Endurace",
    Filename="activities/14000000001.fit.gz",
    Elapsed_Time__1="3725.0",
    Moving_Time="3600.0",
    Distance__1="40123.4",
    Max_Speed="15.2",
    Average_Speed="11.145",
    Elevation_Gain="512.0",
    Elevation_Low="35.0",
    Elevation_High="420.5",
    Average_Cadence="88.0",
    Max_Heart_Rate__1="171.0",
    Average_Heart_Rate="142.5",
    Max_Watts="612",
    Average_Watts="201.3",
    Calories="1020",
    Average_Temperature="18.0",
    Relative_Effort__1="85.0",
    Total_Work="724680.0",
    Weighted_Average_Power="215.0",
    Commute__1="0.0",
    Bike="4598181.0",
    Flagged="0.0",
    Media="media/abc.jpg",
)


def test_current_english_header_maps_onto_the_table() -> None:
    archive = open_archive(
        export(
            [
                FULL_ROW,
                row(
                    13000000002,
                    Activity_Date="May 7, 2024, 6:30:00 PM",
                    Activity_Type="Weight Training",
                    Elapsed_Time="1800",
                    Distance="0.00",
                    Distance__1="0.0",
                    Commute="true",
                ),
            ]
        ),
        routes=False,
    )
    frame = archive.activities
    assert archive.header == "English header, read by column name"
    assert frame["id"].tolist() == [13000000002, 13000000001]  # newest first

    ride = one(frame, 13000000001)
    expected = {
        "name": 'Morning Ride ☕, with "friends"',
        "sport_type": "Ride",
        "type": "Ride",
        "start_date": pd.Timestamp("2024-05-06 04:02:34", tz="UTC"),
        "start_date_local": pd.Timestamp("2024-05-06 04:02:34"),
        "distance": 40123.4,
        "moving_time": 3600,
        "elapsed_time": 3725,
        "total_elevation_gain": 512.0,
        "elev_low": 35.0,
        "elev_high": 420.5,
        "average_speed": 11.145,
        "max_speed": 15.2,
        "average_cadence": 88.0,
        "average_heartrate": 142.5,
        "max_heartrate": 171.0,
        "has_heartrate": True,
        "max_watts": 612.0,
        "average_watts": 201.3,
        "weighted_average_watts": 215.0,
        "kilojoules": 724.68,
        "average_temp": 18.0,
        "suffer_score": 85.0,
        "commute": False,
        "flagged": False,
        "manual": False,
        "upload_id": 14000000001,
        "upload_id_str": "14000000001",
        "gear_name": "Canyon Endurace",
        "calories": 1020.0,
        "description": "Coffee stop\nin Girona",
        "private_note": "legs heavy",
        "sport_group": "Ride",
        "distance_km": 40.1234,
        "strava_url": "https://www.strava.com/activities/13000000001",
    }
    for column, value in expected.items():
        wanted = pytest.approx(value) if isinstance(value, float) else value
        assert ride[column] == wanted, column
    never = ("gear_id", "timezone", "utc_offset", "workout_type", "trainer", "private",
             "kudos_count", "athlete_id", "device_watts", "map_summary_polyline",
             "local_time_inferred")  # fmt: skip
    for column in never:
        assert pd.isna(ride[column]), column

    gym = one(frame, 13000000002)
    assert gym["sport_type"] == "WeightTraining"
    assert gym["sport_group"] == "Fitness"
    assert gym["start_date"] == pd.Timestamp("2024-05-07 18:30:00", tz="UTC")
    assert gym["manual"]
    assert not gym["has_gps"]
    assert gym["commute"]
    assert gym["distance"] == 0.0
    assert gym["has_heartrate"] == False  # noqa: E712 - a boolean NA-able column
    assert pd.isna(gym["gear_name"])
    assert archive.notes == (
        "activity 13000000001: file 'activities/14000000001.fit.gz' is listed but not in the "
        "archive",
    )


def test_the_table_has_exactly_the_to_frame_schema_then_the_extras() -> None:
    frame = read_archive(export([FULL_ROW]), routes=False)
    assert list(frame.columns) == [*SCHEMA, *EXTRA]
    for column, spec in SCHEMA.items():
        assert str(frame[column].dtype) == spec.dtype, column
    assert [str(frame[c].dtype) for c in EXTRA] == [
        "string",
        "Float64",
        "string",
        "string",
        "boolean",
    ]


def test_rows_stripped_to_three_cells_give_what_to_frame_makes_of_their_records() -> None:
    # Most columns are then empty and share one array per dtype: the table must still
    # be to_frame's, value for value and dtype for dtype.
    rows = [
        {"Activity ID": str(i), "Activity Date": f"May {i}, 2024, 4:02:34 AM", "Activity Type": t}
        for i, t in ((1, "Run"), (2, "Ride"), (3, "Weight Training"))
    ]
    archive = open_archive(export(rows))
    frame = archive.activities
    for column, spec in SCHEMA.items():
        assert str(frame[column].dtype) == spec.dtype, column
    assert frame["id"].tolist() == [3, 2, 1]
    assert frame["distance"].isna().all()
    assert frame["pace_per_km"].isna().all()
    expected = to_frame(archive.records)
    pd.testing.assert_frame_equal(frame[list(SCHEMA)], expected[list(SCHEMA)], check_exact=True)


def test_writing_one_empty_column_leaves_the_others_empty() -> None:
    # Empty columns share one array per dtype; copy-on-write must keep them apart.
    frame = read_archive(export([row(1), row(2)]), routes=False)
    frame.loc[0, "average_watts"] = 250.0
    watts = frame["max_watts"]
    watts.iloc[1] = 900.0
    assert frame["average_watts"].tolist() == [250.0, pd.NA]
    for column in ("max_watts", "weighted_average_watts", "kilojoules", "average_temp"):
        assert frame[column].isna().all(), column
    assert read_archive(export([row(1), row(2)]), routes=False)["max_watts"].isna().all()


def test_header_only_gives_an_empty_table() -> None:
    frame = read_archive(export([]))
    assert frame.empty
    assert list(frame.columns) == [*SCHEMA, *EXTRA]


def test_records_are_summary_activity_shaped() -> None:
    with open_archive(export([FULL_ROW]), routes=False) as archive:
        record = archive.records[0]
    assert record["id"] == 13000000001
    assert record["start_date"] == "2024-05-06T04:02:34Z"
    assert record["sport_type"] == "Ride"
    assert record["distance"] == 40123.4


def test_english_2020_export_with_untranslated_placeholders() -> None:
    """A real en-GB export of 2020: day-first dates, "translation missing: …" headers, a
    numeric id in Bike, and no first Max Heart Rate or Private Note columns."""
    rows = [
        row(
            4512261173,
            Activity_Date="24 Dec 2020, 08:13:59",
            Activity_Name="Test activity cycling ",
            Activity_Type="Ride",
            Elapsed_Time="19595",
            Distance="101.17",
            Commute="false",
            Filename="activities/4821174253.fit.gz",
            Bike_Weight="10.0",
            Elapsed_Time__1="19595.0",
            Moving_Time="18566.0",
            Distance__1="101178.203125",
            Max_Speed="11.5",
            Average_Speed="5.449649810791016",
            Elevation_Gain="739.0",
            Average_Watts="70.17720031738281",
            Calories="2938.0",
            Bike="4598181.0",
            Flagged="1.0",
        )
    ]
    assert len(EN_GB_2020) == len(VERSIONS["2020"]) == 78
    data = csv_bytes(EN_GB_2020, rows, english=VERSIONS["2020"])
    archive = open_archive(make_zip({"activities.csv": data}), routes=False)
    ride = one(archive.activities, 4512261173)
    assert ride["start_date"] == pd.Timestamp("2020-12-24 08:13:59", tz="UTC")
    assert ride["distance"] == pytest.approx(101178.203125)
    assert ride["moving_time"] == 18566
    assert ride["name"] == "Test activity cycling "
    assert ride["flagged"]
    assert pd.isna(ride["gear_name"])  # Bike holds an internal id, not a name
    assert archive.distance_unit == "km"


def test_oldest_header_without_metres_needs_the_unit() -> None:
    rows = [row(1, Distance="6.21", Elapsed_Time="2000"), row(2, Distance="3.10")]
    data = export(rows, header=OLDEST)

    archive = open_archive(data)
    assert archive.distance_unit is None
    assert archive.activities["distance"].isna().all()
    assert archive.notes == (
        "2 activities without distance: the export gives it only in the display unit, and "
        "whether that is km or mi could not be told",
    )

    frame = read_archive(data, distance_unit="mi")
    assert one(frame, 1)["distance"] == pytest.approx(6.21 * 1609.344)
    assert one(frame, 1)["elapsed_time"] == 2000
    assert pd.isna(one(frame, 1)["moving_time"])
    assert pd.isna(one(frame, 1)["has_heartrate"])  # the export has no heart-rate column


def test_oldest_header_unit_told_by_the_tracks() -> None:
    points = track_points(300)
    length_km = 4.2 * 299 / 1000  # the FIT file's own distance
    rows = [
        row(1, Distance=f"{length_km:.2f}", Filename="activities/11.fit.gz"),
        row(2, Distance="3.10"),
    ]
    archive = open_archive(
        export(rows, OLDEST, {"activities/11.fit.gz": gzip.compress(fit_file(points))})
    )
    assert archive.distance_unit == "km"
    assert one(archive.activities, 2)["distance"] == pytest.approx(3100.0)


def test_first_distance_in_miles_is_detected() -> None:
    rows = [
        row(1, Distance="6.21", Distance__1="9994.0"),
        row(2, Distance="13.11", Distance__1="21097.5"),
        row(3, Distance="1.00"),  # no metre value: converted with the detected unit
    ]
    archive = open_archive(export(rows), routes=False)
    assert archive.distance_unit == "mi"
    assert one(archive.activities, 2)["distance"] == 21097.5
    assert one(archive.activities, 3)["distance"] == pytest.approx(1609.344)


def test_columns_come_and_go_in_english() -> None:
    header = ["Filename", "Activity Type", "Activity ID", "Shiny New Column", "Activity Date",
              "Distance", "Activity Name", "Distance", "Moving Time"]  # fmt: skip
    cells = {"Activity ID": "5", "Activity Date": "Jan 2, 2023, 1:00:00 PM",
             "Activity Type": "Virtual Ride", "Distance": "20.0", ("Distance", 1): "20000",
             "Moving Time": "2400", "Shiny New Column": "?"}  # fmt: skip
    frame = read_archive(export([cells], header=header), routes=False)
    ride = one(frame, 5)
    assert ride["sport_type"] == "VirtualRide"
    assert ride["distance"] == 20000.0
    assert ride["average_speed"] == pytest.approx(20000 / 2400)  # the API's definition
    assert ride["manual"]  # Filename present and empty
    assert "Shiny New Column" not in frame


def test_german_header_is_read_by_position() -> None:
    assert len(GERMAN) == len(CURRENT)
    rows = [
        row(
            77,
            Activity_Date="06.05.2024, 04:02:34",
            Activity_Name="Morgenrunde",
            Activity_Type="Lauf",
            Distance="10,02",
            Distance__1="10020.5",
            Moving_Time="3000",
        ),
        row(78, Activity_Date="6. Mai 2024, 18:00:00", Activity_Type="Radfahrt"),
    ]
    data = make_zip({"activities.csv": csv_bytes(GERMAN, rows, english=CURRENT)})
    archive = open_archive(data, routes=False)
    assert archive.header == "header not in English: read by position as the 2025 export"
    frame = archive.activities
    run = one(frame, 77)
    assert run["sport_type"] == "Run"
    assert run["name"] == "Morgenrunde"
    assert run["start_date"] == pd.Timestamp("2024-05-06 04:02:34", tz="UTC")
    assert run["distance"] == 10020.5
    assert run["pace_per_km"] == pd.Timedelta(seconds=round(3000 / 10.0205))
    assert one(frame, 78)["sport_type"] == "Ride"
    assert one(frame, 78)["start_date"] == pd.Timestamp("2024-05-06 18:00:00", tz="UTC")


def test_unknown_language_and_length_is_refused_with_what_was_expected() -> None:
    header = ["ID de actividad", "Fecha de la actividad", "Nombre", "Tipo", "Distancia"]
    data = make_zip({"activities.csv": csv_bytes(header, [])})
    with pytest.raises(DataError) as info:
        read_archive(data)
    message = str(info.value)
    assert "header this app does not recognize" in message
    assert "'Activity ID', 'Activity Date', 'Activity Type'" in message
    assert "its 5 columns" in message
    assert "10 (2018), 78 (2020), 94 (2023), 103 (2025)" in message
    assert "'ID de actividad'" in message


def test_translated_header_of_known_length_but_other_layout_is_refused() -> None:
    rows = [{("Activity Name", 0): "x", ("Activity ID", 0): "Lauf"} for _ in range(3)]
    data = make_zip({"activities.csv": csv_bytes(GERMAN, rows, english=CURRENT)})
    with pytest.raises(DataError, match="its values do not fit that layout"):
        read_archive(data)


def test_missing_required_columns_are_named() -> None:
    header = ["Activity ID", "Activity Name", "Distance"]
    data = make_zip({"activities.csv": csv_bytes(header, [{"Activity ID": "1"}])})
    with pytest.raises(
        DataError, match=r"lacks the required columns 'Activity Date', 'Activity Type'"
    ):
        read_archive(data)


def test_rows_without_id_are_skipped_with_a_note() -> None:
    rows = [row(1), {"Activity ID": "", "Activity Name": "ghost"}, {**row(2), "Activity ID": "x1"}]
    archive = open_archive(export(rows), routes=False)
    assert archive.activities["id"].tolist() == [1]
    assert archive.notes == (
        "line 3: no activity id, skipped",
        "line 4: no activity id ('x1'), row skipped",
    )


def test_an_unreadable_date_is_na_and_noted() -> None:
    archive = open_archive(export([row(1, Activity_Date="someday"), row(2)]), routes=False)
    assert pd.isna(one(archive.activities, 1)["start_date"])
    assert archive.notes == ("1 activity without start: date 'someday' not recognized",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 6, 2024, 4:02:34 AM", datetime(2024, 5, 6, 4, 2, 34)),
        ("May 6, 2024, 12:02:34 AM", datetime(2024, 5, 6, 0, 2, 34)),
        ("May 6, 2024, 12:02:34 PM", datetime(2024, 5, 6, 12, 2, 34)),
        ("Dec 31, 2023, 11:59:59 PM", datetime(2023, 12, 31, 23, 59, 59)),
        ("Apr 03, 2026, 08:00:00 AM", datetime(2026, 4, 3, 8, 0, 0)),
        ("Sept 3, 2024, 7:00:00\u202fPM", datetime(2024, 9, 3, 19, 0, 0)),
        ("24 Dec 2020, 08:13:59", datetime(2020, 12, 24, 8, 13, 59)),
        ("6. Mai 2024, 04:02:34", datetime(2024, 5, 6, 4, 2, 34)),
        ("06.05.2024, 04:02:34", datetime(2024, 5, 6, 4, 2, 34)),
        ("6 de mayo de 2024, 4:02:34", datetime(2024, 5, 6, 4, 2, 34)),
        ("6 mai 2024 à 04:02:34", datetime(2024, 5, 6, 4, 2, 34)),
        ("2024-05-06 04:02:34", datetime(2024, 5, 6, 4, 2, 34)),
        ("2024-05-06T04:02:34Z", datetime(2024, 5, 6, 4, 2, 34)),
        ("Feb 30, 2024, 4:02:34 AM", None),
        ("May 6, 2024, 13:02:34 PM", None),
        ("Smarch 6, 2024, 4:02:34 AM", None),
        ("05/06/2024 04:02", None),  # ambiguous: US or European order
        ("", None),
    ],
)
def test_activity_date_forms(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("display", "enum"),
    [
        ("Run", "Run"),
        ("Weight Training", "WeightTraining"),
        ("Virtual Ride", "VirtualRide"),
        ("E-Bike Ride", "EBikeRide"),
        ("E-Mountain Bike Ride", "EMountainBikeRide"),
        ("Stand Up Paddling", "StandUpPaddling"),
        ("Trail Run", "TrailRun"),
        ("HIIT", "HighIntensityIntervalTraining"),
        ("High Intensity Interval Training", "HighIntensityIntervalTraining"),
        ("Rock Climb", "RockClimbing"),
        ("Canoe", "Canoeing"),
        ("Ice Skate", "IceSkate"),
        ("Table Tennis", "TableTennis"),
        ("Stair-Stepper", "StairStepper"),
        ("Jump Rope", "JumpRope"),
        ("tai chi", "TaiChi"),
    ],
)
def test_activity_type_display_names(display: str, enum: str) -> None:
    assert sport_type(display) == enum


def test_unknown_activity_types_land_in_other_and_get_a_legacy_type_when_known() -> None:
    rows = [row(1, Activity_Type="Jump Rope"), row(2, Activity_Type="Gravel Ride"),
            row(3, Activity_Type="Padel")]  # fmt: skip
    frame = read_archive(export(rows), routes=False)
    assert one(frame, 1)[["sport_type", "sport_group"]].tolist() == ["JumpRope", "Other"]
    assert pd.isna(one(frame, 1)["type"])
    assert one(frame, 2)[["sport_type", "type", "sport_group"]].tolist() == [
        "GravelRide",
        "Ride",
        "Ride",
    ]
    assert pd.isna(one(frame, 3)["type"])  # no legacy type for Padel


# --------------------------------------------------------------------------- tracks


@pytest.fixture(scope="module")
def tracked() -> Iterator[tuple[Archive, list[dict[str, Any]]]]:
    points = track_points()
    files = {
        "activities/21.gpx": gpx_file(points),
        "activities/22.gpx.gz": gzip.compress(gpx_file(points)),
        "activities/23.tcx.gz": gzip.compress(tcx_file(points)),
        "activities/24.fit.gz": gzip.compress(fit_file(points, before_fix=3)),
        "activities/25.fit": fit_file(points),
        "media/photo.jpg": os.urandom(2048),
    }
    rows = [row(i, Filename=f"activities/{name.rpartition('/')[2]}", Distance="1.26",
                Distance__1="1255.8")
            for i, name in zip(range(1, 6), files, strict=False)]  # fmt: skip
    rows.append(row(6, Activity_Type="Yoga"))
    seen: list[tuple[int, int]] = []
    archive = open_archive(
        make_zip({"activities.csv": csv_bytes(CURRENT, rows), **files}),
        on_track=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    yield archive, points
    archive.close()


@pytest.mark.parametrize("activity_id", [1, 2, 3, 4, 5])
def test_each_track_kind_gives_the_route(
    tracked: tuple[Archive, list[dict[str, Any]]], activity_id: int
) -> None:
    archive, points = tracked
    assert archive.notes == ()
    ride = one(archive.activities, activity_id)
    first = 3 if activity_id == 4 else 0  # the FIT file's first samples have no position
    assert ride["has_gps"]
    assert (ride["start_lat"], ride["start_lng"]) == pytest.approx(
        (points[first]["lat"], points[first]["lng"]), abs=1e-6
    )
    assert (ride["end_lat"], ride["end_lng"]) == pytest.approx(
        (points[-1]["lat"], points[-1]["lng"]), abs=1e-6
    )
    route = polyline.decode(ride["map_summary_polyline"], 5)
    assert len(route) == 200
    assert route[0] == pytest.approx((points[first]["lat"], points[first]["lng"]), abs=1e-5)
    for lat, lng in route:  # every route point is a track point (to the polyline's 1e-5°)
        assert min(abs(lat - p["lat"]) + abs(lng - p["lng"]) for p in points) < 2e-5
    assert not one(archive.activities, 6)["has_gps"]


@pytest.mark.parametrize("activity_id", [1, 2, 3, 4, 5])
def test_track_streams_feed_to_gpx(
    tracked: tuple[Archive, list[dict[str, Any]]], activity_id: int
) -> None:
    archive, points = tracked
    streams = archive.track(activity_id)
    first = 3 if activity_id == 4 else 0
    kept = points[first:]
    assert len(streams["latlng"]["data"]) == len(kept)
    assert streams["time"]["data"] == [int((p["time"] - START).total_seconds()) for p in kept]
    assert streams["heartrate"]["data"] == [p["hr"] for p in kept]
    assert streams["altitude"]["data"] == pytest.approx([p["ele"] for p in kept], abs=0.21)
    if activity_id in (3, 4, 5):  # TCX and FIT carry cadence, power and distance
        assert streams["cadence"]["data"] == [p["cad"] for p in kept]
        assert streams["watts"]["data"] == [p["power"] for p in kept]
        assert streams["distance"]["data"] == pytest.approx([p["dist"] for p in kept], abs=0.01)
    else:  # GPX has no distance: summed along the track
        assert streams["distance"]["data"][0] == 0.0
        assert streams["distance"]["data"][-1] == pytest.approx(1255, rel=0.05)
    if activity_id in (4, 5):
        assert streams["temp"]["data"] == [18.0] * len(kept)

    record = next(r for r in archive.records if r["id"] == activity_id)
    parsed = gpxpy.parse(to_gpx(record, streams).decode())
    gpx_points = parsed.tracks[0].segments[0].points
    assert [p.time for p in gpx_points] == [p["time"] for p in kept]
    assert [(p.latitude, p.longitude) for p in gpx_points] == pytest.approx(
        [(p["lat"], p["lng"]) for p in kept], abs=1e-6
    )


def test_no_track_for_a_manual_activity(tracked: tuple[Archive, list[dict[str, Any]]]) -> None:
    archive, _ = tracked
    assert archive.has_track(1)
    assert not archive.has_track(6)
    with pytest.raises(DataError, match="activity 6 has no recorded file in the archive"):
        archive.track(6)


def test_long_routes_are_simplified_keeping_their_ends() -> None:
    points = [{**p, "lat": 41.0 + i * 1e-4, "lng": 2.0 + 1e-3 * math.sin(i / 7)}
              for i, p in enumerate(track_points(5000, 1))]  # fmt: skip
    data = export(
        [row(1, Filename="activities/1.gpx")], files={"activities/1.gpx": gpx_file(points)}
    )
    frame = read_archive(data)
    route = polyline.decode(frame.loc[0, "map_summary_polyline"], 5)
    assert len(route) == 200
    assert route[0] == pytest.approx((points[0]["lat"], points[0]["lng"]), abs=1e-5)
    assert route[-1] == pytest.approx((points[-1]["lat"], points[-1]["lng"]), abs=1e-5)


def test_unreadable_track_files_are_noted_not_fatal() -> None:
    rows = [
        row(1, Filename="activities/1.fit.gz"),
        row(2, Filename="activities/2.tcx.gz"),
        row(3, Filename="activities/3.kml"),
        row(4, Filename="activities/4.gpx.gz"),
        row(5, Filename="activities/5.gpx"),
        row(6, Filename="activities/6.gpx"),
        row(7, Filename="../../etc/passwd"),
    ]
    entity_bomb = (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><gpx>&b;</gpx>'
    )
    archive = open_archive(
        export(
            rows,
            files={
                "activities/1.fit.gz": gzip.compress(b"not a fit file at all, sorry"),
                "activities/2.tcx.gz": gzip.compress(b"<TrainingCenterDatabase><unclosed>"),
                "activities/3.kml": b"<kml/>",
                "activities/4.gpx.gz": b"\x1f\x8b\x08\x00 truncated",
                "activities/5.gpx": entity_bomb,
                "activities/6.gpx": b"<gpx><trk><trkseg></trkseg></trk></gpx>",
            },
        )
    )
    assert archive.activities["id"].tolist() == [7, 6, 5, 4, 3, 2, 1]
    assert not archive.activities["has_gps"].any()
    notes = "\n".join(archive.notes)
    assert "activity 1: activities/1.fit.gz is not a readable FIT file" in notes
    assert "activity 2: activities/2.tcx.gz is not valid XML" in notes
    assert "activity 3: file 'activities/3.kml' is of a kind this app cannot read" in notes
    assert "activity 4: activities/4.gpx.gz is" in notes
    assert "activity 5: activities/5.gpx: the file declares a DTD or entities" in notes
    assert "activity 7: file '../../etc/passwd' ignored ('..' in the path)" in notes
    assert len(archive.notes) == 6  # the empty GPX is readable, just without a route
    with pytest.raises(DataError, match="not a readable FIT file"):
        archive.track(1)
    assert archive.track(6) == {}


def test_archive_in_a_folder_and_case_insensitive_file_names() -> None:
    data = make_zip(
        {
            "export_48213657/activities.csv": csv_bytes(
                CURRENT, [row(1, Filename="activities/1.GPX")]
            ),
            "export_48213657/activities/1.gpx": gpx_file(track_points(10)),
            "export_48213657/other/activities.csv": b"decoy",
        }
    )
    assert read_archive(data).loc[0, "has_gps"]


def test_routes_off_is_fast_and_tracks_stay_available() -> None:
    data = export(
        [row(1, Filename="activities/1.gpx")],
        files={"activities/1.gpx": gpx_file(track_points(10))},
    )
    with open_archive(data, routes=False) as archive:
        assert not archive.activities.loc[0, "has_gps"]
        assert len(archive.track(1)["latlng"]["data"]) == 10
    with pytest.raises(DataError, match="the archive is closed"):
        archive.track(1)


# --------------------------------------------------------------------------- local time

GIRONA, LOS_ANGELES, DUBLIN, SYDNEY = (
    (41.98, 2.82),
    (34.05, -118.25),
    (53.35, -6.26),
    (-33.87, 151.21),
)
WATOPIA = (-11.64, 166.95)  # Zwift's virtual world lies in the Pacific, off Vanuatu


def placed(start: datetime, where: tuple[float, float], n: int = 30) -> list[dict[str, Any]]:
    """The track_points circle, moved to start at ``start`` (UTC) around ``where``."""
    lat, lng = where
    return [
        {**p, "time": start + (p["time"] - START),
         "lat": round(p["lat"] - 41.98 + lat, 6), "lng": round(p["lng"] - 2.82 + lng, 6)}
        for p in track_points(n)
    ]  # fmt: skip


def activity_date(moment: datetime) -> str:
    """``moment`` (UTC) as activities.csv writes it: "Jul 10, 2024, 9:30:00 PM"."""
    return f"{moment:%b} {moment.day}, {moment.year}, {moment.hour % 12 or 12}:{moment:%M:%S %p}"


def timed(
    activities: Sequence[tuple[int, datetime, tuple[float, float] | None]],
    sport: Mapping[int, str] | None = None,
    **open_options: Any,
) -> Archive:
    """An archive of (id, start in UTC, where its GPX track starts; None: manual)."""
    rows, files = [], {}
    for activity_id, start, where in activities:
        cells = {"Activity_Date": activity_date(start),
                 "Activity_Type": (sport or {}).get(activity_id, "Run")}  # fmt: skip
        if where is not None:
            name = f"activities/{activity_id}.gpx"
            files[name] = gpx_file(placed(start, where))
            cells["Filename"] = name
        rows.append(row(activity_id, **cells))
    return open_archive(export(rows, files=files), **open_options)


def record_of(archive: Archive, activity_id: int) -> dict[str, Any]:
    return next(r for r in archive.records if r["id"] == activity_id)


@pytest.mark.parametrize(
    ("where", "start", "timezone", "offset"),
    [
        (GIRONA, datetime(2024, 7, 10, 6, 0, tzinfo=UTC), "(GMT+01:00) Europe/Madrid", 7200.0),
        (GIRONA, datetime(2024, 1, 10, 6, 0, tzinfo=UTC), "(GMT+01:00) Europe/Madrid", 3600.0),
        (DUBLIN, datetime(2024, 7, 10, 6, 0, tzinfo=UTC), "(GMT+00:00) Europe/Dublin", 3600.0),
        (DUBLIN, datetime(2024, 1, 10, 6, 0, tzinfo=UTC), "(GMT+00:00) Europe/Dublin", 0.0),
        (SYDNEY, datetime(2024, 1, 10, 6, 0, tzinfo=UTC), "(GMT+10:00) Australia/Sydney", 39600.0),
        (SYDNEY, datetime(2024, 7, 10, 6, 0, tzinfo=UTC), "(GMT+10:00) Australia/Sydney", 36000.0),
    ],
)
def test_the_track_start_gives_the_local_time_as_the_api_has_it(
    where: tuple[float, float], start: datetime, timezone: str, offset: float
) -> None:
    """Strava's label holds the zone's standard offset, utc_offset the real one (DST)."""
    archive = timed([(1, start, where)])
    record = record_of(archive, 1)
    local = start + timedelta(seconds=offset)
    assert record["timezone"] == timezone
    assert record["utc_offset"] == offset
    assert isinstance(record["utc_offset"], float)
    assert record["start_date"] == f"{start:%Y-%m-%dT%H:%M:%S}Z"
    assert record["start_date_local"] == f"{local:%Y-%m-%dT%H:%M:%S}Z"  # the API's bogus Z
    assert record["local_time_inferred"] is False
    ride = one(archive.activities, 1)
    assert ride["start_date_local"] == pd.Timestamp(local.replace(tzinfo=None))
    assert ride["timezone"] == timezone
    assert ride["utc_offset"] == offset
    assert ride["hour"] == local.hour
    assert ride["local_time_inferred"] == False  # noqa: E712 - a boolean NA-able column


def test_a_late_evening_in_los_angeles_is_on_the_local_day() -> None:
    start = datetime(2024, 7, 11, 4, 30, tzinfo=UTC)  # Wednesday 10 July, 21:30 in LA
    archive = timed([(1, start, LOS_ANGELES)])
    record = record_of(archive, 1)
    assert record["timezone"] == "(GMT-08:00) America/Los_Angeles"
    assert record["utc_offset"] == -25200.0
    assert record["start_date_local"] == "2024-07-10T21:30:00Z"
    run = one(archive.activities, 1)
    assert run["start_date"].date() == date(2024, 7, 11)
    assert run["local_date"] == pd.Timestamp("2024-07-10")
    assert run["weekday"] == 2
    assert run["weekday_name"] == "Wed"
    assert run["hour"] == 21
    assert run["week_start"] == pd.Timestamp("2024-07-08")


def test_an_activity_without_gps_takes_the_zone_of_the_nearest_gps_activity() -> None:
    archive = timed(
        [
            (1, datetime(2024, 3, 20, 7, 0, tzinfo=UTC), GIRONA),  # CET, +1
            (2, datetime(2024, 4, 2, 17, 0, tzinfo=UTC), None),  # manual, in CEST now
            (3, datetime(2024, 4, 10, 7, 0, tzinfo=UTC), GIRONA),
            (4, datetime(2024, 8, 1, 16, 0, tzinfo=UTC), None),  # nearest: 5, in LA
            (5, datetime(2024, 8, 3, 16, 0, tzinfo=UTC), LOS_ANGELES),
        ],
        sport={2: "Weight Training", 4: "Yoga"},
    )
    gym = record_of(archive, 2)
    assert gym["timezone"] == "(GMT+01:00) Europe/Madrid"
    assert gym["utc_offset"] == 7200.0  # at its own start: summer time began on 31 March
    assert gym["start_date_local"] == "2024-04-02T19:00:00Z"
    assert gym["local_time_inferred"] is True
    yoga = record_of(archive, 4)
    assert yoga["timezone"] == "(GMT-08:00) America/Los_Angeles"
    assert yoga["start_date_local"] == "2024-08-01T09:00:00Z"
    frame = archive.activities
    inferred = dict(zip(frame["id"], frame["local_time_inferred"], strict=True))
    assert inferred == {1: False, 2: True, 3: False, 4: True, 5: False}
    assert one(frame, 2)["hour"] == 19


def test_a_tie_takes_the_earlier_gps_activity() -> None:
    archive = timed(
        [
            (1, datetime(2024, 7, 1, 12, 0, tzinfo=UTC), GIRONA),
            (2, datetime(2024, 7, 2, 12, 0, tzinfo=UTC), None),
            (3, datetime(2024, 7, 3, 12, 0, tzinfo=UTC), LOS_ANGELES),
        ]
    )
    assert record_of(archive, 2)["timezone"] == "(GMT+01:00) Europe/Madrid"


def test_virtual_rides_are_not_located_by_their_game_world() -> None:
    archive = timed(
        [
            (1, datetime(2024, 7, 1, 6, 0, tzinfo=UTC), GIRONA),
            (2, datetime(2024, 7, 1, 18, 0, tzinfo=UTC), WATOPIA),
        ],
        sport={2: "Virtual Ride"},
    )
    zwift = record_of(archive, 2)
    assert zwift["start_latlng"] == pytest.approx(list(WATOPIA), abs=0.01)  # the map keeps it
    assert zwift["timezone"] == "(GMT+01:00) Europe/Madrid"
    assert zwift["local_time_inferred"] is True


def test_a_fit_device_clock_gives_the_local_time_of_an_indoor_activity() -> None:
    start = datetime(2024, 7, 1, 18, 0, tzinfo=UTC)
    indoor = fit_file(placed(start, GIRONA), before_fix=30, clock_offset=-4 * 3600)
    rows = [row(1, Activity_Date=activity_date(start), Filename="activities/1.fit"),
            row(2, Activity_Date=activity_date(start + timedelta(hours=1)))]  # fmt: skip
    archive = open_archive(export(rows, files={"activities/1.fit": indoor}))
    trainer = record_of(archive, 1)
    assert trainer["utc_offset"] == -14400.0
    assert trainer["start_date_local"] == "2024-07-01T14:00:00Z"
    assert trainer.get("timezone") is None  # an offset names no zone
    assert trainer["local_time_inferred"] is False
    manual = record_of(archive, 2)  # no GPS activity to take a zone from: UTC kept
    assert manual.get("utc_offset") is None
    assert manual["local_time_inferred"] is None


def test_the_gps_zone_wins_over_the_device_clock() -> None:
    start = datetime(2024, 7, 1, 6, 0, tzinfo=UTC)
    fit = fit_file(placed(start, GIRONA), clock_offset=0)  # a clock left on UTC
    archive = open_archive(
        export([row(1, Activity_Date=activity_date(start), Filename="activities/1.fit")],
               files={"activities/1.fit": fit})
    )  # fmt: skip
    assert record_of(archive, 1)["utc_offset"] == 7200.0


def test_without_any_track_times_stay_utc() -> None:
    start = datetime(2024, 7, 10, 21, 30, tzinfo=UTC)
    archive = timed([(1, start, None), (2, start + timedelta(days=1), None)])
    record = record_of(archive, 1)
    assert record["start_date_local"] == "2024-07-10T21:30:00"  # the UTC clock, as before
    assert record.get("timezone") is None
    assert record.get("utc_offset") is None
    assert record["local_time_inferred"] is None
    frame = archive.activities
    assert frame["utc_offset"].isna().all()
    assert frame["timezone"].isna().all()
    assert frame["local_time_inferred"].isna().all()
    assert one(frame, 1)["hour"] == 21


def test_without_reading_routes_times_stay_utc() -> None:
    archive = timed([(1, datetime(2024, 7, 10, 6, 0, tzinfo=UTC), GIRONA)], routes=False)
    assert archive.activities["utc_offset"].isna().all()
    assert record_of(archive, 1)["start_date_local"] == "2024-07-10T06:00:00"


def test_zones_are_found_with_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """timezonefinder ships its boundaries: a fresh finder needs no download."""
    import socket

    from strava_dash import archive as archive_module

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the network was used")

    for name in ("socket", "create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, offline)
    archive_module._zone_finder.cache_clear()
    archive = timed([(1, datetime(2024, 7, 10, 6, 0, tzinfo=UTC), LOS_ANGELES)])
    assert record_of(archive, 1)["timezone"] == "(GMT-08:00) America/Los_Angeles"


# --------------------------------------------------------------------------- sources


def test_path_file_object_and_one_way_stream(tmp_path: Path) -> None:
    data = export([row(1)])
    path = tmp_path / "export_1.zip"
    path.write_bytes(data)

    class OneWay(io.RawIOBase):
        def __init__(self, raw: bytes) -> None:
            self._inner = io.BytesIO(raw)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self._inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    for source in (str(path), path, io.BytesIO(data), OneWay(data), data, bytearray(data)):
        assert read_archive(source)["id"].tolist() == [1]  # type: ignore[arg-type]


def test_a_closed_upload_gives_a_clear_error_on_track() -> None:
    upload = io.BytesIO(export([row(1, Filename="activities/1.gpx")],
                               files={"activities/1.gpx": gpx_file(track_points(10))}))  # fmt: skip
    archive = open_archive(upload, routes=False)
    upload.close()
    with pytest.raises(DataError, match="can no longer be read"):
        archive.track(1)


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"", "the upload is empty"),
        (b"Activity ID,Activity Date\n1,x\n", "the upload is not a ZIP file"),
        (b"PK\x03\x04 broken", "the upload is not a ZIP file"),
        (os.urandom(5000), "the upload is not a ZIP file"),
    ],
)
def test_not_a_zip(upload: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_archive(upload)


def test_missing_path_and_wrong_type() -> None:
    with pytest.raises(DataError, match="cannot read the archive"):
        read_archive("/nonexistent/export.zip")
    with pytest.raises(DataError, match="expected a path, bytes or a binary file"):
        read_archive(12)  # type: ignore[arg-type]


def test_input_size_limit(tmp_path: Path) -> None:
    data = export([row(1)])
    limits = ArchiveLimits(max_archive_bytes=len(data) - 1)
    path = tmp_path / "big.zip"
    path.write_bytes(data)
    for source in (data, io.BytesIO(data), path):
        with pytest.raises(DataError, match=r"the archive is .* more than the .* this app accepts"):
            read_archive(source, limits=limits)


def test_no_activities_csv() -> None:
    data = make_zip({"profile.csv": b"a,b\n", "media/1.jpg": b"x"})
    with pytest.raises(
        DataError, match=r"the ZIP has no activities\.csv.*'profile\.csv', 'media/1\.jpg'"
    ):
        read_archive(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "activities.csv is not CSV text"),
        ("Activity ID,Activity Date\n1,Mär\n".encode("latin-1"), "is not UTF-8 text"),
        (b"", "activities.csv is empty"),
        (b"\n\n , \n", "activities.csv is empty"),
        (b'Activity ID,"Activity Date\n', "not valid CSV|lacks the required"),
    ],
)
def test_activities_csv_that_is_not_csv(content: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_archive(make_zip({"activities.csv": content}))


@pytest.mark.parametrize(
    "name",
    ["../evil.csv", "/etc/passwd", "C:/Windows/win.ini", "c:evil", "activities/../../x.gpx",
     "a\\..\\..\\b.txt"],
)  # fmt: skip
def test_unsafe_member_names_are_refused(name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("activities.csv", csv_bytes(CURRENT, [row(1)]))
        info = zipfile.ZipInfo("x")
        info.filename = name  # ZipInfo(name) would clean some of these names up
        zf.writestr(info, b"x")
    with pytest.raises(DataError, match=r"the archive holds a file named .* it is refused"):
        read_archive(buffer.getvalue())


def test_ratio_bomb_is_refused_before_anything_inflates(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = export([row(1)], files={"media/zeros.bin": bytes(30 * MiB)})
    assert len(bomb) < 100_000

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    with pytest.raises(DataError, match=r"'media/zeros.bin' would inflate .* possible ZIP bomb"):
        read_archive(bomb)


def test_total_declared_size_and_member_count_limits() -> None:
    data = export(
        [row(1)], files={"media/a.jpg": os.urandom(50_000), "media/b.jpg": os.urandom(50_000)}
    )
    with pytest.raises(DataError, match=r"would unpack to .* possible ZIP bomb"):
        read_archive(data, limits=ArchiveLimits(max_total_bytes=90_000))
    with pytest.raises(DataError, match="lists 3 files, more than the 2 allowed"):
        read_archive(data, limits=ArchiveLimits(max_members=2))
    with pytest.raises(DataError, match=r"activities\.csv is .* more than the .* allowed"):
        read_archive(data, limits=ArchiveLimits(max_csv_bytes=10))


def _lie_about_size(raw: bytes, name: str, size: int) -> bytes:
    """The ZIP with ``name``'s uncompressed size replaced in both of its headers."""
    data = bytearray(raw)
    info = zipfile.ZipFile(io.BytesIO(raw)).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, size)  # local file header
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, size)  # central directory entry
    return bytes(data)


def test_bomb_that_lies_about_its_size_stops_at_the_declared_size() -> None:
    content = csv_bytes(CURRENT, [row(1)]) + b"\n" * (40 * MiB)
    bomb = _lie_about_size(make_zip({"activities.csv": content}), "activities.csv", 4096)
    assert zipfile.ZipFile(io.BytesIO(bomb)).getinfo("activities.csv").file_size == 4096
    with pytest.raises(
        DataError, match=r"activities\.csv (is damaged inside the ZIP|inflates to more)"
    ):
        read_archive(bomb)


def test_gzip_bomb_inside_a_track_is_noted_and_bounded() -> None:
    bomb = gzip.compress(bytes(50 * MiB))
    archive = open_archive(
        export(
            [row(1, Filename="activities/1.gpx.gz"), row(2)], files={"activities/1.gpx.gz": bomb}
        )
    )
    assert archive.activities["id"].tolist() == [2, 1]
    assert len(archive.notes) == 1
    assert "activities/1.gpx.gz' would inflate" in archive.notes[0]
    assert "possible ZIP bomb" in archive.notes[0]
    small = ArchiveLimits(max_track_bytes=1 * MiB, max_ratio=1e9)
    archive = open_archive(
        export([row(1, Filename="activities/1.gpx.gz")], files={"activities/1.gpx.gz": bomb}),
        limits=small,
    )
    assert "inflates to more than the 1.0 MiB allowed" in archive.notes[0]


def test_inflating_past_the_total_budget_refuses_the_whole_upload() -> None:
    nested = gzip.compress(bytes(8 * MiB))
    data = export([row(1, Filename="activities/1.gpx.gz")], files={"activities/1.gpx.gz": nested})
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    limits = ArchiveLimits(max_total_bytes=declared + 2 * MiB, max_ratio=1e9)
    with pytest.raises(DataError, match="inflated the archive past its total size limit"):
        read_archive(data, limits=limits)


def test_nothing_is_written_to_disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    points = track_points(20)
    path = tmp_path / "export.zip"
    path.write_bytes(
        export(
            [row(1, Filename="activities/1.fit.gz"), row(2, Filename="activities/2.tcx.gz")],
            files={
                "activities/1.fit.gz": gzip.compress(fit_file(points)),
                "activities/2.tcx.gz": gzip.compress(tcx_file(points)),
            },
        )
    )
    real_open, real_os_open = builtins.open, os.open

    def read_only(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if set(mode) & set("wax+"):
            raise AssertionError(f"opened {file!r} for writing")
        return real_open(file, mode, *args, **kwargs)

    def os_read_only(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise AssertionError(f"opened {file!r} for writing")
        return real_os_open(file, flags, *args, **kwargs)

    def no_temp(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a temporary file was made")

    monkeypatch.setattr(builtins, "open", read_only)
    monkeypatch.setattr(io, "open", read_only)
    monkeypatch.setattr(os, "open", os_read_only)
    for name in ("mkstemp", "mkdtemp", "TemporaryDirectory", "NamedTemporaryFile", "TemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temp)
    with open_archive(path) as archive:
        assert archive.activities["has_gps"].all()
        archive.track(1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


def test_every_refusal_is_a_strava_dash_error() -> None:
    for upload in (b"", b"nope", make_zip({"x.txt": b""})):
        with pytest.raises(StravaDashError):
            read_archive(upload)
