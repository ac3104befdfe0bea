"""Two replicas of the app, one Strava budget: the scenario the test and the benchmark share.

Two ``streamlit run app.py`` processes on two ports share PostgreSQL and (unless told
not to) Redis; a fake Strava in this process allows ``limit`` reads per 15 minutes.
Athlete A connects on replica 1 and athlete B on replica 2 in two browser contexts, at
the same moment, and both pages stay open while their downloads cross several windows.

Time: every process reads one clock file (``DASH_CLOCK_FILE``, see strava_dash/clock.py;
the fake reads it too). When both pages are settled (finished, or paused with the
countdown to the next quarter hour), the scenario moves that clock past the quarter hour
instead of waiting for it, and the pages' own countdowns resume the downloads.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AppServer, strava_env
from tests.browser.ui import open_app, wait_ready
from tests.conftest import FAKE_CLIENT_ID, FAKE_CLIENT_SECRET
from tests.fake_strava import FakeAthlete, FakeStrava, RecordedRequest, make_activities

WINDOW_S = 900
#: Where in a fresh window the clock lands: past the budget's 5 s reset margin, so a
#: countdown started now names the next quarter hour.
INTO_WINDOW_S = 10
LIST_PATH = "/api/v3/athlete/activities"
#: More windows than any run needs: a page that never settles fails instead of looping.
MAX_WINDOWS = 12
SETTLE_TIMEOUT_MS = 120_000
#: Seconds the fake takes per answer: Strava's order of magnitude, so requests of both
#: replicas are in flight together as they would be.
LATENCY_S = 0.1


@dataclass
class Outcome:
    """What one run of the scenario did, as the fake Strava and the database saw it."""

    redis: bool
    activities: int
    limit: int
    wall_s: float = 0.0
    #: API requests per fake window (window index -> count), refused ones included.
    per_window: dict[int, int] = field(default_factory=dict)
    refused: int = 0
    requests: int = 0
    list_requests: int = 0
    #: Windows the downloads spanned (clock jumps + 1).
    windows: int = 0
    #: Per athlete: API requests per fake window (window index -> count).
    by_athlete: dict[int, dict[int, int]] = field(default_factory=dict)
    #: Per athlete: how many times their page counted down to a quarter hour.
    pauses: dict[int, int] = field(default_factory=dict)
    #: Per athlete: (rows stored, distinct ids stored, ids equal to the fake's).
    stored: dict[int, tuple[int, int, bool]] = field(default_factory=dict)
    #: List requests of athlete A's later login on replica 2 (None: not run).
    returning_lists: int | None = None
    returning_others: int | None = None
    #: Paths of those other requests (gear names not fetched on the first visit, ...).
    returning_other_paths: list[str] = field(default_factory=list)
    #: Lines of the replicas' logs that report an error or a traceback (start-up races,
    #: a crashed sync, a store that could not be written).
    log_errors: list[str] = field(default_factory=list)

    @property
    def max_per_window(self) -> int:
        return max(self.per_window.values(), default=0)


@dataclass
class Services:
    """What the replicas share: a database URL and, for the Redis run, a Redis URL."""

    database_url: str
    redis_url: str | None
    tmp: Path


def next_quarter(epoch: float) -> float:
    return (epoch // WINDOW_S + 1) * WINDOW_S


def api_requests(fake: FakeStrava) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.path.startswith("/api/v3/")]


def move_to_next_window(fake: FakeStrava) -> None:
    """The quarter hour passes, for the fake and every replica (one clock file)."""
    now = fake.now()
    fake.advance(next_quarter(now) + INTO_WINDOW_S - now)


def start_replicas(fake: FakeStrava, services: Services, clock_file: Path) -> list[AppServer]:
    """Two ``streamlit run`` processes started at once, so they race the store's start-up."""
    env = strava_env(fake) | {
        "DASH_DATABASE_URL": services.database_url,
        # Empty means unset: the no-Redis run must not inherit a Redis from the caller.
        "DASH_REDIS_URL": services.redis_url or "",
        "DASH_CLOCK_FILE": str(clock_file),
    }
    dirs = [services.tmp / f"replica-{n}" for n in (1, 2)]
    for path in dirs:
        path.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda d: AppServer(env, d), dirs))


def new_page(browser: Browser, app: AppServer) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    open_app(page, app.url)
    return context, page


def log_in_together(pages: list[tuple[Page, FakeAthlete]]) -> None:
    """Both athletes approve on the consent page, then both popups are sent at once."""
    popups = []
    for page, athlete in pages:
        frame = page.frame_locator('iframe[title="streamlit_oauth.authorize_button"]')
        with page.expect_popup() as popup_info:
            frame.get_by_role("button", name="Connect with Strava").click()
        popup = popup_info.value
        popup.wait_for_load_state()
        popup.select_option("select[name=athlete_id]", str(athlete.id))
        popups.append(popup)
    for popup in popups:
        popup.click("#authorize", no_wait_after=True)
    for (page, _), popup in zip(pages, popups, strict=True):
        if not popup.is_closed():
            popup.wait_for_event("close", timeout=30_000)
        expect(page.get_by_text("See your activities")).to_be_visible(timeout=30_000)


