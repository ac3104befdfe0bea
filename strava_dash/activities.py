"""Strava activity records (SummaryActivity dicts) -> one typed, tidy :class:`pandas.DataFrame`.

:data:`SCHEMA` is the column contract (``docs/schema.md`` mirrors it; a test keeps them
equal): every SummaryActivity scalar under its API name, the nested ``athlete``/``map``
values and the ``[lat, lng]`` pairs flattened, then derived columns in both unit
systems and in the activity's local calendar. Fields the schema does not know follow,
never dropped.

The transform is column-wise: one ``DataFrame.from_records`` over all records, then
vectorised casts, so 10,000 activities take less time than a bare
``pandas.json_normalize`` of the same records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from strava_dash.errors import DataError
from strava_dash.units import KMH_PER_MS, M_PER_FT, M_PER_KM, M_PER_MI, MPH_PER_MS


class Column(NamedTuple):
    """One output column: dtype (as ``str(series.dtype)`` prints it), unit, meaning."""

    dtype: str
    unit: str
    meaning: str


_B = "boolean"

_API: Final[dict[str, Column]] = {
    "id": Column("int64", "", "Strava activity id; one row per id"),
    "name": Column("string", "", "title as the athlete typed it (any Unicode, may be empty)"),
    "sport_type": Column(
        "string", "SportType", "sport, e.g. Run, TrailRun, GravelRide; from `type` when missing"
    ),
    "type": Column("string", "ActivityType", "legacy, coarser sport type (TrailRun is Run)"),
    "workout_type": Column(
        "Int64",
        "",
        "runs: 0 default, 1 race, 2 long run, 3 workout; rides: 10, 11 race, 12 workout",
    ),
    "start_date": Column("datetime64[ns, UTC]", "UTC", "start instant"),
    "start_date_local": Column(
        "datetime64[ns]",
        "local wall clock",
        "start as the clock showed it where the activity happened; naive, Strava's bogus `Z` "
        "dropped without shifting the time",
    ),
    "timezone": Column(
        "string", "", "Strava's label, e.g. `(GMT+01:00) Europe/Paris` (standard offset, no DST)"
    ),
    "utc_offset": Column("Float64", "s", "local time minus UTC at the start, DST included"),
    "distance": Column("Float64", "m", "distance covered; 0 for e.g. weight training"),
    "moving_time": Column("Int64", "s", "time in motion"),
    "elapsed_time": Column("Int64", "s", "clock time from start to finish, pauses included"),
    "total_elevation_gain": Column("Float64", "m", "elevation climbed"),
    "elev_high": Column("Float64", "m", "highest elevation; NA for manual activities"),
    "elev_low": Column("Float64", "m", "lowest elevation; NA for manual activities"),
    "average_speed": Column("Float64", "m/s", "distance ÷ moving time"),
    "max_speed": Column("Float64", "m/s", "top speed; 0 for manual activities"),
    "average_cadence": Column(
        "Float64", "rpm (rides) / steps per min per leg (runs)", "NA without a cadence sensor"
    ),
    "average_temp": Column("Float64", "°C", "NA unless the device records temperature"),
    "average_watts": Column("Float64", "W", "average power; estimated unless device_watts"),
    "weighted_average_watts": Column("Float64", "W", "weighted average power; power meter only"),
    "max_watts": Column("Float64", "W", "peak power; power meter only"),
    "kilojoules": Column("Float64", "kJ", "work done (rides); estimated unless device_watts"),
    "device_watts": Column(_B, "", "True: watts from a power meter; False: estimated"),
    "has_heartrate": Column(_B, "", "a heart-rate sensor was worn"),
    "trainer": Column(_B, "", "indoor trainer or treadmill"),
    "commute": Column(_B, "", "marked as a commute"),
    "manual": Column(_B, "", "entered by hand, no recorded file"),
    "private": Column(_B, "", "private activity"),
    "flagged": Column(_B, "", "flagged as suspicious"),
    "heartrate_opt_out": Column(_B, "", "the athlete hides heart rate from others"),
    "display_hide_heartrate_option": Column(_B, "", "Strava offers the hide-heart-rate option"),
    "has_kudoed": Column(_B, "", "the signed-in athlete gave kudos"),
    "from_accepted_tag": Column(_B, "", "copied from a group activity the athlete was tagged in"),
    "hide_from_home": Column(_B, "", "muted from followers' home feeds"),
    "average_heartrate": Column("Float64", "bpm", "NA without heart rate"),
    "max_heartrate": Column("Float64", "bpm", "NA without heart rate"),
    "suffer_score": Column("Float64", "", "Relative Effort; needs heart rate, often NA"),
    "visibility": Column("string", "", "everyone / followers_only / only_me"),
    "achievement_count": Column("Int64", "count", "achievements earned"),
    "kudos_count": Column("Int64", "count", "kudos received"),
    "comment_count": Column("Int64", "count", "comments received"),
    "athlete_count": Column("Int64", "count", "athletes in the group activity, at least 1"),
    "photo_count": Column("Int64", "count", "Instagram photos"),
    "total_photo_count": Column("Int64", "count", "Instagram plus Strava photos"),
    "pr_count": Column("Int64", "count", "personal records set"),
    "gear_id": Column("string", "", "bike (`b…`) or shoes (`g…`) used; NA when none"),
    "external_id": Column("string", "", "uploaded file's id, e.g. `garmin_ping_…`; NA if manual"),
    "upload_id_str": Column("string", "", "upload_id as text"),
    "location_city": Column("string", "", "deprecated by Strava, nearly always NA"),
    "location_state": Column("string", "", "deprecated by Strava, nearly always NA"),
    "location_country": Column("string", "", "country, sometimes filled"),
    "device_name": Column("string", "", "recording device; usually only in detailed activities"),
    "upload_id": Column("Int64", "", "id of the upload that created it; NA if manual"),
    "resource_state": Column("Int64", "", "detail level: 2 summary, 3 detailed"),
}

_NESTED: Final[dict[str, Column]] = {
    "athlete_id": Column("Int64", "", "`athlete.id`: the owner"),
    "map_id": Column("string", "", "`map.id`: `a` followed by the activity id"),
    "map_summary_polyline": Column(
        "string", "", '`map.summary_polyline`: encoded Google polyline; NA when `""` or null'
    ),
    "start_lat": Column("Float64", "°", "`start_latlng[0]`; NA when `[]` or null (no GPS)"),
    "start_lng": Column("Float64", "°", "`start_latlng[1]`; NA when `[]` or null"),
    "end_lat": Column("Float64", "°", "`end_latlng[0]`; NA when `[]` or null"),
    "end_lng": Column("Float64", "°", "`end_latlng[1]`; NA when `[]` or null"),
}

_TD = "timedelta64[ns]"
_DT = "datetime64[ns]"

_DERIVED: Final[dict[str, Column]] = {
    "distance_km": Column("Float64", "km", "`distance` in kilometres"),
    "distance_mi": Column("Float64", "mi", "`distance` in miles"),
    "elevation_gain_m": Column("Float64", "m", "`total_elevation_gain` (same value)"),
    "elevation_gain_ft": Column("Float64", "ft", "`total_elevation_gain` in feet"),
    "average_speed_kmh": Column("Float64", "km/h", "`average_speed` in km/h"),
    "average_speed_mph": Column("Float64", "mph", "`average_speed` in miles per hour"),
    "max_speed_kmh": Column("Float64", "km/h", "`max_speed` in km/h"),
    "max_speed_mph": Column("Float64", "mph", "`max_speed` in miles per hour"),
    "pace_per_km": Column(
        _TD,
        "per km",
        "moving time per km, rounded to the second; NaT unless a foot sport "
        "with distance > 0 and moving time > 0",
    ),
    "pace_per_mi": Column(_TD, "per mi", "moving time per mile; same rule as pace_per_km"),
    "moving_duration": Column(_TD, "", "`moving_time` as a duration"),
    "elapsed_duration": Column(_TD, "", "`elapsed_time` as a duration"),
    "local_date": Column(_DT, "date", "local calendar day of the start (midnight, naive)"),
    "year": Column("Int64", "", "local calendar year"),
    "month": Column("Int64", "1-12", "local calendar month"),
    "month_start": Column(_DT, "date", "first day of the local month"),
    "iso_year": Column("Int64", "", "ISO-8601 week-numbering year (2024-12-30 is in 2025)"),
    "iso_week": Column("Int64", "1-53", "ISO-8601 week number (weeks start on Monday)"),
    "week_start": Column(_DT, "date", "Monday of the local ISO week"),
    "weekday": Column("Int64", "0-6", "local day of week, 0 = Monday … 6 = Sunday"),
    "weekday_name": Column("string", "", "Mon … Sun"),
    "hour": Column("Int64", "0-23", "local hour of the start"),
    "sport_group": Column(
        "string", "", "Ride / Run / Walk / Swim / Water / Winter / Fitness / Other (SPORT_GROUPS)"
    ),
    "is_foot": Column(_B, "", "a foot sport: Run, TrailRun, VirtualRun, Walk, Hike, Snowshoe"),
    "has_gps": Column(_B, "", "has a non-empty summary polyline"),
    "strava_url": Column(
        "string", "URL", "the activity on strava.com: `https://www.strava.com/activities/{id}`"
    ),
}

SCHEMA: Final[dict[str, Column]] = {**_API, **_NESTED, **_DERIVED}
"""Every column ``to_frame`` always returns, in order: name -> (dtype, unit, meaning)."""

API_FIELDS: Final[tuple[str, ...]] = tuple(_API)
DATE_COLUMNS: Final[frozenset[str]] = frozenset(c for c, s in SCHEMA.items() if s.unit == "date")
"""Datetime columns that hold a calendar day at midnight (exports show them as dates)."""

STRAVA_ACTIVITY_URL: Final = "https://www.strava.com/activities/"

FOOT_SPORTS: Final[frozenset[str]] = frozenset(
    {"Run", "TrailRun", "VirtualRun", "Walk", "Hike", "Snowshoe"}
)

_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "Ride": (
        "Ride",
        "GravelRide",
        "MountainBikeRide",
        "EBikeRide",
        "EMountainBikeRide",
        "VirtualRide",
        "Velomobile",
        "Handcycle",
    ),
    "Run": ("Run", "TrailRun", "VirtualRun"),
    "Walk": ("Walk", "Hike"),
    "Swim": ("Swim",),
    "Water": (
        "Canoeing",
        "Kayaking",
        "Kitesurf",
        "Rowing",
        "VirtualRow",
        "Sail",
        "StandUpPaddling",
        "Surfing",
        "Windsurf",
    ),
    "Winter": (
        "AlpineSki",
        "BackcountrySki",
        "NordicSki",
        "RollerSki",
        "Snowboard",
        "Snowshoe",
        "IceSkate",
    ),
    "Fitness": (
        "Crossfit",
        "Dance",
        "Elliptical",
        "HighIntensityIntervalTraining",
        "Pilates",
        "StairStepper",
        "WeightTraining",
        "Workout",
        "Yoga",
    ),
    "Other": (
        "Badminton",
        "Basketball",
        "Cricket",
        "Golf",
        "InlineSkate",
        "Padel",
        "PhysicalTherapy",
        "Pickleball",
        "Racquetball",
        "RockClimbing",
        "Skateboard",
        "Soccer",
        "Squash",
        "TableTennis",
        "Tennis",
        "Volleyball",
        "Wheelchair",
    ),
}
SPORT_GROUP_NAMES: Final[tuple[str, ...]] = tuple(_GROUPS)
SPORT_GROUPS: Final[dict[str, str]] = {
    sport: group for group, sports in _GROUPS.items() for sport in sports
}
"""sport_type -> sport_group for every SportType of the API; unknown sports are "Other"."""

WEEKDAY_NAMES: Final[tuple[str, ...]] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Nested values that become schema columns: (API object, key) -> column.
_FLATTENED: Final[dict[tuple[str, str], str]] = {
    ("athlete", "id"): "athlete_id",
    ("map", "id"): "map_id",
    ("map", "summary_polyline"): "map_summary_polyline",
}
_LATLNG: Final[dict[str, tuple[str, str]]] = {
    "start_latlng": ("start_lat", "start_lng"),
    "end_latlng": ("end_lat", "end_lng"),
}
# The nested objects' own `resource_state` says how detailed the *object* is (always 1
# for athlete, 2 or 3 for map), nothing about the activity: the one thing dropped.
_DROPPED: Final[frozenset[tuple[str, str]]] = frozenset(
    {("athlete", "resource_state"), ("map", "resource_state")}
)

# datetime64[ns] spans 1677-2262; a sentinel such as 0001-01-01 must become NaT, not crash.
_TS_MIN: Final = pd.Timestamp("1678-01-01", tz="UTC")
_TS_MAX: Final = pd.Timestamp("2262-01-01", tz="UTC")
_OFFSET_SUFFIX: Final = r"(?:Z|[+-]\d\d:?\d\d)$"
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def empty_frame() -> pd.DataFrame:
    """A frame with no rows and every :data:`SCHEMA` column in its dtype."""
    return pd.DataFrame({c: pd.Series(dtype=spec.dtype) for c, spec in SCHEMA.items()})


def to_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Turn SummaryActivity records (as the API sends them) into the activity table.

    One row per activity id (a repeated id keeps its last record), newest first
    (``start_date`` descending, then ``id`` descending). Columns: :data:`SCHEMA` in
    order, then any field the schema does not know (nested objects flattened with
    ``_``; lists stay Python objects). Missing keys, ``null``, ``[]``, ``""``
    polylines and values of the wrong type become NA; only a record that is not an
    object or lacks an integer ``id`` is refused.

    Raises:
        DataError: a record is not a JSON object, or has no integer ``id``.
    """
    rows = list(records)
    if not rows:
        return empty_frame()
    dicts = _as_dicts(rows)
    try:
        return _build(dicts)
    except UnicodeEncodeError:
        # A lone UTF-16 surrogate (json.loads accepts "\ud83d") cannot be stored in
        # Arrow-backed strings; replace it with U+FFFD rather than refuse the data.
        return _build([_scrub(r) for r in dicts])


