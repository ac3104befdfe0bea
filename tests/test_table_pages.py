"""The paged activity table's pure parts: sort by any column kind, pages, caption, selection."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from strava_dash import table_pages as tp
from strava_dash.activities import to_frame
from strava_dash.table import BY_KEY, COLUMNS, DEFAULT_KEYS, display_frame
from tests.fake_strava import make_activities


@pytest.fixture(scope="module")
def shown() -> pd.DataFrame:
    """Every display column of 400 made-up activities (missing HR, power, pace, gear)."""
    frame = to_frame(make_activities(400, athlete_id=0, seed=3))
    return display_frame(frame, units="metric", keys=[c.key for c in COLUMNS])


def ordered(shown: pd.DataFrame, key: str, *, descending: bool) -> pd.Series:
    column = BY_KEY[key]
    values = shown[column.header("metric")]
    return values.iloc[tp.sort_positions(values, column.kind, descending=descending)]


def assert_missing_last(values: pd.Series) -> None:
    missing = values.isna().to_numpy()
    if missing.any():
        first = int(np.argmax(missing))
        assert missing[first:].all(), "a missing value sorted before a present one"


@pytest.mark.parametrize("key", [c.key for c in COLUMNS])
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_in_order_with_missing_values_last(
    shown: pd.DataFrame, key: str, descending: bool
) -> None:
    values = ordered(shown, key, descending=descending)
    assert len(values) == len(shown)
    assert_missing_last(values)
    present = values.dropna()
    kind = BY_KEY[key].kind
    if kind in ("text", "link"):
        compared: list[Any] = [str(v).casefold() for v in present]
    else:
        compared = list(present)
    assert compared == sorted(compared, reverse=descending)


def test_columns_with_gaps_really_have_them(shown: pd.DataFrame) -> None:
    """The test above proves "missing last" only if the data has missing values."""
    for key in ("pace", "avg_hr", "avg_watts", "gear", "effort"):
        assert shown[BY_KEY[key].header("metric")].isna().any(), key


def test_numbers_sort_by_value_not_text() -> None:
    values = pd.Series([9.5, None, 10.25, 100.0, 2.0], dtype="Float64")
    assert tp.sort_positions(values, "number", descending=True).tolist() == [3, 2, 0, 4, 1]
    assert tp.sort_positions(values, "number", descending=False).tolist() == [4, 0, 2, 3, 1]


def test_nan_and_na_are_both_missing() -> None:
    values = pd.Series([np.nan, 1.0, pd.NA, 3.0], dtype="object")
    assert tp.sort_positions(values, "number", descending=False).tolist() == [1, 3, 0, 2]


def test_durations_and_pace_sort_by_length() -> None:
    values = pd.Series(pd.to_timedelta(["0:59:00", None, "1 days 02:00:00", "0:05:10"]))
    assert tp.sort_positions(values, "duration", descending=True).tolist() == [2, 0, 3, 1]
    assert tp.sort_positions(values, "pace", descending=False).tolist() == [3, 0, 2, 1]


def test_text_ignores_case_and_orders_emoji_and_equals_signs() -> None:
    names = ["banana", "=HYPERLINK(1)", "Apple", None, "🚴 ride", "apple pie", "Émile"]
    values = pd.Series(names, dtype="string")
    got = [names[i] for i in tp.sort_positions(values, "text", descending=False)]
    assert got == ["=HYPERLINK(1)", "Apple", "apple pie", "banana", "Émile", "🚴 ride", None]
    got = [names[i] for i in tp.sort_positions(values, "text", descending=True)]
    assert got == ["🚴 ride", "Émile", "banana", "apple pie", "Apple", "=HYPERLINK(1)", None]


def test_ties_keep_the_current_order_in_both_directions() -> None:
    values = pd.Series(["Ride", "Run", "ride", "Run", "RIDE"], dtype="string")
    assert tp.sort_positions(values, "text", descending=False).tolist() == [0, 2, 4, 1, 3]
    assert tp.sort_positions(values, "text", descending=True).tolist() == [1, 3, 0, 2, 4]


def test_booleans_with_missing_values() -> None:
    values = pd.Series([True, None, False, True], dtype="boolean")
    assert tp.sort_positions(values, "bool", descending=True).tolist() == [0, 3, 2, 1]
    assert tp.sort_positions(values, "bool", descending=False).tolist() == [2, 0, 3, 1]


def test_the_default_order_is_the_tables_own_order(shown: pd.DataFrame) -> None:
    """Date, newest first, is what the table shows unsorted (ties stay as they are)."""
    values = shown[BY_KEY[tp.DEFAULT_SORT].header("metric")]
    positions = tp.sort_positions(values, "datetime", descending=True)
    assert positions.tolist() == list(range(len(shown)))


def test_sorting_ignores_the_index() -> None:
    values = pd.Series([3.0, 1.0, 2.0], index=[10, 5, 7])
    assert tp.sort_positions(values, "number", descending=False).tolist() == [1, 2, 0]


@pytest.mark.parametrize(
    ("total", "pages"), [(0, 1), (1, 1), (2_000, 1), (2_001, 2), (4_000, 2), (20_000, 10)]
)
def test_page_count(total: int, pages: int) -> None:
    assert tp.page_count(total) == pages


def test_pages_are_clamped_so_no_page_is_empty() -> None:
    assert tp.clamp_page(0, 5_000) == 1
    assert tp.clamp_page(-3, 5_000) == 1
    assert tp.clamp_page(3, 5_000) == 3
    assert tp.clamp_page(4, 5_000) == 3
    assert tp.clamp_page(9, 0) == 1


def test_page_slices_cover_every_row_once() -> None:
    total, size = 5_001, 2_000
    parts = [tp.page_slice(p, total, size) for p in range(1, tp.page_count(total, size) + 1)]
    assert [(p.start, p.stop) for p in parts] == [(0, 2_000), (2_000, 4_000), (4_000, 5_001)]
    assert {p.pages for p in parts} == {3}
    assert tp.page_slice(7, total, size) == parts[-1]


def test_only_tables_longer_than_a_page_are_paged() -> None:
    assert not tp.needs_pages(tp.PAGE_SIZE)
    assert tp.needs_pages(tp.PAGE_SIZE + 1)


def test_caption_says_rows_order_and_what_downloads_hold() -> None:
    part = tp.page_slice(1, 20_000)
    words = tp.direction_words("start", descending=True)
    assert tp.caption(part, "Start (local)", words) == (
        "Rows 1–2,000 of 20,000 · sorted by Start (local), newest first · downloads hold all 20,000"
    )
    last = tp.page_slice(3, 5_001)
    assert tp.caption(last, "Distance (km)", tp.direction_words("distance", descending=False)) == (
        "Rows 4,001–5,001 of 5,001 · sorted by Distance (km), smallest first"
        " · downloads hold all 5,001"
    )


def test_every_column_has_direction_words() -> None:
    for column in COLUMNS:
        up = tp.direction_words(column.key, descending=False)
        down = tp.direction_words(column.key, descending=True)
        assert up != down


def test_a_page_token_names_exactly_these_rows_in_this_order() -> None:
    assert tp.page_token([1, 2, 3]) == tp.page_token(np.array([1, 2, 3]))
    assert tp.page_token([1, 2, 3]) != tp.page_token([3, 2, 1])
    assert tp.page_token([1, 2, 3]) != tp.page_token([1, 2, 4])


def test_selection_is_kept_across_pages() -> None:
    visible = set(range(1, 11))
    # Page 1 holds 1-5: 2 and 4 chosen.
    picked = tp.merge_selection([], [1, 2, 3, 4, 5], [2, 4], visible)
    assert picked == [2, 4]
    # Page 2 holds 6-10: its grid starts with nothing chosen, then 9 is chosen.
    assert tp.merge_selection(picked, [6, 7, 8, 9, 10], [], visible) == [2, 4]
    picked = tp.merge_selection(picked, [6, 7, 8, 9, 10], [9], visible)
    assert picked == [2, 4, 9]
    # Back on page 1, the grid starts from what is selected there, then 2 is unticked.
    assert tp.rows_of([1, 2, 3, 4, 5], picked) == [1, 3]
    assert tp.merge_selection(picked, [1, 2, 3, 4, 5], [4], visible) == [4, 9]


def test_a_filter_drops_selected_ids_it_hides() -> None:
    assert tp.merge_selection([2, 4, 9], [1, 2, 3], [2], {1, 2, 3, 9}) == [2, 9]


def test_a_page_is_well_under_700_kb_even_with_every_column() -> None:
    """The page size is chosen by measure: Arrow bytes of a full page (8,000 activities)."""
    frame = to_frame(make_activities(8_000, athlete_id=0, seed=5))
    for keys in (list(DEFAULT_KEYS), [c.key for c in COLUMNS]):
        page = display_frame(frame, units="metric", keys=keys).iloc[: tp.PAGE_SIZE]
        size = len(convert_anything_to_arrow_bytes(page))
        assert size < 550_000, (len(keys), size)
