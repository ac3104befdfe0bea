"""StravaClient against the fake Strava server over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests

from strava_dash.budget import InProcessBudget
from strava_dash.client import MAX_IN_FLIGHT, Cancelled, StravaClient, to_epoch
from strava_dash.errors import (
    AuthError,
    NotFoundError,
    RateLimitError,
    ScopeError,
    StravaAPIError,
    TransportError,
)
from strava_dash.paging import Page
from strava_dash.transport import build_session
from tests.fake_strava import FakeAthlete, FakeStrava, make_activities


def walk_at_once(clients: list[StravaClient]) -> list[BaseException | int]:
    """Each client walks 1,000 activities in its own thread, all at once: the activities
    each got, or the rate limit that stopped it."""
    results: list[BaseException | int] = []

    def walk(client: StravaClient) -> None:
        try:
            results.append(sum(1 for _ in client.iter_activities(expected=1_000)))
        except RateLimitError as error:
            results.append(error)

    threads = [threading.Thread(target=walk, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def client_for(server: FakeStrava, token: str, **kwargs: object) -> StravaClient:
    session = build_session(backoff=0.01)
    return StravaClient(token, api_url=server.api_url, session=session, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def athlete(fake_strava: FakeStrava):  # type: ignore[no-untyped-def]
    return fake_strava.add_athlete(activities=make_activities(450, athlete_id=0, seed=1))


def token_of(
    server: FakeStrava, athlete_id: int, scopes: tuple[str, ...] = ("read", "activity:read_all")
) -> str:
    return str(server.issue_token(athlete_id, scopes=scopes)["access_token"])


def test_pages_until_an_empty_page_and_yields_records_unchanged(
    fake_strava: FakeStrava, athlete
) -> None:
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    seen = []
    # The sequential loop itself: the walk that bounds its length is tested below.
    records = list(client.iter_activities(per_page=200, on_page=seen.append, look_ahead=False))
    expected = sorted(athlete.activities, key=lambda a: (a["start_date"], a["id"]), reverse=True)
    assert [r["id"] for r in records] == [a["id"] for a in expected]
    assert records[0] == expected[0]  # exactly as the API sent it
    assert [p.page_size for p in seen] == [200, 200, 50]
    assert [p.fetched for p in seen] == [200, 400, 450]
    pages = [r.query["page"][0] for r in fake_strava.requests if r.path.endswith("/activities")]
    assert pages == ["1", "2", "3", "4"]  # page 4 is the empty one that proves the end
    assert seen[-1].rate_limits is not None
    assert client.rate_limits is not None
    assert client.rate_limits.read is not None
    assert client.rate_limits.read.usage_15min == 4


def test_a_short_page_is_not_the_end(fake_strava: FakeStrava, athlete) -> None:
    # As Strava does: each page of the whole list loses its Only-You activities after
    # paging, so with activity:read the pages in the middle come back short.
    fake_strava.hide_after_paging = True
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    limited_token = token_of(fake_strava, athlete.id, ("read", "activity:read"))
    limited = client_for(fake_strava, limited_token)
    sizes = [len(api_page(fake_strava, limited_token, n, per_page=30)) for n in range(1, 17)]
    last = max(i for i, n in enumerate(sizes) if n)
    assert any(n < 30 for n in sizes[:last]), sizes  # the premise: a short page mid-list
    everything = {r["id"] for r in client.iter_activities(per_page=30)}
    visible = {r["id"] for r in limited.iter_activities(per_page=30)}
    private = {a["id"] for a in athlete.activities if a["visibility"] == "only_me"}
    assert private
    assert visible == everything - private


def api_page(server: FakeStrava, token: str, page: int, *, per_page: int) -> list[Any]:
    response = requests.get(
        f"{server.api_url}/athlete/activities",
        params={"page": page, "per_page": per_page},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    pages: list[Any] = response.json()
    return pages


def test_token_only_in_the_authorization_header(fake_strava: FakeStrava, athlete) -> None:
    token = token_of(fake_strava, athlete.id)
    client = client_for(fake_strava, token)
    client.athlete()
    list(client.iter_activities(per_page=200))
    for request in fake_strava.requests:
        if request.path.startswith("/api/v3"):
            assert token not in request.path
            assert all(token not in v for values in request.query.values() for v in values)
            assert request.headers.get("Authorization") == f"Bearer {token}"


def test_after_and_before_accept_datetimes_dates_and_epochs(
    fake_strava: FakeStrava, athlete
) -> None:
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    after = datetime(2026, 6, 1, tzinfo=UTC)
    newer = list(client.iter_activities(after=after))
    assert newer
    assert all(r["start_date"] > "2026-06-01" for r in newer)
    assert [r["start_date"] for r in newer] == sorted(
        r["start_date"] for r in newer
    )  # oldest first
    by_date = list(client.iter_activities(before=date(2026, 1, 1)))
    by_epoch = list(client.iter_activities(before=to_epoch(date(2026, 1, 1))))
    assert [r["id"] for r in by_date] == [r["id"] for r in by_epoch]
    assert all(r["start_date"] < "2026-01-01" for r in by_date)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 5, 4, 6, 12, 9, tzinfo=UTC), 1714803129),
        (datetime(2024, 5, 4, 6, 12, 9), 1714803129),  # naive means UTC
        (date(2024, 5, 4), 1714780800),
        (1714803129.7, 1714803129),
    ],
)
def test_to_epoch(value: object, expected: int) -> None:
    assert to_epoch(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1714803129000, -5])
def test_to_epoch_rejects_milliseconds_and_negatives(value: int) -> None:
    with pytest.raises(ValueError, match="epoch seconds"):
        to_epoch(value)


def test_per_page_is_checked() -> None:
    client = StravaClient("t", api_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="per_page"):
        next(client.iter_activities(per_page=201))


def test_unknown_token_is_auth_error(fake_strava: FakeStrava, athlete) -> None:
    client = client_for(fake_strava, "0" * 40)
    with pytest.raises(AuthError, match="Authorization Error") as info:
        client.athlete()
    assert info.value.status == 401
    assert "0" * 40 not in str(info.value)


def test_missing_activity_scope_is_scope_error(fake_strava: FakeStrava, athlete) -> None:
    client = client_for(fake_strava, token_of(fake_strava, athlete.id, ("read",)))
    with pytest.raises(ScopeError, match="Authorization Error"):
        next(client.iter_activities())


def test_not_found(fake_strava: FakeStrava, athlete) -> None:
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    with pytest.raises(NotFoundError):
        client.activity(1)
    with pytest.raises(NotFoundError):
        client.gear("b-nope")


def test_rate_limit_gives_retry_at_next_quarter_hour(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.set_rate_limits(read=(3, 1000), overall=(200, 2000))
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    got: list[dict[str, object]] = []
    with pytest.raises(RateLimitError) as info:
        got.extend(client.iter_activities(per_page=100, look_ahead=False))
    assert len(got) == 300  # pages 1..3 were yielded before page 4 hit the limit
    now = datetime.fromtimestamp(fake_strava.now(), UTC)
    expected = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    assert info.value.retry_at.timestamp() == pytest.approx(expected.timestamp() + 900, abs=1)
    assert not info.value.daily
    assert client.rate_limits is not None
    assert client.rate_limits.exhausted


def test_daily_limit_waits_until_midnight(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.set_rate_limits(read=(100, 2), overall=(200, 2000))
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    client.athlete()
    client.athlete()
    with pytest.raises(RateLimitError) as info:
        client.athlete()
    assert info.value.daily
    assert info.value.retry_at.hour == 0
    assert info.value.retry_at.minute == 0


def test_one_transient_503_is_retried_invisibly(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.fail(page=2, status=503, times=1)
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    ids = [r["id"] for r in client.iter_activities(per_page=200)]
    assert len(ids) == len(set(ids)) == 450
    statuses = [r.status for r in fake_strava.requests if r.query.get("page") == ["2"]]
    assert statuses == [503, 200]


def test_a_persistent_500_is_a_clear_error_after_bounded_retries(
    fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.fail(page=2, status=500, times=None)
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    got = []
    with pytest.raises(StravaAPIError) as info:
        got.extend(client.iter_activities(per_page=200))
    assert len(got) == 200
    assert info.value.status == 500
    attempts = [r for r in fake_strava.requests if r.query.get("page") == ["2"]]
    assert len(attempts) == 4  # the first try and three retries, then give up


def test_malformed_json_is_an_api_error_not_a_traceback(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.malformed(page=1)
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    with pytest.raises(StravaAPIError, match="not valid JSON"):
        list(client.iter_activities())


def test_unreachable_server_is_a_transport_error() -> None:
    client = StravaClient(
        "t", api_url="http://127.0.0.1:9/api/v3", session=build_session(backoff=0)
    )
    with pytest.raises(TransportError, match="Could not reach Strava"):
        client.athlete()


def test_timeout_is_a_transport_error(fake_strava: FakeStrava, athlete) -> None:
    fake_strava.latency = 0.5
    client = client_for(fake_strava, token_of(fake_strava, athlete.id), timeout=(1.0, 0.1))
    with pytest.raises(TransportError, match="did not answer"):
        client.athlete()


def test_athlete_stats_gear_and_streams(fake_strava: FakeStrava, athlete) -> None:
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    me = client.athlete()
    assert me["id"] == athlete.id
    stats = client.athlete_stats(athlete.id)
    assert "all_ride_totals" in stats
    gear_id = next(a["gear_id"] for a in athlete.activities if a.get("gear_id"))
    assert client.gear(gear_id)["id"] == gear_id
    gps = next(a for a in athlete.activities if a["map"]["summary_polyline"] and not a["manual"])
    streams = client.streams(gps["id"], ["time", "latlng", "altitude"])
    assert {"time", "latlng", "altitude"} <= set(streams)
    lengths = {len(s["data"]) for s in streams.values()}
    assert len(lengths) == 1
    manual = next(a for a in athlete.activities if a["manual"])
    with pytest.raises(NotFoundError):
        client.streams(manual["id"], ["time"])


def test_twenty_thousand_activities_download_completely(fake_strava: FakeStrava) -> None:
    # 101 requests: more than the default 15-minute budget; test_sync covers that path.
    fake_strava.set_rate_limits(read=(1000, 10000), overall=(2000, 20000))
    big = fake_strava.add_athlete(activities=make_activities(20_000, athlete_id=0, seed=7))
    client = client_for(fake_strava, token_of(fake_strava, big.id))
    ids = [r["id"] for r in client.iter_activities()]
    assert len(ids) == 20_000
    assert set(ids) == {a["id"] for a in big.activities}


# ---------------------------------------------------------------- concurrent paging


class PeakCounter:
    """Wraps a session's ``request`` to record how many requests were in flight at once."""

    def __init__(self, session: requests.Session) -> None:
        self._send = session.request
        self._lock = threading.Lock()
        self.now = self.peak = 0
        session.request = self.request  # type: ignore[method-assign]

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return self._send(*args, **kwargs)
        finally:
            with self._lock:
                self.now -= 1


