"""The Insights page's reruns with 10,000 activities, through AppTest (server time only).

``python -m benchmarks.insights [n] [runs]``: the demo athlete's store is swapped for
``n`` activities in the API's shape, three goals are set, then each section is timed
over reruns that follow a change of the name filter (a new query each time, so every
run really filters), as ``benchmarks.ui`` times Activities and Charts. The Activities
page is timed in the same process between the sections, as a yardstick: on a busy shared
machine every number grows, and the ratio says more than the absolute time.
"""

from __future__ import annotations

import statistics
import sys

from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

from benchmarks.ui import query_reruns
from strava_dash.insights.goals import Goal, new_id
from strava_dash.ui.insights_plans import GOALS
from tests.apptest_support import open_demo
from tests.fake_strava import make_activities

SECTIONS = ("fitness", "goals", "gear", "year")
TARGET_S = 0.3


def _reruns(at: AppTest, section: str, runs: int) -> list[float]:
    at.segmented_control(key="insights_section").set_value(section).run()
    return query_reruns(at, runs, section)


def _activities(at: AppTest, runs: int) -> list[float]:
    at.switch_page("pages/activities.py").run()
    times = query_reruns(at, runs, "pages/activities.py")
    at.switch_page("pages/insights.py").run()
    return times


def run(n: int = 10_000, runs: int = 10) -> dict[str, list[float]]:
    streamlit_logger.set_log_level("error")
    at = open_demo()
    session = at.session_state["dash_session"]
    with session.store.lock:
        session.store.records.clear()
    session.store.merge(make_activities(n, athlete_id=session.athlete_id or 0, seed=3))
    at.switch_page("pages/insights.py").run()
    at.session_state[GOALS] = (
        f"{session.source}:{session.athlete_id}",
        [
            Goal("distance", 5e6, "year", sport="All rides", id=new_id()),
            Goal("count", 4, "week", sport="All runs", id=new_id()),
            Goal("moving_time", 30 * 3600, "month", id=new_id()),
        ],
        {},
    )
    results: dict[str, list[float]] = {"activities (yardstick)": []}
    for section in SECTIONS:
        results["activities (yardstick)"] += _activities(at, max(runs // 4, 2))
        results[section] = _reruns(at, section, runs)
    return results


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    results = run(n, runs)
    print(f"Insights reruns with {n:,} activities (AppTest, server time, {runs} runs)")
    for section, times in results.items():
        median = statistics.median(times)
        verdict = "ok" if median <= TARGET_S else "OVER"
        print(
            f"  {section:22s} median {median * 1000:6.0f} ms  min {min(times) * 1000:6.0f} ms  "
            f"max {max(times) * 1000:6.0f} ms  ≤ {TARGET_S * 1000:.0f} ms: {verdict}"
        )


if __name__ == "__main__":
    main()
