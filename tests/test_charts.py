"""Figure builders of strava_dash.charts on small hand-made activity frames."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from strava_dash import charts, selection_events
from strava_dash.activities import FOOT_SPORTS, SPORT_GROUPS, to_frame
from strava_dash.charts.distribution import pace_clock
from strava_dash.charts.style import pace_ticks
from strava_dash.units import M_PER_FT, M_PER_MI
from tests.chart_frames import TODAY, activity_frame

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# A small activity frame in the schema's dtypes (docs/schema.md), only the columns the figure
# builders, records and maps read. test_records and test_maps import it from here.


def make_frame(rows: list[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows with ``start`` ("YYYY-MM-DD HH:MM", local wall clock) and optional ``id``, ``name``,
    ``sport``, ``distance`` (m), ``moving_time`` (s), ``elevation`` (m), ``utc_offset`` (s),
    ``manual``, ``trainer``, ``polyline``, ``start_lat``/``start_lng``."""
    ids = [int(r.get("id", 1000 + i)) for i, r in enumerate(rows)]
    sport = pd.Series([r.get("sport", "Ride") for r in rows], dtype="string")
    local = pd.Series(pd.to_datetime([r["start"] for r in rows]), dtype="datetime64[ns]")
    offset = pd.Series([float(r.get("utc_offset", 0.0)) for r in rows], dtype="Float64")
    metres = pd.Series([r.get("distance", 10_000.0) for r in rows], dtype="Float64")
    moving = pd.Series([r.get("moving_time", 1800) for r in rows], dtype="Int64")
    climb = pd.Series([r.get("elevation", 100.0) for r in rows], dtype="Float64")
    speed = (metres / moving.astype("Float64")).where(moving > 0)
    is_foot = sport.isin(FOOT_SPORTS).astype("boolean")
    per_metre = (moving.astype("Float64") / metres).where(is_foot & (metres > 0))
    encoded = pd.Series([r.get("polyline") or pd.NA for r in rows], dtype="string")
    start_utc = local - pd.to_timedelta(offset.fillna(0).astype(float), unit="s")
    return pd.DataFrame(
        {
            "id": pd.Series(ids, dtype="int64"),
            "name": pd.Series(
                [r.get("name", f"Activity {n}") for n, r in zip(ids, rows, strict=True)],
                dtype="string",
            ),
            "sport_type": sport,
            "start_date": start_utc.dt.tz_localize("UTC"),
            "start_date_local": local,
            "utc_offset": offset,
            "distance": metres,
            "moving_time": moving,
            "total_elevation_gain": climb,
            "average_speed": speed,
            "trainer": pd.Series([r.get("trainer", False) for r in rows], dtype="boolean"),
            "manual": pd.Series([r.get("manual", False) for r in rows], dtype="boolean"),
            "map_summary_polyline": encoded,
            "start_lat": pd.Series([r.get("start_lat") for r in rows], dtype="Float64"),
            "start_lng": pd.Series([r.get("start_lng") for r in rows], dtype="Float64"),
            "distance_km": metres / 1000,
            "distance_mi": metres / M_PER_MI,
            "elevation_gain_m": climb,
            "elevation_gain_ft": climb / M_PER_FT,
            "average_speed_kmh": speed * 3.6,
            "average_speed_mph": speed * 3600 / M_PER_MI,
            "pace_per_km": pd.to_timedelta((per_metre * 1000).astype(float).round(), unit="s"),
            "pace_per_mi": pd.to_timedelta((per_metre * M_PER_MI).astype(float).round(), unit="s"),
            "local_date": local.dt.normalize(),
            "sport_group": sport.map(SPORT_GROUPS).fillna("Other").astype("string"),
            "is_foot": is_foot,
            "has_gps": encoded.notna().astype("boolean"),
            "strava_url": pd.Series(
                [f"https://www.strava.com/activities/{i}" for i in ids], dtype="string"
            ),
        }
    )


def ride(start: str, km: float = 10.0, **extra: Any) -> dict[str, Any]:
    return {"start": start, "distance": km * 1000, **extra}


EMPTY = make_frame([])


def y(trace: Any) -> np.ndarray[Any, Any]:
    return np.asarray(trace.y, dtype=float)


def xs(trace: Any) -> pd.DatetimeIndex:
    """A line's x positions, explicit or as plotly spreads them from x0 by dx (ms)."""
    if trace.x is not None:
        return pd.DatetimeIndex(pd.to_datetime(trace.x))
    steps = np.arange(len(trace.y)) * pd.Timedelta(milliseconds=trace.dx)
    return pd.DatetimeIndex(pd.Timestamp(trace.x0) + steps)


def annotation_texts(fig: Any) -> list[str]:
    return [a.text for a in fig.layout.annotations]


_FIELD = re.compile(r"%\{(\w+)(?:\[(\d+)\])?(?::([^}|]*)|\|([^}]*))?\}")


def rendered(template: str, point: Mapping[str, Any]) -> str:
    """A hovertemplate as plotly.js fills it in for one point, ``<extra>`` left out.

    ``point`` maps a variable (``z``, ``text``, ``customdata``…) to its value. Number formats
    are d3's, in the subset the charts use, which reads the same in Python (",.1f", "02d",
    ",d"); a date format ("|%d %b %Y") is applied to an ISO date string. Checked against
    plotly.js in Chromium (hover texts read from the page) when the templates were written.
    """

    def fill(match: re.Match[str]) -> str:
        name, index, number, moment = match.groups()
        value = point[name]
        if index is not None:
            value = value[int(index)]
        if moment is not None:
            return pd.Timestamp(str(value)).strftime(moment)
        if number:
            if number.endswith("d"):
                value = round(float(value))
            return format(value, number)
        return str(value)

    return _FIELD.sub(fill, re.sub(r"<extra>.*</extra>", "", template))


# ---------------------------------------------------------------------------------------------
# Empty state: every builder, the same convention.


@pytest.mark.parametrize(
    "build",
    [
        lambda df: charts.volume_figure(df, period="week", measure="distance", units="metric"),
        lambda df: charts.year_over_year_figure(df, measure="distance", units="metric"),
        lambda df: charts.calendar_heatmap_figure(df, measure="count", units="metric"),
        charts.weekday_hour_figure,
        lambda df: charts.speed_scatter_figure(df, units="imperial"),
        lambda df: charts.distance_histogram_figure(df, units="metric"),
    ],
)
def test_every_builder_returns_the_empty_state_for_no_rows(build: Any) -> None:
    fig = build(EMPTY)
    assert charts.is_empty(fig)
    assert len(fig.data) == 0
    assert annotation_texts(fig) == [charts.EMPTY_MESSAGE]


