"""One activity's streams (elevation, speed/pace, heart rate, power, cadence) in stacked panels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from strava_dash.activities import FOOT_SPORTS
from strava_dash.charts.style import base_layout, empty_figure, format_pace, pace_ticks
from strava_dash.units import KMH_PER_MS, M_PER_FT, M_PER_KM, M_PER_MI, MPH_PER_MS, Units, label_for

StreamAxis = Literal["distance", "time"]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

NO_STREAMS: Final = "No streams for this activity"
_METRES_PER: Final = {"metric": M_PER_KM, "imperial": M_PER_MI}
_MS_TO: Final = {"metric": KMH_PER_MS, "imperial": MPH_PER_MS}
# Below this speed (m/s, ~33 min/km) a foot sport is standing still: pace would be a spike.
_MIN_PACE_SPEED: Final = 0.5
# Up to a day, elapsed time is drawn on a time axis (h:mm ticks that follow zoom); beyond, hours.
_DAY_S: Final = 86_400.0


@dataclass(frozen=True)
class _Panel:
    title: str
    values: FloatArray
    colour: str
    hover: str
    pace: bool = False


def _stream(streams: Mapping[str, Any], key: str) -> FloatArray | None:
    """The ``data`` of one key_by_type stream as floats (None values as NaN), or None."""
    entry = streams.get(key)
    data = entry.get("data") if isinstance(entry, Mapping) else None
    if not isinstance(data, list | tuple) or not data:
        return None
    values = pd.to_numeric(pd.Series(list(data), dtype=object), errors="coerce")
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return array if np.isfinite(array).any() else None


def _panels(streams: Mapping[str, Any], units: Units, foot: bool, length: int) -> list[_Panel]:
    panels: list[_Panel] = []
    altitude = _stream(streams, "altitude")
    if altitude is not None:
        unit = label_for("elevation", units)
        factor = 1.0 if units == "metric" else 1.0 / M_PER_FT
        panels.append(
            _Panel(
                f"Elevation ({unit})", altitude[:length] * factor, "#5C940D", f"%{{y:,.0f}} {unit}"
            )
        )
    velocity = _stream(streams, "velocity_smooth")
    if velocity is not None:
        velocity = velocity[:length]
        if foot:
            unit = label_for("pace", units)
            with np.errstate(divide="ignore", invalid="ignore"):
                pace = np.where(velocity >= _MIN_PACE_SPEED, _METRES_PER[units] / velocity, np.nan)
            panels.append(_Panel(f"Pace ({unit})", pace, "#1C7ED6", unit, pace=True))
        else:
            unit = label_for("speed", units)
            panels.append(
                _Panel(f"Speed ({unit})", velocity * _MS_TO[units], "#1C7ED6", f"%{{y:.1f}} {unit}")
            )
    heartrate = _stream(streams, "heartrate")
    if heartrate is not None:
        panels.append(_Panel("Heart rate (bpm)", heartrate[:length], "#E03131", "%{y:.0f} bpm"))
    watts = _stream(streams, "watts")
    if watts is not None:
        panels.append(_Panel("Power (W)", watts[:length], "#7048E8", "%{y:.0f} W"))
    cadence = _stream(streams, "cadence")
    if cadence is not None:
        # Strava's run cadence counts one foot; runners know steps per minute (both feet).
        unit = "spm" if foot else "rpm"
        values = cadence[:length] * (2.0 if foot else 1.0)
        panels.append(_Panel(f"Cadence ({unit})", values, "#0C8599", f"%{{y:.0f}} {unit}"))
    return panels


def activity_streams_figure(
    streams: Mapping[str, Any],
    *,
    x: StreamAxis = "distance",
    units: Units = "metric",
    sport_type: str = "Ride",
) -> go.Figure:
    """Stacked panels sharing the x axis, one line trace per stream present.

    ``streams`` is Strava's ``key_by_type=true`` answer (``{"distance": {"data": [...]}, ...}``):
    altitude (m), velocity_smooth (m/s; shown as pace for foot sports, reversed so faster is
    up), heartrate (bpm), watts (W), cadence (rpm; doubled to steps/min for foot sports).
    ``x="distance"`` plots against km/mi; ``x="time"`` against elapsed time (h:mm). Without a
    distance stream (trainer rides) the time axis is used. No usable stream: the empty state.
    """
    distance = _stream(streams, "distance")
    elapsed = _stream(streams, "time")
    # Time is the fallback both ways: trainer rides have no distance, some uploads no time.
    if distance is not None and (x == "distance" or elapsed is None):
        base, kind = distance, "distance"
    elif elapsed is not None:
        base, kind = elapsed, "time"
    else:
        return empty_figure(NO_STREAMS)
    panels = _panels(streams, units, sport_type in FOOT_SPORTS, len(base))
    if not panels:
        return empty_figure(NO_STREAMS)
    length = min(len(base), *(len(p.values) for p in panels))
    base = base[:length]
    x_layout: dict[str, Any] = {}
    if kind == "distance":
        xs: Any = base / _METRES_PER[units]
        x_title = f"Distance ({label_for('distance', units)})"
    elif float(np.nanmax(base)) < _DAY_S:
        xs = pd.Timestamp(0) + pd.to_timedelta(base, unit="s")
        x_title = "Elapsed time (h:mm)"
        x_layout = {"type": "date", "tickformat": "%H:%M", "hoverformat": "%H:%M:%S"}
    else:
        xs = base / 3600.0
        x_title = "Elapsed time (h)"
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.03)
    for row, panel in enumerate(panels, start=1):
        values = panel.values[:length]
        if panel.pace:
            custom = [format_pace(v) for v in values]
            hover = f"%{{customdata}} {panel.hover}"
        else:
            custom = None
            hover = panel.hover
        name = panel.title.split(" (")[0]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=values,
                mode="lines",
                name=name,
                line={"color": panel.colour, "width": 1.5},
                customdata=custom,
                hovertemplate=f"{hover}<extra>{name}</extra>",
            ),
            row=row,
            col=1,
        )
        axis: dict[str, Any] = {"title_text": panel.title}
        if panel.pace:
            finite = values[np.isfinite(values)]
            if len(finite):
                # Robust ends: a few seconds of walking must not squash the running pace.
                low, high = (float(v) for v in np.percentile(finite, [1, 99]))
                pad = max((high - low) * 0.05, 10.0)
                low, high = low - pad, high + pad
                tickvals, ticktext = pace_ticks(low, high)
                axis.update(range=[high, low], tickvals=tickvals, ticktext=ticktext)
        fig.update_yaxes(row=row, col=1, **axis)
    fig.update_xaxes(title_text=x_title, row=len(panels), col=1)
    fig.update_xaxes(**x_layout)
    return base_layout(
        fig,
        height=170 * len(panels) + 80,
        showlegend=False,
        hovermode="x unified",
        hoversubplots="axis",
    )
