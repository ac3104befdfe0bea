"""Which activities the Activity detail picker offers: a search, then the newest matches.

A selectbox sends every option's label to the browser on every rerun (at 20,000
activities that was 0.8 MB and 1.8 s per filter change), so the picker offers at most
:data:`LIMIT` activities: the newest that match the search, plus the ones that must stay
reachable (the activity shown, the table's selection). No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

LIMIT: Final = 200
UNNAMED: Final = "(unnamed)"
NO_DATE: Final = "no date"
NO_SPORT: Final = "Other"


@dataclass(frozen=True)
class Choices:
    """What the picker offers: ``ids`` newest first, each with its label."""

    ids: list[int]
    labels: dict[int, str]
    #: Activities of the frame the search matches (all of them for an empty search).
    matched: int
    #: Of those, how many ``ids`` holds (the kept extras that do not match not counted).
    shown: int
    #: The newest activity that matches, if any.
    first_match: int | None
    #: The ``keep`` ids that are offered although the search does not match them.
    kept_unmatched: frozenset[int]


def newest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """The picker's order: newest start first, activities with no start last."""
    return frame.sort_values(
        ["start_date", "id"], ascending=False, na_position="last", kind="stable"
    )


def labels(frame: pd.DataFrame) -> pd.Series:
    """``2024-05-04 · Morning Ride · Ride`` per row (the local date, as Strava shows it)."""
    days = frame["local_date"].dt.strftime("%Y-%m-%d").astype(object).fillna(NO_DATE)
    names = frame["name"].astype(object).fillna(UNNAMED)
    sports = frame["sport_type"].astype(object).fillna(NO_SPORT)
    out: pd.Series = days + " · " + names + " · " + sports
    return out


def matches(frame: pd.DataFrame, query: str) -> np.ndarray:
    """Rows whose date, name or sport contain every word of ``query`` (any case).

    ``2023 gravel`` finds the gravel rides of 2023; ``2023-05-`` a month; an empty query
    matches everything.
    """
    found = np.ones(len(frame), dtype=bool)
    words = query.split()
    if not words:
        return found
    # Only a search pays for the dates as text; it is the same text the label shows.
    fields = [
        frame["local_date"].dt.strftime("%Y-%m-%d").astype("string"),
        frame["name"].astype("string"),
        frame["sport_type"].astype("string"),
    ]
    for word in words:
        hit = np.zeros(len(frame), dtype=bool)
        for field in fields:
            contains = field.str.contains(word, case=False, regex=False)
            hit |= contains.fillna(False).to_numpy(dtype=bool)
        found &= hit
    return found


@dataclass(frozen=True)
class Search:
    """The frame newest first and which of its rows a query matches."""

    ordered: pd.DataFrame
    found: np.ndarray
    ids: np.ndarray

    @property
    def first_match(self) -> int | None:
        hits = np.flatnonzero(self.found)
        return int(self.ids[hits[0]]) if len(hits) else None

    def matches(self, activity_id: int) -> bool:
        return bool(self.found[self.ids == activity_id].any())

    def offer(self, keep: Collection[int] = (), limit: int = LIMIT) -> Choices:
        """The newest ``limit`` matches plus ``keep`` (ids not in the frame ignored)."""
        positions = np.flatnonzero(self.found)
        offered = positions[:limit]
        wanted = np.fromiter(keep, dtype=np.int64, count=len(keep))
        extra = np.flatnonzero(np.isin(self.ids, wanted))
        rows = np.union1d(offered, extra)  # sorted positions: still newest first
        offered_ids = [int(i) for i in self.ids[rows]]
        return Choices(
            ids=offered_ids,
            labels=dict(zip(offered_ids, labels(self.ordered.iloc[rows]).tolist(), strict=True)),
            matched=len(positions),
            shown=len(offered),
            first_match=int(self.ids[positions[0]]) if len(positions) else None,
            kept_unmatched=frozenset(int(i) for i in self.ids[extra[~self.found[extra]]]),
        )


def search(frame: pd.DataFrame, query: str) -> Search:
    """``frame`` newest first, and the rows matching ``query`` (see :func:`matches`)."""
    ordered = newest_first(frame)
    return Search(ordered, matches(ordered, query), ordered["id"].to_numpy(dtype=np.int64))


def choices(
    frame: pd.DataFrame, query: str = "", *, keep: Collection[int] = (), limit: int = LIMIT
) -> Choices:
    """The newest ``limit`` activities of ``frame`` that match ``query``, plus ``keep``.

    ``keep`` (the activity shown) stays offered even when the search or the limit leaves
    it out, so a rerun never changes what is shown; ids not in ``frame`` are ignored.
    Everything comes newest first.
    """
    return search(frame, query).offer(keep, limit)
