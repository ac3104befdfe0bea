"""The page scheduler on its own: what it asks for, and what it hands out in which order."""

from __future__ import annotations

import random
from typing import Any

import pytest

from strava_dash.errors import StravaAPIError
from strava_dash.paging import END, MAX_SPECULATIVE, FixedHint, Page, PagePlan


def records(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"id": start + i} for i in range(n)]


class CountingHint:
    """A hint that only knows what arrived: records seen so far, plus ``ahead``."""

    def __init__(self, ahead: int | None) -> None:
        self.ahead = ahead
        self.seen = 0
        self.pages = 0

    def page_arrived(self, page: list[dict[str, Any]]) -> None:
        self.pages += 1
        self.seen += len(page)

    def lower_bound(self) -> int | None:
        return None if self.ahead is None else self.seen + self.ahead


def test_without_a_hint_it_is_the_sequential_loop() -> None:
    plan = PagePlan(1, 200, CountingHint(None), max_in_flight=8)
    assert plan.room() == 1
    assert list(plan.launch(1)) == [1]
    assert plan.room() == 0  # page 2 waits until page 1 came back with activities
    plan.settle(1, records(200))
    assert plan.room() == 1
    assert list(plan.launch(1)) == [2]


def test_vouched_pages_go_out_together_with_the_one_after_them() -> None:
    plan = PagePlan(1, 200, FixedHint(1_000), max_in_flight=8)  # five full pages
    assert plan.room() == 6  # the sixth is the end at the latest
    assert list(plan.launch(6)) == [1, 2, 3, 4, 5, 6]
    assert plan.room() == 0


def test_a_single_vouched_page_does_not_send_the_next_along() -> None:
    plan = PagePlan(1, 200, FixedHint(150), max_in_flight=8)
    assert plan.room() == 1


def test_never_more_than_max_in_flight_nor_two_rounds_ahead() -> None:
    plan = PagePlan(1, 200, FixedHint(100_000), max_in_flight=2)
    assert plan.room() == 2
    plan.launch(2)
    plan.settle(2, records(200))  # page 1 is slow
    assert plan.room() == 1
    plan.launch(1)  # page 3
    plan.settle(3, records(200))
    assert plan.room() == 1  # page 4: the last page whose answer may wait (1 + 2*2 - 1)
    plan.launch(1)
    plan.settle(4, records(200))
    assert plan.room() == 0  # page 5 would be more than two rounds ahead of page 1
    plan.settle(1, records(200))
    assert [plan.next_step() for _ in range(4)] == [
        Page(1, records(200)),
        Page(2, records(200)),
        Page(3, records(200)),
        Page(4, records(200)),
    ]
    assert plan.next_step() is None
    assert plan.room() == 2


def test_nothing_is_asked_for_at_or_past_an_empty_page() -> None:
    plan = PagePlan(1, 200, FixedHint(100_000), max_in_flight=8)
    plan.launch(3)
    plan.settle(2, [])
    assert plan.room() == 0  # page 1 is in flight; pages 2 and later are past the end
    plan.settle(1, records(200))
    assert plan.next_step() == Page(1, records(200))
    assert plan.next_step() is END


def test_pages_are_handed_out_in_order_and_the_hint_sees_each_once() -> None:
    hint = CountingHint(1_000)
    plan = PagePlan(3, 100, hint, max_in_flight=8)
    numbers = list(plan.launch(3))
    assert numbers == [3, 4, 5]
    plan.settle(5, records(100, 500))
    plan.settle(4, records(100, 400))
    assert plan.next_step() is None
    plan.settle(3, records(100, 300))
    handed = [plan.next_step() for _ in range(3)]
    assert [step.number for step in handed if isinstance(step, Page)] == [3, 4, 5]
    assert (hint.pages, hint.seen) == (3, 300)


def test_a_failed_page_is_handed_out_as_its_error_and_later_pages_are_stranded() -> None:
    plan = PagePlan(1, 200, FixedHint(100_000), max_in_flight=8)
    plan.launch(6)
    failure = StravaAPIError(500, "boom")
    plan.settle(1, records(200))
    plan.settle(2, failure)
    plan.settle(3, records(200, 3_000))
    plan.settle(4, failure)
    plan.settle(5, records(10, 5_000))
    plan.settle(6, [])
    assert plan.next_step() == Page(1, records(200))
    assert plan.next_step() is failure
    assert plan.stranded() == [
        Page(3, records(200, 3_000)),
        Page(5, records(10, 5_000)),
        Page(6, []),
    ]


def test_max_in_flight_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PagePlan(1, 200, FixedHint(1), max_in_flight=0)


class GuessingHint(CountingHint):
    """A true lower bound ``at_least`` (None: no idea) that also guesses the length: the
    seen records plus ``guess``."""

    def __init__(self, at_least: int | None, guess: int | None) -> None:
        super().__init__(None)
        self.at_least = at_least
        self.guess = guess

    def lower_bound(self) -> int | None:
        return None if self.at_least is None else max(self.at_least, self.seen)

    def estimate(self) -> int | None:
        return None if self.guess is None else self.seen + self.guess


