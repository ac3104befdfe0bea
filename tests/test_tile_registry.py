"""Tile tokens: unguessable, one per raster, gone with the session that held the raster;
and the HTTP route that serves them."""

from __future__ import annotations

import gc
import io

import numpy as np
from PIL import Image
from starlette.applications import Starlette
from starlette.testclient import TestClient

from strava_dash import route_tiles, tile_registry
from strava_dash.route_tiles import RouteRaster
from strava_dash.ui import tile_routes


def paris() -> RouteRaster:
    points = np.array([[48.80, 2.30], [48.90, 2.40]])
    palette = np.array([[200, 60, 10]], dtype=np.uint8)
    return RouteRaster.build(points, np.array([0, 2]), np.array([0]), palette)


def test_a_published_raster_is_found_by_its_token_only_while_it_is_held() -> None:
    held = paris()
    token = tile_registry.publish(held)
    assert tile_registry.TOKEN_PATTERN.fullmatch(token)
    assert tile_registry.find(token) is held
    assert tile_registry.publish(held) != token, "every publication is a new random token"
    del held
    gc.collect()
    assert tile_registry.find(token) is None


def test_unknown_and_malformed_tokens_find_nothing() -> None:
    held = paris()
    token = tile_registry.publish(held)
    for other in ("", "x" * 24, token[:-1], token + "a", "../" + token[3:], token.upper()):
        if other != token:
            assert tile_registry.find(other) is None


def test_the_route_serves_a_published_rasters_tiles_and_nothing_else() -> None:
    held = paris()
    token = tile_registry.publish(held)
    client = TestClient(Starlette(routes=tile_routes.tile_routes()))
    x, y = route_tiles.world_xy(np.array([48.85]), np.array([2.35]))
    tx, ty = int(x[0] * 2**12), int(y[0] * 2**12)
    url = "/" + tile_routes.tile_url(token).format(z=12, x=tx, y=ty)
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["cache-control"] == "private, max-age=86400"
    sharp = client.get(url.replace(".png", "@2x.png"))
    assert sharp.status_code == 200
    assert Image.open(io.BytesIO(sharp.content)).size == (512, 512)
    image = Image.open(io.BytesIO(answer.content))
    assert image.size == (256, 256)
    assert image.getextrema()[3][1] > 0
    for missing in (
        url.replace(token, tile_registry.publish(paris())),  # let go at once
        url.replace(token, "A" * 24),
        "/" + tile_routes.tile_url(token).format(z=12, x=2**12, y=ty),
        "/" + tile_routes.tile_url(token).format(z=40, x=0, y=0),
        url.replace(".png", ".jpg"),
        url.replace(".png", "@3x.png"),
    ):
        gc.collect()
        refused = client.get(missing)
        assert refused.status_code == 404, missing
        assert refused.headers.get("cache-control") in (None, "no-store")
        assert refused.content in (b"", b"Not Found")
    del held
    gc.collect()
    assert client.get(url).status_code == 404


def test_the_template_leaves_the_xyz_placeholders_for_maplibre() -> None:
    assert tile_routes.tile_url("T" * 24) == "api/tiles/" + "T" * 24 + "/{z}/{x}/{y}.png"