def _as_dicts(rows: list[Any]) -> list[dict[str, Any]]:
    if all(type(r) is dict for r in rows):
        return rows
    out: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise DataError(
                f"activity record {position} is a {type(row).__name__}, not a JSON object"
            )
        out.append(dict(row))
    return out


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _build(rows: list[dict[str, Any]]) -> pd.DataFrame:
    raw = pd.DataFrame.from_records(rows)
    ids = _check_ids(raw)
    if ids.duplicated().any():
        keep = ~ids.duplicated(keep="last")
        raw, ids = raw[keep], ids[keep]

    cols: dict[str, pd.Series] = {"id": ids}
    for name in API_FIELDS[1:]:
        cols[name] = _get(raw, name)
    extras: dict[str, pd.Series] = {}
    for obj in ("athlete", "map"):
        sub = _expand(_get(raw, obj))
        for (parent, key), target in _FLATTENED.items():
            if parent == obj:
                cols[target] = _get(sub, key)
        for key in sub.columns:
            if (obj, key) not in _FLATTENED and (obj, key) not in _DROPPED:
                extras.update(_flatten(f"{obj}_{key}", sub[key]))
    for field, (lat, lng) in _LATLNG.items():
        cols[lat], cols[lng] = _split_pair(_get(raw, field))
    known = {*_API, "athlete", "map", *_LATLNG}
    for name in raw.columns:
        if name not in known:
            extras.update(_flatten(name, raw[name]))
    del raw
    return _assemble(cols, extras)


