"""Activity table and raw records -> downloadable bytes: CSV, Excel (XLSX) and JSON.

* :func:`to_csv` — UTF-8 with a BOM (so Excel shows emoji and accents), RFC 4180
  quoting and CRLF line ends; datetimes ISO-8601, durations ``H:MM:SS``.
* :func:`to_xlsx` — a typed workbook written column by column through xlsxwriter (not
  ``DataFrame.to_excel``: faster, and no text ever becomes a formula or a link).
* :func:`to_json` — the API records, lossless.
* :func:`monthly_summary` — month × sport totals for the workbook's Summary sheet.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import xlsxwriter

from strava_dash.activities import DATE_COLUMNS
from strava_dash.errors import DataError
from strava_dash.units import S_PER_H, Units, column_for
from strava_dash.xlsx_sheet import ColumnSheet

LINK_TEXT: Final = "View on Strava"
DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT: Final = "yyyy-mm-dd"
DURATION_FORMAT: Final = "[h]:mm:ss"

# Excel refuses more hyperlinks than this per worksheet; later rows get the URL as text.
MAX_LINKS: Final = 65_530
_MAX_URL: Final = 2_079  # UTF-16 code units
_MAX_WIDTH: Final = 50
_MIN_WIDTH: Final = 6
_WIDTH_SAMPLE: Final = 200

_NS_PER_S: Final = 1_000_000_000
_NS_PER_DAY: Final = 86_400 * _NS_PER_S
# Excel's day 0 is 1899-12-30 for every date after 1900-02-28 (its 1900 leap-year bug
# makes earlier serials ambiguous, so those dates are written as text instead).
_EXCEL_EPOCH: Final = np.datetime64("1899-12-30", "ns")
_EXCEL_FIRST_SAFE: Final = np.datetime64("1900-03-01", "ns")
_XLSX_OPTIONS: Final[dict[str, Any]] = {
    "in_memory": True,
    # Activity names are data: "=1+1", "https://…" and "0042" stay the text typed.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


# --------------------------------------------------------------------------- CSV


def filename_slug(text: str, *, fallback: str, max_length: int = 60) -> str:
    """``text`` as a safe file-name part: ASCII, lower case, words joined by ``-``."""
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")
    return slug[:max_length].rstrip("-") or fallback


def download_name(kind: str, athlete: str, day: date, extension: str) -> str:
    """``strava-activities-jordi-vila-2026-11-29.xlsx``: what, whose, when."""
    return f"strava-{kind}-{filename_slug(athlete, fallback='athlete')}-{day:%Y-%m-%d}.{extension}"


def to_csv(df: pd.DataFrame) -> bytes:
    """The frame as CSV bytes: UTF-8 with BOM, comma-separated, CRLF, header row.

    Text is written exactly (quoted when it holds a comma, quote or line break), so
    ``pd.read_csv(io.BytesIO(b), dtype=str, keep_default_na=False)`` gives back the same
    strings; NA is an empty field. Datetimes are ISO-8601: ``2024-05-04T06:12:09Z``
    for UTC columns, ``2024-05-04T08:12:09`` for naive ones, ``2024-05-04`` for a
    column of midnights. Durations are ``H:MM:SS`` with hours past 24 (``26:03:04``;
    ``pd.to_timedelta`` reads it back). Lists and dicts from unknown fields are JSON.
    Text starting with ``=`` is not defused: it would break the round trip, and
    spreadsheet users should take the XLSX, where it is always plain text.
    """
    out = pd.DataFrame(
        {name: _csv_column(df[name]) for name in df.columns}, index=df.index, columns=df.columns
    )
    text = out.to_csv(index=False, lineterminator="\r\n", na_rep="")
    # "replace" only matters for a lone surrogate inside an unknown field's list.
    return text.encode("utf-8-sig", errors="replace")


def _csv_column(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.DatetimeTZDtype) or col.dtype.kind == "M":
        return _iso_text(col)
    if col.dtype.kind == "m":
        return _duration_text(col)
    if col.dtype == object:
        return col.map(_cell_text)
    return col


def _iso_text(col: pd.Series) -> pd.Series:
    aware = isinstance(col.dtype, pd.DatetimeTZDtype)
    naive = col.dt.tz_convert("UTC").dt.tz_localize(None) if aware else col
    values: np.ndarray[Any, np.dtype[np.datetime64]] = naive.to_numpy(dtype="datetime64[ns]")
    valid = ~np.isnat(values)
    ns = values[valid].view(np.int64)
    unit: Literal["D", "s", "us"]
    if not aware and (ns % _NS_PER_DAY == 0).all():
        unit = "D"
    else:
        unit = "s" if (ns % _NS_PER_S == 0).all() else "us"
    text = np.datetime_as_string(values, unit=unit, timezone="UTC" if aware else "naive")
    return pd.Series(text, index=col.index, dtype="string").where(valid)


def _duration_text(col: pd.Series) -> pd.Series:
    values = col.to_numpy(dtype="timedelta64[ns]")
    valid = ~np.isnat(values)
    signed = np.where(valid, values.view(np.int64), 0)
    secs, frac = np.divmod(np.abs(signed), _NS_PER_S)
    hours, rest = np.divmod(secs, 3600)
    minutes, seconds = np.divmod(rest, 60)

    def text(a: np.ndarray[Any, Any], width: int) -> pd.Series:
        digits: pd.Series = pd.Series(a, index=col.index).astype("string").str.zfill(width)
        return digits

    out = text(hours, 1) + ":" + text(minutes, 2) + ":" + text(seconds, 2)
    if frac.any():
        micro = text(frac // 1000, 6).str.rstrip("0")
        out = out + ("." + micro).where(frac > 0, "")
    out = ("-" + out).where(signed < 0, out)
    return out.where(valid)


def _cell_text(value: Any) -> Any:
    """Lists/dicts of unknown fields as JSON text; every other value unchanged."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


