"""Resumable sync against the fake Strava: nothing lost, nothing twice, few requests."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from strava_dash.auth import Token, TokenManager
from strava_dash.budget import InProcessBudget
from strava_dash.client import Cancelled, StravaClient
from strava_dash.errors import AuthError, RateLimitError, StravaAPIError, TransportError
from strava_dash.settings import Settings
from strava_dash.sync import (
    ActivityStore,
    SyncJob,
    SyncProgress,
    count_hint,
    counts_in_stats,
    start_epoch,
    sync,
)
from strava_dash.transport import build_session
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeAthlete, FakeStrava, make_activities


def connect(server: FakeStrava, athlete: FakeAthlete) -> StravaClient:
    token = server.issue_token(athlete.id)
    return StravaClient(
        token["access_token"], api_url=server.api_url, session=build_session(backoff=0.01)
    )


def list_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path == "/api/v3/athlete/activities")


def new_activity(template: dict, activity_id: int, start: datetime) -> dict:
    record = copy.deepcopy(template)
    record["id"] = activity_id
    record["map"]["id"] = f"a{activity_id}"
    record["start_date"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    record["start_date_local"] = (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return record


def ids_of(store: ActivityStore) -> list[int]:
    return [r["id"] for r in store.snapshot()]


@pytest.fixture
def athlete(fake_strava: FakeStrava) -> FakeAthlete:
    return fake_strava.add_athlete(activities=make_activities(450, athlete_id=0, seed=3))


def test_first_sync_downloads_everything_once(fake_strava: FakeStrava, athlete) -> None:
    store = ActivityStore()
    progress: list[SyncProgress] = []
    report = sync(connect(fake_strava, athlete), store, on_progress=progress.append)
    assert report.ok
    assert report.complete
    assert report.added == 450
    assert sorted(ids_of(store)) == sorted(a["id"] for a in athlete.activities)
    assert [p.held for p in progress] == [200, 400, 450]
    assert report.requests == list_requests(fake_strava) == 4


def test_refresh_with_nothing_new_costs_one_request(fake_strava: FakeStrava, athlete) -> None:
    client = connect(fake_strava, athlete)
    store = ActivityStore()
    sync(client, store)
    fake_strava.clear_requests()
    report = sync(client, store)
    assert report.ok
    assert (report.added, report.updated) == (0, 0)
    assert list_requests(fake_strava) == 1


@pytest.mark.parametrize("k", [1, 199, 250, 401])
def test_refresh_with_k_new_costs_at_most_ceil_k_over_200_plus_one(
    fake_strava: FakeStrava, athlete, k: int
) -> None:
    client = connect(fake_strava, athlete)
    store = ActivityStore()
    sync(client, store)
    newest = max(datetime.fromisoformat(a["start_date"]) for a in athlete.activities)
    for i in range(k):
        start = newest + timedelta(hours=i + 1)
        athlete.activities.append(new_activity(athlete.activities[0], 10**11 + i, start))
    fake_strava.clear_requests()
    report = sync(client, store)
    assert report.added == k
    assert list_requests(fake_strava) <= -(-k // 200) + 1
    assert len(ids_of(store)) == len(set(ids_of(store))) == 450 + k


def test_refresh_catches_renames_and_late_uploads_of_older_rides(
    fake_strava: FakeStrava, athlete
) -> None:
    client = connect(fake_strava, athlete)
    store = ActivityStore()
    sync(client, store)
    newest = max(athlete.activities, key=lambda a: a["start_date"])
    newest["name"] = "Renamed after the ride ✏️"
    three_weeks_ago = datetime.fromisoformat(newest["start_date"]) - timedelta(days=21, hours=3)
    late = new_activity(athlete.activities[5], 10**11 + 7, three_weeks_ago)
    athlete.activities.append(late)
    report = sync(client, store)
    assert (report.added, report.updated) == (1, 1)
    assert store.records[newest["id"]]["name"] == "Renamed after the ride ✏️"
    assert late["id"] in store.records


def test_rate_limit_mid_sync_keeps_pages_and_resume_completes(
    fake_strava: FakeStrava, athlete
) -> None:
    client = connect(fake_strava, athlete)
    fake_strava.set_rate_limits(read=(2, 1000), overall=(200, 2000))
    store = ActivityStore()
    first = sync(client, store)
    assert isinstance(first.error, RateLimitError)
    assert not first.complete
    assert len(store.records) == 400  # pages 1 and 2 kept
    fake_strava.set_rate_limits(read=(100, 1000), overall=(200, 2000))
    fake_strava.advance(15 * 60)
    fake_strava.clear_requests()
    second = sync(client, store)
    assert second.ok
    assert second.complete
    ids = ids_of(store)
    assert len(ids) == len(set(ids)) == 450
    assert set(ids) == {a["id"] for a in athlete.activities}
    # One request to check the top, then the tail continues from where it stopped.
    assert list_requests(fake_strava) == 3


@pytest.mark.parametrize(
    ("inject", "error"),
    [
        (lambda s: s.fail(page=2, status=500, times=None), StravaAPIError),
        (lambda s: s.malformed(page=2), StravaAPIError),
    ],
)
def test_errors_mid_sync_keep_what_came_before(
    fake_strava: FakeStrava, athlete, inject, error
) -> None:
    inject(fake_strava)
    client = connect(fake_strava, athlete)
    store = ActivityStore()
    report = sync(client, store)
    assert isinstance(report.error, error)
    assert len(store.records) == 200
    fake_strava.clear_failures()
    assert sync(client, store).ok
    assert len(store.records) == 450


def test_unreachable_mid_sync_keeps_what_came_before(fake_strava: FakeStrava, athlete) -> None:
    client = connect(fake_strava, athlete)
    store = ActivityStore()
    seen = []

    def stop_after_first_page(progress: SyncProgress) -> None:
        seen.append(progress)
        if len(seen) == 1:
            client.api_url = "http://127.0.0.1:9/api/v3"  # Strava vanishes mid-sync

    report = sync(client, store, on_progress=stop_after_first_page)
    assert isinstance(report.error, TransportError)
    assert len(store.records) == 200
    client.api_url = fake_strava.api_url
    assert sync(client, store).complete
    assert len(store.records) == 450


def test_interrupted_refresh_fills_its_gap_next_time(fake_strava: FakeStrava, athlete) -> None:
    client = connect(fake_strava, athlete)
    store = ActivityStore()
    sync(client, store)
    newest = max(datetime.fromisoformat(a["start_date"]) for a in athlete.activities)
    for i in range(300):
        start = newest + timedelta(hours=i + 1)
        athlete.activities.append(new_activity(athlete.activities[0], 10**11 + i, start))
    fake_strava.fail(page=2, status=500, times=None)
    first = sync(client, store)
    assert first.error is not None
    assert len(store.records) == 650  # page 1 (200 new) kept
    fake_strava.clear_failures()
    second = sync(client, store)
    assert second.ok
    assert len(store.records) == 750


def test_twenty_thousand_activities_across_two_rate_windows(fake_strava: FakeStrava) -> None:
    big = fake_strava.add_athlete(activities=make_activities(20_000, athlete_id=0, seed=11))
    client = connect(fake_strava, big)
    store = ActivityStore()
    first = sync(client, store)  # 101 requests needed; the 15-minute window allows 100
    assert isinstance(first.error, RateLimitError)
    assert len(store.records) == 20_000  # 100 full pages; the empty page that ends it was refused
    assert not first.complete
    fake_strava.advance(15 * 60)
    second = sync(client, store)
    assert second.ok
    assert second.complete
    ids = ids_of(store)
    assert len(ids) == len(set(ids)) == 20_000


def test_token_expiring_mid_sync_is_refreshed_transparently(
    fake_strava: FakeStrava, athlete
) -> None:
    settings = Settings(
        client_id=FAKE_CLIENT_ID, client_secret=FAKE_CLIENT_SECRET, base_url=fake_strava.base_url
    )
    token = Token.from_response(
        fake_strava.issue_token(athlete.id), scopes="read,activity:read_all"
    )
    manager = TokenManager(
        settings, token, now=lambda: datetime.fromtimestamp(fake_strava.now(), UTC)
    )
    client = StravaClient(manager, api_url=fake_strava.api_url)
    store = ActivityStore()
    report = sync(client, store, on_progress=lambda p: fake_strava.advance(3 * 3600))
    assert report.ok
    assert len(store.records) == 450
    assert manager.token.access_token != token.access_token


def test_sync_job_runs_in_the_background_and_refuses_a_second_start(
    fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.latency = 0.05
    job = SyncJob(connect(fake_strava, athlete), ActivityStore())
    job.start()
    assert job.running
    with pytest.raises(RuntimeError, match="already running"):
        job.start()
    report = job.wait(timeout=10)
    assert report is not None
    assert report.ok
    assert not job.running
    assert len(job.store.records) == 450


# ------------------------------------------- concurrent tail walk and the shared budget


def fake_clock(server: FakeStrava) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(server.now(), UTC)


def budgeted(server: FakeStrava, athlete: FakeAthlete, budget: InProcessBudget) -> StravaClient:
    """A client as the app builds it: shared budget, clock on the fake's (movable) time."""
    token = server.issue_token(athlete.id)
    return StravaClient(
        token["access_token"],
        api_url=server.api_url,
        session=build_session(backoff=0.01),
        budget=budget,
        now=fake_clock(server),
    )


