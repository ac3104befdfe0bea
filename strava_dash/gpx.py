"""Activities and their streams -> GPX 1.1 files, stream CSVs and one ZIP of tracks.

* :func:`to_gpx` — one activity as a GPX 1.1 track, written by gpxpy: positions, time,
  elevation, and heart rate, cadence, temperature and power as extensions.
* :func:`streams_csv` — every stream of one activity as a CSV table, one row per sample.
* :func:`tracks_zip` — many activities at once: one ``.gpx`` (and optionally ``.csv``)
  per activity with a GPS track, the others listed as :class:`Skipped` and in README.txt.

Extensions follow what Strava's own "Export GPX" writes (Garmin's TrackPointExtension is
the de-facto standard that Garmin Connect, Komoot and GPX viewers read; ``<power>`` is
what Strava's upload and most analysis tools read)::

    <extensions>
      <power>212</power>
      <gpxtpx:TrackPointExtension>
        <gpxtpx:atemp>21</gpxtpx:atemp><gpxtpx:hr>141</gpxtpx:hr><gpxtpx:cad>88</gpxtpx:cad>
      </gpxtpx:TrackPointExtension>
    </extensions>

Heart rate (bpm), cadence (rpm) and air temperature (°C) go into Garmin's
TrackPointExtension v1 (in its schema's order: atemp, hr, cad). Power (W) has no place
there. Garmin's PowerExtension (``gpxpx:PowerInWatts``) is read by fewer tools than the
bare ``<power>`` element that Strava's export writes and its upload reads, so ``<power>``
it is. Being in the GPX namespace, it is the one element a strict XSD validation of
GPX 1.1 would refuse (extensions must come from other namespaces); no common tool
validates.
"""

from __future__ import annotations

import csv
import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import gpxpy.gpx
import pandas as pd

from strava_dash.activities import STRAVA_ACTIVITY_URL
from strava_dash.errors import DataError
from strava_dash.export import filename_slug
from strava_dash.streams import STREAM_KEYS

GPX_NS: Final = "http://www.topografix.com/GPX/1/1"
TPX_NS: Final = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
CREATOR: Final = "Dash for Strava"
LINK_TEXT: Final = "View on Strava"

# CSV column order: the API's stream types, latlng split in two; unknown streams follow.
_CSV_ORDER: Final = tuple(
    column for key in STREAM_KEYS for column in (("lat", "lng") if key == "latlng" else (key,))
)
_MAX_SLUG: Final = 60
# Characters XML 1.0 cannot hold (C0 controls but tab/newline/CR, surrogates, U+FFFE/F).
_XML_INVALID: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Skipped:
    """An activity left out of a tracks ZIP, and why (shown to the athlete as is)."""

    activity_id: int | None
    name: str
    start_date: str
    reason: str


# --------------------------------------------------------------------------- GPX


