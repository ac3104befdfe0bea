"""The archive's activity files (GPX, TCX, FIT; plain or ``.gz``) -> points, streams, routes.

GPX and TCX are read by one small expat reader (DTDs and entities refused, so no XML
bomb or external entity can load), about four times faster than building gpxpy
objects: the map needs the route of every activity at import. FIT is decoded
by fitdecode; its ``activity`` message also gives the device clock's offset from UTC.
"""

from __future__ import annotations

import heapq
import io
import math
import warnings
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import fitdecode
import numpy as np
import polyline

from strava_dash.errors import DataError

ROUTE_POINTS: Final = 200
"""The most points a route (the map's summary polyline) keeps after simplification."""
_EARTH_M: Final = 6_371_008.8  # mean Earth radius (IUGG)
_FIT_EPOCH: Final = 631_065_600  # 1989-12-31T00:00:00Z in Unix seconds
_SEMICIRCLE: Final = 180.0 / 2**31

# What a value inside a track point is, by element name, namespaces ignored: GPX 1.0/1.1
# with Garmin's TrackPointExtension v1/v2 and power; TCX with its ActivityExtension v2.
# (In a TCX Trackpoint the only <Value> is HeartRateBps's.)
_XML_FIELDS: Final[dict[str, str]] = {
    "ele": "altitude",
    "time": "time",
    "hr": "heartrate",
    "cad": "cadence",
    "atemp": "temp",
    "power": "watts",
    "PowerInWatts": "watts",
    "Time": "time",
    "LatitudeDegrees": "lat",
    "LongitudeDegrees": "lng",
    "AltitudeMeters": "altitude",
    "DistanceMeters": "distance",
    "Value": "heartrate",
    "Cadence": "cadence",
    "RunCadence": "cadence",
    "Watts": "watts",
}
_POINT_TAGS: Final = frozenset({"trkpt", "Trackpoint"})
_VALUE_KEYS: Final = ("altitude", "heartrate", "cadence", "watts", "temp")
_WHOLE_KEYS: Final = frozenset({"heartrate", "cadence", "watts"})


@dataclass
class Points:
    """A recorded file's samples as columns; NaN where a sample lacks the value.

    ``time`` is Unix seconds (UTC); ``lat``/``lng`` degrees; ``altitude`` and
    ``distance`` metres; ``heartrate`` bpm; ``cadence`` rpm; ``watts`` W; ``temp`` °C.
    """

    columns: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = field(default_factory=dict)
    clock_offset: float | None = None
    """FIT only: the recording device's clock minus UTC (s, whole quarter hours), from the
    ``activity`` message's ``local_timestamp``; None when the file does not say."""

    def __len__(self) -> int:
        return len(self.columns.get("time", ()))

    def get(self, key: str) -> np.ndarray[Any, np.dtype[np.float64]] | None:
        return self.columns.get(key)


@dataclass(frozen=True)
class Route:
    """What the activity table needs from a track: a simplified route and its ends."""

    summary_polyline: str
    start: tuple[float, float]
    end: tuple[float, float]
    length_m: float
    """Along the full track: the file's own distance when it has one, else summed."""


def parse(data: bytes, kind: str, what: str) -> Points:
    """The samples of one activity file; ``kind`` is ``gpx``, ``tcx`` or ``fit``.

    Raises:
        DataError: the file cannot be read as that kind (the message names ``what``).
    """
    if kind == "fit":
        rows, clock_offset = _read_fit(data, what)
        points = _columns(rows)
        points.clock_offset = clock_offset
        return points
    return _columns(_read_xml(data, what))


def _columns(rows: list[dict[str, float]]) -> Points:
    keys = ["time", "lat", "lng", "distance", *_VALUE_KEYS]
    out: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
    nan = math.nan
    for key in keys:
        column = np.array([row.get(key, nan) for row in rows], dtype=np.float64)
        if key in ("time", "lat", "lng") or not np.isnan(column).all():
            out[key] = column
    points = Points(out)
    lat, lng = out["lat"], out["lng"]
    located = np.isfinite(lat) & np.isfinite(lng) & (np.abs(lat) <= 90) & (np.abs(lng) <= 180)
    # Devices log samples before the GPS fix: with any position, keep located samples only
    # (as Strava's streams do); a file with none (indoor) keeps all its samples.
    if located.any() and not located.all():
        points = Points({k: v[located] for k, v in out.items()})
    return points


# --------------------------------------------------------------------------- XML


