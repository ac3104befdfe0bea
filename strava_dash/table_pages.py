"""The big activity table shown a page at a time: server-side sort, page slices, caption.

At 20,000 activities the whole table is about 3.3 MB of Arrow per rerun; a page of
:data:`PAGE_SIZE` rows is about 330 kB with the default columns and under 500 kB with
every column. Because the grid's own header sort only sorts the rows it was sent, a
paged table is sorted here, over every filtered row, before it is sliced. Pure: no
Streamlit (the widgets are in ``strava_dash.ui.table_view``). Not ``paging.py``, which
plans the API's pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from strava_dash.table import BY_KEY, Kind

#: Rows per page. Measured Arrow bytes at 20,000 activities: 334 kB for 2,000 rows of the
#: 12 default columns, 483 kB with all 25 columns (about 165-240 bytes a row).
PAGE_SIZE: Final = 2_000
#: The order a paged table starts in: the table's own order, newest first.
DEFAULT_SORT: Final = "start"

#: (ascending, descending) in words, by column kind.
_DIRECTIONS: dict[Kind, tuple[str, str]] = {
    "datetime": ("oldest first", "newest first"),
    "duration": ("shortest first", "longest first"),
    "pace": ("fastest first", "slowest first"),
    "number": ("smallest first", "largest first"),
    "integer": ("smallest first", "largest first"),
    "text": ("A to Z", "Z to A"),
    "link": ("A to Z", "Z to A"),
    "bool": ("no first", "yes first"),
}


def direction_words(key: str, *, descending: bool) -> str:
    """How the order of column ``key`` reads: "newest first", "largest first", "A to Z"…"""
    ascending_words, descending_words = _DIRECTIONS[BY_KEY[key].kind]
    return descending_words if descending else ascending_words


def sort_positions(values: pd.Series, kind: Kind, *, descending: bool) -> np.ndarray[Any, Any]:
    """Row positions that put ``values`` (one display column) in order, missing values last
    in both directions. Text compares case-insensitively (casefold, then code points: emoji
    and a leading "=" are plain characters). Stable: ties keep their current order, which
    in the activity table is newest first."""
    series = values.reset_index(drop=True)
    if kind in ("text", "link"):
        series = series.astype("string").str.casefold()
    elif kind == "number":
        series = pd.to_numeric(series, errors="coerce").astype("float64")  # NA, NaN: missing
    elif kind == "bool":
        series = series.astype("boolean")
    ordered = series.sort_values(ascending=not descending, kind="stable", na_position="last")
    return ordered.index.to_numpy(dtype=np.intp)


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Pages needed for ``total`` rows: at least one (an empty table is one empty page)."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int = PAGE_SIZE) -> int:
    """``page`` (1-based) moved into the pages that exist: never an empty page past the end."""
    return min(max(1, page), page_count(total, size))


@dataclass(frozen=True)
class PageSlice:
    """Rows ``start`` (inclusive) to ``stop`` (exclusive) of ``total``, page ``page``."""

    page: int
    pages: int
    start: int
    stop: int
    total: int

    @property
    def rows(self) -> str:
        """ "Rows 1–2,000 of 20,000" (every caption of a paged table starts with it)."""
        shown = f"Rows {self.start + 1:,}–{self.stop:,}" if self.stop > self.start else "No rows"
        return f"{shown} of {self.total:,}"

    @property
    def position(self) -> str:
        """ "page 1 of 10"."""
        return f"page {self.page:,} of {self.pages:,}"


def page_slice(page: int, total: int, size: int = PAGE_SIZE) -> PageSlice:
    """The rows of page ``page`` (clamped) of a table of ``total`` rows."""
    page = clamp_page(page, total, size)
    start = (page - 1) * size
    return PageSlice(page, page_count(total, size), start, min(start + size, total), total)


def needs_pages(total: int, size: int = PAGE_SIZE) -> bool:
    """Only a table longer than one page gets a pager (smaller ones stay as they were)."""
    return total > size


def caption(part: PageSlice, sort_title: str, direction: str) -> str:
    """The caption: "Rows 1–2,000 of 20,000 · sorted by Date, newest first · downloads hold all
    20,000"."""
    return f"{part.rows} · sorted by {sort_title}, {direction} · downloads hold all {part.total:,}"


def page_token(ids: Sequence[int] | np.ndarray[Any, Any]) -> str:
    """A short name for exactly these rows in this order: the grid's key ends with it, so
    a selection (row positions) always belongs to the rows it was made on."""
    data = np.asarray(ids, dtype=np.int64).tobytes()
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def merge_selection(
    kept: Sequence[int], page_ids: Sequence[int], chosen: Sequence[int], visible: set[int]
) -> list[int]:
    """The selection across pages after one page's grid reported ``chosen`` (ids).

    Ids selected on other pages are kept (in their order) while they are still in the
    filtered rows (``visible``); this page's ids are what its grid says now; ids newly
    chosen here come last, in the grid's order.
    """
    on_page = set(page_ids)
    now = set(chosen)
    out = [i for i in kept if i in visible and (i not in on_page or i in now)]
    seen = set(out)
    for i in chosen:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def rows_of(page_ids: Sequence[int], selected: Sequence[int]) -> list[int]:
    """Positions on this page of the selected ids (the grid's default selection)."""
    chosen = set(selected)
    return [row for row, i in enumerate(page_ids) if i in chosen]
