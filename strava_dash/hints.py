"""How long an activity list is, judged from the athlete's stats and the pages seen: no HTTP.

The stats count only Everyone-visible rides, runs and swims, so they give a lower bound
of the list's length (:meth:`StatsHint.lower_bound`): whatever they count and the pages
have not shown yet is still ahead. On an athlete with many walks, workouts or private
activities that bound lags far behind the real length, and a walk that trusts only it
crawls. The pages also show which share of the activities the stats count; scaling the
count still ahead by that share gives an :meth:`StatsHint.estimate`. An estimate may be
wrong either way (the share drifts over years), so the page scheduler asks for at most
:data:`strava_dash.paging.MAX_SPECULATIVE` pages beyond what the bound proves on its say.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from strava_dash.activities import SPORT_GROUPS

_STATS_KEYS = ("all_ride_totals", "all_run_totals", "all_swim_totals")
#: Activities the estimate is shaded down by (a quarter of a page of 200). The share
#: counted so far is a sample: an estimate a few activities past a page boundary sends a
#: page past the list's end, and the walk waits for that page (a round trip); falling
#: as few short costs nothing. Simulated over 1,000-8,000 activities with 30-80 % of
#: them counted (PagePlan, 8 in flight, 100-140 ms a page): as fast or faster everywhere,
#: and the pages sent past the end fell from 0.4-1.0 a walk to 0-0.1. Measured on the
#: mixed benchmark account, the plain client went from 0.26x the sequential loop (two
#: runs) to 0.23-0.25x (five), with one list request fewer.
ESTIMATE_SHADE = 50
_COUNTED_GROUPS = frozenset({"Ride", "Run", "Swim", None})


def count_hint(stats: dict[str, Any]) -> int | None:
    """Activities the athlete's stats vouch for (all-time ride + run + swim), or None."""
    counts = [
        block.get("count")
        for block in (stats.get(k) for k in _STATS_KEYS)
        if isinstance(block, dict)
    ]
    valid = [c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c >= 0]
    return sum(valid) if valid else None


def counts_in_stats(record: dict[str, Any]) -> bool:
    """Whether the athlete's stats may count this activity: an Everyone-visible ride,
    run or swim (Strava does not document which sport types each total takes, so sport
    types unknown here count too). Counting more only lowers the bound, which is safe;
    if Strava counted a sport this leaves out, the bound could overshoot the list by at
    most the pages in flight.
    """
    if record.get("private") is True or record.get("visibility", "everyone") != "everyone":
        return False
    sport = record.get("sport_type") or record.get("type")
    return SPORT_GROUPS.get(str(sport)) in _COUNTED_GROUPS


class StatsHint:
    """A :class:`~strava_dash.paging.LengthHint` with an estimate, from a stats count.

    ``total`` returns the stats count once it is known (None before, or when the
    look-up failed); ``held_counted`` is how many of the counted activities the caller
    holds already (a resumed walk does not see them again). Pages may arrive from
    several threads, so the tallies are locked.
    """

    def __init__(
        self,
        total: Callable[[], int | None],
        held_counted: int = 0,
        counts: Callable[[dict[str, Any]], bool] = counts_in_stats,
    ) -> None:
        self._total = total
        self._held_counted = held_counted
        self._counts = counts
        self._seen = self._counted = 0
        self._lock = threading.Lock()

    def page_arrived(self, records: list[dict[str, Any]]) -> None:
        counted = sum(map(self._counts, records))
        with self._lock:
            self._seen += len(records)
            self._counted += counted

    def _tallies(self) -> tuple[int, int, int] | None:
        """(seen, counted, counted still ahead), or None while the count is unknown."""
        total = self._total()
        if total is None:
            return None
        with self._lock:
            seen, counted = self._seen, self._counted
        return seen, counted, max(total - self._held_counted - counted, 0)

    def lower_bound(self) -> int | None:
        tallies = self._tallies()
        return None if tallies is None else tallies[0] + tallies[2]

    def estimate(self) -> int | None:
        """The walk's likely length: what is seen plus the counted activities still
        ahead, scaled by the share of counted ones so far. None until a page showed a
        counted one (a share of zero says nothing about the rest)."""
        tallies = self._tallies()
        if tallies is None:
            return None
        seen, counted, ahead = tallies
        if not counted:
            return None
        scaled = seen + -(-ahead * seen // counted)
        return max(scaled - ESTIMATE_SHADE, seen + ahead)  # never under the lower bound
