"""Which route rasters the tile route may draw: one unguessable token each, held weakly.

The session that drew the map keeps its :class:`~strava_dash.route_tiles.RouteRaster`
(beside the figure, in its own state); this registry only maps the token in the tile URLs
to it. When the session lets the raster go (another filter, the session ends) its tiles
are gone too: nothing here outlives an athlete's session, and memory follows sessions.

The token is the only key: 144 random bits, never derived from the athlete or the
activities, so one athlete's tile URLs say nothing about, and cannot reach, another's.
Tiles are requested by the browser that holds the session; behind a load balancer the
session cookie (required by Streamlit) brings them to the replica that has the raster.
"""

from __future__ import annotations

import re
import secrets
import threading
import weakref
from typing import Final

from strava_dash.route_tiles import RouteRaster

TOKEN_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{24}")

_lock = threading.Lock()
_rasters: dict[str, weakref.ref[RouteRaster]] = {}


def publish(raster: RouteRaster) -> str:
    """A new token under which :func:`find` returns ``raster`` while it is alive."""
    token = secrets.token_urlsafe(18)

    def forget(_dead: weakref.ref[RouteRaster]) -> None:
        with _lock:
            _rasters.pop(token, None)

    with _lock:
        _rasters[token] = weakref.ref(raster, forget)
    return token


def find(token: str) -> RouteRaster | None:
    """The raster published under ``token``; None when unknown, malformed or let go."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    with _lock:
        ref = _rasters.get(token)
    return None if ref is None else ref()


def published() -> int:
    """How many rasters are alive in this process (for tests and memory checks)."""
    with _lock:
        return sum(1 for ref in _rasters.values() if ref() is not None)