def list_pages(server: FakeStrava) -> list[int]:
    return [int(r.query["page"][0]) for r in server.requests if r.path.endswith("/activities")]


def fake_clock(server: FakeStrava) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(server.now(), UTC)


@pytest.fixture
def five_thousand(fake_strava: FakeStrava) -> FakeAthlete:
    return fake_strava.add_athlete(activities=make_activities(5_000, athlete_id=0, seed=5))


def test_concurrent_pages_equal_sequential_ones_in_order_and_requests(
    fake_strava: FakeStrava, five_thousand: FakeAthlete
) -> None:
    fake_strava.latency = 0.02
    client = client_for(fake_strava, token_of(fake_strava, five_thousand.id))
    sequential = [r["id"] for r in client.iter_activities(look_ahead=False)]
    in_turn = list_pages(fake_strava)
    fake_strava.clear_requests()
    counter = PeakCounter(client.session)
    seen: list[int] = []
    stats_count = 3_300  # what the athlete's stats would vouch for: fewer than there are
    concurrent = client.iter_activities(expected=stats_count, on_page=lambda p: seen.append(p.page))
    ids = [r["id"] for r in concurrent]
    assert ids == sequential  # same records, same order
    assert len(ids) == len(set(ids)) == 5_000
    assert seen == list(range(1, 26))  # on_page still reports pages in order
    assert counter.peak == MAX_IN_FLIGHT
    assert sorted(list_pages(fake_strava)) == in_turn == list(range(1, 27))  # none past the end