def test_empty_state_of_the_real_empty_table() -> None:
    from strava_dash.activities import empty_frame

    fig = charts.volume_figure(empty_frame(), period="month", measure="count", units="metric")
    assert charts.is_empty(fig)


def test_streams_without_data_are_the_empty_state() -> None:
    for streams in ({}, {"heartrate": {"data": []}}, {"distance": {"data": [None, None]}}):
        fig = charts.activity_streams_figure(
            streams, x="distance", units="metric", sport_type="Run"
        )
        assert charts.is_empty(fig)


# ---------------------------------------------------------------------------------------------
# Volume over time


VOLUME = make_frame(
    [
        ride("2024-03-04 08:00", 10),  # Monday
        ride("2024-03-06 18:00", 20),
        {"start": "2024-03-05 07:00", "sport": "Run", "distance": 5000, "moving_time": 1500},
        ride("2024-03-20 09:00", 30),  # two weeks on; the week of 11 March is empty
    ]
)


def test_weekly_volume_sums_per_sport_with_empty_weeks_as_zero() -> None:
    fig = charts.volume_figure(VOLUME, period="week", measure="distance", units="metric", rolling=2)
    assert [t.name for t in fig.data] == ["Ride", "Run", "2-week average"]
    assert [t.type for t in fig.data] == ["bar", "bar", "scatter"]
    assert list(xs(fig.data[0])) == [
        pd.Timestamp("2024-03-04"),
        pd.Timestamp("2024-03-11"),
        pd.Timestamp("2024-03-18"),
    ]
    np.testing.assert_allclose(y(fig.data[0]), [30, 0, 30])
    np.testing.assert_allclose(y(fig.data[1]), [5, 0, 0])
    np.testing.assert_allclose(y(fig.data[2]), [35, 17.5, 15])
    assert fig.layout.barmode == "stack"
    assert fig.layout.yaxis.title.text == "Distance (km)"


def test_volume_in_imperial_units_and_other_measures() -> None:
    miles = charts.volume_figure(VOLUME, period="month", measure="distance", units="imperial")
    assert miles.layout.yaxis.title.text == "Distance (mi)"
    np.testing.assert_allclose(y(miles.data[0]), [60_000 / M_PER_MI])

    hours = charts.volume_figure(VOLUME, period="year", measure="moving_time", units="metric")
    assert hours.layout.yaxis.title.text == "Moving time (h)"
    np.testing.assert_allclose(y(hours.data[0]), [3 * 1800 / 3600])
    assert volume_hover(hours.data[0], 0) == "2024<br>Ride: 1:30 h"  # durations as h:mm

    feet = charts.volume_figure(VOLUME, period="year", measure="elevation", units="imperial")
    assert feet.layout.yaxis.title.text == "Elevation gain (ft)"
    np.testing.assert_allclose(y(feet.data[0]), [300 / M_PER_FT])

    count = charts.volume_figure(VOLUME, period="week", measure="count", units="metric")
    assert count.layout.yaxis.title.text == "Activities"
    np.testing.assert_allclose(y(count.data[0]), [2, 0, 1])


def volume_hover(trace: Any, index: int) -> str:
    """The hover of a volume bar (or the average line's point) as plotly.js writes it."""
    point = {"x": f"{xs(trace)[index]:%Y-%m-%d}", "y": float(trace.y[index])}
    if trace.customdata is not None:
        point["customdata"] = np.asarray(trace.customdata)[index].tolist()
    return rendered(trace.hovertemplate, point)


def test_volume_hover_names_the_period_sport_and_value_with_units() -> None:
    weeks = charts.volume_figure(VOLUME, period="week", measure="distance", rolling=2)
    rides, runs, line = weeks.data
    assert volume_hover(rides, 0) == "Week of Mon 04 Mar 2024<br>Ride: 30.0 km"
    assert volume_hover(runs, 1) == "Week of Mon 11 Mar 2024<br>Run: 0.0 km"
    assert volume_hover(line, 1) == "Week of Mon 11 Mar 2024<br>2-week average: 17.5 km"
    months = charts.volume_figure(VOLUME, period="month", measure="elevation", units="imperial")
    assert volume_hover(months.data[0], 0) == "March 2024<br>Ride: 984 ft"
    count = charts.volume_figure(VOLUME, period="week", measure="count", rolling=1)
    assert volume_hover(count.data[0], 2) == "Week of Mon 18 Mar 2024<br>Activities, Ride: 1"
    time = charts.volume_figure(VOLUME, period="week", measure="moving_time", rolling=2)
    assert volume_hover(time.data[1], 0) == "Week of Mon 04 Mar 2024<br>Run: 0:25 h"
    assert volume_hover(time.data[2], 0) == "Week of Mon 04 Mar 2024<br>2-week average: 1:25 h"
    # A sport's name is escaped in the template like any other user-visible text.
    odd = make_frame([ride("2024-03-04 08:00", sport="<Ride&Co>")])
    trace = charts.volume_figure(odd, period="year", measure="distance").data[0]
    assert volume_hover(trace, 0) == "2024<br>&lt;Ride&amp;Co&gt;: 10.0 km"
    assert trace.name == trace.legendgroup == "<Ride&Co>"


@pytest.mark.parametrize("years", [12, 55])
def test_volume_sends_no_string_per_bar_and_stays_small_at_20k(years: int) -> None:
    """55 years of weeks were 2.5 MB of hover strings: now typed arrays and templates."""
    df = activity_frame(20_000, years)
    for period in ("week", "month", "year"):
        for measure in ("distance", "moving_time", "count"):
            fig = charts.volume_figure(df, period=period, measure=measure, rolling=3)
            sent = json.loads(fig.to_json())
            assert len(fig.to_json()) <= 400_000, (period, measure)
            for trace in sent["data"]:
                assert "hovertext" not in trace
                assert trace["y"]["dtype"] == "f4"
                if period == "week":
                    assert "x" not in trace
                    assert trace["dx"] == 7 * 24 * 3600 * 1000
                if measure == "moving_time" and trace.get("hoverinfo") != "skip":
                    assert trace["customdata"]["dtype"] == "u2"


