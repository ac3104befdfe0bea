"""Pages held beyond the tail cursor, and when the cursor may skip over them.

When page k of a concurrent tail walk fails, pages k+1… may already have come back.
They are kept (merged by id), but the cursor cannot pass them: page k is a gap. An
:class:`Island` remembers what such a run of consecutive pages proves, so the resumed
walk refetches the gap and then jumps over what is held instead of asking for it again.

Why it is safe: the list is ordered by start time (newest first), so consecutive pages
of one walk hold every activity starting strictly between the newest start on the first
of them (``top``) and the oldest on the last (``bottom``); activities starting exactly at
``top`` or ``bottom`` may spill over to the neighbouring pages. The resumed walk starts at
the cursor and goes down page by page; once it has seen an activity starting before
``top``, it has seen every activity from the cursor down to ``top`` inclusive, and the
island covers the rest down to ``bottom``. The cursor then becomes ``bottom + 1``, which
re-reads activities starting in that second, as every cursor does. A run of pages that
was followed directly by the empty page covers the list down to its end.

What it costs: refetching the gap, plus normally one page that overlaps the island, since
only an overlap proves that nothing new was uploaded between the gap and the island (a
page number alone proves nothing once the list changed). The island's other pages are
not asked for again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from strava_dash.paging import Page


class Island(NamedTuple):
    """Every activity starting strictly between ``bottom`` and ``top`` (epoch s) is held;
    ``bottom`` None: every activity starting before ``top``, down to the list's end."""

    top: int
    bottom: int | None


def islands_from(
    pages: Iterable[Page], start: Callable[[dict[str, Any]], int | None]
) -> list[Island]:
    """The islands proved by runs of consecutive pages (an empty page ends the list).

    ``start`` gives a record's start in epoch seconds (None when it has none); a page
    without any start proves nothing and breaks a run.
    """
    islands: list[Island] = []
    top: int | None = None
    bottom = 0
    previous: int | None = None
    for page in sorted(pages, key=lambda p: p.number):
        consecutive = previous is not None and page.number == previous + 1
        if top is not None and not consecutive:
            islands.append(Island(top, bottom))
            top = None
        previous = page.number
        if not page.records:
            if top is not None:
                islands.append(Island(top, None))
                top = None
            previous = None  # nothing is beyond the end
            continue
        starts = [s for s in map(start, page.records) if s is not None]
        if not starts:
            if top is not None:
                islands.append(Island(top, bottom))
                top = None
            previous = None
            continue
        if top is None:
            top = max(starts)
        bottom = min(starts)
    if top is not None:
        islands.append(Island(top, bottom))
    return islands


class Crossing(NamedTuple):
    """Where the tail cursor stands after skipping held islands."""

    cursor: int | None
    islands: list[Island]
    complete: bool


def cross(cursor: int, islands: Sequence[Island]) -> Crossing:
    """Skip every island the walk has reached.

    ``cursor`` means every activity starting at or after it is held (the walk has seen
    one starting at ``cursor - 1``). An island is reached once ``cursor <= top``.
    """
    remaining = sorted(islands, key=lambda i: i.top, reverse=True)
    while remaining and cursor <= remaining[0].top:
        island = remaining.pop(0)
        if island.bottom is None:
            return Crossing(None, [], True)
        cursor = min(cursor, island.bottom + 1)
    return Crossing(cursor, remaining, False)
