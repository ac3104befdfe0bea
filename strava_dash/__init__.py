"""Dash for Strava: an athlete's own Strava activities, filtered, charted and downloaded.

Everything in this package except :mod:`strava_dash.ui` is plain Python (no Streamlit),
so it can be tested and reused without a running app.
"""

from __future__ import annotations

APP_NAME = "Dash for Strava"
__version__ = "0.1.0"
