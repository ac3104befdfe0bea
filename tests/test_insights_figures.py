"""The fitness chart: every day's load is drawn and hovers, in paths the browser draws fast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from strava_dash.insights.figures import CHART_DAYS, fitness_figure
from strava_dash.insights.load import LoadSettings, activity_loads, fitness
from tests.insights_support import frame, ride


def _series() -> pd.DataFrame:
    df = frame(
        ride(1, "2025-03-01", weighted_average_watts=250.0, moving_time=3600),  # power: 100
        ride(2, "2025-03-03", moving_time=7200),  # no power, no HR: an estimate
        ride(3, "2025-03-04", weighted_average_watts=200.0, moving_time=5400),  # power: 96
    )
    return fitness(activity_loads(df, LoadSettings(ftp=250.0)))


def _by_name(fig: object, name: str, *, hover: bool) -> dict[str, object]:
    traces = [t for t in fig.data if t.name == name]  # type: ignore[attr-defined]
    picked = [t for t in traces if (t.hoverinfo == "skip") != hover]
    assert len(picked) == 1, name
    return picked[0]  # type: ignore[no-any-return]


def test_each_day_is_drawn_and_hovered_by_its_kind_of_load() -> None:
    series = _series()
    assert list(series["day"].dt.strftime("%d")) == ["01", "02", "03", "04"]
    fig = fitness_figure(series)

    measured_area = _by_name(fig, "Daily load", hover=False)
    estimate_area = _by_name(fig, "Daily load (estimate only)", hover=False)
    # One value per day plus the closing 0 that gives the last day its width.
    np.testing.assert_allclose(np.asarray(measured_area.y), [100.0, 0.0, 0.0, 96.0, 0.0])
    assert np.asarray(estimate_area.y)[2] > 0
    np.testing.assert_allclose(np.delete(np.asarray(estimate_area.y), 2), 0.0)

    measured_hover = _by_name(fig, "Daily load", hover=True)
    estimate_hover = _by_name(fig, "Daily load (estimate only)", hover=True)
    np.testing.assert_allclose(np.asarray(measured_hover.y), [100.0, 0.0, np.nan, 96.0])
    assert np.isnan(np.asarray(estimate_hover.y)[[0, 1, 3]]).all()
    assert "%{y:.0f}" in measured_hover.hovertemplate
    assert measured_area.x0 == "2025-03-01"


def test_no_per_day_svg_elements_bars_or_markers() -> None:
    """Bars and markers cost one SVG element per day in the browser (about 1 s a decade)."""
    fig = fitness_figure(_series())
    assert {t.type for t in fig.data} == {"scatter"}
    assert all(t.mode == "lines" for t in fig.data)
    assert [t.name for t in fig.data if t.showlegend is not False] == [
        "Daily load",
        "Daily load (estimate only)",
        "Fitness (CTL, 42 d)",
        "Fatigue (ATL, 7 d)",
        "Form (TSB)",
    ]


def test_an_empty_history_says_so() -> None:
    fig = fitness_figure(fitness(activity_loads(frame(), LoadSettings())))
    assert "No activities" in fig.layout.annotations[0].text


def test_a_long_history_charts_its_last_ten_years_only() -> None:
    """55 years of days were 20,000 points a line (0.8 MB to send); the values of the days
    kept are the series' own, so CTL still carries the decades before."""
    days = pd.date_range("1971-01-01", periods=20_000, freq="D")
    rng = np.random.default_rng(3)
    series = pd.DataFrame(
        {
            "day": days,
            "load": rng.uniform(0, 200, len(days)),
            "estimated": rng.uniform(size=len(days)) < 0.2,
            "activities": 1,
            "ctl": rng.uniform(0, 100, len(days)),
            "atl": rng.uniform(0, 100, len(days)),
            "tsb": rng.uniform(-30, 30, len(days)),
            "ratio": 1.0,
        }
    )
    fig = fitness_figure(series)
    ctl = next(t for t in fig.data if t.name == "Fitness (CTL, 42 d)")
    assert len(ctl.y) == CHART_DAYS
    assert ctl.x0 == f"{days[-CHART_DAYS]:%Y-%m-%d}"
    np.testing.assert_allclose(ctl.y, series["ctl"].iloc[-CHART_DAYS:], rtol=1e-6)
    assert len(fig.to_json()) < 500_000