def stats_requests(server: FakeStrava) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/stats"))


@pytest.fixture
def big(fake_strava: FakeStrava) -> FakeAthlete:
    return fake_strava.add_athlete(activities=make_activities(5_000, athlete_id=0, seed=13))


def test_concurrent_first_sync_equals_the_sequential_one(
    fake_strava: FakeStrava, big: FakeAthlete
) -> None:
    fake_strava.latency = 0.02
    sequential = ActivityStore()  # no athlete id: no stats, page by page
    assert sync(connect(fake_strava, big), sequential).complete
    in_turn = list_requests(fake_strava)
    fake_strava.clear_requests()
    budget = InProcessBudget()
    store = ActivityStore(athlete_id=big.id)
    report = sync(budgeted(fake_strava, big, budget), store)
    assert report.ok
    assert report.complete
    assert ids_of(store) == ids_of(sequential)
    assert in_turn == 26
    assert list_requests(fake_strava) <= in_turn + 2
    assert stats_requests(fake_strava) == 1
    assert store.total_hint is not None
    assert store.total_hint < 5_000  # Everyone-visible rides, runs and swims only
    assert report.requests == list_requests(fake_strava) + 1
    assert budget.in_flight == 0


def test_a_small_budget_goes_to_pages_not_to_the_stats(
    fake_strava: FakeStrava, big: FakeAthlete
) -> None:
    budget = InProcessBudget()
    client = budgeted(fake_strava, big, budget)
    client.athlete()
    fake_strava.set_rate_limits(read=(6, 1000))  # four requests left
    client.athlete()
    fake_strava.clear_requests()
    store = ActivityStore(athlete_id=big.id)
    report = sync(client, store)
    assert isinstance(report.error, RateLimitError)
    assert report.error.status is None  # the budget stopped it; Strava never said 429
    assert stats_requests(fake_strava) == 0
    assert list_requests(fake_strava) == 4
    assert all(r.status == 200 for r in fake_strava.requests)
    assert len(store.records) == 800


