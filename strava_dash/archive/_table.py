"""The archive's columns -> the activity table, and the table -> SummaryActivity records.

The table is built with :func:`strava_dash.activities.from_columns`, column by column,
so reading an archive never holds a dict per activity: the records the JSON download, the
detail page and the tracks need are made from the table only when asked for
(:func:`records`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from strava_dash.activities import from_columns, to_frame
from strava_dash.archive._csv import NO_START, Columns

EXTRA_DTYPES: Final[dict[str, ExtensionDtype]] = {
    "gear_name": pd.StringDtype(),
    "calories": pd.Float64Dtype(),
    "description": pd.StringDtype(),
    "private_note": pd.StringDtype(),
    "local_time_inferred": pd.BooleanDtype(),
}
# A record's keys in the order the API (and the archive's JSON download) has them.
_RECORD_KEYS: Final = (  # noqa: SIM905 - a list of 34 names reads better as words
    "id name sport_type type start_date start_date_local distance moving_time elapsed_time "
    "total_elevation_gain elev_high elev_low average_speed max_speed average_cadence "
    "average_temp average_watts weighted_average_watts max_watts kilojoules has_heartrate "
    "average_heartrate max_heartrate suffer_score commute flagged manual upload_id "
    "upload_id_str gear_name calories description private_note local_time_inferred"
).split()


@dataclass
class Local:
    """Local times found from the tracks, by row (see the package doc)."""

    offsets: np.ndarray[Any, np.dtype[np.float64]]
    """``utc_offset`` (s), NaN when not known."""
    zones: list[str | None]
    """Strava's ``timezone`` label, or None (none known, or only a device clock)."""
    inferred: np.ndarray[Any, np.dtype[np.int8]]
    """``local_time_inferred``: 1, 0, or -1 when there is no local time."""


@dataclass
class Routes:
    """The route of each activity whose track has one, by activity id."""

    polylines: dict[int, str] = field(default_factory=dict)
    starts: dict[int, tuple[float, float]] = field(default_factory=dict)
    ends: dict[int, tuple[float, float]] = field(default_factory=dict)


def table(columns: Columns, routes: Routes, local: Local | None) -> pd.DataFrame:
    """The activity table in ``to_frame``'s schema, then :data:`EXTRA_DTYPES`' columns.

    ``columns`` must hold each id once, newest first (:meth:`Columns.newest_first`:
    sorting later would copy every column of the table). Its arrays are released as
    they are turned into the table's columns.
    """
    if not len(columns):
        frame = to_frame([])
        for name, dtype in EXTRA_DTYPES.items():
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype=dtype)
        return frame
    ids = _numbers(columns.ids, np.int64)
    starts = _numbers(columns.starts, np.int64)
    cols: dict[str, pd.Series] = {"id": pd.Series(ids)}
    cols["start_date"] = _instants(starts).dt.tz_localize("UTC")
    # Columns left out of ``cols`` (no local times, number fields no row fills, no
    # routes) are NA in the table, sharing one array per dtype (``from_columns``).
    if local is None:
        cols["start_date_local"] = cols["start_date"].dt.tz_localize(None)
    else:
        offsets = local.offsets
        shift = np.where(np.isnan(offsets), 0, np.floor(np.nan_to_num(offsets)))
        local_starts = np.where(starts == NO_START, NO_START, starts + shift.astype(np.int64))
        cols["start_date_local"] = _instants(local_starts)
        cols["utc_offset"] = pd.Series(offsets)
        cols["timezone"] = pd.Series(local.zones, index=cols["id"].index, dtype="string")
    for name in ("name", "sport_type", "type"):
        cols[name] = pd.Series(columns.texts.pop(name), dtype="string")
    calories = columns.floats.pop("calories", None)
    columns.floats.pop("distance_display", None)
    for name in list(columns.floats):
        values = _numbers(columns.floats.pop(name), np.float64)
        if name in ("moving_time", "elapsed_time"):  # whole seconds
            whole = np.nan_to_num(values).astype(np.int64)
            cols[name] = pd.Series(pd.arrays.IntegerArray(whole, np.isnan(values)))
        else:  # the parsed array itself becomes the column: no copy
            cols[name] = pd.Series(_floats(values))
    for name in list(columns.flags):
        cols[name] = _booleans(_numbers(columns.flags.pop(name), np.int8))
    uploads = _numbers(columns.upload_ids, np.int64)
    cols["upload_id"] = pd.Series(pd.arrays.IntegerArray(uploads, uploads < 0))
    cols["upload_id_str"] = cols["upload_id"].astype("string")
    if routes.polylines:
        cols.update(_route_columns(ids, routes))
    extras = {
        "gear_name": pd.Series(columns.texts.pop("gear_name"), dtype="string"),
        "calories": (
            pd.Series(pd.NA, index=cols["id"].index, dtype="Float64")
            if calories is None
            else pd.Series(_floats(_numbers(calories, np.float64)))
        ),
        "description": pd.Series(columns.texts.pop("description"), dtype="string"),
        "private_note": pd.Series(columns.texts.pop("private_note"), dtype="string"),
        "local_time_inferred": _booleans(
            local.inferred if local is not None else np.full(len(ids), -1, np.int8)
        ),
    }
    del calories
    frame = from_columns(cols, extras)
    for name, dtype in EXTRA_DTYPES.items():  # convert_dtypes makes whole floats Int64
        frame[name] = frame[name].astype(dtype)
    return frame