class _XMLReader:
    """Track points of a GPX or TCX document, pulled out with expat callbacks."""

    def __init__(self) -> None:
        self.rows: list[dict[str, float]] = []
        self.point: dict[str, float] | None = None
        self.text: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name[name.rfind(" ") + 1 :]
        if local in _POINT_TAGS:
            self.point = {}
            for attr, key in (("lat", "lat"), ("lon", "lng")):
                number = _float(attrs.get(attr))
                if number is not None:
                    self.point[key] = number
        elif self.point is not None:
            self.text = []

    def end(self, name: str) -> None:
        point = self.point
        if point is None:
            return
        local = name[name.rfind(" ") + 1 :]
        if local in _POINT_TAGS:
            self.rows.append(point)
            self.point = None
            return
        key = _XML_FIELDS.get(local)
        if key is None or key in point:
            return
        text = "".join(self.text).strip()
        value = _iso_seconds(text) if key == "time" else _float(text)
        if value is not None:
            point[key] = value

    def chars(self, data: str) -> None:
        if self.point is not None:
            self.text.append(data)


def _refuse_dtd(*_: Any) -> None:
    raise DataError("the file declares a DTD or entities, which activity files never need")


def _read_xml(data: bytes, what: str) -> list[dict[str, float]]:
    reader = _XMLReader()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True  # one callback per text run, not per line or entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        # Strava's .tcx files often start with spaces before <?xml ...?>, which XML forbids.
        parser.Parse(data.lstrip(), True)
    except xml.parsers.expat.ExpatError as exc:
        raise DataError(f"{what} is not valid XML: {exc}") from exc
    except DataError as exc:
        raise DataError(f"{what}: {exc}") from exc
    return reader.rows