def test_volume_past_max_bars_draws_each_sport_as_one_stepped_area() -> None:
    """Past MAX_BARS periods (55 years of weeks: 20,000 bars, seconds for plotly.js to draw
    as a path each) a sport is one stacked area holding each value across its period, with
    the same numbers, legend group and x as the bars."""
    from strava_dash.charts.volume import MAX_BARS, drawn_as_areas

    df = activity_frame(3_000, 12)
    weeks = charts.volume_figure(df, period="week", measure="distance", rolling=3)
    months = charts.volume_figure(df, period="month", measure="distance", rolling=3)
    assert len(weeks.data[0].y) > MAX_BARS >= len(months.data[0].y)
    assert drawn_as_areas(weeks)
    assert not drawn_as_areas(months)
    assert weeks.layout.hovermode == months.layout.hovermode == "closest"
    area, bar = weeks.data[0], months.data[0]
    assert (area.type, area.mode, area.stackgroup, area.line.shape) == (
        "scatter",
        "lines",
        "volume",
        "hvh",
    )
    assert area.fillcolor == charts.sport_colour(area.name) == bar.marker.color
    assert area.legendgroup == area.name == bar.name
    assert area.hoverinfo == "skip"  # its handle hovers
    assert (area.xperiod, area.xperiodalignment) == (7 * 24 * 3600 * 1000, "middle")
    table = charts.volume_table(df, period="week", measure="distance", units="metric")
    np.testing.assert_allclose(y(area), table[area.name].to_numpy(), rtol=1e-6)
    assert list(xs(area)) == list(table.index)
    assert [t.type for t in months.data] == ["bar"] * (len(months.data) - 1) + ["scatter"]


def test_volume_areas_have_handles_that_hover_and_select_like_bars() -> None:
    """plotly.js selects points and never a lines-only trace: without handles a click or
    a box over the areas selected nothing. One invisible WebGL marker per sport and period
    sits in the middle of its segment, with the bar's legend group, x and hover text."""
    df = activity_frame(3_000, 12)
    table = charts.volume_table(df, period="week", measure="distance", units="metric")
    fig = charts.volume_figure(df, period="week", measure="distance", rolling=3)
    sports = list(table.columns)
    areas = fig.data[: len(sports)]
    handles = fig.data[len(sports) : 2 * len(sports)]
    assert [t.name for t in areas] == [t.name for t in handles] == sports
    assert fig.data[-1].name == "3-week average"
    below = np.zeros(len(table))
    for sport, handle in zip(sports, handles, strict=True):
        assert (handle.type, handle.mode, handle.marker.opacity) == ("scattergl", "markers", 0)
        assert handle.legendgroup == sport
        assert handle.showlegend is False
        assert list(xs(handle)) == list(table.index)
        values = table[sport].to_numpy()
        expected = np.where(values > 0, below + values / 2, np.nan)
        np.testing.assert_allclose(y(handle), expected, rtol=1e-5)
        below += values
        # The hover reads the sport's own value (customdata), not the handle's height.
        busiest = int(np.argmax(values))
        point = {"x": table.index[busiest].isoformat(), "customdata": handle.customdata[busiest]}
        week = table.index[busiest].strftime("Week of %a %d %b %Y")
        assert (
            rendered(handle.hovertemplate, point) == f"{week}<br>{sport}: {values[busiest]:,.1f} km"
        )
    # The selection event of a point on a handle names the same cell a bar click would.
    first = handles[0]
    busiest = int(np.argmax(table[first.name].to_numpy()))
    event = {"points": [{"x": table.index[busiest].isoformat(), "legendgroup": first.name}]}
    picked = selection_events.volume(event, "week")
    assert picked is not None
    assert picked.cells == frozenset({(table.index[busiest].date(), first.name)})


def test_volume_handles_show_moving_time_as_hours_and_minutes() -> None:
    df = activity_frame(3_000, 12)
    fig = charts.volume_figure(df, period="week", measure="moving_time", rolling=1)
    handle = next(t for t in fig.data if t.type == "scattergl")
    hours, minutes = handle.customdata[int(np.nanargmax(np.asarray(handle.y)))]
    point = {"x": "2020-01-06", "customdata": [hours, minutes]}
    assert rendered(handle.hovertemplate, point).endswith(f": {hours}:{minutes:02d} h")


def test_rolling_below_two_draws_no_average_line() -> None:
    fig = charts.volume_figure(VOLUME, period="week", measure="distance", units="metric", rolling=1)
    assert [t.type for t in fig.data] == ["bar", "bar"]


def test_bars_use_the_shared_sport_colours() -> None:
    fig = charts.volume_figure(VOLUME, period="week", measure="distance", units="metric")
    assert fig.data[0].marker.color == charts.sport_colour("Ride") == charts.SPORT_COLOURS["Ride"]
    assert fig.data[1].marker.color == charts.sport_colour("Run")
    # A sport Strava adds later still gets a colour: from the fallback palette, not one
    # of a known sport, and the same in every server process (not Python's salted hash).
    colour = charts.sport_colour("Quidditch")
    assert re.fullmatch(r"#[0-9A-F]{6}", colour)
    assert colour not in charts.SPORT_COLOURS.values()
    assert {in_fresh_process("Quidditch", seed) for seed in ("1", "2")} == {colour}
    others = {charts.sport_colour(s) for s in ("Quidditch", "Sepaktakraw", "Underwater Hockey")}
    assert len(others) > 1  # names spread over the palette


def in_fresh_process(sport: str, hash_seed: str) -> str:
    code = f"from strava_dash import charts; print(charts.sport_colour({sport!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    return done.stdout.strip()


def test_volume_table_orders_sports_by_total() -> None:
    table = charts.volume_table(VOLUME, period="month", measure="distance", units="metric")
    assert list(table.columns) == ["Ride", "Run"]
    assert table.loc[pd.Timestamp("2024-03-01"), "Ride"] == pytest.approx(60)


# ---------------------------------------------------------------------------------------------
# Year over year


YEARS = make_frame(
    [
        ride("2023-01-10 08:00", 100),
        ride("2023-03-01 08:00", 50),  # a common year: 1 March must line up with leap years'
        ride("2023-12-30 08:00", 10),
        ride("2024-02-29 08:00", 40),
        ride("2024-03-01 08:00", 80),
        ride("2025-01-05 08:00", 120),
        ride("2025-03-01 08:00", 100),
    ]
)