def from_columns(
    columns: dict[str, pd.Series], extras: Mapping[str, pd.Series] | None = None
) -> pd.DataFrame:
    """The activity table from flat columns instead of records: what :func:`to_frame`
    gives for records holding these values.

    ``columns`` are keyed by the :data:`SCHEMA` names of the API and nested fields
    (``start_lat``, ``map_summary_polyline``…; absent ones are NA), each already one
    value per activity; ``id`` must be unique integers. ``extras`` follow the schema
    columns as they are. ``columns`` is emptied while the table is built, so that a
    caller holding nothing else never has the raw and the typed values at once.

    Raises:
        DataError: ``id`` missing, not integers, or repeated.
    """
    ids = columns.get("id")
    if ids is None or ids.dtype.kind not in "iu" or ids.duplicated().any():
        raise DataError("columns need a unique integer 'id' for every activity")
    return _assemble(columns, dict(extras or {}))


def _assemble(cols: dict[str, pd.Series], extras: dict[str, pd.Series]) -> pd.DataFrame:
    """Cast, order newest first, derive. Columns are replaced one at a time in ``cols``
    (never a second copy of the whole table: a large archive must fit in memory)."""
    index = cols["id"].index
    nothing = _Nothing()
    for name in (*_API, *_NESTED):
        value = cols.pop(name, None)
        dtype = SCHEMA[name].dtype
        if value is None:
            known = nothing.of(dtype)
            value = known if known is not None else _CASTS[dtype](_nulls(index))
        elif name == "id":
            value = value.astype(np.int64)
        else:
            value = _CASTS[dtype](value)
        cols[name] = nothing.shared(value)
    if cols["sport_type"].isna().any():
        # Old payloads predate sport_type; the legacy type is the best stand-in.
        cols["sport_type"] = nothing.shared(cols["sport_type"].fillna(cols["type"]))
    polyline = cols["map_summary_polyline"]
    empty = polyline.eq("").fillna(False)
    if empty.any():
        cols["map_summary_polyline"] = nothing.shared(polyline.mask(empty))

    order = _newest_first(cols["start_date"], cols["id"])
    if not (order == np.arange(len(order))).all():
        for table in (cols, extras):
            for name in list(table):
                column = table[name]
                # An all-NA column is the same in any order (and may be shared).
                table[name] = (
                    _reorder(column, order) if column.count() else column.reset_index(drop=True)
                )
    for name, value in _derive(cols):
        cols[name] = nothing.shared(value)

    frame = pd.DataFrame(cols, copy=False)
    cols.clear()
    if extras:
        extra = pd.DataFrame(extras, copy=False).convert_dtypes()
        extra.columns = _unique(list(extra.columns), taken=set(SCHEMA))
        frame = pd.concat([frame, extra], axis=1)
    return frame


