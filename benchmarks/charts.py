"""The Calendar, Year-over-year and Distribution figures: server build time and the JSON
Streamlit sends.

    python -m benchmarks.charts [--repeat 3] [--output BENCHMARKS.md]

Builds each figure from synthetic activity frames (2,000 / 10,000 / 20,000 activities over
12 years, as real accounts spread them, and 20,000 over 55 years, one a day: the densest
calendar) with the builders before issue 14 (``benchmarks.before``, frozen) and now,
interleaved in one run, and measures ``len(fig.to_json())``: what ``st.plotly_chart``
puts on the websocket. A second table measures every choice of the Calendar and Volume
charts (colour by, bars per) on the browser benchmark's two 20,000-activity accounts (the
fake Strava's activities spread over 12 years, and its one a day over 55), against the
builders of main at 1518b76 (``benchmarks.before.hover_strings``, frozen), which sent a
string per day or bar. A benchmark: it reports, it does not gate CI.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go

from benchmarks.before import calendar as calendar_before
from benchmarks.before import distribution as distribution_before
from benchmarks.before import hover_strings
from benchmarks.before import volume as volume_before
from benchmarks.common import Table, Target, ratio, seconds, timed_together, write_section
from strava_dash import charts
from strava_dash.activities import to_frame
from tests.chart_frames import TODAY, activity_frame

ROOT = Path(__file__).resolve().parent.parent
MB: Final = 1e6
PAYLOAD_TARGET: Final = 1 * MB
SIZES: Final = ((2_000, 12), (10_000, 12), (20_000, 12), (20_000, 55))
Builder = Callable[[pd.DataFrame], go.Figure]
FIGURES: Final[dict[str, tuple[Builder, Builder]]] = {
    "Calendar": (
        lambda df: calendar_before.calendar_heatmap_figure(df, measure="distance"),
        lambda df: charts.calendar_heatmap_figure(df, measure="distance"),
    ),
    "Calendar by moving time": (
        lambda df: calendar_before.calendar_heatmap_figure(df, measure="moving_time"),
        lambda df: charts.calendar_heatmap_figure(df, measure="moving_time"),
    ),
    "Year over year": (
        lambda df: volume_before.year_over_year_figure(df, measure="distance", today=TODAY),
        lambda df: charts.year_over_year_figure(df, measure="distance", today=TODAY),
    ),
    "Distance against speed": (
        distribution_before.speed_scatter_figure,
        charts.speed_scatter_figure,
    ),
    "Distance against speed, imperial": (
        lambda df: distribution_before.speed_scatter_figure(df, units="imperial"),
        lambda df: charts.speed_scatter_figure(df, units="imperial"),
    ),
    "Distances (histogram)": (
        distribution_before.distance_histogram_figure,
        charts.distance_histogram_figure,
    ),
}


CALENDAR_TARGET: Final = 800_000
MEASURES: Final = {
    "distance": "distance",
    "moving_time": "moving time",
    "elevation": "elevation",
    "count": "count",
}
# Every choice a person can make on the two charts whose payload grew with the years; the
# other figures are unchanged by that work (the same builder on both sides).
CHOICES: Final[dict[str, tuple[Builder, Builder]]] = {
    **{
        f"Calendar by {label}": (
            lambda df, m=m: hover_strings.calendar_heatmap_figure(df, measure=m),
            lambda df, m=m: charts.calendar_heatmap_figure(df, measure=m),
        )
        for m, label in MEASURES.items()
    },
    **{
        f"Volume per {period}, {label}": (
            lambda df, p=period, m=m: hover_strings.volume_figure(
                df, period=p, measure=m, rolling=3
            ),
            lambda df, p=period, m=m: charts.volume_figure(df, period=p, measure=m, rolling=3),
        )
        for period in ("week", "month", "year")
        for m, label in (("distance", "distance"), ("moving_time", "moving time"))
    },
    "Year over year (unchanged)": (
        lambda df: charts.year_over_year_figure(df, today=TODAY),
        lambda df: charts.year_over_year_figure(df, today=TODAY),
    ),
    "Distance against speed (unchanged)": (
        charts.speed_scatter_figure,
        charts.speed_scatter_figure,
    ),
}


def browser_accounts() -> dict[str, pd.DataFrame]:
    """The accounts of ``benchmarks.browser`` at 20,000 (its 12 years and ``--dense``)."""
    from benchmarks.browser import ATHLETE_ID, spread
    from tests.fake_strava import make_activities

    end = datetime.combine(TODAY, time(8), tzinfo=UTC).timestamp()
    return {
        "20,000 over 12 (spread)": to_frame(spread(20_000, 12, end=end)),
        "20,000 over 55 (one a day)": to_frame(
            make_activities(20_000, athlete_id=ATHLETE_ID, end=end)
        ),
    }


def run_choices(repeat: int) -> tuple[Table, list[Target]]:
    table = Table(
        "Every Calendar and Volume choice at 20,000 activities (the browser's accounts): JSON",
        [
            "figure",
            "account",
            "build before",
            "build now",
            "JSON before",
            "JSON now",
            "now ÷ before",
        ],
    )
    targets: list[Target] = []
    for account, df in browser_accounts().items():
        for name, (before, now) in CHOICES.items():
            old_s, new_s, old_b, new_b = _compare(before, now, df, repeat)
            table.add(
                name, account, seconds(old_s), seconds(new_s), _kb(old_b), _kb(new_b),
                ratio(new_b, old_b),
            )  # fmt: skip
            print(table.rows[-1], flush=True)
            goal = CALENDAR_TARGET if name.startswith("Calendar") else PAYLOAD_TARGET
            targets.append(
                Target(f"{name}, {account}", f"≤ {_kb(goal)}", _kb(new_b), new_b <= goal)
            )
    table.notes += [
        f"Medians of {repeat} builds, interleaved; JSON is `len(fig.to_json())`. Before: main "
        "at 1518b76 (`benchmarks.before.hover_strings`); the browser adds Streamlit's framing "
        "(about 10 kB).",
        "Calendar now: the day's date is 4 bytes of customdata (century, year, month, day; "
        "uint8, base64 on the wire) that the hovertemplate writes YYYY-MM-DD, the names the "
        "only string per day; before: 'DD Mon YYYY' in every day's text (a third of the JSON). "
        "Moving time adds hours and minutes (2 more bytes a day).",
        "Volume now: no string per bar. y float32, weeks as x0 + dx (months and years as "
        "'YYYY-MM-DD'), the hover a template (the period from x by a date format, the value "
        "by a number format, moving time's h:mm from uint16 customdata); the selection's "
        "sport is the trace's legendgroup and its period the one holding the point's x. "
        "Before: a formatted hover string and a [start, sport] customdata per bar and sport. "
        "Past 400 periods (weeks over 12 and 55 years, months over 55) each sport is one "
        "stepped stacked area instead of a bar per period: about the same JSON, but one SVG "
        "path per sport where 20,000 bars took plotly.js 4-10 s to draw in Chromium.",
        "Over-budget rows: "
        + (", ".join(f"{t.what} {t.measured}" for t in targets if not t.met) or "none")
        + f" (targets: the calendar ≤ {_kb(CALENDAR_TARGET)}, the rest ≤ 1 MB).",
    ]
    return table, targets


def _compare(
    before: Builder,
    now: Builder,
    df: pd.DataFrame,
    repeat: int,
) -> tuple[float, float, int, int]:
    """Median build seconds of both builders, interleaved, and their figures' JSON bytes."""
    result: dict[str, tuple[float, Any]] = timed_together(
        {"before": lambda: before(df), "now": lambda: now(df)}, repeat, warmup=True
    )
    (old_s, old_fig), (new_s, new_fig) = result["before"], result["now"]
    return old_s, new_s, len(old_fig.to_json()), len(new_fig.to_json())