def test_a_failed_page_with_concurrency_keeps_the_pages_before_and_resume_completes(
    fake_strava: FakeStrava, big: FakeAthlete
) -> None:
    fake_strava.latency = 0.01
    budget = InProcessBudget()
    client = budgeted(fake_strava, big, budget)
    client.athlete()  # the budget knows its room, so the stats go out with page 1
    fake_strava.fail(page=7, status=500, times=None)
    store = ActivityStore(athlete_id=big.id)
    first = sync(client, store)
    assert isinstance(first.error, StravaAPIError)
    newest = sorted(big.activities, key=lambda a: a["start_date"], reverse=True)
    held = set(store.records)
    assert {a["id"] for a in newest[:1_200]} <= held  # pages 1..6
    assert not held & {a["id"] for a in newest[1_200:1_400]}  # page 7 failed
    assert len(held) > 1_400  # pages after 7 that came back are kept
    fake_strava.clear_failures()
    fake_strava.clear_requests()
    second = sync(client, store)
    # The head, page 7 again, one page overlapping what is held, then on from there.
    assert list_requests(fake_strava) < 1 + 26 - 7 + 1
    assert second.ok
    assert second.complete
    ids = ids_of(store)
    assert len(ids) == len(set(ids)) == 5_000
    assert budget.in_flight == 0


def test_refresh_with_the_budget_costs_one_request_and_no_stats(
    fake_strava: FakeStrava, big: FakeAthlete
) -> None:
    client = budgeted(fake_strava, big, InProcessBudget())
    store = ActivityStore(athlete_id=big.id)
    assert sync(client, store).complete
    fake_strava.clear_requests()
    report = sync(client, store)
    assert (report.added, report.updated, report.requests) == (0, 0, 1)
    assert len(fake_strava.requests) == 1