def test_an_estimate_goes_at_most_two_pages_past_the_proven_end() -> None:
    plan = PagePlan(1, 200, GuessingHint(400, 100_000), max_in_flight=8)
    # Pages 1-2 are vouched, so page 3 is the end at the latest: 4 and 5 may be wasted.
    assert plan.room() == 3 + MAX_SPECULATIVE
    plan.launch(5)
    plan.settle(1, records(200))
    assert plan.room() == 0  # page 1 proves nothing the bound did not


def test_an_estimate_stops_at_the_page_it_ends_with() -> None:
    plan = PagePlan(1, 200, GuessingHint(400, 600), max_in_flight=8)
    assert plan.room() == 4  # three pages of activities and the empty one


def test_without_an_estimate_a_full_page_sends_two_more_along() -> None:
    plan = PagePlan(1, 200, GuessingHint(None, None), max_in_flight=8)
    assert plan.room() == 1  # nothing is known: an empty list costs one request
    plan.launch(1)
    plan.settle(1, records(150))
    assert plan.room() == 1  # a short page: probably the end is near
    plan.launch(1)
    plan.settle(2, records(200))
    assert plan.room() == 1 + MAX_SPECULATIVE


def test_without_an_estimate_a_short_page_after_full_ones_stops_the_speculation() -> None:
    # 450 activities: two full pages, then 50. Before, the first full page kept the
    # walk speculating, so pages 5 and 6 went out after the short page 3.
    plan = PagePlan(1, 200, GuessingHint(None, None), max_in_flight=8)
    plan.launch(plan.room())
    plan.settle(1, records(200))
    plan.launch(plan.room())
    plan.settle(2, records(200))
    plan.launch(plan.room())
    assert plan.launched == 2 + 1 + MAX_SPECULATIVE
    plan.settle(3, records(50))
    assert plan.room() == 0  # page 4, the one after the short page, is already out
    plan.settle(4, records(0))
    plan.settle(5, records(0))
    assert plan.room() == 0
    # A page arriving late and out of order does not revive the speculation.
    plan = PagePlan(1, 200, GuessingHint(None, None), max_in_flight=8)
    plan.launch(plan.room())
    plan.settle(1, records(200))
    plan.launch(plan.room())  # pages 2-4
    plan.settle(3, records(50))
    plan.settle(2, records(200))
    assert plan.room() == 0


def walk(plan: PagePlan, pages: list[int], seed: int) -> tuple[list[int], int]:
    """Run ``plan`` over a list whose pages hold ``pages`` records, answering in a
    shuffled order; returns the page numbers handed out and the furthest one asked for."""
    rng = random.Random(seed)
    handed: list[int] = []
    in_flight: list[int] = []
    furthest = 0
    while True:
        in_flight.extend(plan.launch(plan.room()))
        furthest = max(furthest, plan.launched)
        assert in_flight, "the walk stalled"
        number = in_flight.pop(rng.randrange(len(in_flight)))
        size = pages[number - 1] if number <= len(pages) else 0
        plan.settle(number, records(size, start=number * 1_000))
        while (step := plan.next_step()) is not None:
            if step is END:
                return handed, furthest
            assert isinstance(step, Page)
            handed.append(step.number)


@pytest.mark.parametrize("seed", range(40))
def test_a_wrong_estimate_wastes_at_most_two_pages_and_changes_no_order(seed: int) -> None:
    rng = random.Random(seed)
    # Short pages in the middle, as when Strava hides Only-You activities after paging.
    pages = [rng.choice((200, 200, 200, 170, 1)) for _ in range(rng.randrange(0, 30))]
    total = sum(pages)
    guess = rng.choice((None, 0, total // 2, total, 3 * total, 1_000_000))
    hint = GuessingHint(rng.randrange(0, total + 1) if total else 0, guess)
    plan = PagePlan(1, 200, hint, max_in_flight=rng.choice((1, 3, 8)))
    handed, furthest = walk(plan, pages, seed)
    assert handed == list(range(1, len(pages) + 1))
    end = len(pages) + 1
    assert furthest <= end + MAX_SPECULATIVE


@pytest.mark.parametrize("seed", range(20))
def test_without_an_estimate_nothing_goes_past_the_end(seed: int) -> None:
    rng = random.Random(seed)
    pages = [rng.choice((200, 200, 170, 1)) for _ in range(rng.randrange(0, 30))]
    total = sum(pages)
    hint = FixedHint(rng.randrange(0, total + 1) if total else 0)  # a true lower bound
    handed, furthest = walk(PagePlan(1, 200, hint, max_in_flight=8), pages, seed)
    assert handed == list(range(1, len(pages) + 1))
    assert furthest <= len(pages) + 1