class _Nothing:
    """One all-NA array per dtype, shared by every column that holds nothing.

    An archive lacks 30 of the API's fields, and rows stripped to a few cells leave
    most of the others and their derived columns empty too: 9 bytes a row for each
    such column (issue 11: 830 bytes an activity, 5.9× a CSV of 141-byte rows), where
    one shared array costs them 9 bytes in all. Copy-on-write keeps the columns apart
    if one is ever written.
    """

    def __init__(self) -> None:
        self._by_dtype: dict[str, pd.Series] = {}

    def of(self, dtype: str) -> pd.Series | None:
        """The shared all-NA column of ``dtype``, if one was met."""
        return self._by_dtype.get(dtype)

    def shared(self, column: pd.Series) -> pd.Series:
        """``column``, or when it is all NA, the shared all-NA column of its dtype."""
        if column.count():
            return column
        # set_axis: the rows may have been put in order since the first (a lazy copy,
        # no data copied).
        return self._by_dtype.setdefault(str(column.dtype), column).set_axis(column.index)


def _nulls(index: pd.Index) -> pd.Series:
    return pd.Series(None, index=index, dtype=object)


def _newest_first(start: pd.Series, ids: pd.Series) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Row order by start descending, no start last, then id descending (ids are unique)."""
    # NaT is the smallest int64, so an ascending sort reversed puts it last.
    nanos = start.to_numpy(dtype="datetime64[ns]").view(np.int64)
    return np.lexsort((ids.to_numpy(dtype=np.int64), nanos))[::-1]


def _reorder(col: pd.Series, order: np.ndarray[Any, np.dtype[np.intp]]) -> pd.Series:
    if _is_reversal(order):  # oldest first (an export in id order): a view, no copy
        return col.iloc[::-1].reset_index(drop=True)
    return col.take(order).reset_index(drop=True)


def _is_reversal(order: np.ndarray[Any, np.dtype[np.intp]]) -> bool:
    return bool(len(order) and order[0] == len(order) - 1 and (np.diff(order) == -1).all())


def _get(raw: pd.DataFrame, name: str) -> pd.Series:
    """``raw[name]``, or all-null when no record had the key (casts then give NA)."""
    if name in raw:
        return raw[name]
    return pd.Series(None, index=raw.index, dtype=object)


def _check_ids(raw: pd.DataFrame) -> pd.Series:
    """The ``id`` column as int64, or one DataError naming the first bad record."""
    if "id" not in raw:
        raise DataError("activity records have no 'id' field; every activity needs an integer id")
    ids = raw["id"]
    if ids.dtype == np.int64:
        return ids
    values = ids.astype(object)
    kinds = values.map(type)
    missing = values.isna()
    numbers = pd.to_numeric(values.where(kinds.isin([int, float])), errors="coerce")
    # bool is an int subclass in Python but never a valid id: type() keeps them apart.
    # A whole float (123.0) is accepted: missing keys turn the column into float64.
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (numbers.abs() < 2.0**63)
    bad = ~(whole | missing)
    problems = missing | bad
    if problems.any():
        first = int(np.flatnonzero(problems.to_numpy())[0])
        what = (
            "has no 'id'" if missing.iloc[first] else f"has a non-integer id {values.iloc[first]!r}"
        )
        also = int(problems.sum()) - 1
        more = f" ({also} more record{'s' if also != 1 else ''} too)" if also else ""
        raise DataError(f"activity record {first} {what}{more}; every activity needs an integer id")
    return numbers.astype(np.int64)


def _as_float(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.Float64Dtype):  # typed already (from_columns): no copy
        return col
    # errors="coerce": a string such as "n/a" in a numeric field becomes NA, not a crash.
    arr = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.Series(pd.arrays.FloatingArray(arr, ~np.isfinite(arr)), index=col.index)


def _as_int(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.Int64Dtype):
        return col
    num = pd.to_numeric(col, errors="coerce")
    if num.dtype.kind in "ib":
        return num.astype("Int64")
    arr = num.to_numpy(dtype=np.float64, na_value=np.nan)
    # A non-whole or out-of-range value in a count is garbage, not something to round.
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(arr) & (arr == np.trunc(arr)) & (np.abs(arr) < 2.0**63)
    values = np.where(ok, arr, 0).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(values, ~ok), index=col.index)


def _as_bool(col: pd.Series) -> pd.Series:
    if col.dtype == bool or isinstance(col.dtype, pd.BooleanDtype):
        return col.astype("boolean")
    values = col.to_numpy(dtype=object)
    # Elementwise ==, not isin: a list in a boolean field must not raise "unhashable".
    true = np.equal(values, True).astype(bool)
    false = np.equal(values, False).astype(bool)
    return pd.Series(pd.arrays.BooleanArray(true, ~(true | false)), index=col.index)


def _as_string(col: pd.Series) -> pd.Series:
    return col.astype("string")


def _as_utc(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.DatetimeTZDtype):  # typed already (from_columns)
        ts: pd.Series = col.dt.tz_convert("UTC")
    else:
        ts = pd.to_datetime(col.astype("string"), utc=True, format="ISO8601", errors="coerce")
    return ts.where((ts >= _TS_MIN) & (ts < _TS_MAX)).astype("datetime64[ns, UTC]")


def _as_local(col: pd.Series) -> pd.Series:
    if col.dtype.kind == "M":  # naive datetime64 already (from_columns)
        ts = col
    else:
        # Strava writes local wall-clock time with a "Z" it does not mean: drop the
        # suffix and keep the clock reading (08:12 stays 08:12) instead of converting.
        text = col.astype("string").str.replace(_OFFSET_SUFFIX, "", regex=True)
        ts = pd.to_datetime(text, format="ISO8601", errors="coerce")
    naive_min, naive_max = _TS_MIN.tz_localize(None), _TS_MAX.tz_localize(None)
    return ts.where((ts >= naive_min) & (ts < naive_max)).astype("datetime64[ns]")


_CASTS: Final[dict[str, Callable[[pd.Series], pd.Series]]] = {
    "Float64": _as_float,
    "Int64": _as_int,
    "boolean": _as_bool,
    "string": _as_string,
    "datetime64[ns, UTC]": _as_utc,
    "datetime64[ns]": _as_local,
}


def _is_dict(col: pd.Series) -> pd.Series:
    if col.dtype != object:
        return pd.Series(False, index=col.index)
    return col.map(type).isin([dict])


def _expand(col: pd.Series) -> pd.DataFrame:
    """One column per key of the dicts in ``col`` (non-dict rows become NA)."""
    is_dict = _is_dict(col)
    if not is_dict.any():
        return pd.DataFrame(index=col.index)
    dicts = col[is_dict]
    sub = pd.DataFrame.from_records(dicts.tolist(), index=dicts.index)
    return sub.reindex(col.index)


def _flatten(name: str, col: pd.Series) -> dict[str, pd.Series]:
    """An unknown field as columns: nested dicts spread out with ``_``, anything else as is."""
    nonnull = col[col.notna()]
    if col.dtype != object or nonnull.empty or not _is_dict(nonnull).all():
        return {name: col}
    out: dict[str, pd.Series] = {}
    sub = _expand(col)
    for key in sub.columns:
        out.update(_flatten(f"{name}_{key}", sub[key]))
    return out


def _unique(names: list[str], taken: set[str]) -> list[str]:
    # An unknown field may flatten onto a schema name (a detailed activity's
    # `gear.id` -> gear_id): the schema column wins, the extra gets a suffix.
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}_{n}", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _split_pair(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``[lat, lng]`` -> two Float64 columns; ``[]``, null or anything but a pair give NA."""
    if col.dtype != object:
        nothing = pd.Series(np.nan, index=col.index)
        return _as_float(nothing), _as_float(nothing)
    lists = col[col.map(type).isin([list])]
    pairs = lists[lists.map(len).eq(2)]
    # One C-level conversion of the list of pairs; `.str[0]` would call Python per row.
    both = pd.DataFrame(pairs.tolist(), index=pairs.index, columns=[0, 1]).reindex(col.index)
    return _as_float(both[0]), _as_float(both[1])


