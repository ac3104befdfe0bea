"""The one helper that shows the athlete's text literally in markdown (issue 11, defect 6)."""

from __future__ import annotations

import re

import pytest

from strava_dash.ui.text import JOINER, literal

HOSTILE = [
    "Lunch ride https://www.strava.com/activities/1",
    "see www.example.org or mail me@example.org",
    ":material/home: Home ride :material/directions_bike:",
    "Hot :fire: day :+1: :smile:",
    "Morning ride\nwith friends\r\nand more\u2028end",
    '=HYPERLINK("http://e.vil","x")',
    "==\n===",
    "# not a heading | a | table |",
    "1. not a list - nor this * or + that",
    "$x^2$ and ~~strike~~ and <b>html</b> &amp; `code` **bold** _it_ [l](u) ![i](u)",
    "🚴‍♀️ Ride with 🐕 and 🇪🇸",
    "",
]


def shown(markdown: str) -> str:
    """What a reader sees: the escapes resolved, the invisible joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(JOINER, "")


@pytest.mark.parametrize("text", HOSTILE)
def test_the_reader_sees_the_text_on_one_line(text: str) -> None:
    assert shown(literal(text)) == " ".join(re.split(r"[\r\n\u2028]+", text))


@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_is_left_for_markdown_to_act_on(text: str) -> None:
    out = literal(text)
    assert not re.search(r"[\r\n\u2028\u2029]", out)  # a break would end the heading
    assert not re.search(r"://|www\.|\w@", out, re.IGNORECASE)  # bare links, e-mails
    assert not re.search(r":[\w+\-/]+\\?:", out)  # :material/…: and :emoji: codes
    unescaped = re.sub(r"\\.", "", out)
    assert not re.search(r"[\\`*_{}\[\]()#+\-.!|<>~$=&]", unescaped)


def test_emoji_are_kept_as_they_are() -> None:
    assert literal("🚴‍♀️ 🐕 🇪🇸") == "🚴‍♀️ 🐕 🇪🇸"


def test_a_material_code_is_broken_where_streamlit_would_match_it() -> None:
    assert literal(":material/home:") == f"\\:{JOINER}material/home\\:"


def test_a_clock_time_keeps_its_colon_as_it_is() -> None:
    assert literal("20:10 local time") == "20\\:10 local time"


def test_a_bare_url_is_broken_inside_its_scheme_separator() -> None:
    assert literal("a https://x.io b") == f"a https\\:/{JOINER}/x\\.io b"