def to_gpx(activity: Mapping[str, Any], streams: Mapping[str, Mapping[str, Any]]) -> bytes:
    """One activity as GPX 1.1 bytes (UTF-8): one ``<trk>`` with one ``<trkseg>``.

    ``activity`` is a SummaryActivity dict as the API sends it (or a row of the activity
    table as a dict): ``id``, ``name``, ``sport_type`` (else ``type``) and ``start_date``
    (ISO text, ``datetime`` or ``pandas.Timestamp``; UTC) are used. ``streams`` is the
    ``/activities/{id}/streams?key_by_type=true`` answer: ``latlng`` is required;
    ``time`` (s from the start), ``altitude`` (m), ``heartrate``, ``cadence``, ``temp``
    and ``watts`` are written where present. A sample without a valid position is left
    out; a missing (``None``/NaN) value leaves out just that element.

    Metadata: the activity's name, start time and a "View on Strava" link;
    ``<trk><type>`` is the ``sport_type``. Point time = ``start_date`` + ``time[i]``.

    Raises:
        DataError: the activity has no GPS track (no ``latlng`` stream, or no valid
            position in it).
    """
    activity_id = _activity_id(activity)
    name = _clean_text(activity.get("name"))
    what = f"activity {activity_id}" + (f" ({name!r})" if name else "")
    latlng = _data(streams, "latlng")
    if not latlng:
        raise DataError(
            f"{what} has no GPS track (no position stream): manual and indoor activities "
            "cannot be exported as GPX"
        )
    start = _as_utc(activity.get("start_date"))
    times = _data(streams, "time")
    columns = {key: _data(streams, key) for key in ("altitude", "heartrate", "cadence", "temp")}
    watts = _data(streams, "watts")

    gpx = gpxpy.gpx.GPX()
    gpx.creator = CREATOR
    gpx.nsmap["gpxtpx"] = TPX_NS
    gpx.name = name or None
    gpx.time = start
    if activity_id is not None:
        gpx.link = f"{STRAVA_ACTIVITY_URL}{activity_id}"
        gpx.link_text = LINK_TEXT
    track = gpxpy.gpx.GPXTrack(name=name or None)
    sport = _clean_text(activity.get("sport_type")) or _clean_text(activity.get("type"))
    track.type = sport or None  # type: ignore[assignment]  # gpxpy annotates it as None
    segment = gpxpy.gpx.GPXTrackSegment()
    track.segments.append(segment)
    gpx.tracks.append(track)

    for i, pair in enumerate(latlng):
        position = _position(pair)
        if position is None:
            continue
        offset = _number(_at(times, i))
        point = gpxpy.gpx.GPXTrackPoint(
            latitude=round(position[0], 7),
            longitude=round(position[1], 7),
            elevation=_rounded(_number(_at(columns["altitude"], i)), 2),
            time=start + timedelta(seconds=offset) if start and offset is not None else None,
        )
        point.extensions.extend(
            _extensions(
                hr=_whole(_at(columns["heartrate"], i), 0, 255),
                cad=_whole(_at(columns["cadence"], i), 0, 254),
                atemp=_rounded(_number(_at(columns["temp"], i)), 1),
                power=_whole(_at(watts, i), 0, None),
            )
        )
        segment.points.append(point)
    if not segment.points:
        raise DataError(f"{what} has no GPS track: its position stream holds no valid point")
    return gpx.to_xml(version="1.1").encode("utf-8")


def _extensions(
    *, hr: int | None, cad: int | None, atemp: float | None, power: int | None
) -> list[ET.Element]:
    out: list[ET.Element] = []
    if power is not None:
        element = ET.Element("power")
        element.text = str(power)
        out.append(element)
    values = (("atemp", atemp), ("hr", hr), ("cad", cad))  # TrackPointExtension v1 order
    if any(v is not None for _, v in values):
        tpx = ET.Element(f"{{{TPX_NS}}}TrackPointExtension")
        for tag, value in values:
            if value is not None:
                ET.SubElement(tpx, f"{{{TPX_NS}}}{tag}").text = _format(value)
        out.append(tpx)
    return out


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# --------------------------------------------------------------------------- CSV


def streams_csv(streams: Mapping[str, Mapping[str, Any]]) -> bytes:
    """All streams of one activity as CSV bytes: one row per sample, one column per stream.

    ``latlng`` becomes two columns, ``lat`` and ``lng`` (°). Columns follow the API's
    stream order (time, distance, lat, lng, altitude, velocity_smooth, heartrate,
    cadence, watts, temp, moving, grade_smooth), then any other stream. Units are the
    API's: s, m, °, m, m/s, bpm, rpm, W, °C, True/False, %. Written like
    :func:`strava_dash.export.to_csv`: UTF-8 with a byte-order mark, CRLF line ends; a
    missing value (or a stream shorter than the others) is an empty field.
    """
    columns: dict[str, list[Any]] = {}
    for key in streams:
        data = _data(streams, key)
        if key == "latlng":
            pairs = [_position(p) for p in data]
            columns["lat"] = [p[0] if p else None for p in pairs]
            columns["lng"] = [p[1] if p else None for p in pairs]
        else:
            columns[key] = list(data)
    names = [c for c in _CSV_ORDER if c in columns] + [c for c in columns if c not in _CSV_ORDER]
    rows = max((len(columns[c]) for c in names), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for i in range(rows):
        writer.writerow([_cell(_at(columns[c], i)) for c in names])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, float):
        return repr(float(value))  # numpy floats too, without their "np.float64(...)" repr
    return str(value)


