"""The one wall clock the app judges Strava's rate windows by, and its test-only offset.

Strava's 15-minute windows are quarter hours of real time: when the app's budget is
spent it waits for the next one (the countdown on the page, then an automatic resume).
A test that proves several replicas share one budget across windows must not wait 15
real minutes per window, and it must move *every* clock that takes part: each replica's
(the client, the budget, the page's countdown), the Redis budget's and the fake Strava's.

``DASH_CLOCK_FILE`` (read by :func:`strava_dash.settings.clock_file_from_env`, for tests
and benchmarks only, never set in production) names a file holding a number of seconds
that :func:`utc_now` adds to real time. The test moves time forward by rewriting the
file; the fake Strava reads the same file (``tests/fake_strava``), so every process sees
the same shifted time without restarting. Unset, :func:`offset_s` is the constant 0.0 and
:func:`utc_now` is ``datetime.now(UTC)``: production reads no file and behaves exactly as
before. Real time keeps flowing under the offset, so waits, timeouts and lease TTLs still
last as long as they say; only the "what time is it" answer jumps.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from strava_dash.settings import CLOCK_FILE_ENV, clock_file_from_env

log = logging.getLogger(__name__)


def read_offset(path: Path) -> float:
    """Seconds stored in ``path``; 0.0 while it is missing, empty or being rewritten.

    Writers replace the file atomically (write a temporary file, then rename), so a
    reader sees the old or the new number, never half of one.
    """
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return 0.0
    return float(text) if text else 0.0


_CLOCK_FILE = clock_file_from_env()
if _CLOCK_FILE is not None:
    # Said once per process, so a deployment that set it by mistake shows it in its log.
    log.warning(
        "%s is set: this process's clock is shifted by %s (tests only)", CLOCK_FILE_ENV, _CLOCK_FILE
    )


def offset_s() -> float:
    """How far this process's clock runs ahead of real time (0.0 unless a test set it)."""
    return 0.0 if _CLOCK_FILE is None else read_offset(_CLOCK_FILE)


def utc_now() -> datetime:
    """Now, in UTC, on the clock Strava's windows are judged by."""
    if _CLOCK_FILE is None:
        return datetime.now(UTC)
    return datetime.now(UTC) + timedelta(seconds=read_offset(_CLOCK_FILE))
