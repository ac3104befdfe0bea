"""``GET /athlete/activities`` paging over a cached, sorted index of an athlete's activities.

The index is rebuilt whenever the live list changes: items added, removed or replaced,
or a ``start_date`` edited in place (the fingerprint hashes object ids and start dates,
about 1 ms for 20,000). Renames and visibility edits need no rebuild: the index holds
the dicts themselves and visibility is checked per request.
"""

from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

from tests.fake_strava.factory import parse_epoch
from tests.fake_strava.models import FakeAthlete

_start_date = itemgetter("start_date")


@dataclass
class _Index:
    fingerprint: tuple[int, int, int]
    rows: list[tuple[float, int, dict[str, Any]]]  # oldest first, ties by id
    starts: list[float]  # rows' start times, for bisect


_cache: weakref.WeakKeyDictionary[FakeAthlete, _Index] = weakref.WeakKeyDictionary()


def is_only_me(activity: dict[str, Any]) -> bool:
    return activity.get("visibility") == "only_me" or activity.get("private") is True


def _index(athlete: FakeAthlete) -> _Index:
    acts = athlete.activities
    fingerprint = (len(acts), hash(tuple(map(id, acts))), hash(tuple(map(_start_date, acts))))
    cached = _cache.get(athlete)
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    rows = sorted(
        ((parse_epoch(a["start_date"]), a.get("id") or 0, a) for a in acts), key=itemgetter(0, 1)
    )
    built = _Index(fingerprint, rows, [r[0] for r in rows])
    _cache[athlete] = built
    return built


def page_of(
    athlete: FakeAthlete,
    *,
    read_all: bool,
    hide_after_paging: bool = False,
    before: int | None,
    after: int | None,
    page: int,
    per_page: int,
) -> list[dict[str, Any]]:
    """One page: start strictly between ``after`` and ``before`` (epoch s), only_me only
    with ``read_all``; newest first, or oldest first whenever ``after`` is given (§2).

    Without ``read_all``, only_me activities are left out of the whole list before it is
    paged, so every page but the last is full; with ``hide_after_paging`` they are cut
    from each page of the whole list, as Strava does, so a page in the middle can come
    back short.
    """
    index = _index(athlete)
    lo = 0 if after is None else bisect.bisect_right(index.starts, after)
    hi = len(index.rows) if before is None else bisect.bisect_left(index.starts, before)
    positions = range(hi - 1, lo - 1, -1) if after is None else range(lo, hi)
    skip = (page - 1) * per_page
    if read_all or hide_after_paging:
        window = (index.rows[i][2] for i in positions[skip : skip + per_page])
        return [a for a in window if read_all or not is_only_me(a)]
    visible = (index.rows[i][2] for i in positions if not is_only_me(index.rows[i][2]))
    return list(islice(visible, skip, skip + per_page))
