"""The calendar figure's draw alone in Chromium: ``Plotly.newPlot`` to the next frame.

    python -m benchmarks.calendar_draw [--years 55] [--repeat 5]

20,000 activities (``tests.chart_frames.activity_frame``) over ``--years`` years, coloured
by distance, count and moving time; plotly.py's bundled plotly.js on a blank page, no
Streamlit and no server. What the browser section's "Calendar" clicks spend drawing: issue
#14 found 2-3.7 s here at 55 years (385 weekday y tick labels, xgap/ygap), now ~0.15 s.
Prints medians; writes nothing. A benchmark: it reports, never fails CI.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import plotly
from playwright.sync_api import sync_playwright

from strava_dash.charts import calendar_heatmap_figure
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.chart_frames import activity_frame

_DRAW_JS: Final = """async (json) => {
    const figure = JSON.parse(json);
    const div = document.getElementById("g");
    Plotly.purge(div);
    const start = performance.now();
    await Plotly.newPlot(div, figure.data, figure.layout);
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    return performance.now() - start;
}"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calendar_draw", description=__doc__)
    parser.add_argument("--years", type=int, default=55)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    df = activity_frame(20_000, args.years)
    figures = {
        measure: calendar_heatmap_figure(df, measure=measure, units="metric").to_json()
        for measure in ("distance", "count", "moving_time")
    }
    page_dir = Path(tempfile.mkdtemp(prefix="calendar-draw-"))
    (page_dir / "plotly.js").write_text(plotly.offline.get_plotlyjs())
    html = '<div id="g" style="width:1100px"></div><script src="plotly.js"></script>'
    (page_dir / "page.html").write_text(html)
    took: dict[str, list[float]] = {measure: [] for measure in figures}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto((page_dir / "page.html").as_uri())
        page.wait_for_function("window.Plotly")
        for _ in range(args.repeat):
            for measure, json in figures.items():  # interleaved: load hits all alike
                took[measure].append(float(page.evaluate(_DRAW_JS, json)))
        browser.close()
    for measure, times in took.items():
        print(
            f"{args.years} y, {measure}: median {statistics.median(times):.0f} ms, "
            f"min {min(times):.0f} ms, {len(figures[measure]):,} bytes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