# --------------------------------------------------------------------------- ZIP


def tracks_zip(
    items: Iterable[tuple[Mapping[str, Any], Mapping[str, Mapping[str, Any]] | None]],
    *,
    include_csv: bool,
) -> tuple[bytes, list[Skipped]]:
    """Many activities as one ZIP: a GPX file per activity with a GPS track.

    ``items`` are ``(activity, streams)`` pairs; ``streams`` is ``None`` when they were
    not fetched. Each activity with a track becomes ``<YYYY-MM-DD>-<name slug>-<id>.gpx``
    (local date when the activity has ``start_date_local``; the slug is ASCII, at most
    60 characters, so names with emoji, ``/``, ``..`` or quotes give safe file names,
    unique within the ZIP) plus the same name with ``.csv`` when ``include_csv``.
    Manual activities, indoor activities and others without a position stream, and
    those whose streams were not fetched are not written: they come back as
    :class:`Skipped` (in the order given) and are listed in the ZIP's ``README.txt``.
    """
    skipped: list[Skipped] = []
    written: list[str] = []
    taken: set[str] = {"README.txt"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for activity, streams in items:
            reason = _skip_reason(activity, streams)
            if reason is None and streams is not None:
                try:
                    gpx = to_gpx(activity, streams)
                except DataError as exc:
                    reason = str(exc)
                else:
                    stem = _unique(_file_stem(activity), taken)
                    stamp = _zip_time(activity)
                    zf.writestr(zipfile.ZipInfo(f"{stem}.gpx", stamp), gpx, zipfile.ZIP_DEFLATED)
                    if include_csv:
                        zf.writestr(
                            zipfile.ZipInfo(f"{stem}.csv", stamp),
                            streams_csv(streams),
                            zipfile.ZIP_DEFLATED,
                        )
                    written.append(stem)
                    continue
            skipped.append(
                Skipped(
                    activity_id=_activity_id(activity),
                    name=_clean_text(activity.get("name")),
                    start_date=_date_label(activity),
                    reason=reason or "no GPS track",
                )
            )
        zf.writestr("README.txt", _readme(written, skipped, include_csv=include_csv))
    return buffer.getvalue(), skipped


def _skip_reason(
    activity: Mapping[str, Any], streams: Mapping[str, Mapping[str, Any]] | None
) -> str | None:
    """Why this activity has no GPX file, or None when it should have one."""
    if activity.get("manual") is True:
        return "manual activity: entered by hand, no recorded track"
    has_latlng = streams is not None and bool(_data(streams, "latlng"))
    if has_latlng:
        return None
    if activity.get("trainer") is True:
        return "indoor activity: recorded without GPS"
    if streams is None:
        if _summary_has_gps(activity) is False:
            return "no GPS track: recorded without GPS"
        return "streams not fetched: download the activity's details first"
    return "no GPS track: recorded without GPS"


def _summary_has_gps(activity: Mapping[str, Any]) -> bool | None:
    """Whether the summary shows a route (API ``map`` dict or table columns); None: unknown."""
    nested = activity.get("map")
    encoded = nested.get("summary_polyline") if isinstance(nested, Mapping) else None
    if encoded is None:
        encoded = activity.get("map_summary_polyline")
    if isinstance(encoded, str):
        return bool(encoded)
    flag = activity.get("has_gps")
    if isinstance(flag, bool):
        return flag
    return False if "map" in activity or "map_summary_polyline" in activity else None


def _readme(written: Sequence[str], skipped: Sequence[Skipped], *, include_csv: bool) -> str:
    lines = [
        "Tracks exported by Dash for Strava",
        "",
        f"{len(written)} activit{'y' if len(written) == 1 else 'ies'} with a GPS track: "
        "one GPX 1.1 file each (time, elevation; heart rate, cadence and temperature as "
        "Garmin TrackPointExtension, power as <power>)"
        + (", and a CSV of all its streams." if include_csv else "."),
    ]
    if skipped:
        lines += ["", f"Skipped ({len(skipped)}): no track to export"]
        for s in skipped:
            label = " ".join(p for p in (s.start_date, repr(s.name) if s.name else "") if p)
            ident = f"id {s.activity_id}" if s.activity_id is not None else "no id"
            lines.append(f"- {label} ({ident}): {s.reason}" if label else f"- {ident}: {s.reason}")
    return "\r\n".join(lines) + "\r\n"


def _file_stem(activity: Mapping[str, Any]) -> str:
    activity_id = _activity_id(activity)
    parts = [
        _date_label(activity) or "undated",
        _name_slug(activity),
    ]
    parts.append(str(activity_id) if activity_id is not None else "noid")
    return "-".join(parts)


def _unique(stem: str, taken: set[str]) -> str:
    candidate, n = stem, 2
    while f"{candidate}.gpx" in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.update({f"{candidate}.gpx", f"{candidate}.csv"})
    return candidate


def _start(activity: Mapping[str, Any]) -> datetime | None:
    """The local wall-clock start when known, else the UTC start (naive either way)."""
    local = _as_naive(activity.get("start_date_local"))
    if local is not None:
        return local
    utc = _as_utc(activity.get("start_date"))
    return utc.replace(tzinfo=None) if utc else None


def _name_slug(activity: Mapping[str, Any]) -> str:
    name = _clean_text(activity.get("name"))
    return filename_slug(name, fallback="activity", max_length=_MAX_SLUG)


def _date_label(activity: Mapping[str, Any]) -> str:
    start = _start(activity)
    return start.strftime("%Y-%m-%d") if start else ""


def _zip_time(activity: Mapping[str, Any]) -> tuple[int, int, int, int, int, int]:
    start = _start(activity)
    if start is None or not 1980 <= start.year <= 2107:  # the ZIP format's date range
        return (1980, 1, 1, 0, 0, 0)
    return (start.year, start.month, start.day, start.hour, start.minute, start.second)


# --------------------------------------------------------------------------- values


def _data(streams: Mapping[str, Any], key: str) -> Sequence[Any]:
    """A stream's ``data`` list; empty when the stream or its data is missing or not a list."""
    stream = streams.get(key)
    data = stream.get("data") if isinstance(stream, Mapping) else None
    return data if isinstance(data, list | tuple) else ()


def _at(values: Sequence[Any], i: int) -> Any:
    return values[i] if i < len(values) else None


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _number(value: Any) -> float | None:
    if _missing(value) or isinstance(value, bool | str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _whole(value: Any, low: int, high: int | None) -> int | None:
    """A count such as bpm or W as an int, or None when missing or outside its schema range."""
    number = _number(value)
    if number is None:
        return None
    whole = round(number)
    return whole if whole >= low and (high is None or whole <= high) else None


def _position(pair: Any) -> tuple[float, float] | None:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return None
    lat, lng = _number(pair[0]), _number(pair[1])
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def _activity_id(activity: Mapping[str, Any]) -> int | None:
    value: Any = activity.get("id")
    if isinstance(value, bool) or _missing(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _clean_text(value: Any) -> str:
    """Text safe for XML and file names' source: missing -> ``""``, bad characters removed."""
    if _missing(value) or not isinstance(value, str):
        return ""
    return _XML_INVALID.sub("", value)


def _timestamp(value: Any) -> pd.Timestamp | None:
    if _missing(value):
        return None
    if isinstance(value, str):
        value = value.strip()
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if pd.isna(ts) else ts


def _as_utc(value: Any) -> datetime | None:
    """``start_date`` as an aware UTC datetime; naive values are taken as UTC."""
    ts = _timestamp(value)
    if ts is None:
        return None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return datetime.fromtimestamp(ts.value // 1_000_000_000, UTC)


def _as_naive(value: Any) -> datetime | None:
    """``start_date_local`` as a naive wall-clock datetime (Strava's bogus ``Z`` ignored)."""
    ts = _timestamp(value)
    if ts is None:
        return None
    wall: datetime = ts.tz_localize(None).to_pydatetime()
    return wall.replace(microsecond=0)