def test_twenty_thousand_complete_across_two_windows_by_themselves(
    fake_strava: FakeStrava,
) -> None:
    huge = fake_strava.add_athlete(activities=make_activities(20_000, athlete_id=0, seed=17))
    budget = InProcessBudget()
    client = budgeted(fake_strava, huge, budget)
    store = ActivityStore(athlete_id=huge.id)
    progress: list[SyncProgress] = []
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # a wait moves the fake's clock, not ours
        slept.append(seconds)
        fake_strava.advance(seconds)

    report = sync(client, store, on_progress=progress.append, wait_for_window=True, sleep=sleep)
    assert report.ok, report.error
    assert report.complete
    assert report.pauses == 1
    ids = ids_of(store)
    assert len(ids) == len(set(ids)) == 20_000
    paused = [p for p in progress if p.paused_until is not None]
    assert len(paused) == 1
    until = paused[0].paused_until
    assert until is not None
    assert (until.minute % 15, until.second) == (0, 5)  # just after a quarter hour
    assert 0 < sum(slept) <= 15 * 60 + 5
    assert max(slept) <= 1.0  # small steps, so a cancel is noticed
    assert [p.held for p in progress if p.paused_until is None][-1] == 20_000
    # 101 pages in one walk (100 full, then the empty one), plus the stats look-up: none
    # refused, none repeated. Resuming from the cursor re-reads the boundary activity,
    # which can cost one more (short) page.
    assert all(r.status == 200 for r in fake_strava.requests)
    assert list_requests(fake_strava) <= 101 + 1
    assert stats_requests(fake_strava) == 1
    assert budget.in_flight == 0