def test_an_overestimating_hint_wastes_at_most_the_pages_in_flight(
    fake_strava: FakeStrava, athlete
) -> None:
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    ids = [r["id"] for r in client.iter_activities(expected=5_000)]
    assert len(ids) == len(set(ids)) == 450
    assert len(list_pages(fake_strava)) <= 4 + MAX_IN_FLIGHT - 1


def test_a_failed_page_ends_the_walk_after_the_pages_before_it(
    fake_strava: FakeStrava, five_thousand: FakeAthlete
) -> None:
    fake_strava.latency = 0.01
    fake_strava.fail(page=5, status=500, times=None)
    client = client_for(fake_strava, token_of(fake_strava, five_thousand.id))
    got: list[int] = []
    with pytest.raises(StravaAPIError) as info:
        got.extend(r["id"] for r in client.iter_activities(expected=5_000))
    assert info.value.status == 500
    expected = sorted(five_thousand.activities, key=lambda a: a["start_date"], reverse=True)
    assert got == [a["id"] for a in expected[:800]]  # pages 1..4, in order, nothing after


def test_pages_that_came_back_after_a_failed_one_are_handed_over(
    fake_strava: FakeStrava, athlete
) -> None:
    fake_strava.fail(page=2, status=500, times=None)
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    stranded: list[Page] = []
    got: list[list[dict[str, Any]]] = []
    with pytest.raises(StravaAPIError):
        got.extend(client.iter_pages(expected=450, on_stranded=stranded.extend))
    expected = sorted(athlete.activities, key=lambda a: (a["start_date"], a["id"]), reverse=True)
    assert [[r["id"] for r in page] for page in got] == [[a["id"] for a in expected[:200]]]
    assert [p.number for p in stranded] == [3, 4]  # page 4 is the empty one: the end
    assert [r["id"] for r in stranded[0].records] == [a["id"] for a in expected[400:]]
    assert stranded[1].records == []