# -------------------------------------------------------------------------- XLSX


def to_xlsx(
    df: pd.DataFrame,
    *,
    summary: pd.DataFrame | None = None,
    about: Mapping[str, str] | None = None,
    link_column: str | None = "strava_url",
) -> bytes:
    """A workbook to keep: sheet "Activities", then optional "Summary" and "About".

    Every value keeps its type: numbers as numbers (floats to the last bit, in their
    shortest round-trip form), text always as text (never a formula or a link),
    booleans as TRUE/FALSE, datetimes as Excel dates (UTC columns converted to naive
    UTC; a column of midnights shown ``yyyy-mm-dd``), durations as
    Excel durations shown ``[h]:mm:ss``, NA as an empty cell, lists/dicts as JSON text.
    The header row is bold and frozen, with an autofilter over the data. ``link_column``
    (if present) becomes real hyperlinks reading "View on Strava" (the first
    :data:`MAX_LINKS` rows; Excel's limit — later ones are plain URL text).

    Control characters XML cannot hold (e.g. a vertical tab) and ``\\r`` are stored by
    xlsxwriter as OOXML escapes (``_x000B_``, ``_x000D_``): Excel shows the original
    character, openpyxl returns the escape text (``openpyxl.utils.escape.unescape``
    restores it). Tab and newline are stored as they are; a literal ``_x0041_`` in a
    name is itself escaped and reads back unchanged everywhere. Text longer than
    Excel's 32,767-character cell limit is cut at that limit.

    Args:
        summary: a typed table for the "Summary" sheet, e.g. :func:`monthly_summary`.
        about: key/value lines for the "About" sheet (export time, athlete, filters).
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _XLSX_OPTIONS)
    formats = _Formats(workbook)
    _write_table(_sheet(workbook, "Activities"), df, formats, link_column)
    if summary is not None:
        _write_table(_sheet(workbook, "Summary"), summary, formats, None)
    if about is not None:
        about_frame = pd.DataFrame(
            {"Key": list(about.keys()), "Value": [str(v) for v in about.values()]},
            dtype="string",
        )
        _write_table(_sheet(workbook, "About"), about_frame, formats, None, autofilter=False)
    workbook.close()
    return buffer.getvalue()


def _sheet(workbook: Any, name: str) -> ColumnSheet:
    sheet: ColumnSheet = workbook.add_worksheet(name, worksheet_class=ColumnSheet)
    return sheet


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True})
        self.datetime = workbook.add_format({"num_format": DATETIME_FORMAT})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.duration = workbook.add_format({"num_format": DURATION_FORMAT})
        # "General" shows integers of 12+ digits (future activity ids) as 1.23E+11.
        self.integer = workbook.add_format({"num_format": "0"})


def _write_table(
    ws: ColumnSheet,
    df: pd.DataFrame,
    formats: _Formats,
    link_column: str | None,
    *,
    autofilter: bool = True,
) -> None:
    for c, name in enumerate(df.columns):
        ws.write_string(0, c, str(name), formats.header)
        col = df[name]
        if name == link_column:
            width = _write_links(ws, c, col)
        else:
            width = _write_column(ws, c, col, formats, is_date=name in DATE_COLUMNS)
        # +2 leaves room for the autofilter's drop-down arrow next to the header text.
        width = max(width, len(str(name)) + 2, _MIN_WIDTH)
        ws.set_column(c, c, min(width, _MAX_WIDTH))
    if len(df.columns):
        ws.freeze_panes(1, 0)
        if autofilter:
            ws.autofilter(0, 0, len(df), len(df.columns) - 1)


def _rows(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Sheet rows (1-based under the header) of the True positions of ``mask``."""
    return np.flatnonzero(mask) + 1


