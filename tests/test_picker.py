"""The Activity detail picker's offer: bounded, searchable, and keeping what is shown."""

from __future__ import annotations

import pandas as pd
import pytest

from strava_dash.activities import to_frame
from strava_dash.picker import LIMIT, choices, labels, newest_first
from tests.fake_strava import make_activities


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return to_frame(make_activities(1_000, athlete_id=1, seed=2))


def test_an_empty_search_offers_the_newest_limit(frame: pd.DataFrame) -> None:
    got = choices(frame, "")
    assert got.ids == [int(i) for i in newest_first(frame)["id"].head(LIMIT)]
    assert (got.matched, got.shown) == (1_000, LIMIT)
    assert got.first_match == got.ids[0]


def test_labels_are_date_name_sport(frame: pd.DataFrame) -> None:
    row = newest_first(frame).head(1)
    got = choices(frame, "", limit=1)
    name = row["name"].iloc[0]
    assert got.labels[got.ids[0]] == (
        f"{row['local_date'].iloc[0]:%Y-%m-%d} · {name} · {row['sport_type'].iloc[0]}"
    )


def test_every_word_must_match_date_name_or_sport_in_any_case(frame: pd.DataFrame) -> None:
    oldest = newest_first(frame).iloc[-1]
    day = f"{oldest['local_date']:%Y-%m-%d}"
    got = choices(frame, f"  {day}  {str(oldest['sport_type']).upper()} ")
    assert got.ids == [int(oldest["id"])]
    assert (got.matched, got.shown) == (1, 1)
    month = choices(frame, day[:7])
    assert 0 < month.matched <= 31
    assert all(month.labels[i].startswith(day[:7]) for i in month.ids)


def test_text_is_matched_literally(frame: pd.DataFrame) -> None:
    renamed = frame.copy()
    renamed.loc[renamed.index[-1], "name"] = "a.*b (x) [y]"
    got = choices(renamed, "(x) [y]")
    assert got.ids == [int(renamed["id"].iloc[-1])]
    assert choices(renamed, ".*").matched == 1


def test_kept_ids_stay_offered_in_order_even_if_unmatched(frame: pd.DataFrame) -> None:
    ordered = newest_first(frame)
    old = int(ordered["id"].iloc[700])
    got = choices(frame, "", keep=[old, 123])  # 123 is not in the frame: ignored
    assert len(got.ids) == LIMIT + 1
    assert got.ids[-1] == old
    assert got.kept_unmatched == frozenset()  # it matches the empty search
    newest = int(ordered["id"].iloc[0])
    nothing = choices(frame, "no such activity anywhere", keep=[newest])
    assert nothing.ids == [newest]
    assert (nothing.matched, nothing.shown, nothing.first_match) == (0, 0, None)
    assert nothing.kept_unmatched == {newest}


def test_missing_dates_names_and_sports_still_label_and_search() -> None:
    frame = to_frame(make_activities(3, athlete_id=1, seed=3))
    frame.loc[0, ["name", "sport_type", "local_date", "start_date"]] = None
    got = choices(frame, "")
    assert got.labels[int(frame["id"].iloc[0])] == "no date · (unnamed) · Other"
    assert got.ids[-1] == int(frame["id"].iloc[0])  # no start: last
    assert choices(frame, "unnamed").matched == 0  # the placeholder is not data
    assert len(labels(frame)) == 3
