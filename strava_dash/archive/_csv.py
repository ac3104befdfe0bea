"""``activities.csv`` of Strava's bulk export -> :class:`Columns`, read row by row.

The header is read by name when it is English, whatever columns come and go between
export versions; repeated names are told apart by their order (the first ``Distance``
is in the athlete's display unit, the second in metres; the first ``Elapsed Time`` is
whole seconds, the second a float). A translated header is read by position when its
column count is that of a known English version (:data:`VERSIONS`); anything else is
refused with a message saying what was expected.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, Final

import numpy as np

from strava_dash.activities import SPORT_GROUPS
from strava_dash.archive._notes import Notes
from strava_dash.errors import DataError

# --------------------------------------------------------------------------- versions

_CURRENT: Final = (  # noqa: SIM905 - the header as the doc prints it
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
    "Average Grade Adjusted Pace, Timer Time, Total Cycles"
).split(", ")
_NEWER: Final = (  # noqa: SIM905
    "Recovery, With Pet, Competition, Long Run, For a Cause, With Kid, Downhill Distance, "
    "Total Sets, Total Reps"
).split(", ")
# No first Max Heart Rate, no Activity Private Note yet, and the header ended at Flagged.
_2020: Final = (
    *_CURRENT[:7],  # Activity ID … Distance
    *_CURRENT[8:10],  # Relative Effort, Commute
    *_CURRENT[11 : _CURRENT.index("Average Elapsed Speed")],  # Activity Gear … Flagged
)

VERSIONS: Final[dict[str, tuple[str, ...]]] = {
    # [O] seen in a parser's comments: the original export.
    "2018": (
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
    ),
    # [O] an en-GB export of December 2020 (its last columns were "translation missing").
    "2020": _2020,
    # [O] docs/strava-api.md §6, without and with the columns newer exports add.
    "2023": (*_CURRENT, "Media"),
    "2025": (*_CURRENT, *_NEWER, "Media"),
}
"""Known English headers, oldest first; a translated header is read by position as the
version with the same number of columns."""

# English column name -> field, by order of occurrence (the last one repeats).
_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "Activity ID": ("id",),
    "Activity Date": ("date",),
    "Activity Name": ("name",),
    "Activity Type": ("type",),
    "Activity Description": ("description",),
    "Elapsed Time": ("elapsed_s", "elapsed_float_s"),
    "Distance": ("distance_display", "distance_m"),
    "Max Heart Rate": ("max_heartrate",),
    "Relative Effort": ("suffer_score",),
    "Commute": ("commute",),
    "Activity Private Note": ("private_note",),
    "Activity Gear": ("gear",),
    "Filename": ("filename",),
    "Moving Time": ("moving_time",),
    "Max Speed": ("max_speed",),
    "Average Speed": ("average_speed",),
    "Elevation Gain": ("total_elevation_gain",),
    "Elevation Low": ("elev_low",),
    "Elevation High": ("elev_high",),
    "Average Cadence": ("average_cadence",),
    "Average Heart Rate": ("average_heartrate",),
    "Max Watts": ("max_watts",),
    "Average Watts": ("average_watts",),
    "Weighted Average Power": ("weighted_average_watts",),
    "Total Work": ("total_work_j",),
    "Calories": ("calories",),
    "Average Temperature": ("average_temp",),
    "Flagged": ("flagged",),
    "Bike": ("bike",),
    "Gear": ("gear_other",),
}
REQUIRED: Final = ("Activity ID", "Activity Date", "Activity Type")
_ALL_ENGLISH: Final = frozenset(c for v in VERSIONS.values() for c in v) | frozenset(_FIELDS)
_MISSING_TRANSLATION: Final = re.compile(r"^translation missing:.*\.([a-z0-9_]+)$", re.IGNORECASE)
_NUMERIC_ID: Final = re.compile(r"^\d+(?:\.0+)?$")
_SNAKE_NAMES: Final = {"avg": "Average", "max": "Max", "min": "Min"}


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def _english(cell: str) -> str:
    """A header cell as its English name: trimmed, and Strava's "translation missing:
    ….horton_values.avg_flow" placeholders turned back into ``Average Flow``."""
    cell = cell.strip().lstrip("\ufeff").strip()
    match = _MISSING_TRANSLATION.match(cell)
    if match:
        words = match.group(1).split("_")
        return " ".join(_SNAKE_NAMES.get(w, w.capitalize()) for w in words)
    return cell


