"""What a map selection must keep, worked out from the raw records independently of the
app: the URL's box or polygon, the polyline library's decoder and a ray cast of our own."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polyline

from strava_dash import demo


def _inside(lat: float, lng: float, polygon: list[tuple[float, float]]) -> bool:
    """Even-odd ray cast, written out here (not the app's geo_select)."""
    inside = False
    j = len(polygon) - 1
    for i, (lat_i, lng_i) in enumerate(polygon):
        lat_j, lng_j = polygon[j]
        if (lng_i > lng) != (lng_j > lng):
            at = lat_i + (lng - lng_i) * (lat_j - lat_i) / (lng_j - lng_i)
            if lat < at:
                inside = not inside
        j = i
    return inside


def expected_on_map(part: str, records: Iterable[Mapping[str, Any]] | None = None) -> set[int]:
    """Activities (the demo's unless ``records`` are given) whose start or any route vertex
    lies in the URL's map box (and its lasso polygon, when there is one), from the raw
    records decoded with the polyline library (not the app's NumPy decoder) and the URL's
    numbers read here."""
    fields = part.split(",")
    assert fields[:2] == ["m", "r"], part
    lat0, lat1, lng0, lng1 = (float(v) for v in fields[2:6])
    polygon = (
        [(float(a), float(b)) for a, b in (pair.split(":") for pair in fields[6].split("_"))]
        if len(fields) > 6
        else []
    )

    def hit(lat: float, lng: float) -> bool:
        in_box = lat0 <= lat <= lat1 and lng0 <= lng <= lng1
        return in_box and (not polygon or _inside(lat, lng, polygon))

    ids: set[int] = set()
    for record in demo.demo_activities() if records is None else records:
        encoded = (record.get("map") or {}).get("summary_polyline")  # type: ignore[union-attr]
        if not encoded:
            continue  # no GPS: never on a map selection
        points = polyline.decode(str(encoded))
        start = record.get("start_latlng") or []
        if len(start) == 2:  # type: ignore[arg-type]
            points.append((float(start[0]), float(start[1])))  # type: ignore[index]
        if any(hit(lat, lng) for lat, lng in points):
            ids.add(int(record["id"]))  # type: ignore[call-overload]
    return ids
