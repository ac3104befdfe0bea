"""Which activity pages to ask for next, and in what order to hand them out: no HTTP.

:class:`PagePlan` is the bookkeeping behind :meth:`StravaClient.iter_pages` with a length
hint. The client launches what :meth:`PagePlan.room` allows, reports each answer with
:meth:`PagePlan.settle` and hands out what :meth:`PagePlan.next_step` returns, in page
order. The rules, each a named step below:

* **vouched**: the pages the hint's lower bound covers are surely needed;
* **limit**: a page nothing vouches for waits until the page before it came back with
  activities, except in bulk (once two vouched pages were still to come): the page after
  the last vouched one is the list's end at the latest, so it goes out alongside. Never
  at or past a page seen empty;
* **estimate**: a hint that also estimates the length (:class:`Estimating`) may have
  pages asked for up to the one its estimate ends with (before it has a guess, while the
  last page held came back full), but no more than :data:`MAX_SPECULATIVE` beyond the page the
  lower bound and the pages seen prove to be the list's end at the latest;
* **window**: pages that arrived ahead of their turn wait without holding a slot, but
  no further than two rounds ahead of the page to hand out next.

So while the hint is a true lower bound, no request goes past the empty page that ends
the list unless an estimate overshoots, and then at most :data:`MAX_SPECULATIVE` do:
the requests are those of the sequential loop, plus at most that many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

Records = list[dict[str, Any]]
#: Pages an estimate may have asked for beyond the list's proven end at the latest: the
#: most a walk with an estimating hint asks for past the empty page.
MAX_SPECULATIVE = 2


class LengthHint(Protocol):
    """A lower bound of how many activities a walk returns, refined as pages arrive.

    Only a hint for how many pages to ask for at once: an empty page still ends the list.
    """

    def page_arrived(self, records: Records) -> None:
        """One more page of this walk came back (any order; called once per page)."""
        ...

    def lower_bound(self) -> int | None:
        """Activities the walk returns at least, counting arrived pages; None: no idea yet."""
        ...


@runtime_checkable
class Estimating(Protocol):
    """A hint that also guesses the walk's length (may be wrong either way)."""

    def estimate(self) -> int | None:
        """Activities the walk likely returns, counting arrived pages; None: no guess."""
        ...


class FixedHint:
    """A :class:`LengthHint` that is a number known up front."""

    def __init__(self, total: int) -> None:
        self.total = total

    def page_arrived(self, records: Records) -> None:
        del records

    def lower_bound(self) -> int | None:
        return self.total


@dataclass(frozen=True)
class Page:
    """One activity page as it came back: ``records`` is empty for the page ending the list."""

    number: int
    records: Records


class End:
    """The next page in order is the empty one: the list is over."""


END = End()
#: What :meth:`PagePlan.next_step` hands out: a page, the end, an error, or None (wait).
Step = Page | End | BaseException | None


class PagePlan:
    """The state of one concurrent walk over numbered pages (thread-confined)."""

    def __init__(
        self, first_page: int, per_page: int, hint: LengthHint, max_in_flight: int
    ) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
        self.first_page = first_page
        self.per_page = per_page
        self.max_in_flight = max_in_flight
        self._hint = hint
        self.next_page = first_page  # the page to hand out next
        self.launched = first_page - 1  # pages up to this one were asked for
        self._known = first_page - 1  # the last page seen holding activities
        self._end: int | None = None  # the first page seen empty
        self._bulk = False
        self._known_full = False  # page ``_known`` came back with ``per_page`` activities
        self._in_flight: set[int] = set()
        self._answers: dict[int, Records | BaseException] = {}

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    # ------------------------------------------------------------ what to ask for

    def _vouched(self) -> int:
        """The last page the hint's lower bound covers (``first_page - 1``: none)."""
        return self._pages_for(self._hint.lower_bound())

    def _pages_for(self, total: int | None) -> int:
        """The last page ``total`` activities fill (``first_page - 1``: none)."""
        return self.first_page - 1 + (-(-total // self.per_page) if total else 0)

    def _estimated(self) -> int | None:
        """The last page the hint's estimate fills, or None without an estimate."""
        if not isinstance(self._hint, Estimating):
            return None
        total = self._hint.estimate()
        if total is None:
            # No guess yet (the stats are on their way): a full last page says the list
            # likely goes on, and waiting for the guess would cost a round trip; a short
            # one says it likely ends (Strava does not promise it, so no proof either).
            return self._known + MAX_SPECULATIVE if self._known_full else None
        return self._pages_for(total)

    def _limit(self) -> int:
        """The furthest page that may be asked for now."""
        vouched = self._vouched()
        self._bulk = self._bulk or vouched >= self._known + 2
        limit = max(self._known + 1, vouched + 1 if self._bulk else vouched)
        estimated = self._estimated()
        if estimated is not None:
            # The page after the proven ones is the end at the latest, so pages past it
            # are the only ones that can be wasted: at most MAX_SPECULATIVE of them.
            proven_end = max(self._known, vouched) + 1
            limit = max(limit, min(estimated + 1, proven_end + MAX_SPECULATIVE))
        return limit if self._end is None else min(limit, self._end - 1)

    def _window(self) -> int:
        """The furthest page whose answer may wait for its turn."""
        return self.next_page + 2 * self.max_in_flight - 1

    def room(self) -> int:
        """How many more pages to launch now (before asking the rate budget)."""
        count = min(self._limit(), self._window()) - self.launched
        return max(min(count, self.max_in_flight - self.in_flight), 0)

    def launch(self, count: int) -> range:
        """Record ``count`` pages as sent; returns their numbers."""
        numbers = range(self.launched + 1, self.launched + 1 + count)
        self._in_flight.update(numbers)
        self.launched += count
        return numbers

    # ------------------------------------------------------------ answers

    def settle(self, number: int, answer: Records | BaseException) -> None:
        """Page ``number`` came back with ``answer`` (its records, or why it failed)."""
        self._in_flight.discard(number)
        self._answers[number] = answer
        if isinstance(answer, BaseException):
            return
        if not answer:
            self._end = number if self._end is None else min(self._end, number)
        else:
            if number > self._known:
                self._known = number
                self._known_full = len(answer) >= self.per_page
            self._hint.page_arrived(answer)

    def next_step(self) -> Step:
        """The next page in order once it is back (its error if it failed), or None."""
        answer = self._answers.get(self.next_page)
        if answer is None:
            return None
        if isinstance(answer, BaseException):
            return answer
        if not answer:
            return END
        del self._answers[self.next_page]
        self.next_page += 1
        return Page(self.next_page - 1, answer)

    def stranded(self) -> list[Page]:
        """Pages after the next one that came back fine, in order (an empty one included).

        After the next page failed these are all the walk holds beyond it: kept by the
        caller, they need not be asked for again.
        """
        numbers = sorted(n for n in self._answers if n > self.next_page)
        return [
            Page(n, answer)
            for n in numbers
            if not isinstance(answer := self._answers[n], BaseException)
        ]
