"""A fake Strava (OAuth + API v3) over real HTTP, for tests and offline demos.

Follows /work/shared/strava-api.md (§7 is its checklist). Typical use::

    with FakeStrava("12345", "s3cret") as server:       # or the `fake_strava` fixture
        athlete = server.add_athlete(activities=make_activities(500, athlete_id=1))
        token = server.issue_token(athlete.id)["access_token"]   # skips the consent page
        requests.get(f"{server.api_url}/athlete/activities",
                     headers={"Authorization": f"Bearer {token}"})

Scripting: ``fail()``, ``malformed()``, ``latency``, ``advance()``, ``set_rate_limits()``,
``authorize_mode``; inspection: ``requests``, ``deauthorized``, ``errors``.
Webhooks: ``/api/v3/push_subscriptions`` (create runs the handshake against the callback;
``handshakes`` records each), and ``push_event(owner_id, ...)`` POSTs an event to it.
Standalone: ``python -m tests.fake_strava --port 8765``.
"""

from __future__ import annotations

from tests.fake_strava.factory import make_activities
from tests.fake_strava.models import FakeAthlete, RecordedRequest
from tests.fake_strava.server import FakeStrava

__all__ = ["FakeAthlete", "FakeStrava", "RecordedRequest", "make_activities"]
