"""The length hint from the athlete's stats on its own: bound and estimate, no HTTP."""

from __future__ import annotations

from typing import Any

from strava_dash.hints import ESTIMATE_SHADE, StatsHint


def page(counted: int, other: int) -> list[dict[str, Any]]:
    ride = {"sport_type": "Ride", "visibility": "everyone", "private": False}
    walk = {**ride, "sport_type": "Walk"}
    return [ride] * counted + [walk] * other


def test_nothing_is_known_before_the_stats() -> None:
    hint = StatsHint(lambda: None)
    hint.page_arrived(page(100, 100))
    assert hint.lower_bound() is None
    assert hint.estimate() is None


def test_the_bound_is_what_was_seen_plus_the_counted_ones_still_ahead() -> None:
    hint = StatsHint(lambda: 1_000)
    assert hint.lower_bound() == 1_000
    hint.page_arrived(page(110, 90))
    assert hint.lower_bound() == 200 + 890


def test_the_estimate_scales_what_is_ahead_by_the_share_counted_so_far() -> None:
    # 55 % of what arrived is counted: 890 counted ones ahead are about 1,619 activities.
    hint = StatsHint(lambda: 1_000)
    hint.page_arrived(page(110, 90))
    # ceil(890 * 200 / 110), shaded down a little: a page sent past the end costs more
    # than a page asked for a round later.
    assert hint.estimate() == 200 + 1_619 - ESTIMATE_SHADE
    lower = hint.lower_bound()
    estimate = hint.estimate()
    assert lower is not None
    assert estimate is not None
    assert estimate >= lower


def test_no_estimate_while_nothing_counted_was_seen() -> None:
    hint = StatsHint(lambda: 1_000)
    assert hint.estimate() is None  # no page yet
    hint.page_arrived(page(0, 200))
    assert hint.estimate() is None  # a share of zero says nothing about the rest
    assert hint.lower_bound() == 1_200


def test_once_every_counted_one_was_seen_both_are_what_was_seen() -> None:
    hint = StatsHint(lambda: 150)
    hint.page_arrived(page(150, 50))
    hint.page_arrived(page(0, 30))
    assert hint.lower_bound() == hint.estimate() == 230


def test_counted_ones_already_held_are_not_expected_again() -> None:
    hint = StatsHint(lambda: 1_000, held_counted=600)
    assert hint.lower_bound() == 400
    hint.page_arrived(page(100, 100))
    assert hint.lower_bound() == 200 + 300
    assert hint.estimate() == 200 + 600 - ESTIMATE_SHADE


def test_a_count_smaller_than_what_was_seen_never_lowers_the_bound() -> None:
    hint = StatsHint(lambda: 10)
    hint.page_arrived(page(50, 0))
    assert hint.lower_bound() == hint.estimate() == 50


def test_the_shaded_estimate_never_falls_under_the_bound() -> None:
    # Nearly everything seen is counted: the scaled estimate is within the shade of the
    # bound, and the bound (a proof) wins.
    hint = StatsHint(lambda: 1_000)
    hint.page_arrived(page(199, 1))
    assert hint.lower_bound() == 200 + 801
    assert hint.estimate() == hint.lower_bound()
