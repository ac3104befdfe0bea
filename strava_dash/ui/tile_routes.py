"""The server route that draws route tiles: ``/api/tiles/<token>/<z>/<x>/<y>.png``.

A plain (sync) endpoint, so Starlette runs it in its thread pool: drawing a dense tile
takes tens of milliseconds of NumPy and must not stall the event loop that carries every
session's websocket.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from strava_dash import route_tiles, tile_registry

TILE_PATH: Final = "/api/tiles/"
#: The tiles' address as the map component is given it: relative to the app's root (the
#: component puts the root in front, so a server under a base URL path works too).
#: The component asks for "@2x" tiles on screens with two device pixels per CSS pixel.
TEMPLATE: Final = "api/tiles/{token}/{{z}}/{{x}}/{{y}}.png"
_HEADERS: Final = {
    # A token names one raster whose tiles never change: the browser may keep them while
    # it keeps the page. Private: they are one athlete's routes.
    "Cache-Control": "private, max-age=86400",
    "X-Content-Type-Options": "nosniff",
}


def tile_url(token: str) -> str:
    """The XYZ template (``{z}/{x}/{y}`` left for MapLibre) of the raster under ``token``."""
    return TEMPLATE.format(token=token)


def serve_tile(request: Request) -> Response:
    params = request.path_params
    raster = tile_registry.find(str(params["token"]))
    z, x, y = int(params["z"]), int(params["x"]), int(params["y"])
    scale = 2 if request.url.path.endswith("@2x.png") else 1
    if raster is None or not route_tiles.valid_tile(z, x, y):
        # The same answer for a token that never was and one whose session moved on.
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    png = route_tiles.render_tile(raster, z, x, y, scale)
    return Response(png, media_type="image/png", headers=_HEADERS)


def tile_routes() -> list[BaseRoute]:
    """The routes for ``st.App(routes=...)``: tiles of 256 px, and of 512 px ("@2x")."""
    tile = TILE_PATH + "{token}/{z:int}/{x:int}/{y:int}"
    return [
        Route(tile + ".png", serve_tile, methods=["GET"]),
        Route(tile + "@2x.png", serve_tile, methods=["GET"]),
    ]
