from __future__ import annotations

import re
from datetime import date

import pytest

from strava_dash.selection import (
    CalendarSelection,
    HistogramSelection,
    MapSelection,
    ScatterSelection,
    Selection,
    VolumeSelection,
    WhenSelection,
    YearsSelection,
)
from strava_dash.selection_codec import MAX_VERTICES, canonical, decode, encode

EVERY_KIND: list[Selection] = [
    VolumeSelection(
        "month",
        frozenset({(date(2024, m, 1), s) for m in (6, 7, 8) for s in ("Ride", "Run")}),
    ),
    YearsSelection(152, 243),
    CalendarSelection(frozenset({date(2024, 6, 1), date(2024, 6, 2), date(2024, 9, 9)})),
    WhenSelection(frozenset({(0, 7), (0, 8), (5, 10)})),
    ScatterSelection("pace", "imperial", (3.0, 6.5), (420.0, 540.0)),
    HistogramSelection("metric", ((10.0, 20.0), (40.0, 50.0))),
    MapSelection("routes", (41.9, 42.1), (-2.9, -2.7), ((41.9, -2.9), (42.1, -2.8), (41.95, -2.7))),
]


@pytest.mark.parametrize("selection", EVERY_KIND, ids=lambda s: s.chart)
def test_every_kind_round_trips(selection: Selection) -> None:
    assert decode(encode([selection])) == [selection]


def test_a_list_round_trips_and_is_short() -> None:
    text = encode(EVERY_KIND)
    assert decode(text) == EVERY_KIND
    assert len(text) < 400
    assert "v,m,Ride:" in text


def test_weeks_and_years_round_trip() -> None:
    weeks = VolumeSelection("week", frozenset({(date(2024, 3, 25), "Ride")}))
    years = VolumeSelection("year", frozenset({(date(2019, 1, 1), "Swim")}))
    assert decode(encode([weeks, years])) == [years]  # one per chart: the last wins
    assert decode(encode([weeks])) == [weeks]


def test_numbers_are_rounded_and_lassos_thinned() -> None:
    box = MapSelection("starts", (41.123456789, 42.0), (2.0, 2.987654321))
    assert encode([box]) == "m,s,41.1235,42,2,2.9877"
    ring = tuple((float(i), float(i % 7)) for i in range(500))
    lasso = ScatterSelection("speed", "metric", (0.0, 500.0), (0.0, 7.0), ring)
    restored = canonical(lasso)
    assert isinstance(restored, ScatterSelection)
    assert len(restored.polygon) == MAX_VERTICES
    assert canonical(restored) == restored  # stable: a bookmark restores the same thing


def test_no_ids_in_the_url() -> None:
    # Strava activity ids have 9+ digits; every number written here is a small index,
    # a rounded value or a coordinate.
    text = encode(EVERY_KIND)
    assert re.search(r"\d{6,}", text) is None


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "",
        "~~~",
        "zzz",
        "v,m",
        "v,q,Ride:1",
        "v,m,Ride:abc",
        "v,m,<script>:1",
        "v,y,Ride:99999",
        "y,1",
        "y,5,999",
        "c,0-999999999",
        "c,-5",
        "w,500",
        "s,s,m,nan,1,2,3",
        "s,s,m,1,2,3",
        "s,x,m,1,2,3,4",
        "h,m,1:",
        "m,r,91,92,0,1",
        "m,r,1,2,inf,1",
        "x" * 10_000,
        12,
    ],
)
def test_garbage_is_ignored(garbage: object) -> None:
    assert decode(garbage) == []


def test_a_bad_part_does_not_spoil_the_good_ones() -> None:
    assert decode("y,10,20~c,oops~w,7") == [
        YearsSelection(10, 20),
        WhenSelection(frozenset({(0, 7)})),
    ]


def test_sports_that_cannot_be_written_are_left_out() -> None:
    odd = VolumeSelection(
        "month", frozenset({(date(2024, 6, 1), "Ride"), (date(2024, 6, 1), "a,b")})
    )
    assert decode(encode([odd])) == [
        VolumeSelection("month", frozenset({(date(2024, 6, 1), "Ride")}))
    ]
    assert encode([CalendarSelection(frozenset())]) == ""