def _write_column(
    ws: ColumnSheet, c: int, col: pd.Series, formats: _Formats, *, is_date: bool
) -> int:
    """Write one column below the header; return a width guess from a sample."""
    dtype = col.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind == "M":
        return _write_datetimes(ws, c, col, formats, is_date=is_date)
    if dtype.kind == "m":
        values = col.to_numpy(dtype="timedelta64[ns]")
        valid = ~np.isnat(values)
        days = values.view(np.int64)[valid] / _NS_PER_DAY
        ws.put_numbers(c, _rows(valid), days, formats.duration)
        return 10
    if pd.api.types.is_bool_dtype(dtype):
        valid = col.notna().to_numpy()
        flags = col[valid].to_numpy(dtype=bool)
        ws.put_booleans(c, _rows(valid), flags, None)
        return 7
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = col.to_numpy(dtype=np.float64, na_value=np.nan)
        # Excel has no NaN or infinity: those cells stay empty like NA.
        valid = np.isfinite(numbers)
        if dtype.kind in "iu":
            # Integers as their exact digits (a float64 would round ids past 2**53).
            exact = col[valid].to_numpy(dtype=np.uint64 if dtype.kind == "u" else np.int64)
            ws.put_numbers(c, _rows(valid), exact, formats.integer)
        else:
            ws.put_numbers(c, _rows(valid), numbers[valid], None)
        return _sample_width(col[valid])
    if isinstance(dtype, pd.StringDtype):
        valid = col.notna().to_numpy()
        ws.put_strings(c, _rows(valid), col[valid].tolist(), None)
        return _sample_width(col[valid])
    return _write_objects(ws, c, col)


def _write_datetimes(
    ws: ColumnSheet, c: int, col: pd.Series, formats: _Formats, *, is_date: bool
) -> int:
    naive = (
        col.dt.tz_convert("UTC").dt.tz_localize(None)
        if isinstance(col.dtype, pd.DatetimeTZDtype)
        else col
    )
    values = naive.to_numpy(dtype="datetime64[ns]")
    valid = ~np.isnat(values)
    serial_ok = valid & (values >= _EXCEL_FIRST_SAFE)
    ns = values.view(np.int64)
    midnight = bool((ns[valid] % _NS_PER_DAY == 0).all())
    fmt = formats.date if is_date or midnight else formats.datetime
    serials = (ns[serial_ok] - _EXCEL_EPOCH.view(np.int64)) / _NS_PER_DAY
    ws.put_numbers(c, _rows(serial_ok), serials, fmt)
    early = valid & ~serial_ok
    for row, text in zip(
        _rows(early).tolist(), np.datetime_as_string(values[early], unit="s").tolist(), strict=True
    ):
        ws.write_string(row, c, text)
    return 11 if fmt is formats.date else 19


