"""Stream types belong to the data model: GPX and the demo need no HTTP stack for them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from strava_dash.client import StravaClient
from strava_dash.gpx import _CSV_ORDER
from strava_dash.streams import STREAM_KEYS

ROOT = Path(__file__).resolve().parent.parent


def test_gpx_and_the_demo_do_not_load_the_http_client() -> None:
    probe = "import sys, strava_dash.gpx, strava_dash.demo; print('requests' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_one_list_of_stream_types_for_the_client_and_the_csv() -> None:
    assert StravaClient.streams.__defaults__ == (STREAM_KEYS,)
    assert _CSV_ORDER[:4] == ("time", "distance", "lat", "lng")
    assert len(_CSV_ORDER) == len(STREAM_KEYS) + 1
