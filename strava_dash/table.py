"""The activity table as the athlete sees it: chosen columns, display units, readable headers.

The same frame feeds the on-screen table and the CSV/Excel downloads, so a download
holds exactly the rows and columns shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from strava_dash.units import Measure, Units, column_for, label_for

Kind = Literal["text", "number", "integer", "datetime", "duration", "pace", "bool", "link"]
LINK_HEADER = "Strava link"


@dataclass(frozen=True)
class DisplayColumn:
    """One column the athlete can show; ``measure`` picks the unit-specific source."""

    key: str
    title: str
    kind: Kind
    source: str = ""
    measure: Measure | None = None
    decimals: int = 1

    def source_for(self, units: Units) -> str:
        return column_for(self.measure, units) if self.measure else self.source

    def header(self, units: Units) -> str:
        if self.measure is None:
            return self.title
        return f"{self.title} ({label_for(self.measure, units)})"


COLUMNS: tuple[DisplayColumn, ...] = (
    DisplayColumn("start", "Start (local)", "datetime", "start_date_local"),
    DisplayColumn("name", "Name", "text", "name"),
    DisplayColumn("sport", "Sport", "text", "sport_type"),
    DisplayColumn("distance", "Distance", "number", measure="distance", decimals=2),
    DisplayColumn("moving_time", "Moving time", "duration", "moving_duration"),
    DisplayColumn("elapsed_time", "Elapsed time", "duration", "elapsed_duration"),
    DisplayColumn("elevation", "Elevation gain", "number", measure="elevation", decimals=0),
    DisplayColumn("speed", "Avg speed", "number", measure="speed"),
    DisplayColumn("max_speed", "Max speed", "number", measure="max_speed"),
    DisplayColumn("pace", "Pace", "pace", measure="pace"),
    DisplayColumn("avg_hr", "Avg HR (bpm)", "number", "average_heartrate", decimals=0),
    DisplayColumn("max_hr", "Max HR (bpm)", "number", "max_heartrate", decimals=0),
    DisplayColumn("avg_watts", "Avg power (W)", "number", "average_watts", decimals=0),
    DisplayColumn("np_watts", "Weighted power (W)", "number", "weighted_average_watts", decimals=0),
    DisplayColumn("energy", "Energy (kJ)", "number", "kilojoules", decimals=0),
    DisplayColumn("cadence", "Avg cadence", "number", "average_cadence", decimals=0),
    DisplayColumn("effort", "Relative effort", "number", "suffer_score", decimals=0),
    DisplayColumn("kudos", "Kudos", "integer", "kudos_count"),
    DisplayColumn("gear", "Gear", "text", "gear_id"),
    DisplayColumn("commute", "Commute", "bool", "commute"),
    DisplayColumn("indoor", "Indoor", "bool", "trainer"),
    DisplayColumn("manual", "Manual", "bool", "manual"),
    DisplayColumn("private", "Private", "bool", "private"),
    DisplayColumn("id", "Activity ID", "integer", "id"),
    DisplayColumn("link", LINK_HEADER, "link", "strava_url"),
)
BY_KEY: dict[str, DisplayColumn] = {c.key: c for c in COLUMNS}
DEFAULT_KEYS: tuple[str, ...] = (
    "start",
    "name",
    "sport",
    "distance",
    "moving_time",
    "elevation",
    "speed",
    "pace",
    "avg_hr",
    "gear",
    "id",
    "link",
)


def display_frame(
    df: pd.DataFrame,
    *,
    units: Units,
    keys: Sequence[str] = DEFAULT_KEYS,
    gear_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The chosen columns of an activity table, in display units, with unit headers.

    Gear ids become their names when known. The index is reset so row positions match
    what the table shows (the on-screen selection reports positions).
    """
    chosen = [BY_KEY[k] for k in keys if k in BY_KEY]
    out: dict[str, pd.Series] = {}
    for column in chosen:
        values = df[column.source_for(units)]
        if column.key == "gear" and gear_names:
            values = values.map(lambda g: gear_names.get(g, g), na_action="ignore").astype("string")
        if column.kind == "number":
            values = values.round(column.decimals)
        out[column.header(units)] = values
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def kinds_by_header(keys: Sequence[str], units: Units) -> dict[str, DisplayColumn]:
    """Header -> column description, for the UI's ``column_config``."""
    return {BY_KEY[k].header(units): BY_KEY[k] for k in keys if k in BY_KEY}