def _float(col: pd.Series) -> np.ndarray[Any, np.dtype[np.float64]]:
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _seconds(values: np.ndarray[Any, np.dtype[np.float64]], index: pd.Index) -> pd.Series:
    return pd.Series(pd.to_timedelta(values, unit="s"), index=index).astype("timedelta64[ns]")


def _derive(cols: Mapping[str, pd.Series]) -> Iterator[tuple[str, pd.Series]]:
    """The derived columns in :data:`SCHEMA` order, one at a time, so that each can be
    shared (:class:`_Nothing`) before the next is made."""
    distance, index = cols["distance"], cols["id"].index
    yield "distance_km", distance / M_PER_KM
    yield "distance_mi", distance / M_PER_MI
    yield "elevation_gain_m", cols["total_elevation_gain"].copy()
    yield "elevation_gain_ft", cols["total_elevation_gain"] / M_PER_FT
    yield "average_speed_kmh", cols["average_speed"] * KMH_PER_MS
    yield "average_speed_mph", cols["average_speed"] * MPH_PER_MS
    yield "max_speed_kmh", cols["max_speed"] * KMH_PER_MS
    yield "max_speed_mph", cols["max_speed"] * MPH_PER_MS

    is_foot = cols["sport_type"].isin(FOOT_SPORTS).astype("boolean")
    moving, metres = _float(cols["moving_time"]), _float(distance)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_metre = np.where(
            is_foot.to_numpy(bool) & (metres > 0) & (moving > 0), moving / metres, np.nan
        )
    del metres
    yield "pace_per_km", _seconds(np.round(per_metre * M_PER_KM), index)
    yield "pace_per_mi", _seconds(np.round(per_metre * M_PER_MI), index)
    del per_metre
    yield "moving_duration", _seconds(moving, index)
    del moving
    yield "elapsed_duration", _seconds(_float(cols["elapsed_time"]), index)

    local = cols["start_date_local"]
    day = local.dt.normalize()
    weekday = local.dt.day_of_week
    iso = local.dt.isocalendar()
    yield "local_date", day
    yield "year", local.dt.year.astype("Int64")
    yield "month", local.dt.month.astype("Int64")
    yield (
        "month_start",
        pd.Series(local.to_numpy().astype("datetime64[M]").astype(_DT), index=index),
    )
    yield "iso_year", iso["year"].astype("Int64")
    yield "iso_week", iso["week"].astype("Int64")
    del iso
    yield "week_start", (day - pd.to_timedelta(weekday, unit="D")).astype(_DT)
    yield "weekday", weekday.astype("Int64")
    names = pd.array([*WEEKDAY_NAMES, None], dtype="string")  # position 7: no date
    days = weekday.fillna(7).astype(int).to_numpy()
    yield "weekday_name", pd.Series(names.take(days), index=index)
    del days, weekday
    yield "hour", local.dt.hour.astype("Int64")

    yield "sport_group", cols["sport_type"].map(SPORT_GROUPS).fillna("Other").astype("string")
    yield "is_foot", is_foot
    yield "has_gps", cols["map_summary_polyline"].notna().astype("boolean")
    yield "strava_url", STRAVA_ACTIVITY_URL + cols["id"].astype("string")
