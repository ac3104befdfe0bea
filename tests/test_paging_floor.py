"""Concurrent paging for every caller and account, against the fake Strava over HTTP.

The plain client (nothing passed but the token) and the app's sync on an athlete whose
stats count only part of the list: the same ids in the same order as the sequential
loop, at most two list requests more. Wall time is the benchmark's business.
"""

from __future__ import annotations

from typing import Any

import pytest

from strava_dash.budget import InProcessBudget
from strava_dash.client import STATS_MIN_REMAINING, StravaClient
from strava_dash.errors import StravaAPIError
from strava_dash.hints import counts_in_stats
from strava_dash.sync import ActivityStore, sync
from strava_dash.transport import build_session
from tests.fake_strava import FakeAthlete, FakeStrava, make_activities
from tests.fake_strava.factory import mix_outside
from tests.test_client import PeakCounter


def client_of(
    server: FakeStrava, athlete: FakeAthlete, scopes: tuple[str, ...] = ("activity:read_all",)
) -> StravaClient:
    token = str(server.issue_token(athlete.id, scopes=("read", *scopes))["access_token"])
    return StravaClient(token, api_url=server.api_url, session=build_session(backoff=0.01))


def lists(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == "/api/v3/athlete/activities")


def others(server: FakeStrava) -> list[str]:
    return [r.path for r in server.requests if r.path != "/api/v3/athlete/activities"]


def sequential(server: FakeStrava, client: StravaClient) -> tuple[list[int], int]:
    """The ids of the sequential loop and its list requests; the request log is cleared."""
    ids = [r["id"] for r in client.iter_activities(look_ahead=False)]
    count = lists(server)
    server.clear_requests()
    return ids, count


def plain_walk(server: FakeStrava, athlete: FakeAthlete, **scopes: Any) -> tuple[int, int]:
    """The plain client against the sequential loop (same ids, same order, at most two
    list requests more): the sequential loop's list requests, and the most in flight."""
    server.latency = 0.02
    seq_ids, seq_lists = sequential(server, client_of(server, athlete, **scopes))
    client = client_of(server, athlete, **scopes)
    peak = PeakCounter(client.session)
    assert [r["id"] for r in client.iter_activities()] == seq_ids
    assert lists(server) <= seq_lists + 2
    return seq_lists, peak.peak


def mixed(n: int, share: float, seed: int) -> list[dict[str, Any]]:
    activities = make_activities(n, athlete_id=0, seed=seed)
    mix_outside(activities, share, seed)
    return activities


def test_the_plain_client_pages_concurrently_with_its_own_stats(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(5_000, athlete_id=0, seed=5))
    seq_lists, peak = plain_walk(fake_strava, athlete)
    assert seq_lists == 26
    assert peak >= 8  # several pages at once, not the sequential loop
    assert others(fake_strava) == ["/api/v3/athlete", f"/api/v3/athletes/{athlete.id}/stats"]


def test_a_mixed_account_keeps_paging_concurrently(fake_strava: FakeStrava) -> None:
    activities = mixed(5_000, 0.45, seed=7)
    counted = sum(map(counts_in_stats, activities))
    assert counted < 0.5 * len(activities)  # the premise: the stats vouch for under half
    athlete = fake_strava.add_athlete(activities=activities)
    seq_lists, peak = plain_walk(fake_strava, athlete)
    assert seq_lists == 26
    assert peak >= 8


def test_the_sync_of_a_mixed_account_asks_at_most_two_pages_more(
    fake_strava: FakeStrava,
) -> None:
    athlete = fake_strava.add_athlete(activities=mixed(5_000, 0.45, seed=8))
    fake_strava.latency = 0.02
    seq_ids, seq_lists = sequential(fake_strava, client_of(fake_strava, athlete))
    store = ActivityStore(athlete_id=athlete.id)
    client = client_of(fake_strava, athlete)
    peak = PeakCounter(client.session)
    report = sync(client, store)
    assert report.ok
    assert report.complete
    assert [r["id"] for r in store.snapshot()] == seq_ids
    assert lists(fake_strava) <= seq_lists + 2
    assert peak.peak >= 8


def test_an_estimate_thrown_off_by_the_newest_pages_wastes_at_most_two(
    fake_strava: FakeStrava,
) -> None:
    # Years of walks at the top of the list and rides below: the share counted on the
    # first pages makes the estimate far too long.
    activities = make_activities(3_000, athlete_id=0, seed=9)
    newest = sorted(activities, key=lambda a: a["start_date"], reverse=True)
    for activity in newest[:1_500]:
        activity["sport_type"] = activity["type"] = "Walk"
    athlete = fake_strava.add_athlete(activities=activities)
    seq_lists, peak = plain_walk(fake_strava, athlete)
    assert seq_lists == 16
    assert peak > 1


def test_an_empty_account_costs_one_list_request(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete(activities=[])
    client = client_of(fake_strava, athlete)
    assert list(client.iter_activities()) == []
    assert lists(fake_strava) == 1
    assert len(others(fake_strava)) <= 2  # the stats look-up may have gone out


def test_a_one_page_account_asks_at_most_two_pages_more(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(150, athlete_id=0, seed=2))
    seq_lists, _ = plain_walk(fake_strava, athlete)
    assert seq_lists == 2


def test_hidden_only_you_activities_change_nothing(fake_strava: FakeStrava) -> None:
    # Strava cuts Only-You activities from each page after paging: short pages mid-list,
    # and activities the stats do not count, so the estimate is off too.
    fake_strava.hide_after_paging = True
    athlete = fake_strava.add_athlete(activities=mixed(3_000, 0.45, seed=4))
    seq_lists, _ = plain_walk(fake_strava, athlete, scopes=("activity:read",))
    assert seq_lists == 16


def test_a_failed_page_ends_the_plain_walk_after_the_pages_before_it(
    fake_strava: FakeStrava,
) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(3_000, athlete_id=0, seed=6))
    fake_strava.latency = 0.01
    fake_strava.fail(page=5, status=500, times=None)
    got: list[int] = []
    with pytest.raises(StravaAPIError) as info:
        got.extend(r["id"] for r in client_of(fake_strava, athlete).iter_activities())
    assert info.value.status == 500
    newest = sorted(athlete.activities, key=lambda a: a["start_date"], reverse=True)
    assert got == [a["id"] for a in newest[:800]]


def test_a_small_budget_goes_to_pages_not_to_the_stats(fake_strava: FakeStrava) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(1_000, athlete_id=0, seed=3))
    budget = InProcessBudget()
    token = str(fake_strava.issue_token(athlete.id)["access_token"])
    client = StravaClient(token, api_url=fake_strava.api_url, budget=budget)
    client.athlete()  # the budget learns how much is left
    fake_strava.set_rate_limits(read=(STATS_MIN_REMAINING + 1, 1000))
    client.athlete()
    fake_strava.clear_requests()
    ids = [r["id"] for r in client.iter_activities()]
    assert len(ids) == len(set(ids)) == 1_000
    assert others(fake_strava) == []
    assert [int(r.query["page"][0]) for r in fake_strava.requests] == [1, 2, 3, 4, 5, 6]
