"""The map component's folder: assembled once, whole, even by several processes at once."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import plotly
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from strava_dash.ui import map_component


def _assemble_in(cache: str) -> str:
    os.environ["XDG_CACHE_HOME"] = cache
    return str(map_component.component_dir())


def test_several_processes_starting_at_once_share_one_whole_folder(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(_assemble_in, [str(tmp_path)] * 8))
    assert len(set(found)) == 1
    folder = Path(found[0])
    assert folder.is_relative_to(tmp_path)
    script = f"plotly-{plotly.__version__}.min.js"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["index.html", "map.js", script])
    page = (folder / "index.html").read_text()
    assert f'src="../../api/assets/{script}"' in page  # the app's route, cached a year
    assert f'<meta name="plotly-js" content="{script}">' in page  # the fallback: this copy
    assert "__PLOTLY_JS__" not in page
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert (folder / script).stat().st_size == plotly_js.stat().st_size
    assert not folder.is_symlink()
    # Nothing half-built is left beside it.
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]


def test_the_folder_changes_with_the_frontend_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = map_component.component_dir()
    frontend = tmp_path / "frontend"
    frontend.mkdir()
    for name in ("index.html", "map.js"):
        (frontend / name).write_bytes((map_component.FRONTEND / name).read_bytes())
    (frontend / "map.js").write_text("// changed\n", encoding="utf-8")
    monkeypatch.setattr(map_component, "FRONTEND", frontend)
    second = map_component.component_dir()
    assert second != first
    assert (second / "map.js").read_text() == "// changed\n"
    assert (first / "map.js").read_bytes() != b"// changed\n"


def test_an_unwritable_cache_falls_back_to_a_private_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", None)
    folder = map_component.component_dir()
    assert folder.is_relative_to(tmp_path / "tmp")
    assert (folder / "index.html").is_file()
    assert (folder.parent.stat().st_mode & 0o777) == 0o700


def test_the_app_serves_plotly_js_for_a_year_under_its_version() -> None:
    client = TestClient(Starlette(routes=map_component.asset_routes()))
    answer = client.get(map_component.ASSET_PATH + map_component.plotly_js_name())
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["content-type"].startswith("application/javascript")
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert answer.content == plotly_js.read_bytes()
    assert client.get(map_component.ASSET_PATH + "plotly-0.0.1.min.js").status_code == 404