def test_year_over_year_lines_newest_first_current_highlighted() -> None:
    fig = charts.year_over_year_figure(
        YEARS, measure="distance", units="metric", today=date(2025, 3, 1)
    )
    assert [t.name for t in fig.data] == ["2025", "2024", "2023"]
    current, last, older = fig.data
    assert current.line.width > last.line.width > older.line.width
    # This year stops at today; past years run to 31 December.
    assert xs(current)[-1] == pd.Timestamp("2000-03-01")
    assert xs(last)[-1] == pd.Timestamp("2000-12-31")
    assert y(current)[-1] == pytest.approx(220)
    assert y(last)[-1] == pytest.approx(120)
    assert y(older)[-1] == pytest.approx(160)
    assert fig.layout.hovermode == "x unified"
    assert fig.layout.yaxis.title.text == "Cumulative distance (km)"


def test_year_over_year_puts_the_same_calendar_day_at_the_same_x() -> None:
    fig = charts.year_over_year_figure(
        YEARS, measure="distance", units="metric", today=date(2025, 3, 1)
    )
    by_name = {t.name: t for t in fig.data}
    # The value on 1 March includes that day's ride, in common and leap years alike.
    for name, on_first_of_march in (("2023", 150), ("2024", 120)):
        at = int(np.flatnonzero(xs(by_name[name]) == pd.Timestamp("2000-03-01"))[0])
        assert y(by_name[name])[at] == pytest.approx(on_first_of_march)
    # 29 February has a value only in 2024; 2023's line bridges from 28 February to 1 March.
    feb_29 = {
        n: int(np.flatnonzero(xs(t) == pd.Timestamp("2000-02-29"))[0]) for n, t in by_name.items()
    }
    assert y(by_name["2024"])[feb_29["2024"]] == pytest.approx(40)
    assert np.isnan(y(by_name["2023"])[feb_29["2023"]])
    assert by_name["2023"].connectgaps


def test_year_over_year_hover_names_the_year_and_its_total_per_line() -> None:
    fig = charts.year_over_year_figure(
        YEARS, measure="elevation", units="imperial", today=date(2025, 3, 1)
    )
    assert [t.hovertemplate for t in fig.data] == [
        f"{year}: %{{y:,.0f}} ft<extra></extra>" for year in (2025, 2024, 2023)
    ]
    assert fig.layout.xaxis.hoverformat == "%d %b"
    # Running totals go out as float32 (4 bytes a day), not a string per day.
    assert '"dtype":"f4"' in fig.to_json().replace(" ", "")


def test_year_over_year_title_says_ahead_or_behind() -> None:
    fig = charts.year_over_year_figure(
        YEARS, measure="distance", units="metric", today=date(2025, 3, 1)
    )
    title = fig.layout.title.text
    # 2025 to 1 March: 220 km; 2024 by 1 March: 120 km.
    assert "2025 to 01 Mar: 220.0 km" in title
    assert "2024 by then: 120.0 km" in title
    assert "100.0 km ahead" in title


def test_year_over_year_without_data_this_year_highlights_the_latest() -> None:
    old = make_frame([ride("2020-05-01 08:00"), ride("2021-05-01 08:00")])
    fig = charts.year_over_year_figure(
        old, measure="count", units="imperial", today=date(2025, 1, 1)
    )
    assert fig.data[0].name == "2021"
    assert fig.data[0].line.width == max(t.line.width for t in fig.data)
    assert fig.layout.yaxis.title.text == "Cumulative activities"


# ---------------------------------------------------------------------------------------------
# Calendar heatmap


def calendar_years(fig: Any) -> list[int]:
    """The year labels over the calendar's blocks, top to bottom."""
    labelled = sorted(fig.layout.annotations, key=lambda a: a.y)
    return [int(re.sub(r"<[^>]+>", "", a.text)) for a in labelled]