def test_a_closed_client_sends_nothing(fake_strava: FakeStrava, athlete) -> None:
    client = client_for(fake_strava, token_of(fake_strava, athlete.id))
    client.close()
    with pytest.raises(Cancelled):
        client.athlete()
    with pytest.raises(Cancelled):
        next(client.iter_pages(expected=450))
    assert fake_strava.requests == []


def test_the_budget_caps_the_requests_in_flight_and_stops_before_strava_refuses(
    fake_strava: FakeStrava, five_thousand: FakeAthlete
) -> None:
    fake_strava.latency = 0.05
    budget = InProcessBudget()
    client = client_for(
        fake_strava,
        token_of(fake_strava, five_thousand.id),
        budget=budget,
        now=fake_clock(fake_strava),
    )
    client.athlete()  # the budget learns the usage: 1 of 100 read requests
    fake_strava.set_rate_limits(read=(4, 1000))  # three left now
    client.athlete()  # the budget learns that too: two left
    fake_strava.clear_requests()
    counter = PeakCounter(client.session)
    got: list[dict[str, object]] = []
    with pytest.raises(RateLimitError) as info:
        got.extend(client.iter_activities(expected=5_000))
    assert info.value.status is None  # refused by the budget: nothing was sent
    assert not info.value.daily
    assert len(got) == 400
    assert counter.peak <= 2
    assert all(r.status == 200 for r in fake_strava.requests)
    assert len(fake_strava.requests) == 2
    assert budget.in_flight == 0


def test_two_clients_of_one_app_share_its_budget(fake_strava: FakeStrava) -> None:
    fake_strava.latency = 0.02
    budget = InProcessBudget()
    clock = fake_clock(fake_strava)
    walkers = []
    for seed in (1, 2):
        someone = fake_strava.add_athlete(
            activities=make_activities(1_000, athlete_id=0, seed=seed)
        )
        token = token_of(fake_strava, someone.id)
        walkers.append(client_for(fake_strava, token, budget=budget, now=clock))
    walkers[0].athlete()
    fake_strava.set_rate_limits(read=(10, 1000))  # eight left, for both
    walkers[0].athlete()
    fake_strava.clear_requests()
    results = walk_at_once(walkers)
    assert len(fake_strava.requests) == 8  # all of them spent, and no 429 was ever needed
    assert all(r.status == 200 for r in fake_strava.requests)
    assert any(isinstance(r, RateLimitError) for r in results)  # 12 pages needed in all


def test_a_probe_is_sent_once_even_when_the_budget_says_wait(
    fake_strava: FakeStrava, athlete
) -> None:
    budget = InProcessBudget()
    client = client_for(
        fake_strava, token_of(fake_strava, athlete.id), budget=budget, now=fake_clock(fake_strava)
    )
    fake_strava.set_rate_limits(read=(1, 1000))
    client.athlete()
    with pytest.raises(RateLimitError):
        client.athlete()  # not sent
    fake_strava.set_rate_limits()  # e.g. the window turned on Strava's side already
    client.allow_probe()
    assert client.athlete()["id"] == athlete.id
    assert client.athlete()["id"] == athlete.id  # the answer taught the budget
    assert client.request_count == 3


def test_a_slow_consumer_never_stalls_concurrent_paging(fake_strava: FakeStrava) -> None:
    # Pages that arrive while the caller holds the previous one (writing it to a store)
    # must count as seen; otherwise the pages after them wait for news forever.
    athlete = fake_strava.add_athlete(activities=make_activities(1_000, athlete_id=0, seed=3))
    client = StravaClient(
        fake_strava.issue_token(athlete.id)["access_token"], api_url=fake_strava.api_url
    )
    got: list[int] = []
    done = threading.Event()

    def consume() -> None:
        for page in client.iter_pages(expected=600):  # the hint vouches for 3 of 5 pages
            time.sleep(0.3)
            got.extend(r["id"] for r in page)
        done.set()

    threading.Thread(target=consume, daemon=True).start()
    assert done.wait(20), f"paging stalled after {len(got)} activities"
    assert sorted(got) == sorted(a["id"] for a in athlete.activities)
