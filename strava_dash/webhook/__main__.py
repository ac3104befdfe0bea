"""``python -m strava_dash.webhook subscribe|list|unsubscribe``."""

from __future__ import annotations

import sys

from strava_dash.webhook.cli import main

sys.exit(main())