def weekday_labels(fig: Any) -> dict[int, str]:
    """Row -> the weekday written left of it (the text trace; blank label rows left out)."""
    (labels,) = [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    return {int(y): t for y, t in zip(labels.y, labels.text, strict=True) if t}


def calendar_cell(fig: Any, day: str) -> tuple[float, str, Any]:
    """What the athlete sees in the cell of ``day``: its value (z), hover and customdata.

    Found as a reader finds it: the block under the year's label, the row whose label reads
    the day's weekday, the column counted in weeks from the one holding 1 January. The
    hover is the trace's template filled in with the cell's z, text and customdata.
    """
    when = pd.Timestamp(day)
    (label,) = [a for a in fig.layout.annotations if str(when.year) in a.text]
    weekdays = weekday_labels(fig)
    (row,) = [r for r in range(int(label.y) + 1, int(label.y) + 8) if weekdays[r] == f"{when:%a}"]
    column = (when.day_of_year - 1 + pd.Timestamp(when.year, 1, 1).weekday()) // 7
    trace = fig.data[0]
    value = float(np.asarray(trace.z, dtype=float)[row, column])
    custom = np.asarray(trace.customdata)[row, column]
    point = {"z": value, "text": trace.text[row][column], "customdata": custom.tolist()}
    return value, rendered(trace.hovertemplate, point), custom


def test_calendar_daily_totals_equal_a_hand_computation() -> None:
    df = make_frame(
        [
            ride("2024-01-01 19:00", 15, name='Evening "recovery" 🚴'),
            ride("2024-01-01 07:00", 10, name="Morning <b>spin</b> & coffee"),
            ride("2024-12-31 08:00", 5),
            # 2025 has nothing: a gap year between the two.
            ride("2026-06-15 08:00", 42, name="Solo"),
        ]
    )
    fig = charts.calendar_heatmap_figure(df, measure="distance", units="metric")
    assert [t.type for t in fig.data] == ["heatmap", "scatter", "scatter"]
    # Years with activities, newest on top, as before; the empty 2025 gets no block.
    assert calendar_years(fig) == [2026, 2024]
    assert calendar_cell(fig, "2024-01-01")[0] == pytest.approx(25)  # two rides add up
    assert calendar_cell(fig, "2024-12-31")[0] == pytest.approx(5)
    assert calendar_cell(fig, "2026-06-15")[0] == pytest.approx(42)
    assert calendar_cell(fig, "2024-01-02")[0] == 0
    assert calendar_cell(fig, "2026-12-31")[0] == 0
    z = np.asarray(fig.data[0].z, dtype=float)
    # Every day of both years is a cell (grey when 0), and nothing else is.
    assert np.count_nonzero(~np.isnan(z)) == 366 + 365
    assert np.nansum(z) == pytest.approx(25 + 5 + 42)
    # Hover: the total with its unit, the date, then the names, oldest first.
    _, busy, _ = calendar_cell(fig, "2024-01-01")
    assert busy == (
        "<b>25.0 km</b> on 2024-01-01<br>"
        'Morning &lt;b&gt;spin&lt;/b&gt; &amp; coffee, Evening "recovery" 🚴'
    )
    assert calendar_cell(fig, "2026-06-15")[1] == "<b>42.0 km</b> on 2026-06-15<br>Solo"
    assert calendar_cell(fig, "2026-06-16")[1] == "<b>0.0 km</b> on 2026-06-16<br>"
    assert calendar_cell(fig, "2024-12-31")[1] == "<b>5.0 km</b> on 2024-12-31<br>Activity 1002"
    assert fig.layout.coloraxis.colorbar.title.text == "Distance (km)"


def test_calendar_sends_dates_as_bytes_and_only_names_as_text() -> None:
    """The date is customdata (century, year, month, day: uint8, base64 on the wire) that
    the template writes YYYY-MM-DD; the only string per day is its names ("" when none)."""
    df = make_frame([ride("1999-12-31 08:00", 12.34, name="Last of the century")])
    fig = charts.calendar_heatmap_figure(df, measure="distance", units="metric")
    value, hover, custom = calendar_cell(fig, "1999-12-31")
    assert value == pytest.approx(12.34, rel=1e-6)  # float32 z: the colour and the total
    assert hover == "<b>12.3 km</b> on 1999-12-31<br>Last of the century"
    assert custom.dtype == np.uint8
    assert list(custom) == [19, 99, 12, 31]
    assert calendar_cell(fig, "1999-01-01")[1] == "<b>0.0 km</b> on 1999-01-01<br>"
    texts = {t for row in fig.data[0].text for t in row}
    assert texts == {"", "Last of the century"}
    sent = json.loads(fig.to_json())["data"][0]
    assert sent["customdata"]["dtype"] == "u1"  # numpy arrays travel as base64 bdata
    assert sent["z"]["dtype"] == "f4"


def test_calendar_hover_names_the_first_two_and_counts_the_rest() -> None:
    df = make_frame(
        [ride(f"2024-05-04 {hour:02d}:00", name=f"Lap {hour}") for hour in (18, 6, 12, 9)]
    )
    fig = charts.calendar_heatmap_figure(df, measure="count", units="metric")
    value, hover, _ = calendar_cell(fig, "2024-05-04")
    assert value == 4
    assert hover == "<b>4</b> on 2024-05-04<br>Lap 6, Lap 9<br>and 2 more"


def test_calendar_moving_time_hovers_as_hours_and_minutes() -> None:
    df = make_frame(
        [
            ride("2024-03-02 08:00", moving_time=1800),
            ride("2024-03-02 17:00", moving_time=2730),  # 75.5 min: rounds to 1:16
        ]
    )
    fig = charts.calendar_heatmap_figure(df, measure="moving_time", units="metric")
    value, hover, custom = calendar_cell(fig, "2024-03-02")
    assert value == pytest.approx(4530 / 3600, rel=1e-6)
    assert list(custom) == [20, 24, 3, 2, 1, 16]  # the date, then hours and minutes
    assert hover == "<b>1:16 h</b> on 2024-03-02<br>Activity 1000, Activity 1001"
    assert charts.format_hmm(4530) == "1:16"  # the same as the other charts write it


def test_calendar_is_one_trace_however_many_years() -> None:
    few = charts.calendar_heatmap_figure(activity_frame(2_000, 5), measure="distance")
    many = charts.calendar_heatmap_figure(activity_frame(20_000, 55), measure="distance")
    # One heatmap, then the gutters and the weekday labels: three traces for 5 or 55 years.
    assert [t.type for t in few.data] == [t.type for t in many.data]
    assert [t.type for t in many.data] == ["heatmap", "scatter", "scatter"]
    assert calendar_years(few) == list(range(TODAY.year, TODAY.year - 5, -1))
    assert calendar_years(many) == list(range(TODAY.year, TODAY.year - 55, -1))
    # Rows grow with the years (8 each), columns stay a year's weeks.
    assert np.asarray(many.data[0].z).shape == (55 * 8, 54)


def test_calendar_draws_as_one_image_with_few_layout_labels_at_55_years() -> None:
    """What keeps 55 dense years (20,000 cells) far under a second in the browser.

    No xgap/ygap: plotly.js then paints the heatmap as one image of a pixel per cell
    (with gaps it paints every brick on a plot-sized canvas and PNG-encodes it: ~150 ms
    more at 55 years). No per-row y tick labels: plotly.js lays those out in time growing
    with their square (385 weekday ticks took 1.5-2.5 s); the weekdays are a text trace and
    the years 55 annotations. The gutters are one white line trace; overlays are never
    hovered (so never clicked), the heatmap stays trace 0 for the selection converter.
    """
    fig = charts.calendar_heatmap_figure(activity_frame(20_000, 55), measure="distance")
    heatmap, grid, labels = fig.data
    assert heatmap.type == "heatmap"
    assert (heatmap.xgap, heatmap.ygap, heatmap.zsmooth) == (None, None, None)
    assert (heatmap.x, heatmap.y) == (None, None)  # linear axes: plotly's fast image path
    assert (fig.layout.yaxis.showticklabels, fig.layout.yaxis.tickvals) == (False, None)
    assert len(fig.layout.xaxis.tickvals) == 12
    assert len(fig.layout.annotations) == 55
    assert (grid.mode, grid.line.color, labels.mode) == ("lines", "white", "text")
    assert grid.line.width >= 2
    assert grid.hoverinfo == labels.hoverinfo == "skip"
    # Every weekday row of every block is labelled, and the 55 × 8 rows are walled off.
    weekdays = weekday_labels(fig)
    assert len(weekdays) == 55 * 7
    assert (weekdays[1], weekdays[7], weekdays[8 * 54 + 1]) == ("Mon", "Sun", "Mon")
    walls = {float(y) for y in np.asarray(grid.y, dtype=float) if np.isfinite(y)}
    assert {b * 8 + 0.5 + r for b in range(55) for r in range(8)} <= walls


@pytest.mark.parametrize("years", [12, 55])
def test_calendar_and_year_charts_send_at_most_1_mb_at_20k_activities(years: int) -> None:
    df = activity_frame(20_000, years)
    calendar = charts.calendar_heatmap_figure(df, measure="distance", units="metric")
    race = charts.year_over_year_figure(df, measure="distance", units="metric", today=TODAY)
    assert len(calendar.to_json()) <= 1_000_000
    assert len(race.to_json()) <= 1_000_000
    if years == 12:
        # A long real account: far inside the budget, whatever the calendar is coloured by.
        for measure in ("moving_time", "elevation", "count"):
            shown = charts.calendar_heatmap_figure(df, measure=measure, units="imperial")
            assert len(shown.to_json()) <= 400_000
    else:
        # The densest calendar, with moving time's hours and minutes as customdata too.
        for measure in ("distance", "moving_time", "elevation", "count"):
            shown = charts.calendar_heatmap_figure(df, measure=measure, units="metric")
            assert len(shown.to_json()) <= 800_000


def test_the_browser_benchmarks_densest_account_stays_within_budget() -> None:
    """The fake Strava's 20,000 activities one a day (55 years, names with emoji and
    markup), as ``benchmarks.browser --dense`` syncs them: the heaviest calendar (moving
    time adds h:mm) and the volume with the most bars (weeks) well under 1 MB (main sent
    1.13 MB and 2.57 MB). The weekly volume's budget holds its selection handles too (a
    height and a value per sport and week, float32)."""
    from tests.fake_strava import make_activities

    df = to_frame(make_activities(20_000, athlete_id=134_815))
    for measure in ("distance", "moving_time"):
        calendar = charts.calendar_heatmap_figure(df, measure=measure, units="metric")
        assert len(calendar.to_json()) <= 800_000, measure
        volume = charts.volume_figure(df, period="week", measure=measure, rolling=3)
        assert len(volume.to_json()) <= 450_000, measure


def test_calendar_colour_axis_in_imperial() -> None:
    fig = charts.calendar_heatmap_figure(VOLUME, measure="elevation", units="imperial")
    assert fig.layout.coloraxis.colorbar.title.text == "Elevation gain (ft)"


# ---------------------------------------------------------------------------------------------
# Weekday × hour


def test_weekday_hour_counts_local_start_times() -> None:
    df = make_frame(
        [
            ride("2024-03-04 07:15"),  # Monday 07
            ride("2024-03-11 07:45"),  # Monday 07
            # 23:30 in New York is already Wednesday in UTC: the local Tuesday 23 decides.
            ride("2024-03-05 23:30", utc_offset=-5 * 3600),
        ]
    )
    fig = charts.weekday_hour_figure(df)
    assert len(fig.data) == 1
    z = np.asarray(fig.data[0].z)
    assert z.shape == (7, 24)
    assert z[0, 7] == 2
    assert z[1, 23] == 1
    assert z.sum() == 3
    assert list(fig.data[0].y) == list(charts.WEEKDAYS)
    assert fig.layout.xaxis.title.text == "Hour of day (local time)"


# ---------------------------------------------------------------------------------------------
# Speed / pace scatter and distance histogram


SCATTER = make_frame(
    [
        ride("2024-03-04 08:00", 40, moving_time=5400, name="Tempo <ride>"),
        ride("2024-03-05 08:00", 20, moving_time=2400),
        {"start": "2024-03-06 07:00", "sport": "Run", "distance": 10_000, "moving_time": 3000},
        {"start": "2024-03-07 07:00", "sport": "Walk", "distance": 5000, "moving_time": 3600},
        {
            "start": "2024-03-08 07:00",
            "sport": "WeightTraining",
            "distance": 0,
            "moving_time": 3600,
        },
    ]
)


def test_speed_scatter_has_a_speed_panel_and_a_reversed_pace_panel() -> None:
    fig = charts.speed_scatter_figure(SCATTER, units="metric")
    assert [t.name for t in fig.data] == ["Ride", "Run", "Walk"]  # no distance: no point
    ride_trace, run_trace, walk_trace = fig.data
    np.testing.assert_allclose(ride_trace.x, [40, 20])
    np.testing.assert_allclose(ride_trace.y, [40 / 1.5, 30])  # km/h
    np.testing.assert_allclose(run_trace.y, [300])  # 5:00 per km, in seconds
    np.testing.assert_allclose(walk_trace.y, [720])
    assert fig.layout.yaxis.title.text == "Average speed (km/h)"
    assert fig.layout.yaxis2.title.text == "Pace (min/km)"
    assert fig.layout.yaxis2.autorange == "reversed"
    ticks = dict(zip(fig.layout.yaxis2.tickvals, fig.layout.yaxis2.ticktext, strict=True))
    assert ticks[240] == "4:00"
    assert ticks[600] == "10:00"
    assert fig.layout.xaxis.title.text == fig.layout.xaxis2.title.text == "Distance (km)"
    # Hover: the escaped name, the local day (formatted by plotly), distance and speed/pace.
    assert ride_trace.text[0] == "Tempo &lt;ride&gt;"
    assert ride_trace.hovertext[0] == "2024-03-04"  # shown as "Mon 04 Mar 2024"
    assert ride_trace.hovertemplate == (
        "<b>%{text}</b><br>%{hovertext|%a %d %b %Y}<br>%{x:,.1f} km · %{y:.1f} km/h"
        "<extra>Ride</extra>"
    )
    assert run_trace.customdata.tolist() == [[5, 0]]  # 5:00 per km
    assert walk_trace.customdata.tolist() == [[12, 0]]
    assert run_trace.hovertemplate.endswith(
        "%{x:,.1f} km · %{customdata[0]}:%{customdata[1]:02d} min/km<extra>Run</extra>"
    )


def scatter_hover(trace: Any, index: int) -> str:
    """The hover of one scatter point as plotly.js writes it."""
    point: dict[str, Any] = {
        "text": trace.text[index],
        "hovertext": trace.hovertext[index],
        "x": float(trace.x[index]),
        "y": float(trace.y[index]),
    }
    if trace.customdata is not None:
        point["customdata"] = np.asarray(trace.customdata)[index].tolist()
    return rendered(trace.hovertemplate, point)


def test_speed_scatter_pace_of_an_hour_or_more_reads_h_mm_ss() -> None:
    walks = make_frame(
        [
            {"start": "2024-03-04 07:00", "sport": "Walk", "distance": 5000, "moving_time": 3600},
            # 3,725 s for 1 km: 1 h 2 min 5 s per km, not "62:05".
            {
                "start": "2024-03-05 07:00",
                "sport": "Walk",
                "distance": 1000,
                "moving_time": 3725,
                "name": "Slow walk",
            },
            {"start": "2024-03-06 07:00", "sport": "Walk", "distance": 2000, "moving_time": 7260},
        ]
    )
    fig = charts.speed_scatter_figure(walks, units="metric")
    quick, slow = fig.data
    assert [len(quick.x), len(slow.x)] == [1, 2]
    assert scatter_hover(quick, 0).endswith("5.0 km · 12:00 min/km")
    assert scatter_hover(slow, 0) == (
        "<b>Slow walk</b><br>Tue 05 Mar 2024<br>1.0 km · 1:02:05 min/km"
    )
    assert scatter_hover(slow, 1).endswith("2.0 km · 1:00:30 min/km")
    # One sport, one legend entry: the slow walks hide and show with the others.
    assert quick.name == slow.name == quick.legendgroup == slow.legendgroup == "Walk"
    assert (quick.showlegend, slow.showlegend) == (True, False)
    assert slow.marker.color == quick.marker.color
    assert slow.customdata.dtype == np.uint16


def test_pace_clock_rows() -> None:
    assert pace_clock(np.array([300.0, 3599.4])).tolist() == [
        [5, 0],
        [59, 59],
    ]
    assert pace_clock(np.array([59.6, 3725.0, 36_000.0])).tolist() == [
        [0, 1, 0],
        [1, 2, 5],
        [10, 0, 0],
    ]


def test_speed_scatter_imperial_and_single_panel() -> None:
    rides_only = SCATTER[SCATTER["sport_type"] == "Ride"]
    fig = charts.speed_scatter_figure(rides_only, units="imperial")
    assert len(fig.data) == 2 - 1  # one sport
    assert fig.layout.yaxis.title.text == "Average speed (mph)"
    assert fig.layout.xaxis.title.text == "Distance (mi)"
    assert "yaxis2" not in fig.layout.to_plotly_json()
    runs = charts.speed_scatter_figure(SCATTER[SCATTER["sport_type"] == "Run"], units="imperial")
    assert runs.layout.yaxis.title.text == "Pace (min/mi)"
    np.testing.assert_allclose(runs.data[0].y, [round(3000 / 10_000 * M_PER_MI)])
    assert runs.data[0].customdata.tolist() == [[8, 3]]  # 483 s: 8:03 per mile
    assert "%{x:,.1f} mi · %{customdata[0]}:%{customdata[1]:02d} min/mi" in (
        runs.data[0].hovertemplate
    )
    assert "· %{y:.1f} mph<extra>Ride</extra>" in fig.data[0].hovertemplate


def test_speed_scatter_without_any_speed_is_empty() -> None:
    fig = charts.speed_scatter_figure(
        SCATTER[SCATTER["sport_type"] == "WeightTraining"], units="metric"
    )
    assert charts.is_empty(fig)


@pytest.mark.parametrize("years", [12, 55])
def test_distribution_charts_send_at_most_1_mb_at_20k_activities(years: int) -> None:
    df = activity_frame(20_000, years)
    for units in ("metric", "imperial"):
        scatter = charts.speed_scatter_figure(df, units=units)
        histogram = charts.distance_histogram_figure(df, units=units)
        # Both panels and every sport with a speed; 20,000 points (WeightTraining has a
        # distance here), x and y as float32, no formatted string per point but the name.
        assert sum(len(t.x) for t in scatter.data) == 20_000
        assert all(t.x.dtype == t.y.dtype == np.float32 for t in scatter.data)
        assert len(scatter.to_json()) + len(histogram.to_json()) <= 1_000_000
        assert len(scatter.to_json()) <= 900_000  # 1.48 MB before issue 14
        assert len(histogram.to_json()) <= 50_000


def test_distribution_scatter_hover_keeps_name_date_distance_and_speed() -> None:
    df = activity_frame(2_000, 12)
    df.loc[0, "name"] = '<b>Tom & "Jerry"</b> 🚴'
    fig = charts.speed_scatter_figure(df, units="metric")
    first = df.iloc[0]
    trace = next(t for t in fig.data if t.name == first["sport_type"])
    i = int(np.flatnonzero(np.isclose(trace.x, first["distance_km"], rtol=1e-6))[0])
    assert trace.text[i] == '&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt; 🚴'
    assert trace.hovertext[i] == first["local_date"].strftime("%Y-%m-%d")
    template = trace.hovertemplate
    assert template.startswith("<b>%{text}</b><br>%{hovertext|%a %d %b %Y}<br>%{x:,.1f} km · ")
    if first["is_foot"]:
        seconds = first["pace_per_km"].total_seconds()
        assert list(trace.customdata[i]) == [seconds // 60, seconds % 60]
        assert "%{customdata[0]}:%{customdata[1]:02d} min/km" in template
    else:
        assert trace.y[i] == pytest.approx(first["average_speed_kmh"], rel=1e-6)
        assert "%{y:.1f} km/h" in template
    for t in fig.data:  # sport names in the hover box are escaped too
        assert t.hovertemplate.endswith(f"<extra>{charts.escape_hover(t.name)}</extra>")


def test_distance_histogram_counts_in_shared_round_bins() -> None:
    df = make_frame([ride("2024-03-04 08:00", km) for km in (1, 3, 12, 12.5, 29.9)])
    fig = charts.distance_histogram_figure(df, units="metric")
    assert [t.name for t in fig.data] == ["Ride"]
    assert y(fig.data[0]).sum() == 5
    width = fig.data[0].width
    assert width == 1.0  # 29.9 km / 30 bins -> 1 km bins
    centres = np.asarray(fig.data[0].x)
    assert centres[0] == pytest.approx(0.5)
    assert y(fig.data[0])[12] == 2  # 12 and 12.5 km
    assert fig.layout.xaxis.title.text == "Distance (km)"
    assert fig.layout.yaxis.title.text == "Activities"
    imperial = charts.distance_histogram_figure(SCATTER, units="imperial")
    assert imperial.layout.xaxis.title.text == "Distance (mi)"
    assert sum(y(t).sum() for t in imperial.data) == 4  # the gym session has no distance


# ---------------------------------------------------------------------------------------------
# Activity streams


def streams(**data: list[Any]) -> dict[str, dict[str, Any]]:
    return {key: {"data": values, "series_type": "distance"} for key, values in data.items()}


def test_streams_against_distance_one_panel_per_stream() -> None:
    s = streams(
        distance=[0.0, 1000.0, 2000.0],
        time=[0, 200, 400],
        altitude=[10.0, 20.0, 15.0],
        velocity_smooth=[5.0, 5.0, 5.0],
        heartrate=[120, None, 140],
        watts=[200, 210, 190],
        cadence=[80, 85, 90],
        latlng=[[51.0, 0.0], [51.001, 0.0], [51.002, 0.0]],
    )
    fig = charts.activity_streams_figure(s, x="distance", units="metric", sport_type="Ride")
    assert [t.name for t in fig.data] == ["Elevation", "Speed", "Heart rate", "Power", "Cadence"]
    np.testing.assert_allclose(fig.data[0].x, [0, 1, 2])
    np.testing.assert_allclose(fig.data[1].y, [18, 18, 18])  # 5 m/s = 18 km/h
    assert np.isnan(fig.data[2].y[1])  # a heart-rate dropout is a gap, not zero
    assert fig.layout.yaxis.title.text == "Elevation (m)"
    assert fig.layout.yaxis2.title.text == "Speed (km/h)"
    assert fig.layout.yaxis5.title.text == "Cadence (rpm)"
    assert fig.layout.xaxis5.title.text == "Distance (km)"


def test_streams_of_a_run_show_pace_and_steps_per_minute_in_imperial() -> None:
    s = streams(
        distance=[0.0, 804.672, 1609.344],
        altitude=[0.0, 3.048, 6.096],
        velocity_smooth=[M_PER_MI / 480, M_PER_MI / 480, 0.1],  # 8:00 /mi, then standing
        cadence=[85, 86, 87],
    )
    fig = charts.activity_streams_figure(s, x="distance", units="imperial", sport_type="Run")
    assert [t.name for t in fig.data] == ["Elevation", "Pace", "Cadence"]
    np.testing.assert_allclose(fig.data[0].y, [0, 10, 20])  # feet
    np.testing.assert_allclose(fig.data[0].x, [0, 0.5, 1])  # miles
    np.testing.assert_allclose(fig.data[1].y[:2], [480, 480])
    assert np.isnan(fig.data[1].y[2])  # standing still is no pace
    assert fig.layout.yaxis2.title.text == "Pace (min/mi)"
    assert "8:00" in fig.layout.yaxis2.ticktext
    assert fig.layout.yaxis2.range[0] > fig.layout.yaxis2.range[1]  # reversed: faster is up
    np.testing.assert_allclose(fig.data[2].y, [170, 172, 174])
    assert fig.layout.yaxis3.title.text == "Cadence (spm)"


def test_streams_against_time_and_fallback_without_distance() -> None:
    s = streams(time=[0, 60, 3600], heartrate=[100, 110, 120])
    for x in ("time", "distance"):  # a trainer ride has no distance: time is used
        fig = charts.activity_streams_figure(s, x=x, units="metric", sport_type="VirtualRide")
        assert [t.name for t in fig.data] == ["Heart rate"]
        assert pd.Timestamp(fig.data[0].x[-1]) == pd.Timestamp(0) + pd.Timedelta(hours=1)
        assert fig.layout.xaxis.title.text == "Elapsed time (h:mm)"
        assert fig.layout.xaxis.tickformat == "%H:%M"


# ---------------------------------------------------------------------------------------------
# Formats and escaping


def test_hover_escaping_keeps_text_and_drops_markup() -> None:
    assert (
        charts.escape_hover('<b>Tom & "Jerry"</b> 🚴') == '&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt; 🚴'
    )


def test_duration_formats() -> None:
    assert charts.format_hmm(3725) == "1:02"
    assert charts.format_hmm(36_000) == "10:00"
    assert charts.format_hmm(float("nan")) == ""
    assert charts.format_pace(275) == "4:35"
    assert charts.format_pace(3725) == "1:02:05"
    values, labels = pace_ticks(270, 330)
    assert labels == ["4:30", "4:40", "4:50", "5:00", "5:10", "5:20", "5:30"]
    assert values == [270, 280, 290, 300, 310, 320, 330]
    assert pace_ticks(200, 1400)[1] == ["0:00", "5:00", "10:00", "15:00", "20:00", "25:00"]


# ---------------------------------------------------------------------------------------------
# The real activity table (activities.to_frame) goes through every builder.


def test_builders_accept_the_real_activity_table() -> None:
    records = [
        {
            "id": 1,
            "name": "Commute <3",
            "sport_type": "Ride",
            "start_date": "2024-05-01T07:00:00Z",
            "start_date_local": "2024-05-01T09:00:00Z",
            "utc_offset": 7200,
            "distance": 12_345.0,
            "moving_time": 1800,
            "elapsed_time": 2000,
            "total_elevation_gain": 80.0,
            "average_speed": 6.86,
            "max_speed": 12.0,
            "map": {"id": "a1", "summary_polyline": "_p~iF~ps|U_ulLnnqC_mqNvxq`@"},
        },
        {
            "id": 2,
            "name": "Parkrun",
            "sport_type": "Run",
            "start_date": "2024-05-04T08:00:00Z",
            "start_date_local": "2024-05-04T09:00:00Z",
            "distance": 5000.0,
            "moving_time": 1350,
            "elapsed_time": 1400,
            "average_speed": 3.7,
            "map": {"id": "a2", "summary_polyline": ""},
        },
    ]
    df = to_frame(records)
    for units in ("metric", "imperial"):
        figures = [
            charts.volume_figure(df, period="week", measure="distance", units=units),
            charts.year_over_year_figure(
                df, measure="elevation", units=units, today=date(2024, 6, 1)
            ),
            charts.calendar_heatmap_figure(df, measure="moving_time", units=units),
            charts.weekday_hour_figure(df),
            charts.speed_scatter_figure(df, units=units),
            charts.distance_histogram_figure(df, units=units),
        ]
        assert not any(charts.is_empty(f) for f in figures)
        for fig in figures:
            fig.to_json()  # serialisable as Streamlit will send it


def test_rows_without_a_start_time_are_left_out() -> None:
    df = make_frame([ride("2024-01-01 08:00")])
    df["local_date"] = pd.NaT
    df["start_date_local"] = pd.NaT
    for build in (
        lambda d: charts.volume_figure(d, period="week", measure="distance", units="metric"),
        lambda d: charts.year_over_year_figure(d, measure="distance", units="metric"),
        lambda d: charts.calendar_heatmap_figure(d, measure="distance", units="metric"),
        charts.weekday_hour_figure,
    ):
        assert charts.is_empty(build(df))
