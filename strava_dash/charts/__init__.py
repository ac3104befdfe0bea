"""Figure builders for the Charts and Activity pages: DataFrame (or streams) in, plotly Figure out.

Every builder is pure (no Streamlit) and follows the same conventions:

* Input is the activity frame of ``docs/schema.md``, already filtered by the page; each
  builder's docstring names the columns it reads.
* ``units`` ("metric" / "imperial") chooses the columns and the axis titles ("Distance (km)").
* Empty state: when nothing is left to draw the builder returns :func:`empty_figure` — a figure
  with **no traces** and one centred annotation ("No activities match the filters"). Pages can
  show it as it is, or test :func:`is_empty` and show their own message.
* A sport type has the same colour in every chart and map (:func:`sport_colour`).
* Activity names in hover texts are escaped (:func:`escape_hover`): a name is never markup.
"""

from __future__ import annotations

from strava_dash.charts.calendar import WEEKDAYS, calendar_heatmap_figure, weekday_hour_figure
from strava_dash.charts.distribution import distance_histogram_figure, speed_scatter_figure
from strava_dash.charts.streams import StreamAxis, activity_streams_figure
from strava_dash.charts.style import (
    EMPTY_MESSAGE,
    SPORT_COLOURS,
    Measure,
    empty_figure,
    escape_hover,
    format_hmm,
    format_pace,
    is_empty,
    sport_colour,
)
from strava_dash.charts.volume import Period, volume_figure, volume_table
from strava_dash.charts.years import year_over_year_figure

__all__ = [
    "EMPTY_MESSAGE",
    "SPORT_COLOURS",
    "WEEKDAYS",
    "Measure",
    "Period",
    "StreamAxis",
    "activity_streams_figure",
    "calendar_heatmap_figure",
    "distance_histogram_figure",
    "empty_figure",
    "escape_hover",
    "format_hmm",
    "format_pace",
    "is_empty",
    "speed_scatter_figure",
    "sport_colour",
    "volume_figure",
    "volume_table",
    "weekday_hour_figure",
    "year_over_year_figure",
]