_BY_NORM: Final = {_norm(name): name for name in _ALL_ENGLISH}


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """Where each field is: column positions, first non-empty wins."""

    positions: dict[str, tuple[int, ...]]
    by_position: bool
    how: str
    """How the header was read, for the athlete: "English header" or "… by position"."""

    def has(self, key: str) -> bool:
        return key in self.positions


def layout(header: Sequence[str]) -> Layout:
    """Map a header row onto fields.

    Raises:
        DataError: neither an English header with the required columns nor a translated
            one of a known length; the message lists what was expected.
    """
    names = [_english(c) for c in header]
    english = [_BY_NORM.get(_norm(n), "") for n in names]
    present = set(english)
    if any(r in present for r in REQUIRED):
        missing = [r for r in REQUIRED if r not in present]
        if missing:
            raise DataError(
                "activities.csv lacks the required column"
                f"{'s' if len(missing) > 1 else ''} {_quote(missing)} "
                f"(its header has {len(names)} columns: {_preview(names)})"
            )
        return Layout(_positions(english), False, "English header, read by column name")
    for version, columns in VERSIONS.items():
        if len(columns) == len(names):
            return Layout(
                _positions(list(columns)),
                True,
                f"header not in English: read by position as the {version} export",
            )
    known = ", ".join(f"{len(c)} ({v})" for v, c in VERSIONS.items())
    raise DataError(
        "activities.csv has a header this app does not recognize: not the English one "
        f"(it lacks {_quote(list(REQUIRED))}), and its {len(names)} columns match no known "
        f"export version that could be read by position (known: {known} columns). "
        f"It starts with {_preview(names)}. Set Strava's language to English and request the "
        "archive again."
    )


def _positions(english: Sequence[str]) -> dict[str, tuple[int, ...]]:
    seen: dict[str, int] = {}
    out: dict[str, list[int]] = {}
    for position, name in enumerate(english):
        keys = _FIELDS.get(name)
        if not keys:
            continue
        occurrence = seen.get(name, 0)
        seen[name] = occurrence + 1
        out.setdefault(keys[min(occurrence, len(keys) - 1)], []).append(position)
    return {k: tuple(v) for k, v in out.items()}


