"""Visual selections <-> one short URL parameter (``sel=``). Pure: no Streamlit.

Selections are written as shapes, ranges and cells, never activity ids: a bookmark says
"June to August, rides" or "this box on the map", and nothing that identifies an
activity. Numbers are rounded (chart units to 3 decimals, degrees to 4, about 11 m) and a
lasso keeps at most :data:`MAX_VERTICES` vertices, so the string stays short. The UI
stores :func:`canonical` selections, so what the page filters by is exactly what a
bookmark restores.

Grammar: selections joined by ``~``; fields by ``,``; lists by ``_``; pairs by ``:``;
integer runs ``a-b``::

    v,m,Ride:24293-24295,Run:24293     volume: period (w/m/y), sport: period indexes
    y,152,243                          year over year: reference days
    c,19875-19900_19950                calendar: days since 1970-01-01
    w,7-9_31                           when: weekday * 24 + hour
    s,s,m,10,60,20,35[,x:y_x:y...]     scatter: panel (s/p), units (m/i), x0,x1,y0,y1, lasso
    h,m,10:20_40:50                    histogram: units, [low, high) bins
    m,r,41.9,42.1,2.7,2.9[,la:ln_...]  map: mode (r/s), lat0,lat1,lng0,lng1, lasso

Decoding never raises: a tampered or truncated part is dropped, the rest kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Final

from strava_dash.charts.volume import Period
from strava_dash.geo_select import Vertex
from strava_dash.selection import (
    CalendarSelection,
    HistogramSelection,
    MapSelection,
    ScatterSelection,
    Selection,
    VolumeSelection,
    WhenSelection,
    YearsSelection,
    int_runs,
    period_from_index,
    period_index,
)
from strava_dash.units import Units

MAX_LENGTH: Final = 4000
MAX_VERTICES: Final = 40
# A decoded run may not expand beyond this many cells/days (a tampered "c,0-999999999"
# must not allocate a billion dates).
MAX_CELLS: Final = 50_000
_EPOCH: Final = date(1970, 1, 1)
_SPORT: Final = re.compile(r"^[A-Za-z0-9]{1,40}$")
_PERIODS: Final[dict[str, Period]] = {"w": "week", "m": "month", "y": "year"}
_UNITS: Final[dict[str, Units]] = {"m": "metric", "i": "imperial"}


class _Bad(ValueError):
    """One selection of the string could not be read."""


def _num(value: float, decimals: int) -> str:
    text = f"{round(value, decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Bad(text)
    return value


def _int_runs(values: Iterable[int]) -> str:
    return "_".join(str(a) if a == b else f"{a}-{b}" for a, b in int_runs(list(values)))


def _parse_runs(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split("_"):
        low, _, high = part.partition("-")
        a = int(low)
        b = int(high) if high else a
        if a < 0 or b < a or len(out) + (b - a + 1) > MAX_CELLS:
            raise _Bad(part)
        out.extend(range(a, b + 1))
    return out


def _thin(polygon: Sequence[Vertex]) -> list[Vertex]:
    if len(polygon) <= MAX_VERTICES:
        return list(polygon)
    step = len(polygon) / MAX_VERTICES
    return [polygon[int(i * step)] for i in range(MAX_VERTICES)]


def _pairs(values: Sequence[tuple[float, float]], decimals: int) -> str:
    return "_".join(f"{_num(a, decimals)}:{_num(b, decimals)}" for a, b in values)


def _parse_pairs(text: str, limit: int) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for part in text.split("_")[:limit]:
        a, b = part.split(":")
        out.append((_float(a), _float(b)))
    return out


def _key(units: Units) -> str:
    return "i" if units == "imperial" else "m"


def encode_one(selection: Selection) -> str | None:
    """One selection as text; None when it cannot be written (e.g. no cells)."""
    match selection:
        case VolumeSelection(period=period, cells=cells):
            by_sport: dict[str, list[int]] = {}
            for day, sport in cells:
                if _SPORT.match(sport):
                    by_sport.setdefault(sport, []).append(period_index(day, period))
            if not by_sport:
                return None
            groups = ",".join(f"{s}:{_int_runs(v)}" for s, v in sorted(by_sport.items()))
            return f"v,{period[0]},{groups}"
        case YearsSelection(first_day=a, last_day=b):
            return f"y,{a},{b}"
        case CalendarSelection(days=days):
            if not days:
                return None
            return "c," + _int_runs((d - _EPOCH).days for d in days)
        case WhenSelection(cells=cells):
            ok = [d * 24 + h for d, h in cells if 0 <= d < 7 and 0 <= h < 24]
            return "w," + _int_runs(ok) if ok else None
        case ScatterSelection(panel=panel, units=units, x=x, y=y, polygon=polygon):
            box = ",".join(_num(v, 3) for v in (*x, *y))
            text = f"s,{panel[0]},{_key(units)},{box}"
            return text + (f",{_pairs(_thin(polygon), 3)}" if polygon else "")
        case HistogramSelection(units=units, ranges=ranges):
            return f"h,{_key(units)},{_pairs(ranges, 3)}" if ranges else None
        case MapSelection(mode=mode, lat=lat, lng=lng, polygon=polygon):
            box = ",".join(_num(v, 4) for v in (*lat, *lng))
            text = f"m,{mode[0]},{box}"
            return text + (f",{_pairs(_thin(polygon), 4)}" if polygon else "")


def _volume(fields: list[str]) -> Selection:
    period = _PERIODS[fields[1]]
    cells: set[tuple[date, str]] = set()
    for group in fields[2:]:
        sport, runs = group.split(":")
        if not _SPORT.match(sport):
            raise _Bad(sport)
        cells |= {(period_from_index(i, period), sport) for i in _parse_runs(runs)}
        if len(cells) > MAX_CELLS:
            raise _Bad("too many cells")
    if not cells:
        raise _Bad("no cells")
    return VolumeSelection(period, frozenset(cells))


def _years(fields: list[str]) -> Selection:
    a, b = int(fields[1]), int(fields[2])
    if not (0 <= a <= 365 and 0 <= b <= 365):
        raise _Bad("day")
    return YearsSelection(min(a, b), max(a, b))


def _calendar(fields: list[str]) -> Selection:
    return CalendarSelection(frozenset(_EPOCH + timedelta(days=d) for d in _parse_runs(fields[1])))


def _when(fields: list[str]) -> Selection:
    cells = _parse_runs(fields[1])
    if any(c >= 7 * 24 for c in cells):
        raise _Bad("cell")
    return WhenSelection(frozenset(divmod(c, 24) for c in cells))


def _scatter(fields: list[str]) -> Selection:
    panel = {"s": "speed", "p": "pace"}[fields[1]]
    x0, x1, y0, y1 = (_float(v) for v in fields[3:7])
    polygon = tuple(_parse_pairs(fields[7], MAX_VERTICES)) if len(fields) > 7 else ()
    return ScatterSelection(
        "speed" if panel == "speed" else "pace",
        _UNITS[fields[2]],
        (min(x0, x1), max(x0, x1)),
        (min(y0, y1), max(y0, y1)),
        polygon,
    )


def _histogram(fields: list[str]) -> Selection:
    ranges = tuple((min(a, b), max(a, b)) for a, b in _parse_pairs(fields[2], 200))
    return HistogramSelection(_UNITS[fields[1]], ranges)


def _map(fields: list[str]) -> Selection:
    mode = {"r": "routes", "s": "starts"}[fields[1]]
    lat0, lat1, lng0, lng1 = (_float(v) for v in fields[2:6])
    if max(abs(lat0), abs(lat1)) > 90 or max(abs(lng0), abs(lng1)) > 180:
        raise _Bad("degrees")
    polygon = tuple(_parse_pairs(fields[6], MAX_VERTICES)) if len(fields) > 6 else ()
    return MapSelection(
        "starts" if mode == "starts" else "routes",
        (min(lat0, lat1), max(lat0, lat1)),
        (min(lng0, lng1), max(lng0, lng1)),
        polygon,
    )


_DECODERS: Final[dict[str, Callable[[list[str]], Selection]]] = {
    "v": _volume,
    "y": _years,
    "c": _calendar,
    "w": _when,
    "s": _scatter,
    "h": _histogram,
    "m": _map,
}


def encode(selections: Sequence[Selection]) -> str:
    """The selections as one URL-safe-ish string ("" for none)."""
    parts = (encode_one(s) for s in selections)
    return "~".join(p for p in parts if p)


def decode(text: object) -> list[Selection]:
    """Selections read from ``text``; unreadable parts dropped, one per chart (the last)."""
    if not isinstance(text, str) or not text or len(text) > MAX_LENGTH:
        return []
    found: dict[str, Selection] = {}
    for part in text.split("~"):
        fields = part.split(",")
        decoder = _DECODERS.get(fields[0])
        if decoder is None:
            continue
        try:
            selection = decoder(fields)
        except (ValueError, KeyError, IndexError, OverflowError):
            continue  # a tampered part: ignore it, keep the others
        found.pop(selection.chart, None)
        found[selection.chart] = selection
    return list(found.values())


def canonical(selection: Selection) -> Selection | None:
    """``selection`` as a bookmark would restore it (rounded, thinned); None if unwritable."""
    text = encode_one(selection)
    if text is None:
        return None
    decoded = decode(text)
    return decoded[0] if decoded else None