def _float(text: str | None) -> float | None:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _iso_seconds(text: str) -> float | None:
    """An ISO-8601 time as Unix seconds; a time without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return (moment - datetime(1970, 1, 1)).total_seconds()
    return moment.timestamp()


# --------------------------------------------------------------------------- FIT

_FIT_FIELDS: Final = {
    "timestamp": "time",
    "position_lat": "lat",
    "position_long": "lng",
    "enhanced_altitude": "altitude",
    "altitude": "altitude",
    "distance": "distance",
    "heart_rate": "heartrate",
    "cadence": "cadence",
    "power": "watts",
    "temperature": "temp",
}


_QUARTER_HOUR: Final = 900
_MAX_OFFSET: Final = 14 * 3600  # UTC+14 (Kiribati) and UTC-12 bound every real zone


def _read_fit(data: bytes, what: str) -> tuple[list[dict[str, float]], float | None]:
    """The file's samples, and its device clock's offset from UTC when it records one."""
    rows: list[dict[str, float]] = []
    clock_offset: float | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fitdecode warns about unknown fields
            # No CRC check and no value processing: a third faster, and a damaged file
            # still fails on its structure; positions out of range are dropped later.
            reader = fitdecode.FitReader(
                io.BytesIO(data), check_crc=fitdecode.CrcCheck.DISABLED, processor=None
            )
            with reader:
                for frame in reader:
                    if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                        continue
                    if frame.name == "record":
                        rows.append(_fit_row(frame.fields))
                    elif frame.name == "activity" and clock_offset is None:
                        clock_offset = _fit_clock_offset(frame.fields)
    except fitdecode.FitError as exc:
        raise DataError(f"{what} is not a readable FIT file: {exc}") from exc
    return rows, clock_offset


def _fit_clock_offset(fields: list[Any]) -> float | None:
    """``local_timestamp - timestamp`` of an ``activity`` message, to the quarter hour
    (both fields name the same instant, one on the device's clock, one in UTC)."""
    values = {f.name: f.value for f in fields}
    utc, local = values.get("timestamp"), values.get("local_timestamp")
    if not (isinstance(utc, int) and isinstance(local, int)):
        return None  # absent, or the FIT "invalid" value (None once decoded)
    offset = round((local - utc) / _QUARTER_HOUR) * _QUARTER_HOUR
    return float(offset) if abs(offset) <= _MAX_OFFSET else None


def _fit_row(fields: list[Any]) -> dict[str, float]:
    row: dict[str, float] = {}
    for f in fields:
        key = _FIT_FIELDS.get(f.name)
        value = f.value
        if key is None or key in row or not isinstance(value, int | float):
            continue
        if key == "time":
            value += _FIT_EPOCH
        elif key in ("lat", "lng"):
            value *= _SEMICIRCLE
        row[key] = float(value)
    return row


# --------------------------------------------------------------------------- streams


def to_streams(points: Points, start: float | None) -> dict[str, dict[str, Any]]:
    """The samples in the API's ``key_by_type`` shape, so :func:`strava_dash.gpx.to_gpx`
    takes them as they are.

    ``time`` is whole seconds from ``start`` (Unix seconds: the activity's
    ``start_date``; the first sample when None) and is left out unless every sample has
    a time. ``latlng`` is there when samples have positions; ``distance`` (m) is the
    file's own or, for GPX, summed along the track. Other streams (``altitude``,
    ``heartrate``, ``cadence``, ``watts``, ``temp``) appear when the file has them;
    unlike Strava's, a sample missing a value holds ``None``.
    """
    out: dict[str, list[Any]] = {}
    n = len(points)
    times = points.get("time")
    if times is not None and n and np.isfinite(times).all():
        origin = start if start is not None else float(times[0])
        out["time"] = [round(t - origin) for t in times.tolist()]
    lat, lng = points.get("lat"), points.get("lng")
    if lat is not None and lng is not None and n and np.isfinite(lat).all():
        distance = points.get("distance")
        if distance is None or not np.isfinite(distance).any():
            distance = cumulative_m(lat, lng)
        out["distance"] = _list(distance, 1)
        out["latlng"] = [
            [round(a, 7), round(b, 7)] for a, b in zip(lat.tolist(), lng.tolist(), strict=True)
        ]
    elif (distance := points.get("distance")) is not None:
        out["distance"] = _list(distance, 1)
    for key in _VALUE_KEYS:
        column = points.get(key)
        if column is not None:
            out[key] = _list(column, 0 if key in _WHOLE_KEYS else 1)
    return {
        key: {"data": data, "series_type": "time", "original_size": n, "resolution": "high"}
        for key, data in out.items()
    }


def _list(column: np.ndarray[Any, np.dtype[np.float64]], digits: int) -> list[Any]:
    values: list[Any] = []
    for v in column.tolist():
        if math.isnan(v):
            values.append(None)
        elif digits == 0:
            values.append(round(v))
        else:
            values.append(round(v, digits))
    return values


# --------------------------------------------------------------------------- routes


def route(points: Points, max_points: int = ROUTE_POINTS) -> Route | None:
    """The simplified route (an encoded polyline of at most ``max_points`` points), or
    None when the file has no position."""
    lat, lng = points.get("lat"), points.get("lng")
    if lat is None or lng is None or not len(lat) or not np.isfinite(lat).all():
        return None
    keep = simplify(lat, lng, max_points)
    distance = points.get("distance")
    finite = distance[np.isfinite(distance)] if distance is not None else np.empty(0)
    length = float(finite.max()) if finite.size else float(cumulative_m(lat, lng)[-1])
    return Route(
        summary_polyline=polyline.encode(
            list(zip(lat[keep].tolist(), lng[keep].tolist(), strict=True)), 5
        ),
        start=(float(lat[0]), float(lng[0])),
        end=(float(lat[-1]), float(lng[-1])),
        length_m=length,
    )


def cumulative_m(
    lat: np.ndarray[Any, np.dtype[np.float64]], lng: np.ndarray[Any, np.dtype[np.float64]]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Distance (m) from the first point along the track (haversine, mean Earth radius)."""
    if len(lat) < 2:
        return np.zeros(len(lat))
    phi, lam = np.radians(lat), np.radians(lng)
    a = (
        np.sin(np.diff(phi) / 2) ** 2
        + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2
    )
    steps = 2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.concatenate(([0.0], np.cumsum(steps)))


def simplify(
    lat: np.ndarray[Any, np.dtype[np.float64]],
    lng: np.ndarray[Any, np.dtype[np.float64]],
    max_points: int,
) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Indices of at most ``max_points`` points that best keep the track's shape.

    Ramer-Douglas-Peucker, greedy: the segment whose farthest point is farthest away is
    split first, so the result keeps the most telling ``max_points`` points (ends
    included) without guessing a tolerance.
    """
    n = len(lat)
    if n <= max_points:
        return np.arange(n)
    # Local flat projection in metres is plenty for choosing which points to keep.
    y = np.radians(lat) * _EARTH_M
    x = np.radians(lng) * _EARTH_M * math.cos(math.radians(float(np.mean(lat))))
    chosen = {0, n - 1}
    heap: list[tuple[float, int, int, int]] = []

    def push(i: int, j: int) -> None:
        if j - i < 2:
            return
        dx, dy = x[j] - x[i], y[j] - y[i]
        px, py = x[i + 1 : j] - x[i], y[i + 1 : j] - y[i]
        norm = math.hypot(dx, dy)
        dist = np.abs(px * dy - py * dx) / norm if norm > 0 else np.hypot(px, py)
        k = int(np.argmax(dist))
        heapq.heappush(heap, (-float(dist[k]), i + 1 + k, i, j))

    push(0, n - 1)
    while heap and len(chosen) < max_points:
        negative, k, i, j = heapq.heappop(heap)
        if negative == 0.0:
            break
        chosen.add(k)
        push(i, k)
        push(k, j)
    return np.array(sorted(chosen), dtype=np.intp)
