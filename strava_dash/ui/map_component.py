"""The route map as a small Streamlit component: plotly.js in an iframe that returns the
shape drawn (a box in degrees, or a lasso's polygon), not only the points picked.

Why: ``st.plotly_chart`` forwards a map subplot's selection only as the points inside it
(it reads layout ``selections``, which plotly keeps for cartesian axes only), so a lasso
could only be kept as the bounding box of its points. Here the frontend listens to
plotly's own ``plotly_selected`` event, whose ``range.map`` / ``lassoPoints.map`` hold the
shape. The frontend is plain HTML + JS (``map_frontend/``, no build step) speaking the v1
component protocol; plotly.js is the installed python plotly's own copy (offline, the
version that wrote the figure), so the repository carries no copy of it.

At first use the component's directory is assembled in the user's cache directory (or a
private temporary one), named after the plotly version and a hash of the frontend files,
built aside and renamed into place: several server processes starting at once each see
either nothing or a complete directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, Final

import platformdirs
import plotly
import plotly.graph_objects as go
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route
from streamlit.components import v1 as components
from streamlit.components.v1.custom_component import CustomComponent
from streamlit.runtime import exists as runtime_exists
from streamlit.runtime import get_instance
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

NAME: Final = "route_map"
#: Where the server also serves plotly.js, cacheable for a year (its name carries the
#: version): the component's own folder is served without a lifetime, so a browser would
#: fetch 1.5 MB again on every visit to the Map page. The folder's copy is the fallback.
ASSET_PATH: Final = "/api/assets/"
FRONTEND: Final = Path(__file__).with_name("map_frontend")
_FILES: Final = ("index.html", "map.js")
_PLOTLY_PLACEHOLDER: Final = "__PLOTLY_JS__"


def _plotly_js() -> Path:
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def plotly_js_name() -> str:
    """The file name plotly.js is served under: the version in it makes it cache-safe."""
    return f"plotly-{plotly.__version__}.min.js"


def asset_routes() -> list[BaseRoute]:
    """The route for ``st.App(routes=...)`` serving plotly.js with a long cache lifetime."""

    async def serve(request: Request) -> Response:
        del request
        return FileResponse(
            _plotly_js(),
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    return [Route(ASSET_PATH + plotly_js_name(), serve, methods=["GET"])]


def _version_key() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in _FILES:
        digest.update((FRONTEND / name).read_bytes())
    return f"{plotly.__version__}-{digest.hexdigest()}"


def _assemble(target: Path) -> None:
    """Build the directory aside, then rename it into place (atomic; first one wins)."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        script = plotly_js_name()
        source = _plotly_js()
        try:
            os.link(source, building / script)
        except OSError:
            shutil.copyfile(source, building / script)
        page = (FRONTEND / "index.html").read_text(encoding="utf-8")
        (building / "index.html").write_text(
            page.replace(_PLOTLY_PLACEHOLDER, script), encoding="utf-8"
        )
        shutil.copyfile(FRONTEND / "map.js", building / "map.js")
        building.chmod(0o755)
        try:
            building.rename(target)
        except OSError:
            if not (target / "index.html").is_file():
                raise  # not a lost race: something else is in the way
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)


def _user_cache() -> Path:
    return Path(platformdirs.user_cache_dir("strava_dash"))


def _private_temp() -> Path:
    base = Path(tempfile.gettempdir()) / f"strava_dash-{os.getuid()}"
    base.mkdir(mode=0o700, exist_ok=True)
    info = base.lstat()
    if info.st_uid != os.getuid() or base.is_symlink() or info.st_mode & 0o022:
        raise OSError(f"{base} is not this user's private directory")
    return base


def component_dir() -> Path:
    """The assembled frontend directory (built now if missing)."""
    name = f"map_component-{_version_key()}"
    errors: list[str] = []
    for base in (_user_cache, _private_temp):
        try:
            target = base() / name
            if not (target / "index.html").is_file():
                _assemble(target)
            return target
        except OSError as error:
            errors.append(str(error))
    raise OSError("cannot assemble the map component: " + "; ".join(errors))


@cache
def _declared() -> CustomComponent:
    return components.declare_component(NAME, path=str(component_dir()))


def _component() -> CustomComponent:
    """The component, registered with this server (declared once, maybe before it ran)."""
    component = _declared()
    if get_script_run_ctx() is not None and runtime_exists():
        registry = get_instance().component_registry
        if registry.get_component(component.name) is None:
            registry.register_component(component)
    return component


def figure_payload(fig: go.Figure) -> tuple[bytes, str, str]:
    """(the figure's JSON, its revision, the view it frames): what the frontend is sent.

    The revision changes with the figure; the view (centre and zoom) names plotly's
    ``uirevision``, so zoom and pan survive every rerun that draws the same area.
    """
    text = fig.to_json()
    raw = text.encode("utf-8")
    revision = hashlib.blake2b(raw, digest_size=12).hexdigest()
    layout_map: Any = fig.layout.map
    view = {"center": layout_map.center.to_plotly_json(), "zoom": layout_map.zoom}
    return raw, revision, json.dumps(view, sort_keys=True)


def route_map(
    payload: tuple[bytes, str, str],
    *,
    key: str,
    height: int,
    shape: dict[str, Any] | None,
    selectable: bool = True,
) -> object:
    """Draw the map; returns the last shape reported (a dict with a nonce) or None.

    ``selectable=False`` (start density) offers no box or lasso tool. The same ``key``
    for every figure keeps one iframe, and so one MapLibre map, across them: switching
    figures is then a redraw, not a new map.
    """
    figure, revision, view = payload
    return _component()(
        figure=figure,
        revision=revision,
        uirevision=view,
        height=height,
        shape=shape,
        selectable=selectable,
        key=key,
        default=None,
    )


def hidden_map(*, key: str) -> object:
    """The map under ``key``, told to keep what it drew and to draw nothing (the Map page
    is not showing): its iframe, MapLibre map included, stays for the next visit."""
    return _component()(hidden=True, key=key, default=None)