def _numbers(values: Any, dtype: type[np.generic]) -> np.ndarray[Any, Any]:
    return np.asarray(values, dtype=dtype)  # no copy: the parsed arrays become columns


def _floats(values: np.ndarray[Any, np.dtype[np.float64]]) -> pd.arrays.FloatingArray:
    return pd.arrays.FloatingArray(values, np.isnan(values))


def _instants(seconds: np.ndarray[Any, np.dtype[np.int64]]) -> pd.Series:
    # NO_START is int64's minimum, which NumPy reads as NaT.
    return pd.Series(seconds.view("datetime64[s]").astype("datetime64[ns]"))


def _booleans(flags: np.ndarray[Any, np.dtype[np.int8]]) -> pd.Series:
    return pd.Series(pd.arrays.BooleanArray(flags == 1, flags < 0))


def _route_columns(ids: np.ndarray[Any, Any], routes: Routes) -> dict[str, pd.Series]:
    n = len(ids)
    polylines: list[str | None] = [None] * n
    pairs = {name: np.full(n, np.nan) for name in ("start_lat", "start_lng", "end_lat", "end_lng")}
    if routes.polylines:
        row_of = {activity_id: row for row, activity_id in enumerate(ids.tolist())}
        for activity_id, encoded in routes.polylines.items():
            row = row_of[activity_id]
            polylines[row] = encoded
            pairs["start_lat"][row], pairs["start_lng"][row] = routes.starts[activity_id]
            pairs["end_lat"][row], pairs["end_lng"][row] = routes.ends[activity_id]
    out = {"map_summary_polyline": pd.Series(polylines, dtype="string")}
    out.update({name: pd.Series(values) for name, values in pairs.items()})
    return out


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as the SummaryActivity-shaped dicts the archive stands for."""
    values = {c: _plain(frame[c]) for c in (*_RECORD_KEYS, "utc_offset", "timezone")}
    values["start_date"] = _iso(frame["start_date"].dt.tz_localize(None), "Z")
    polylines = _plain(frame["map_summary_polyline"])
    ends = {c: _plain(frame[c]) for c in ("start_lat", "start_lng", "end_lat", "end_lng")}
    out: list[dict[str, Any]] = []
    for i in range(len(frame)):
        record = {key: values[key][i] for key in _RECORD_KEYS}
        offset = values["utc_offset"][i]
        if record["start_date_local"] is not None:
            # Like the API, a known local clock is written with a "Z" it does not mean.
            suffix = "Z" if offset is not None else ""
            record["start_date_local"] = f"{record['start_date_local']:%Y-%m-%dT%H:%M:%S}{suffix}"
        if polylines[i] is not None:
            record["map"] = {"summary_polyline": polylines[i]}
            record["start_latlng"] = [ends["start_lat"][i], ends["start_lng"][i]]
            record["end_latlng"] = [ends["end_lat"][i], ends["end_lng"][i]]
        if values["timezone"][i] is not None:
            record["timezone"] = values["timezone"][i]
        if offset is not None:
            record["utc_offset"] = offset
        out.append(record)
    return out


def _plain(column: pd.Series) -> list[Any]:
    """Python values, None for NA."""
    return [None if v is pd.NA or v is pd.NaT else v for v in column.astype(object).tolist()]


def _iso(column: pd.Series, suffix: str) -> list[str | None]:
    return [None if pd.isna(v) else f"{v:%Y-%m-%dT%H:%M:%S}{suffix}" for v in column.tolist()]