def settle(page: Page, athlete: FakeAthlete, fake: FakeStrava) -> bool:
    """Wait until the page has finished (True) or counts down to the next quarter hour.

    A countdown left over from the window before names an earlier quarter hour, so only
    this window's pause (or the end) counts as settled.
    """
    done = page.get_by_text(f"{len(athlete.activities):,} activities from Strava")
    resume = datetime.fromtimestamp(next_quarter(fake.now()), UTC)
    paused = page.get_by_text(f"resumes by itself at {resume:%H:%M} UTC")
    expect(done.or_(paused).first).to_be_visible(timeout=SETTLE_TIMEOUT_MS)
    return done.is_visible()


def token_owner(fake: FakeStrava, request: RecordedRequest) -> int | None:
    bearer = (request.header("Authorization") or "").removeprefix("Bearer ").strip()
    return fake.athlete_of_token(bearer) if bearer else None


def stored_ids(database_url: str, athlete_id: int) -> list[int]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT activity_id FROM activities WHERE athlete_id = :a"),
                {"a": athlete_id},
            )
            return [int(r[0]) for r in rows]
    finally:
        engine.dispose()


def run_replicas(
    browser: Browser,
    services: Services,
    *,
    activities: int = 4_000,
    limit: int = 30,
    returning: bool = True,
    staggered: bool = False,
    latency: float = LATENCY_S,
    on_window: Callable[[int], None] | None = None,
) -> Outcome:
    """The whole scenario on fresh services; returns what it measured (asserts nothing).

    ``staggered``: B logs in only after A has spent the first window (both replicas
    still sync at once afterwards); otherwise both log in at the same moment.
    """
    outcome = Outcome(redis=services.redis_url is not None, activities=activities, limit=limit)
    clock_file = services.tmp / "clock"
    clock_file.write_text("0")
    fake = FakeStrava(FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, latency=latency, clock_file=clock_file)
    fake.start()
    fake.set_rate_limits(read=(limit, 1_000), overall=(2 * limit, 2_000))
    apps: list[AppServer] = []
    contexts: list[BrowserContext] = []
    try:
        a = fake.add_athlete(
            firstname="Ada", activities=make_activities(activities, athlete_id=0, seed=21)
        )
        b = fake.add_athlete(
            firstname="Bo", activities=make_activities(activities, athlete_id=0, seed=22)
        )
        apps = start_replicas(fake, services, clock_file)
        move_to_next_window(fake)  # start at the top of a window: the same run every time
        started = time.perf_counter()
        (ctx_a, page_a), (ctx_b, page_b) = (new_page(browser, app) for app in apps)
        contexts += [ctx_a, ctx_b]
        if staggered:
            # B connects once A has spent the window: B's replica can only know that
            # through a shared budget, so without one its first request is refused.
            log_in_together([(page_a, a)])
            if settle(page_a, a, fake):
                raise AssertionError("A finished inside one window: raise activities")
            log_in_together([(page_b, b)])
        else:
            log_in_together([(page_a, a), (page_b, b)])
        outcome.windows = 1
        outcome.pauses = {a.id: 0, b.id: 0}
        while True:
            done = [settle(page, athlete, fake) for page, athlete in ((page_a, a), (page_b, b))]
            for athlete, finished in zip((a, b), done, strict=True):
                outcome.pauses[athlete.id] += not finished
            if all(done):
                break
            if outcome.windows >= MAX_WINDOWS:
                raise AssertionError(f"not finished after {MAX_WINDOWS} windows")
            if on_window is not None:
                on_window(outcome.windows)
            move_to_next_window(fake)
            outcome.windows += 1
        outcome.wall_s = time.perf_counter() - started
        seen = api_requests(fake)
        outcome.requests = len(seen)
        outcome.list_requests = sum(1 for r in seen if r.path == LIST_PATH)
        outcome.refused = sum(1 for r in seen if r.status == 429)
        outcome.per_window = dict(sorted(Counter(int(r.at // WINDOW_S) for r in seen).items()))
        for athlete in (a, b):
            mine = [r for r in seen if token_owner(fake, r) == athlete.id]
            outcome.by_athlete[athlete.id] = dict(
                sorted(Counter(int(r.at // WINDOW_S) for r in mine).items())
            )
            ids = stored_ids(services.database_url, athlete.id)
            truth = {act["id"] for act in athlete.activities}
            outcome.stored[athlete.id] = (len(ids), len(set(ids)), set(ids) == truth)
        if returning:
            # A comes back later, on the other replica: a fresh window, a fresh browser.
            move_to_next_window(fake)
            fake.clear_requests()
            context, page = new_page(browser, apps[1])
            contexts.append(context)
            frame = page.frame_locator('iframe[title="streamlit_oauth.authorize_button"]')
            with page.expect_popup() as popup_info:
                frame.get_by_role("button", name="Connect with Strava").click()
            popup = popup_info.value
            popup.wait_for_load_state()
            popup.select_option("select[name=athlete_id]", str(a.id))
            popup.click("#authorize")
            expect(page.get_by_text(f"{activities:,} activities from Strava")).to_be_visible(
                timeout=60_000
            )
            wait_ready(page)
            again = api_requests(fake)
            outcome.returning_lists = sum(1 for r in again if r.path == LIST_PATH)
            outcome.returning_others = len(again) - outcome.returning_lists
            outcome.returning_other_paths = [r.path for r in again if r.path != LIST_PATH]
        return outcome
    finally:
        for context in contexts:
            context.close()
        for app in apps:
            app.stop()
            outcome.log_errors += [
                line
                for line in app.log().splitlines()
                if "Traceback" in line or " ERROR " in line or "Exception" in line
            ]
        fake.stop()