def _kb(size: int) -> str:
    return f"{size / 1000:,.0f} kB"


def run(repeat: int) -> tuple[Table, list[Target]]:
    table = Table(
        "Calendar, Year over year and Distribution: one build on the server, and its JSON",
        [
            "figure",
            "activities over years",
            "build before",
            "build now",
            "now ÷ before",
            "JSON before",
            "JSON now",
            "now ÷ before",
        ],
    )
    targets: list[Target] = []
    for n, years in SIZES:
        df = activity_frame(n, years)
        for name, (before, now) in FIGURES.items():
            old_s, new_s, old_b, new_b = _compare(before, now, df, repeat)
            table.add(
                name, f"{n:,} over {years}", seconds(old_s), seconds(new_s),
                ratio(new_s, old_s), _kb(old_b), _kb(new_b), ratio(new_b, old_b),
            )  # fmt: skip
            print(table.rows[-1], flush=True)
            if n == 20_000:
                targets.append(
                    Target(
                        f"{name} payload at {n:,} over {years} years",
                        "≤ 1 MB",
                        _kb(new_b),
                        new_b <= PAYLOAD_TARGET,
                    )
                )
    table.notes += [
        f"Medians of {repeat} builds, before and now interleaved (the shared machine's load "
        "hits both alike); JSON is `len(fig.to_json())`, what `st.plotly_chart` sends.",
        "Now: the calendar is one heatmap trace (each year a block of 8 rows: its label, "
        "then Monday to Sunday), z float32, the day's names its only string (the first two, "
        "'and N more'), the date 4 bytes of uint8 customdata and the total, both through the "
        "hovertemplate's number formats; before: a subplot per year and a hover string per "
        "day listing every activity. Year over year "
        "now sends each year's daily running total as float32 on x0 + dx, hover through the "
        "template; before: dates and a formatted string per day and year.",
        "Distance against speed (a WebGL scatter, a point per activity) now sends x and y "
        "as float32, the escaped name as `text` and the day as `hovertext` (YYYY-MM-DD, "
        "formatted by the hovertemplate), speed through the template's number format and "
        "pace as customdata minutes and seconds (uint16); before: float64 and a customdata "
        "row of three strings per point (name, formatted date, formatted speed or pace).",
        "Moving time also sends hours and minutes per cell as customdata (2 bytes a cell), "
        "for h:mm in the hover: the heaviest calendar.",
        "Activities are spread at random over the years (12: a long real account; 55: about "
        "one a day, 63 % of the days active, the densest calendar).",
        *(
            f"{t.what}: {t.measured} (target {t.goal}: {'met' if t.met else '**not met**'})"
            for t in targets
        ),
    ]
    return table, targets


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.charts", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="builds per approach (median)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    table, _ = run(args.repeat)
    choices, _ = run_choices(args.repeat)
    choices.notes.append(
        f"Load average {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end (2 "
        "shared cores): build times are noisy, compare within a row; JSON sizes are exact."
    )
    print(table.markdown(), choices.markdown(), sep="\n", flush=True)
    write_section(
        args.output,
        "charts",
        [table, choices],
        f"python -m benchmarks.charts --repeat {args.repeat}",
    )
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
