"""Helpers for the Tracks (GPX) page tests: table selection, the ZIP, point-for-point checks."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import gpxpy
import gpxpy.gpx
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

EXTENSIONS = {"hr": "heartrate", "cad": "cadence", "power": "watts", "atemp": "temp"}


def select(at: AppTest, ids: Iterable[int]) -> AppTest:
    """Select these activities' rows in the Activities table, as a click would."""
    shown = at.dataframe[0].value["Activity ID"].tolist()
    rows = [shown.index(i) for i in ids]
    # The grid's key names the rows it shows (table_view._grid): ask the grid for it.
    grid = at.dataframe[0]
    assert grid.key
    assert grid.key.startswith("activity_table")
    at.session_state[grid.key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements: Iterable[Any]) -> str:
    return " | ".join(str(e.value) for e in elements)


def skipped_list(at: AppTest) -> Any:
    """The Tracks section's "Skipped" expander."""
    found = [e for e in at.expander if e.label.startswith("Skipped:")]
    assert found, [e.label for e in at.expander]
    return found[0]


def gpx_files(data: bytes) -> dict[int, str]:
    """The ZIP's GPX files by activity id (the number ending each file name)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        return {
            int(name.removesuffix(".gpx").rpartition("-")[2]): zf.read(name).decode("utf-8")
            for name in zf.namelist()
            if name.endswith(".gpx")
        }


def zip_member(data: bytes, suffix: str) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(n, zf.read(n)) for n in zf.namelist() if n.endswith(suffix)]


def _extension_values(point: gpxpy.gpx.GPXTrackPoint) -> dict[str, str]:
    out: dict[str, str] = {}
    for element in point.extensions:
        if element.tag.endswith("TrackPointExtension"):
            out.update({child.tag.rpartition("}")[2]: str(child.text) for child in element})
        else:
            out[element.tag.rpartition("}")[2]] = str(element.text)
    return out


def assert_same_points(
    gpx_text: str, record: Mapping[str, Any], streams: Mapping[str, Mapping[str, Any]]
) -> int:
    """Every stream sample is a GPX point: position, time, elevation and the extensions.
    Returns the number of points compared."""
    parsed = gpxpy.parse(gpx_text)
    assert parsed.version == "1.1"
    points = parsed.tracks[0].segments[0].points
    data = {key: stream["data"] for key, stream in streams.items()}
    assert len(points) == len(data["latlng"]) > 0
    start = pd.Timestamp(record["start_date"]).to_pydatetime()
    for i, point in enumerate(points):
        lat, lng = data["latlng"][i]
        assert (point.latitude, point.longitude) == pytest.approx((lat, lng), abs=1e-7)
        assert point.time == start + timedelta(seconds=data["time"][i])
        if data.get("altitude"):
            assert point.elevation == pytest.approx(data["altitude"][i], abs=0.006)
        values = _extension_values(point)
        for tag, key in EXTENSIONS.items():
            value = data[key][i] if data.get(key) else None
            if value is None:
                assert tag not in values, (i, tag)
            else:
                assert float(values[tag]) == pytest.approx(value, abs=0.51), (i, tag)
    return len(points)