def _write_links(ws: ColumnSheet, c: int, col: pd.Series) -> int:
    valid = col.notna().to_numpy()
    rows, urls = _rows(valid).tolist(), [str(u) for u in col[valid].tolist()]
    for row, url in zip(rows[:MAX_LINKS], urls[:MAX_LINKS], strict=True):
        # Excel refuses longer URLs (xlsxwriter would skip the cell with a warning).
        if len(url.encode("utf-16-le")) > 2 * _MAX_URL:
            ws.write_string(row, c, url)
        else:
            ws.write_url(row, c, url, None, LINK_TEXT)
    for row, url in zip(rows[MAX_LINKS:], urls[MAX_LINKS:], strict=True):
        ws.write_string(row, c, url)
    return len(LINK_TEXT) + 1


def _write_objects(ws: ColumnSheet, c: int, col: pd.Series) -> int:
    """Mixed or unknown values: each cell by its own type (only unknown fields get here)."""
    width = 0
    for row, value in enumerate(col.tolist(), start=1):
        if isinstance(value, (bool, np.bool_)):
            ws.write_boolean(row, c, bool(value))
        elif isinstance(value, (int, float, np.integer, np.floating)):
            if math.isfinite(value):
                ws.write_number(row, c, value)
        elif isinstance(value, str):
            ws.write_string(row, c, value)
        elif isinstance(value, (list, dict)):
            ws.write_string(row, c, json.dumps(value, ensure_ascii=False, default=str))
        elif value is None or value is pd.NA or value is pd.NaT:
            continue
        else:
            ws.write_string(row, c, str(value))
        if row <= _WIDTH_SAMPLE:
            width = max(width, len(str(value)))
    return width + 1


def _sample_width(col: pd.Series) -> int:
    sample = col.head(_WIDTH_SAMPLE)
    if sample.empty:
        return 0
    return int(sample.astype("string").str.len().max()) + 1


# -------------------------------------------------------------------------- JSON


def to_json(records: Sequence[Mapping[str, Any]]) -> bytes:
    """The records exactly as given, as a UTF-8 JSON array (``json.loads`` returns them).

    Text stays readable (no ``\\uXXXX`` escapes), integers stay integers of any size,
    and floats use Python's shortest round-trip form. A lone UTF-16 surrogate (valid in
    JSON escapes, invalid in UTF-8) switches the whole document to ASCII escapes, which
    is still lossless.

    Raises:
        DataError: a value is not JSON (e.g. a ``datetime``); the records are not raw
            API records then.
    """
    data = list(records)
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_scalar)
    except (TypeError, ValueError) as exc:
        raise DataError(f"activity records cannot be written as JSON: {exc}") from exc
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(
            data, ensure_ascii=True, separators=(",", ":"), default=_json_scalar
        ).encode("ascii")


def _json_scalar(value: Any) -> Any:
    # numpy scalars (e.g. from demo data built with numpy) are plain numbers in JSON.
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# ----------------------------------------------------------------------- Summary


def monthly_summary(df: pd.DataFrame, units: Units = "metric") -> pd.DataFrame:
    """Totals per local calendar month and ``sport_type``, sorted by month then sport.

    Columns: ``month`` (datetime64[ns], first day of the month), ``sport_type``
    (string), ``activities`` (Int64 count), ``distance_km`` or ``distance_mi``
    (Float64), ``moving_time_h`` (Float64 hours), ``elevation_gain_m`` or
    ``elevation_gain_ft`` (Float64); values rounded to 2 decimals. Activities with no
    start date or sport form their own group, last. Expects :func:`to_frame` columns.
    """
    distance, elevation = column_for("distance", units), column_for("elevation", units)
    columns = {
        "month": "datetime64[ns]",
        "sport_type": "string",
        "activities": "Int64",
        distance: "Float64",
        "moving_time_h": "Float64",
        elevation: "Float64",
    }
    if df.empty:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    keys = [df["month_start"].rename("month"), df["sport_type"]]
    grouped = df.groupby(keys, dropna=False, sort=True)
    out = pd.DataFrame(
        {
            "activities": grouped["id"].size(),
            distance: grouped[distance].sum(),
            "moving_time_h": grouped["moving_time"].sum() / S_PER_H,
            elevation: grouped[elevation].sum(),
        }
    ).reset_index()
    out = out.astype(columns)[list(columns)]
    numbers = [distance, "moving_time_h", elevation]
    out[numbers] = out[numbers].round(2)
    return out
