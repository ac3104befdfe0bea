"""Islands: what runs of held pages prove, and when the tail cursor may skip them."""

from __future__ import annotations

from typing import Any

from strava_dash.islands import Crossing, Island, cross, islands_from
from strava_dash.paging import Page


def start(record: dict[str, Any]) -> int | None:
    value = record.get("t")
    return value if isinstance(value, int) else None


def page(number: int, *starts: int | None) -> Page:
    return Page(number, [{"id": i, "t": t} for i, t in enumerate(starts)])


def test_consecutive_pages_make_one_island_from_newest_to_oldest() -> None:
    pages = [page(5, 90, 80), page(4, 120, 100), page(6, 70, 60)]
    assert islands_from(pages, start) == [Island(120, 60)]


def test_a_missing_page_splits_islands_and_an_empty_page_reaches_the_end() -> None:
    pages = [page(4, 120, 100), page(6, 70, 60), page(7), page(9, 10)]
    assert islands_from(pages, start) == [Island(120, 100), Island(70, None), Island(10, 10)]


def test_a_page_without_any_start_proves_nothing() -> None:
    pages = [page(4, 120, 100), page(5, None), page(6, 70, 60)]
    assert islands_from(pages, start) == [Island(120, 100), Island(70, 60)]


def test_the_cursor_waits_until_the_walk_has_seen_past_the_island_top() -> None:
    islands = [Island(120, 60)]
    # Everything from 121 on is held: activities starting at 120 may still be missing.
    assert cross(121, islands) == Crossing(121, islands, False)
    assert cross(120, islands) == Crossing(61, [], False)


def test_crossing_skips_every_island_reached_and_the_last_one_completes() -> None:
    islands = [Island(50, None), Island(120, 60), Island(61, 55)]
    assert cross(100, islands) == Crossing(56, [Island(50, None)], False)
    assert cross(50, [Island(50, None)]) == Crossing(None, [], True)
    assert cross(200, islands) == Crossing(200, sorted(islands, reverse=True), False)
