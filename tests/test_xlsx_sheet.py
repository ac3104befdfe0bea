"""ColumnSheet writes the cells xlsxwriter's per-cell API writes (and floats exactly)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from strava_dash.xlsx_sheet import ColumnSheet

FLOATS = [0.1 + 0.2, 1e-7, 3.0, 1 / 3, 45_000.123456789012, 1e16, -2.5, 2.0**53 + 2]
INTS = [0, -5, 2**53 + 1, 2**62, 134_815]
TEXTS = ["=1+1", "https://e.vil/x", "0042", "tab\tand\nnewline", "a\x0bb", "_x0041_", " pad ", ""]
LONG = "é" * 40_000  # past Excel's 32,767-unit cell limit: cut by xlsxwriter
ROWS = np.array([1, 2, 4, 5, 7, 9, 10, 12])  # gaps: empty cells and a row with none (3, 6)


def build(fill: Callable[[Any, Any, dict[str, Any]], None], sheet_class: type | None) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = {
        "int": workbook.add_format({"num_format": "0"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "bold": workbook.add_format({"bold": True}),
    }
    ws = workbook.add_worksheet("S", worksheet_class=sheet_class)
    for c, name in enumerate(["floats", "ints", "flags", "texts", "dates", "links"]):
        ws.write_string(0, c, name, formats["bold"])
    fill(workbook, ws, formats)
    ws.write_url(3, 5, "https://www.strava.com/activities/1", None, "View on Strava")
    ws.write_string(6, 5, "only cell of its row")
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 12, 5)
    workbook.close()
    return buffer.getvalue()


def by_columns(_: Any, ws: ColumnSheet, formats: dict[str, Any]) -> None:
    ws.put_numbers(0, ROWS, np.array(FLOATS), None)
    ws.put_numbers(1, ROWS[: len(INTS)], np.array(INTS, dtype=np.int64), formats["int"])
    ws.put_booleans(2, ROWS[:3], np.array([True, False, True]), None)
    ws.put_strings(3, ROWS, [*TEXTS[:-1], LONG], None)
    ws.put_numbers(4, ROWS[:2], np.array([45_000.5, 45_001.0]), formats["date"])
    ws.write_string(ROWS[2], 4, "1850-06-01T00:00:00")  # a cell written the usual way


def by_cells(_: Any, ws: Worksheet, formats: dict[str, Any]) -> None:
    for r, x in zip(ROWS.tolist(), FLOATS, strict=True):
        ws.write_number(r, 0, x)
    for r, i in zip(ROWS.tolist(), INTS, strict=False):
        ws.write_number(r, 1, i, formats["int"])
    for r, b in zip(ROWS.tolist(), [True, False, True], strict=False):
        ws.write_boolean(r, 2, b)
    for r, t in zip(ROWS.tolist(), [*TEXTS[:-1], LONG], strict=True):
        ws.write_string(r, 3, t)
    ws.write_number(1, 4, 45_000.5, formats["date"])
    ws.write_number(2, 4, 45_001.0, formats["date"])
    ws.write_string(ROWS[2], 4, "1850-06-01T00:00:00")


def cells(data: bytes) -> dict[tuple[int, int], tuple[Any, ...]]:
    ws = openpyxl.load_workbook(io.BytesIO(data))["S"]
    return {
        (c.row, c.column): (
            c.value,
            c.data_type,
            c.number_format,
            c.font.b,
            c.hyperlink.target if c.hyperlink else None,
        )
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def test_every_cell_matches_the_per_cell_api_but_floats_are_exact() -> None:
    ours, theirs = cells(build(by_columns, ColumnSheet)), cells(build(by_cells, None))
    assert ours.keys() == theirs.keys()
    for key in ours:
        if key[1] in (1, 2) and key[0] > 1:  # numbers: ours exact, xlsxwriter's 16 digits
            assert ours[key][1:] == theirs[key][1:]
            assert ours[key][0] == pytest.approx(theirs[key][0], rel=1e-15)
        else:
            assert ours[key] == theirs[key], key
    floats = [ours[(r + 1, 1)][0] for r in ROWS.tolist()]
    assert floats == FLOATS
    assert theirs[(2, 1)][0] == 0.3  # xlsxwriter's %.16G loses 0.1 + 0.2's last digit
    assert theirs[(5, 2)][0] == 2**53  # and 2**53 + 1's
    assert [ours[(r + 1, 2)][0] for r in ROWS[: len(INTS)].tolist()] == INTS


def test_sheet_without_columns_is_xlsxwriters_own() -> None:
    def nothing(*_: Any) -> None:
        pass

    assert cells(build(nothing, ColumnSheet)) == cells(build(nothing, None))


def test_a_column_is_put_once_and_inside_the_sheet() -> None:
    workbook = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    ws = workbook.add_worksheet("S", worksheet_class=ColumnSheet)
    ws.put_numbers(0, np.array([1]), np.array([1.0]), None)
    with pytest.raises(ValueError, match="already"):
        ws.put_numbers(0, np.array([2]), np.array([1.0]), None)
    with pytest.raises(ValueError, match="outside"):
        ws.put_numbers(1, np.array([1, 2_000_000]), np.array([1.0, 2.0]), None)
    workbook.close()
