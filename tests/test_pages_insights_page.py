"""AppTest: the Insights page on the demo athlete and on a stored Strava login.

Numbers shown are checked against sums the test makes itself from the session's table
(plain pandas), not against the page's own helpers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from strava_dash.activities import SPORT_GROUPS
from strava_dash.store import SqlStore
from strava_dash.sync import ActivityStore
from strava_dash.ui.state import AthleteSession
from tests.apptest_support import (
    Downloads,
    button,
    log_in,
    new_app,
    oauth_redirect,
    open_demo,
    read_csv,
    strava_env,
    wait_for_sync,
)
from tests.fake_strava import FakeStrava, make_activities

pytestmark = pytest.mark.usefixtures("no_strava_credentials")
PAGE = "pages/insights.py"
SECTIONS = ("fitness", "goals", "gear", "year")


def insights(at: AppTest | None = None, section: str = "fitness") -> AppTest:
    at = at or open_demo()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    at.segmented_control(key="insights_section").set_value(section).run()
    assert not at.exception, at.exception
    return at


def session_of(at: AppTest) -> AthleteSession:
    session = at.session_state["dash_session"]
    assert isinstance(session, AthleteSession)
    return session


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return str(found[0])


def number(text: str) -> float:
    return float(text.split()[0].replace(",", "").replace("−", "-"))


def csv_of(downloads: Downloads, kind: str) -> pd.DataFrame:
    """The CSV of an Insights table by its kind (``strava-<kind>-<athlete>-<day>.csv``)."""
    names = [n for n in downloads.builders if n.startswith(f"strava-{kind}-")]
    assert names, f"no {kind} CSV; have {sorted(downloads.builders)}"
    data = downloads.builders[names[-1]]()
    return read_csv(data if isinstance(data, bytes) else data.encode())


def today() -> pd.Timestamp:
    return pd.Timestamp(datetime.now(UTC).date())


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_renders_the_demo(section: str) -> None:
    at = insights(section=section)
    assert [t.value for t in at.title] == ["Insights"]
    assert not at.error
    assert any("Powered by Strava" in str(c.value) for c in at.caption)
    if section != "goals":  # goals draw a chart per goal, and there is none yet
        assert at.get("plotly_chart"), "no figure drawn"
        assert at.dataframe, "no numbers shown"


def test_fitness_follows_the_ftp_and_its_csv_is_the_model(downloads: Downloads) -> None:
    at = insights()
    before = metric(at, "Fitness (CTL)")
    caption = " ".join(str(c.value) for c in at.caption)
    assert "Load from power for" in caption
    at.number_input(key="insights_ftp").set_value(150).run()
    assert not at.exception
    after = metric(at, "Fitness (CTL)")
    assert after != before  # the demo's power rides weigh more against a lower FTP
    table = csv_of(downloads, "fitness")
    days = pd.to_datetime(table["Day"])
    assert days.iloc[0] == today()  # newest first, up to today
    # Every calendar day is there, gaps included.
    assert len(days) == (days.iloc[0] - days.iloc[-1]).days + 1
    # The CTL recursion worked again from the CSV's daily loads (rounded to 0.1).
    ctl = 0.0
    for load in table["Load"].astype(float).iloc[::-1]:
        ctl += (load - ctl) / 42
    assert ctl == pytest.approx(float(after), abs=0.2)
    assert float(table["CTL"].iloc[0]) == pytest.approx(float(after), abs=0.06)


def test_a_long_table_is_sent_a_page_at_a_time_and_its_csv_holds_every_day(
    downloads: Downloads,
) -> None:
    """55 years of days were 20,000 rows sent on every rerun (closed expander included):
    the table now shows a page, the pager walks it, the CSV keeps every day."""
    from strava_dash.ui.insights_tables import TABLE_PAGE

    at = insights()
    everything = csv_of(downloads, "fitness")
    assert len(everything) > TABLE_PAGE  # the demo's years of days
    grid = next(d for d in at.dataframe if "CTL" in d.value.columns)
    assert len(grid.value) == TABLE_PAGE
    assert list(grid.value["Day"].astype(str)) == list(everything["Day"].iloc[:TABLE_PAGE])
    assert any(
        str(c.value).startswith(f"Rows 1–{TABLE_PAGE:,} of {len(everything):,}") for c in at.caption
    )
    button(at, "Next").click().run()
    grid = next(d for d in at.dataframe if "CTL" in d.value.columns)
    second = everything["Day"].iloc[TABLE_PAGE : 2 * TABLE_PAGE]
    assert list(grid.value["Day"].astype(str)) == list(second)
    assert len(csv_of(downloads, "fitness")) == len(everything)


def _add_goal(at: AppTest, *, measure: str, sport: str, period: str, target: float) -> None:
    at.selectbox(key="insights_goal_measure").set_value(measure)
    at.selectbox(key="insights_goal_sport").set_value(sport)
    at.selectbox(key="insights_goal_period").set_value(period)
    at.number_input(key="insights_goal_target").set_value(target)
    button(at, "Add goal").click().run()
    assert not at.exception, at.exception


def _this_month_rides_km(at: AppTest) -> float:
    frame = session_of(at).frame()
    rides = frame[frame["sport_type"].map(SPORT_GROUPS).eq("Ride")]
    day = pd.to_datetime(rides["local_date"])
    month = (day >= today().replace(day=1)) & (day <= today())
    return float(rides.loc[month, "distance"].fillna(0).sum()) / 1000


def test_a_goal_shows_progress_counted_independently(downloads: Downloads) -> None:
    at = insights(section="goals")
    _add_goal(at, measure="distance", sport="All rides", period="month", target=800)
    expected = _this_month_rides_km(at)
    assert number(metric(at, "Done")) == pytest.approx(expected, abs=0.05)
    days_in_month = (today() + pd.offsets.MonthEnd(0)).day
    left = days_in_month - today().day
    needed = metric(at, "Needed per remaining week")
    if left and expected < 800:
        assert number(needed) == pytest.approx((800 - expected) / left * 7, abs=0.05)
    projected = expected / today().day * days_in_month
    assert number(metric(at, "On current pace")) == pytest.approx(projected, abs=0.05)
    table = csv_of(downloads, "goals")
    assert float(table["Done"].iloc[0]) == pytest.approx(expected, abs=0.01)
    # The units switch shows the same goal in miles.
    at.sidebar.segmented_control(key="units").set_value("imperial").run()
    assert number(metric(at, "Done")) == pytest.approx(expected / 1.609344, abs=0.05)


def test_goals_file_round_trip_and_bad_files(downloads: Downloads) -> None:
    at = insights(section="goals")
    _add_goal(at, measure="count", sport="All runs", period="week", target=4)
    _add_goal(at, measure="elevation", sport="All sports", period="year", target=50_000)
    document = json.loads(downloads.bytes_of(".json"))
    assert [g["measure"] for g in document["goals"]] == ["count", "elevation"]
    assert document["goals"][1]["target"] == 50_000.0  # metres, whatever the units

    other = insights(section="goals")  # a new demo session: no goals
    assert not [m for m in other.metric if m.label == "Done"]
    other.file_uploader(key="insights_goals_upload").set_value(
        ("goals.json", b"{not json", "application/json")
    ).run()
    assert any("not valid JSON" in str(e.value) for e in other.error)
    assert not other.exception
    good = json.dumps(document).encode()
    other.file_uploader(key="insights_goals_upload").set_value(
        ("goals2.json", good, "application/json")
    ).run()
    assert not other.error
    assert len([m for m in other.metric if m.label == "Done"]) == 2


def test_gear_totals_match_the_table_and_retired_gear_is_apart() -> None:
    at = insights(section="gear")
    session = session_of(at)
    frame = session.frame()
    # In use, then Retired (the "As a table" copy has a Retired column).
    tables = [
        d.value for d in at.dataframe if "Gear" in d.value.columns and "Retired" not in d.value
    ]
    assert [h.value for h in at.subheader][:2] == ["In use", "Retired"]
    assert len(tables) == 2, "the demo athlete retired gear: it belongs in its own table"
    active, retired = tables
    names = session.gear_names
    by_gear = frame.groupby("gear_id")["distance"].sum() / 1000
    for gear_id, km in by_gear.items():
        name = names.get(str(gear_id), str(gear_id))
        rows = pd.concat([active, retired])
        row = rows[rows["Gear"] == name]
        assert float(row["Distance (km)"].iloc[0]) == pytest.approx(km, abs=0.06), name
    assert set(retired["Gear"]) == {
        g["name"] for g in session.athlete["bikes"] + session.athlete["shoes"] if g["retired"]
    }
    assert set(retired["Gear"]).isdisjoint(set(active["Gear"]))


def test_a_service_interval_says_when_it_is_due() -> None:
    at = insights(section="gear")
    frame = session_of(at).frame()
    gear_id = frame["gear_id"].dropna().iloc[0]
    total = float(frame.loc[frame["gear_id"] == gear_id, "distance"].sum()) / 1000
    at.selectbox(key="insights_service_gear").set_value(gear_id)
    at.number_input(key="insights_service_every").set_value(3000.0)
    button(at, "Set interval").click().run()
    assert not at.exception
    due = 3000 - total % 3000
    text = " ".join(str(m.value) for m in at.markdown)
    assert f"due in {due:,.0f} km" in text


def test_the_year_ahead_follows_the_sidebar_filters() -> None:
    at = insights(section="year")
    label = f"{today().year} to {today():%d %b}"
    frame = session_of(at).frame()
    this_year = pd.to_datetime(frame["local_date"]).dt.year == today().year
    everything = float(frame.loc[this_year, "distance"].fillna(0).sum()) / 1000
    assert number(metric(at, label)) == pytest.approx(everything, abs=0.05)
    at.sidebar.multiselect(key="sport").set_value(["Run"]).run()
    runs = this_year & frame["sport_type"].eq("Run")
    only_runs = float(frame.loc[runs, "distance"].fillna(0).sum()) / 1000
    assert number(metric(at, label)) == pytest.approx(only_runs, abs=0.05)
    assert only_runs < everything


def test_a_yearly_goal_draws_its_line_on_the_year_ahead() -> None:
    at = insights(section="goals")
    _add_goal(at, measure="distance", sport="All sports", period="year", target=9000)
    at.segmented_control(key="insights_section").set_value("year").run()
    names = [
        t.get("name") for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]
    ]
    assert any(str(n).startswith("Goal: ") for n in names), names


def test_goals_are_stored_and_deleted_with_the_athlete(
    monkeypatch: pytest.MonkeyPatch, fake_strava: FakeStrava, isolated_store: str
) -> None:
    athlete = fake_strava.add_athlete(activities=make_activities(60, athlete_id=0, seed=4))
    used = sorted({str(a["gear_id"]) for a in athlete.activities if a.get("gear_id")})
    athlete.gear[used[0]]["retired"] = True  # Strava's gear answer says so
    strava_env(monkeypatch, fake_strava)
    at = new_app()
    at = log_in(at, oauth_redirect(fake_strava, at))
    assert wait_for_sync(at).ok
    gear = insights(at, section="gear")
    tables = [d.value for d in gear.dataframe if "Gear" in d.value and "Retired" not in d.value]
    assert len(tables) == 2, "the retired gear has its own table"
    assert list(tables[1]["Gear"]) == [athlete.gear[used[0]]["name"]]
    at = insights(at, section="goals")
    _add_goal(at, measure="moving_time", sport="All sports", period="year", target=100)
    at = insights(at, section="gear")
    at.selectbox(key="insights_service_gear").set_value(used[1])
    at.number_input(key="insights_service_every").set_value(800.0)
    button(at, "Set interval").click().run()
    store = SqlStore.open(isolated_store)
    try:
        kept = json.loads(store.goals(athlete.id) or "{}")
        assert kept["goals"][0]["target"] == 100 * 3600.0
        assert kept["service_intervals"] == [
            {"gear_id": used[1], "every_m": 800_000.0, "since": None}
        ]

        again = new_app()  # another visit: the goal comes back from the store
        again = log_in(again, oauth_redirect(fake_strava, again))
        again = insights(again, section="goals")
        assert len([m for m in again.metric if m.label == "Done"]) == 1
        again = insights(again, section="gear")
        assert "every 800 km" in " ".join(str(m.value) for m in again.markdown)

        again.button(key="disconnect_delete").click().run()
        assert store.goals(athlete.id) is None
        assert store.row_counts(athlete.id)["goals"] == 0
    finally:
        store.dispose()


def test_odd_data_never_crashes_a_section(downloads: Downloads) -> None:
    at = open_demo()
    session = session_of(at)
    odd = [
        {
            "id": 1,
            "name": '=HYPERLINK("x") 🚴',
            "sport_type": "Ride",
            "manual": True,
            "start_date": "2026-01-05T07:00:00Z",
            "start_date_local": "2026-01-05T08:00:00Z",
            "moving_time": 3600,
            "gear_id": "=b1",
            # Sensor glitches: defaults beyond what the inputs accept must be clamped.
            "max_heartrate": 320.0,
            "weighted_average_watts": 4000.0,
        },
        {"id": 2, "name": "", "start_date": None},
        {
            "id": 3,
            "sport_type": "Kitesurf",
            "start_date": "2026-02-01T07:00:00Z",
            "start_date_local": "2026-02-01T08:00:00Z",
            "distance": None,
            "gear_id": None,
        },
    ]
    with session.store.lock:
        session.store.records.clear()
    session.store.merge(odd)
    session.gear_names["=b1"] = "=SUM(A1) 🚲"
    for section in SECTIONS:
        insights(at, section=section)
    gear = insights(at, section="gear")
    assert "=SUM(A1) 🚲" in set(gear.dataframe[0].value["Gear"])
    # The CSV of each activity's load: a name a spreadsheet would run is defused.
    insights(at, section="fitness")
    loads = csv_of(downloads, "loads").set_index("Strava id")
    assert loads.loc["1", "Activity"] == '\'=HYPERLINK("x") 🚴'
    assert loads.loc["1", "From"] == "power"  # 4,000 W over the clamped 2,000 W FTP
    assert loads.loc["3", "From"] == "estimate"
    assert "2" not in loads.index  # no start, no day: no load


def test_an_archive_session_names_gear_by_its_name() -> None:
    from tests.test_pages_archive import archive_bytes, upload

    at = upload(new_app(), archive_bytes())
    for section in SECTIONS:
        insights(at, section=section)
    gear = insights(at, section="gear")
    active = gear.dataframe[0].value.set_index("Gear")
    # Two 1.26 km rides on the bike, one run in the shoes (1255.8 m each).
    assert active.loc["Canyon Endurace", "Activities"] == 2
    assert active.loc["Canyon Endurace", "Distance (km)"] == pytest.approx(2.5, abs=0.06)
    assert active.loc["Pegasus 40", "Activities"] == 1
    fitness = insights(at, section="fitness")
    caption = " ".join(str(c.value) for c in fitness.caption)
    # The export's rows carry no power or heart rate here: every load is the estimate.
    assert "from power for 0 activities, from heart rate for 0, estimated for 5" in caption


def test_an_account_without_activities_is_friendly() -> None:
    at = open_demo()
    session = session_of(at)
    session.store = ActivityStore(athlete_id=session.athlete_id, complete=True)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("no activities yet" in str(i.value) for i in at.info)
