"""An xlsxwriter worksheet that takes whole typed columns instead of one call per cell.

xlsxwriter keeps every cell as an object in a dict of dicts and, when the workbook
closes, writes each one through several method calls (cell reference, format lookup,
attribute escaping, the element): about 2 µs a cell, most of an export's time. Here a
typed column is handed over once, as its cells' value text (numbers, booleans) or
shared-string indices (text), and becomes ``<row>`` XML in one pass when the sheet is
written: the same ``<c>`` elements xlsxwriter writes, minus the optional ``spans`` hint
on rows. Cells written the usual way (the header, hyperlinks, mixed columns, text past
half of Excel's cell limit) keep xlsxwriter's own code and are merged in at their places.

This reaches into xlsxwriter's internals (``_write_rows``, ``table``, ``str_table``),
so ``requirements.txt`` pins xlsxwriter and ``tests/test_export.py`` checks every cell
of a sheet written this way against the same cells written one by one.
"""

from __future__ import annotations

import io
from typing import Any, Final, Literal

import numpy as np
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# Text longer than this may pass Excel's 32,767 UTF-16 unit limit: xlsxwriter cuts it.
_SAFE_TEXT: Final = 32_767 // 2

Kind = Literal["n", "b", "s"]


class _Column:
    __slots__ = ("fmt", "kind", "rows", "texts")

    def __init__(self, kind: Kind, rows: np.ndarray, texts: list[str], fmt: Any) -> None:
        self.kind, self.rows, self.texts, self.fmt = kind, rows, texts, fmt


class ColumnSheet(Worksheet):  # type: ignore[misc]  # xlsxwriter has no type hints
    """Use as ``workbook.add_worksheet(name, worksheet_class=ColumnSheet)``."""

    fh: Any  # xlsxwriter's XML output stream

    def __init__(self) -> None:
        super().__init__()
        self._columns: dict[int, _Column] = {}

    # ------------------------------------------------------------------ input

    def put_numbers(self, col: int, rows: np.ndarray, values: np.ndarray, fmt: Any) -> None:
        """Finite numbers (floats or integers) at ``rows`` of column ``col``.

        Floats are written in Python's shortest round-trip form, so every double reads
        back exactly (xlsxwriter's ``%.16G`` drops the 17th digit some doubles need).
        """
        self._put(col, "n", rows, values.astype(str).tolist(), fmt)

    def put_booleans(self, col: int, rows: np.ndarray, values: np.ndarray, fmt: Any) -> None:
        self._put(col, "b", rows, np.where(values, "1", "0").tolist(), fmt)

    def put_strings(self, col: int, rows: np.ndarray, values: list[str], fmt: Any) -> None:
        """Text as shared strings: always text, never a formula, number or link."""
        index = self.str_table._get_shared_string_index
        if max(map(len, values), default=0) <= _SAFE_TEXT:  # the usual case: no cut
            self._put(col, "s", rows, [str(index(value)) for value in values], fmt)
            return
        kept_rows: list[int] = []
        texts: list[str] = []
        for row, value in zip(rows.tolist(), values, strict=True):
            if len(value) > _SAFE_TEXT:  # rare: xlsxwriter's own cut at Excel's limit
                self.write_string(row, col, value, fmt)
            else:
                kept_rows.append(row)
                texts.append(str(index(value)))
        self._put(col, "s", np.asarray(kept_rows, dtype=np.int64), texts, fmt)

    def _put(self, col: int, kind: Kind, rows: np.ndarray, texts: list[str], fmt: Any) -> None:
        if col in self._columns:
            raise ValueError(f"column {col} was already put")
        if not len(rows):
            return
        for row in (int(rows[0]), int(rows[-1])):
            if self._check_dimensions(row, col):
                raise ValueError(f"cell ({row}, {col}) is outside the worksheet")
        self._columns[col] = _Column(kind, rows, texts, fmt)

    # ----------------------------------------------------------------- output

    def _write_rows(self) -> None:
        if not self._columns:
            super()._write_rows()
            return
        if self.row_info or self.comments:
            raise NotImplementedError("row formats and comments need xlsxwriter's own rows")
        first, last = self.dim_rowmin, self.dim_rowmax
        height = last - first + 1
        columns = [
            self._cells(c, first, height) for c in range(self.dim_colmin, self.dim_colmax + 1)
        ]
        write = self.fh.write
        for offset, cells in enumerate(map("".join, zip(*columns, strict=True))):
            if cells:
                write(f'<row r="{first + offset + 1}">{cells}</row>')

    def _cells(self, col: int, first: int, height: int) -> list[str]:
        """Column ``col``'s ``<c>`` elements for rows ``first``…, "" where it is empty."""
        out = [""] * height
        column = self._columns.get(col)
        if column is not None:
            name = xl_col_to_name(col)
            style = f' s="{column.fmt._get_xf_index()}"' if column.fmt else ""
            kind = {"n": "", "b": ' t="b"', "s": ' t="s"'}[column.kind]
            head = f'<c r="{name}'
            tail = f'"{style}{kind}><v>'
            rows = column.rows.tolist()
            made = [
                f"{head}{row + 1}{tail}{text}</v></c>"
                for row, text in zip(rows, column.texts, strict=True)
            ]
            if rows[-1] - rows[0] + 1 == len(rows):  # no gaps: one slice
                out[rows[0] - first : rows[-1] - first + 1] = made
            else:
                for row, cell in zip(rows, made, strict=True):
                    out[row - first] = cell
        # Cells written the usual way, in xlsxwriter's own words.
        for row, cells in self.table.items():
            cell = cells.get(col)
            if cell is not None:
                out[row - first] = self._one_cell(row, col, cell)
        return out

    def _one_cell(self, row: int, col: int, cell: Any) -> str:
        saved: Any = self.fh
        buffer = io.StringIO()
        self.fh = buffer
        try:
            self._write_cell(row, col, cell)
        finally:
            self.fh = saved
        return buffer.getvalue()
