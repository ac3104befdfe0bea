"""One activity's streams, from wherever this session's data came from, fetched once.

Shared by the Activity detail page and the Tracks (GPX) download: a stream fetched by one
is never requested again by the other (they share :attr:`AthleteSession.streams`).
"""

from __future__ import annotations

from typing import Any

from strava_dash import demo
from strava_dash.errors import AuthError, NotFoundError
from strava_dash.ui.state import AthleteSession


def get_streams(session: AthleteSession, record: dict[str, Any]) -> dict[str, Any]:
    """The activity's streams (key_by_type shape), fetched once and kept in the session.

    Demo activities get synthesized streams; archive ones are read from the uploaded
    export's activity file (``{}`` when it has none); Strava ones cost one request. An
    activity Strava has no streams for (manual, 404) gives ``{}``, kept too, so it is
    never asked again.

    Raises:
        RateLimitError, StravaAPIError: from Strava; nothing is kept then.
        DataError: the archive's file for this activity cannot be read.
    """
    activity_id = int(record["id"])
    kept = session.streams.get(activity_id)
    if kept is not None:
        return kept
    try:
        if session.source == "demo":
            streams: dict[str, Any] = demo.demo_streams(record)
        elif session.source == "archive":
            archive = session.archive
            has_file = archive is not None and archive.has_track(activity_id)
            streams = archive.track(activity_id) if archive is not None and has_file else {}
        elif (stored := _stored(session, activity_id)) is not None:
            streams = stored
        elif session.client is None:
            raise AuthError(None, "Not connected to Strava; connect again on the Home page")
        else:
            streams = session.client.streams(activity_id)
            if session.recorder is not None:
                session.recorder.save_stream(activity_id, streams)
    except NotFoundError:
        streams = {}
        if session.recorder is not None:
            session.recorder.save_stream(activity_id, streams)
    session.streams[activity_id] = streams
    return streams


def _stored(session: AthleteSession, activity_id: int) -> dict[str, Any] | None:
    """Streams an earlier visit fetched (each cost a request), from the server's store."""
    if session.source != "strava" or session.recorder is None:
        return None
    return session.recorder.stream(activity_id)