def _quote(names: Sequence[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _preview(names: Sequence[str], count: int = 6) -> str:
    more = ", …" if len(names) > count else ""
    return _quote(names[:count]) + more


# --------------------------------------------------------------------------- rows

FLOATS: Final = (
    "distance",
    "moving_time",
    "elapsed_time",
    "total_elevation_gain",
    "elev_high",
    "elev_low",
    "average_speed",
    "max_speed",
    "average_cadence",
    "average_temp",
    "average_watts",
    "weighted_average_watts",
    "max_watts",
    "kilojoules",
    "average_heartrate",
    "max_heartrate",
    "suffer_score",
    "calories",
    "distance_display",
)
"""Number fields, NaN when the cell is empty; ``moving_time`` and ``elapsed_time`` whole
seconds, ``distance_display`` in the athlete's display unit (km or mi)."""
FLAGS: Final = ("has_heartrate", "commute", "flagged", "manual")
"""Yes/no fields: 1, 0, or -1 when not known."""
TEXTS: Final = ("name", "sport_type", "type", "gear_name", "description", "private_note")
NO_START: Final = -(2**63)
"""``starts`` of a row without a readable date (NumPy's NaT as int64)."""
SKIPPED: Final = "rows skipped like these"
_HEAD_BYTES: Final = 65536
# Start instants the table can hold (datetime64[ns] spans 1677-2262).
_FIRST_START: Final = int(datetime(1678, 1, 1, tzinfo=UTC).timestamp())
_LAST_START: Final = int(datetime(2262, 1, 1, tzinfo=UTC).timestamp())
_EPOCH: Final = datetime(1970, 1, 1)


class Columns:
    """The activities of ``activities.csv``, one compact column per field.

    Only the fields the table uses are kept, as machine numbers in arrays sized once
    for the whole file (8 bytes a value) rather than a dict of Python objects per row:
    60,000 rows of dicts took 28 times the CSV's size (issue 11). A number field gets its
    array at its first value: :attr:`floats` lacks the fields no row fills, which rows
    stripped to a few cells would otherwise pay 8 bytes each for (152 bytes a row).
    """

    def __init__(self, where: Layout, capacity: int) -> None:
        self.where = where
        size = max(capacity, 1)
        self.ids = np.empty(size, np.int64)
        self.starts = np.empty(size, np.int64)
        """``start_date`` as Unix seconds; :data:`NO_START` when unknown."""
        self.floats: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
        """The number fields some row fills (NaN where a row does not); absent: all NaN."""
        self.flags = {name: np.empty(size, np.int8) for name in FLAGS}
        self.upload_ids = np.empty(size, np.int64)
        """The number in ``Filename`` (the upload id), -1 when none."""
        self.texts: dict[str, list[str | None]] = {name: [None] * size for name in TEXTS}
        self.bad_dates = 0
        self.first_bad_date = ""
        self.rows_seen = 0
        """Data rows, the skipped ones included."""
        self._n = 0
        self._shared: dict[str, str] = {}

    def __len__(self) -> int:
        return self._n

    def share(self, text: str) -> str:
        """One string object for repeated values (sport types, gear names)."""
        return self._shared.setdefault(text, text)

    def next_row(self) -> int:
        """The index of a new row (the arrays grow only if the line count was short)."""
        if self._n == len(self.ids):
            self._resize(2 * self._n)
        self._n += 1
        return self._n - 1

    def trim(self) -> None:
        """Leave out the unused capacity (rows skipped, quoted line breaks counted as
        rows): views, as np.resize would copy every column while the old one is held."""
        if self._n < len(self.ids):
            n = self._n
            self.ids, self.starts, self.upload_ids = (
                self.ids[:n],
                self.starts[:n],
                self.upload_ids[:n],
            )
            self.floats = {k: v[:n] for k, v in self.floats.items()}
            self.flags = {k: v[:n] for k, v in self.flags.items()}
            for values in self.texts.values():
                del values[n:]

    def set_float(self, name: str, row: int, value: float | None) -> None:
        """``name``'s value in ``row`` (None: NaN); its array is made at its first value."""
        values = self.floats.get(name)
        if values is None:
            if value is None:
                return
            # np.empty: pages are taken as rows are written, like the other columns'.
            values = self.floats[name] = np.empty(len(self.ids), np.float64)
            values[:row] = math.nan
        values[row] = math.nan if value is None else value

    def float_column(self, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        """``name``'s values, an all-NaN array made (and kept) when no row had one."""
        if name not in self.floats:
            self.floats[name] = np.full(self._n, math.nan)
        return self.floats[name]

    def _resize(self, size: int) -> None:
        self.ids = np.resize(self.ids, size)
        self.starts = np.resize(self.starts, size)
        self.upload_ids = np.resize(self.upload_ids, size)
        self.floats = {k: np.resize(v, size) for k, v in self.floats.items()}
        self.flags = {k: np.resize(v, size) for k, v in self.flags.items()}
        for values in self.texts.values():
            values[size:] = []
            values.extend([None] * (size - len(values)))

    def newest_first(self) -> None:
        """Sort as the activity table is (start descending, no start last, then id
        descending), here where few columns exist yet; an export in id order is
        oldest first and only turns around."""
        order = np.lexsort((self.ids, self.starts))[::-1]  # NO_START is the minimum
        n = len(order)
        if n and order[0] == n - 1 and (np.diff(order) == -1).all():
            self._reverse()
        elif not (order == np.arange(n)).all():
            self.take(order)

    def _reverse(self) -> None:
        self.ids, self.starts = self.ids[::-1], self.starts[::-1]
        self.upload_ids = self.upload_ids[::-1]
        self.floats = {k: v[::-1] for k, v in self.floats.items()}
        self.flags = {k: v[::-1] for k, v in self.flags.items()}
        for values in self.texts.values():
            values.reverse()

    def take(self, rows: np.ndarray[Any, np.dtype[np.intp]]) -> None:
        """Keep only ``rows``, in that order."""
        self.ids, self.starts = self.ids[rows], self.starts[rows]
        self.upload_ids = self.upload_ids[rows]
        self.floats = {k: v[rows] for k, v in self.floats.items()}
        self.flags = {k: v[rows] for k, v in self.flags.items()}
        picked = rows.tolist()
        self.texts = {k: [v[i] for i in picked] for k, v in self.texts.items()}
        self._n = len(rows)


def count_lines(stream: IO[bytes]) -> int:
    """An upper bound of the rows in a CSV stream (a quoted line break counts too)."""
    newlines = returns = 0
    while chunk := stream.read(1 << 20):
        newlines += chunk.count(b"\n")
        returns += chunk.count(b"\r")
    return max(newlines, returns) + 1


OnFile = Callable[[int, str], None]
"""Called with ``(activity id, Filename)`` for each row that names a file."""


def read(
    stream: IO[bytes], notes: Notes, on_file: OnFile, *, capacity: int, max_rows: int
) -> Columns:
    """Parse ``activities.csv`` from a binary stream, a row at a time, into columns sized
    for ``capacity`` rows (:func:`count_lines`); more than ``max_rows`` activities are
    refused.

    Raises:
        DataError: binary content, not UTF-8 text, CSV that cannot be parsed, no header,
            or a header that cannot be mapped (see :func:`layout`).
    """
    rows = _rows(stream)
    header = next(rows, None)
    if header is None:
        raise DataError("activities.csv is empty: it has not even a header row")
    where = layout(header)
    columns = Columns(where, min(capacity, max_rows))
    for line, cells in enumerate(rows, start=2):
        if len(columns) == max_rows:
            raise DataError(
                f"activities.csv lists more than {max_rows:,} activities, more than this app "
                "reads from one archive"
            )
        columns.rows_seen += 1
        skipped = _add_row(columns, cells, on_file)
        if skipped:
            notes.add(SKIPPED, f"line {line}: {skipped}")
    columns.trim()
    if where.by_position:
        _check_by_position(columns, where)
    return columns


def _rows(stream: IO[bytes]) -> Iterator[list[str]]:
    """The CSV's non-blank rows, header first."""
    head = stream.peek(_HEAD_BYTES) if isinstance(stream, io.BufferedReader) else b""
    if b"\x00" in head[:_HEAD_BYTES]:
        raise DataError("activities.csv is not CSV text (it holds binary data)")
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        for cells in csv.reader(text):
            if any(c.strip() for c in cells):
                yield cells
    except UnicodeDecodeError as exc:
        raise DataError(f"activities.csv is not UTF-8 text as Strava writes it: {exc}") from exc
    except csv.Error as exc:
        raise DataError(f"activities.csv is not valid CSV: {exc}") from exc


def _check_by_position(columns: Columns, where: Layout) -> None:
    # A translated header of the right length but another layout would give nonsense;
    # refuse rather than show it: most rows must have an id and a date that parse.
    sample = min(columns.rows_seen, 50)
    good = int((columns.starts[:sample] != NO_START).sum())
    if good * 2 < sample:
        raise DataError(
            f"activities.csv: {where.how}, but its values do not fit that layout (ids and "
            "dates not where that version has them). Set Strava's language to English and "
            "request the archive again."
        )


def _add_row(columns: Columns, cells: Sequence[str], on_file: OnFile) -> str:
    """Append one row's fields; why it was skipped, or "" when it was not."""
    where = columns.where

    def raw(key: str) -> str:
        for position in where.positions.get(key, ()):
            if position < len(cells) and cells[position].strip():
                return cells[position]
        return ""

    def text(key: str) -> str:
        return raw(key).strip()

    def number(key: str) -> float | None:
        return _number(text(key))

    raw_id = text("id")
    if not (raw_id.isascii() and raw_id.isdigit() and int(raw_id) < 2**63):
        return f"no activity id ({raw_id!r}), row skipped" if raw_id else "no activity id, skipped"
    activity_id = int(raw_id)
    raw_date = text("date")
    start = parse_date(raw_date)
    if start is not None and not _FIRST_START <= _seconds(start) < _LAST_START:
        start = None  # a sentinel such as year 1 or 9999: no instant the table can hold
    if raw_date and start is None:
        columns.bad_dates += 1
        columns.first_bad_date = columns.first_bad_date or f"date {raw_date!r} not recognized"
    display = text("type")
    sport = columns.share(sport_type(display)) if display else None
    legacy = LEGACY_TYPE.get(sport, sport if sport in _LEGACY else None) if sport else None
    filename = text("filename")
    elapsed = number("elapsed_float_s")
    elapsed = elapsed if elapsed is not None else number("elapsed_s")
    distance = number("distance_m")
    moving = number("moving_time")
    average_speed = number("average_speed")
    if average_speed is None and distance is not None and moving:
        average_speed = distance / moving  # the API's definition of average_speed
    work = number("total_work_j")
    average_hr = number("average_heartrate")
    values: dict[str, float | None] = {
        "distance": distance,
        "moving_time": _whole(moving),
        "elapsed_time": _whole(elapsed),
        "total_elevation_gain": number("total_elevation_gain"),
        "elev_high": number("elev_high"),
        "elev_low": number("elev_low"),
        "average_speed": average_speed,
        "max_speed": number("max_speed"),
        "average_cadence": number("average_cadence"),
        "average_temp": number("average_temp"),
        "average_watts": number("average_watts"),
        "weighted_average_watts": number("weighted_average_watts"),
        "max_watts": number("max_watts"),
        "kilojoules": work / 1000.0 if work is not None else None,
        "average_heartrate": average_hr,
        "max_heartrate": number("max_heartrate"),
        "suffer_score": number("suffer_score"),
        "calories": number("calories"),
        "distance_display": number("distance_display"),
    }
    flags: dict[str, bool | None] = {
        "has_heartrate": (average_hr is not None) if where.has("average_heartrate") else None,
        "commute": _flag(text("commute")),
        "flagged": _flag(text("flagged")),
        "manual": (not filename) if where.has("filename") else None,
    }
    gear = text("gear") or _name_not_id(text("bike")) or _name_not_id(text("gear_other"))
    texts: dict[str, str | None] = {
        "name": raw("name") if where.has("name") else None,  # as typed, spaces and all
        "sport_type": sport,
        "type": legacy,
        # The archive has gear names, not Strava's gear ids.
        "gear_name": columns.share(gear) if gear else None,
        "description": raw("description") or None,
        "private_note": raw("private_note") or None,
    }
    at = columns.next_row()
    columns.ids[at] = activity_id
    columns.starts[at] = _seconds(start) if start is not None else NO_START
    for name, value in values.items():
        columns.set_float(name, at, value)
    for name, flag in flags.items():
        columns.flags[name][at] = -1 if flag is None else int(flag)
    for name, cell in texts.items():
        columns.texts[name][at] = cell
    upload = _upload_id(filename)
    columns.upload_ids[at] = -1 if upload is None else upload
    if filename:
        on_file(activity_id, filename)
    return ""


def _seconds(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


def _number(text: str) -> float | None:
    if not text:
        return None
    value: float | None
    try:
        value = float(text)
    except ValueError:
        value = _localized_number(text)
    return value if value is not None and math.isfinite(value) else None


def _localized_number(text: str) -> float | None:
    # "12,5" (decimal comma) or "1,234.5" / "1.234,5" (thousands separators).
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _flag(text: str) -> bool | None:
    lowered = text.casefold()
    if lowered in ("true", "1", "1.0", "yes"):
        return True
    if lowered in ("false", "0", "0.0", "no"):
        return False
    return None


def _name_not_id(text: str) -> str:
    # [O] The Bike/Gear columns hold Strava's internal numeric gear ids ("4598181.0").
    return "" if _NUMERIC_ID.match(text) else text


def _upload_id(filename: str) -> int | None:
    """``activities/12116271787.fit.gz`` -> 12116271787: the upload id (§6), if numeric."""
    stem = filename.replace("\\", "/").rpartition("/")[2].partition(".")[0]
    return int(stem) if stem.isdigit() else None


# --------------------------------------------------------------------------- dates

_MONTH_NAMES: Final = (
    "jan january janv janvier januar jänner ene enero gen gennaio janeiro januari",
    "feb february fév févr février februar febrero febbraio fev fevereiro februari",
    "mar march mars märz marzo março mrt maart",
    "apr april avr avril abr abril aprile",
    "may mai mayo mag maggio maio mei",
    "jun june juin juni junio giu giugno junho",
    "jul july juil juillet juli julio lug luglio julho",
    "aug august août ago agosto augustus",
    "sep sept september septembre septiembre set settembre setembro",
    "oct october octobre okt oktober octubre ott ottobre out outubro",
    "nov november novembre noviembre novembro",
    "dec december déc décembre dez dezember dic diciembre dicembre dezembro",
)
_MONTHS: Final = {
    name: month for month, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()
}

_TIME: Final = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?"
_DATE_FORMS: Final = (
    # May 6, 2024, 4:02:34 AM (en-US)
    re.compile(rf"^(?P<mon>[^\W\d_]+)\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}}),?\s+{_TIME}$"),
    # 24 Dec 2020, 08:13:59 (en-GB); 6. Mai 2024, 04:02:34; 6 de mayo de 2024, 4:02:34
    re.compile(
        rf"^(?P<d>\d{{1,2}})\.?\s+(?:de\s+)?(?P<mon>[^\W\d_]+)\.?\s+(?:de\s+)?(?P<y>\d{{4}}),?"
        rf"\s+(?:à\s+|um\s+|a las\s+)?{_TIME}$"
    ),
    # 06.05.2024, 04:02:34
    re.compile(rf"^(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}}),?\s+{_TIME}$"),
    # 2024-05-06 04:02:34 / 2024-05-06T04:02:34Z
    re.compile(rf"^(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}})[ t]{_TIME}(?:z|\+00:?00)?$"),
)


def parse_date(text: str) -> datetime | None:
    """``Activity Date`` as a naive UTC datetime; None when the form is not one Strava
    writes (``May 6, 2024, 4:02:34 AM``, ``24 Dec 2020, 08:13:59``, ``06.05.2024,
    04:02:34``, month names in English, German, Spanish, French, Italian, Portuguese or
    Dutch, or ISO)."""
    cleaned = " ".join(text.replace("\u202f", " ").split()).casefold()
    for form in _DATE_FORMS:
        match = form.match(cleaned)
        if match:
            return _date_from(match.groupdict())
    return None


def _date_from(parts: dict[str, str | None]) -> datetime | None:
    month_name = parts.get("mon")
    month = _MONTHS.get(month_name.rstrip(".")) if month_name else _int(parts.get("m"))
    hour = _int(parts.get("h"))
    ampm = (parts.get("ampm") or "").replace(".", "").replace(" ", "")
    if month is None or hour is None:
        return None
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return datetime(
            _int(parts.get("y")) or 0,
            month,
            _int(parts.get("d")) or 0,
            hour,
            _int(parts.get("mi")) or 0,
            _int(parts.get("s")) or 0,
        )
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


# --------------------------------------------------------------------------- sports

_LEGACY_NAMES: Final = (
    "AlpineSki BackcountrySki Canoeing Crossfit EBikeRide Elliptical Golf Handcycle Hike "
    "IceSkate InlineSkate Kayaking Kitesurf NordicSki Ride RockClimbing RollerSki Rowing Run "
    "Sail Skateboard Snowboard Snowshoe Soccer StairStepper StandUpPaddling Surfing Swim "
    "Velomobile VirtualRide VirtualRun Walk WeightTraining Wheelchair Windsurf Workout Yoga"
)
_LEGACY: Final = frozenset(_LEGACY_NAMES.split())
LEGACY_TYPE: Final[dict[str, str]] = {
    "MountainBikeRide": "Ride",
    "GravelRide": "Ride",
    "EMountainBikeRide": "EBikeRide",
    "TrailRun": "Run",
}
"""Newer sport types -> the legacy ``type`` Strava reports for them (§5); other sport
types without a legacy twin get no ``type``."""

_SQUASHED: Final = {re.sub(r"[^a-z0-9]", "", s.lower()): s for s in SPORT_GROUPS}
# Display names that do not squash onto the enum value ([U] for the translations: a
# name not listed keeps its own CamelCase form and lands in the "Other" sport group).
_ALIASES: Final[dict[str, str]] = {
    "hiit": "HighIntensityIntervalTraining",
    "rockclimb": "RockClimbing",
    "canoe": "Canoeing",
    "kayak": "Kayaking",
    "sailing": "Sail",
    "kitesurfing": "Kitesurf",
    "windsurfing": "Windsurf",
    "iceskating": "IceSkate",
    "inlineskating": "InlineSkate",
    "rollerskiing": "RollerSki",
    "skateboarding": "Skateboard",
    "snowboarding": "Snowboard",
    "snowshoeing": "Snowshoe",
    "football": "Soccer",
    "footballsoccer": "Soccer",
    "ebike": "EBikeRide",
    "emountainbike": "EMountainBikeRide",
    "mountainbike": "MountainBikeRide",
    "virtualrowing": "VirtualRow",
    "lauf": "Run",
    "radfahrt": "Ride",
    "spaziergang": "Walk",
    "wanderung": "Hike",
    "schwimmen": "Swim",
    "virtuelleradfahrt": "VirtualRide",
    "krafttraining": "WeightTraining",
    "training": "Workout",
    "carrera": "Run",
    "bicicleta": "Ride",
    "ciclismo": "Ride",
    "caminata": "Walk",
    "senderismo": "Hike",
    "natacion": "Swim",
    "natación": "Swim",
    "entrenamiento": "Workout",
    "courseapied": "Run",
    "courseàpied": "Run",
    "velo": "Ride",
    "vélo": "Ride",
    "marche": "Walk",
    "randonnee": "Hike",
    "randonnée": "Hike",
    "natation": "Swim",
}


def sport_type(display: str) -> str:
    """``Activity Type`` as the API's SportType: "Weight Training" -> WeightTraining,
    "E-Bike Ride" -> EBikeRide. An unknown name is squashed into CamelCase ("Jump
    Rope" -> JumpRope), which the activity table groups as "Other"."""
    key = re.sub(r"[\W_]", "", display.lower())
    if key in _ALIASES:
        return _ALIASES[key]
    ascii_key = re.sub(r"[^a-z0-9]", "", key)
    if ascii_key in _SQUASHED:
        return _SQUASHED[ascii_key]
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[\W_]+", display) if w)