def test_a_wait_for_the_window_can_be_cancelled(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.set_rate_limits(read=(2, 1000))
    budget = InProcessBudget()
    client = budgeted(fake_strava, athlete, budget)
    steps: list[float] = []

    def sleep(seconds: float) -> None:
        steps.append(seconds)
        fake_strava.advance(seconds)

    report = sync(
        client,
        ActivityStore(),
        wait_for_window=True,
        sleep=sleep,
        cancelled=lambda: len(steps) >= 3,
    )
    assert isinstance(report.error, RateLimitError)
    assert len(steps) == 3
    assert report.pauses == 1


def test_the_daily_limit_is_not_waited_for(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.set_rate_limits(read=(100, 2))
    client = budgeted(fake_strava, athlete, InProcessBudget())
    report = sync(client, ActivityStore(), wait_for_window=True, sleep=fake_strava.advance)
    assert isinstance(report.error, RateLimitError)
    assert report.error.daily
    assert report.pauses == 0


def test_retry_now_sends_one_probe_despite_the_budget(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.set_rate_limits(read=(2, 1000))
    budget = InProcessBudget()
    client = budgeted(fake_strava, athlete, budget)
    store = ActivityStore()
    assert isinstance(sync(client, store).error, RateLimitError)
    assert len(store.records) == 400
    fake_strava.set_rate_limits()  # Strava's window has turned; our clock has not
    fake_strava.clear_requests()
    assert isinstance(sync(client, store).error, RateLimitError)  # the budget still says wait
    assert list_requests(fake_strava) == 0
    report = sync(client, store, retry_now=True)
    assert report.ok
    assert len(store.records) == 450


def test_sync_job_waits_for_the_window_and_can_be_cancelled(
    fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.set_rate_limits(read=(2, 1000))
    job = SyncJob(
        budgeted(fake_strava, athlete, InProcessBudget()), ActivityStore(), wait_for_window=True
    )
    job.start()
    deadline = time.monotonic() + 10
    while job.progress is None or job.progress.paused_until is None:
        assert time.monotonic() < deadline, "the job never paused"
        time.sleep(0.01)
    assert job.running
    job.cancel()
    report = job.wait(timeout=5)
    assert report is not None
    assert isinstance(report.error, RateLimitError)
    assert len(job.store.records) == 400


def test_counts_in_stats_is_generous() -> None:
    ride = {"id": 1, "sport_type": "Ride", "visibility": "everyone", "private": False}
    assert counts_in_stats(ride)
    assert counts_in_stats({**ride, "sport_type": "SomethingNew"})  # unknown: counted
    assert not counts_in_stats({**ride, "visibility": "followers_only"})
    assert not counts_in_stats({**ride, "private": True})
    assert not counts_in_stats({**ride, "sport_type": "Yoga"})
    assert count_hint({"all_ride_totals": {"count": 3}, "all_run_totals": {"count": 2}}) == 5
    assert count_hint({"all_ride_totals": {"count": "3"}}) is None


def test_a_revoked_grant_is_refreshed_once_for_all_pages_in_flight(
    fake_strava: FakeStrava, big: FakeAthlete
) -> None:
    fake_strava.latency = 0.05  # eight pages are on the wire when the grant dies
    settings = Settings(
        client_id=FAKE_CLIENT_ID, client_secret=FAKE_CLIENT_SECRET, base_url=fake_strava.base_url
    )
    token = Token.from_response(fake_strava.issue_token(big.id), scopes="read,activity:read_all")
    manager = TokenManager(settings, token, now=fake_clock(fake_strava))
    client = StravaClient(
        manager,
        api_url=fake_strava.api_url,
        session=build_session(backoff=0.01),
        now=fake_clock(fake_strava),
    )
    store = ActivityStore(athlete_id=big.id, total_hint=5_000)

    def revoke_after_first_page(progress: SyncProgress) -> None:
        if progress.pages == 1:
            fake_strava.revoke_athlete(big.id)

    report = sync(client, store, on_progress=revoke_after_first_page)
    assert isinstance(report.error, AuthError)
    time.sleep(1.0)  # pages still on the wire when the sync ended come back meanwhile
    refreshes = [r for r in fake_strava.requests if r.path == "/oauth/token"]
    assert len(refreshes) == 1
    assert manager.ended


def test_pages_after_a_failed_one_are_kept_and_not_asked_for_again(
    fake_strava: FakeStrava,
) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(2_000, athlete_id=0, seed=19))
    fake_strava.latency = 0.01
    fake_strava.fail(page=3, status=500, times=None)
    client = budgeted(fake_strava, athlete, InProcessBudget())
    store = ActivityStore(athlete_id=athlete.id, total_hint=2_000)  # ten pages at once
    first = sync(client, store)
    assert isinstance(first.error, StravaAPIError)
    newest = sorted(athlete.activities, key=lambda a: a["start_date"], reverse=True)
    page_3 = {a["id"] for a in newest[400:600]}
    assert set(store.records) == {a["id"] for a in athlete.activities} - page_3
    assert not store.complete
    # The cursor stays where the gap begins: nothing after page 2 counts as walked yet.
    assert store.tail_before == start_epoch(newest[399]) + 1
    fake_strava.clear_failures()
    fake_strava.clear_requests()
    second = sync(client, store)
    assert second.ok
    assert second.complete
    assert second.added == 200
    ids = ids_of(store)
    assert len(ids) == len(set(ids)) == 2_000
    assert set(ids) == {a["id"] for a in athlete.activities}
    # The head (nothing new), page 3 again, and one page overlapping pages 4..10, which
    # proves nothing is missing in between; before, pages 3..11 were all asked for again.
    assert list_requests(fake_strava) == 3
    assert store.tail_islands == []


def test_a_late_upload_in_the_gap_is_found_before_skipping_held_pages(
    fake_strava: FakeStrava,
) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(2_000, athlete_id=0, seed=23))
    fake_strava.fail(page=3, status=500, times=None)
    client = budgeted(fake_strava, athlete, InProcessBudget())
    store = ActivityStore(athlete_id=athlete.id, total_hint=2_000)
    assert sync(client, store).error is not None
    newest = sorted(athlete.activities, key=lambda a: a["start_date"], reverse=True)
    # Two uploads land in the gap after the failure: page 3 now ends two later.
    for n, neighbour in enumerate((newest[450], newest[598])):
        start = datetime.fromisoformat(neighbour["start_date"]) - timedelta(seconds=1)
        athlete.activities.append(new_activity(neighbour, 10**11 + n, start))
    fake_strava.clear_failures()
    assert sync(client, store).complete
    ids = ids_of(store)
    assert len(ids) == len(set(ids)) == 2_002
    assert set(ids) == {a["id"] for a in athlete.activities}


def test_a_cancelled_job_stops_between_pages(fake_strava: FakeStrava, big: FakeAthlete) -> None:
    fake_strava.latency = 0.2
    store = ActivityStore(athlete_id=big.id, total_hint=5_000)
    job = SyncJob(budgeted(fake_strava, big, InProcessBudget()), store)
    job.start()
    deadline = time.monotonic() + 10
    while len(store.records) < 200:
        assert time.monotonic() < deadline, "the job never got a page"
        time.sleep(0.01)
    job.cancel()
    report = job.wait(timeout=2)
    assert report is not None, "the job went on after cancel"
    assert isinstance(report.error, Cancelled)
    assert len(store.records) < 5_000
