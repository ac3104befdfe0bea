"""The server's athlete store as the pages see it: loading a returning athlete after a
proven login, what the privacy text promises, and "Disconnect and delete my data"."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from strava_dash.auth import Token
from strava_dash.errors import ConfigError, StoreError
from strava_dash.settings import HostingSettings
from strava_dash.store import AthleteRecorder, SqlStore, StoredAthlete
from strava_dash.store.service import shared_store
from strava_dash.sync import ActivityStore
from strava_dash.ui.config import load_hosting

log = logging.getLogger(__name__)

NOT_LOADED = (
    "Your stored activities could not be loaded ({reason}), so this visit downloads them "
    "from Strava again and keeps them in this browser session only."
)


def hosting() -> tuple[HostingSettings, ConfigError | None]:
    """The storage settings; on a configuration error, session-only and the error."""
    try:
        return load_hosting(), None
    except ConfigError as error:
        return HostingSettings(database_url=None), error


@dataclass(frozen=True)
class Restored:
    """What a proven login brings back from the store (nothing when storage is off)."""

    recorder: AthleteRecorder | None = None
    gear_names: dict[str, str] | None = None
    notice: str | None = None


def restore(token: Token, store: ActivityStore) -> Restored:
    """Load the athlete's stored data into ``store`` and write its sync through.

    Called only after Strava's token answer named the athlete: the id comes from Strava,
    never from anything the browser sent.
    """
    athlete_id = token.athlete_id
    settings, _ = hosting()
    if athlete_id is None or not settings.stores_data:
        return Restored()
    try:
        database = shared_store(settings)
        if database is None:
            return Restored()
        stored = database.visit(athlete_id, scopes=token.scopes, now=datetime.now(UTC))
        if "activity:read_all" not in token.scopes:
            stored = _without_only_you(database, stored)
    except StoreError as error:
        log.warning("store unavailable at login: %s", error)
        return Restored(notice=NOT_LOADED.format(reason=error))
    cursors = stored.cursors
    if "activity:read_all" in token.scopes and "activity:read_all" not in stored.scopes:
        # What is stored was listed without private activities: walk the list again
        # (records held are merged by id, so nothing is duplicated).
        cursors = replace(cursors, complete=False, tail_before=None, head_before=None)
    store.restore(stored.records, cursors)
    store.recheck_from = stored.recheck_from
    recorder = AthleteRecorder(database, athlete_id)
    store.persistence = recorder
    return Restored(recorder, dict(stored.gear_names))


def _without_only_you(database: SqlStore, stored: StoredAthlete) -> StoredAthlete:
    """This grant leaves private activities out: forget the ones an earlier grant gave."""
    hidden = {i for i, r in stored.records.items() if _only_you(r)}
    database.delete_activities(stored.athlete_id, hidden)
    kept = {i: r for i, r in stored.records.items() if i not in hidden}
    return replace(stored, records=kept)


def _only_you(record: dict[str, object]) -> bool:
    return record.get("private") is True or record.get("visibility") == "only_me"


def privacy_text(settings: HostingSettings) -> str:
    """Exactly what is kept, where, and for how long (the Home page says it)."""
    if not settings.stores_data:
        return (
            "Privacy: your token and activities stay in this browser session on the server "
            "and are gone when you log out or close the tab. Nothing is stored anywhere else."
        )
    days = settings.retention_days
    return (
        "Privacy: when you connect with Strava, this server keeps your activities as Strava "
        "sent them, your gear names, the tracks you opened and where the download stopped, "
        "in its database, so your next visit shows them at once and asks Strava only for "
        f"what is new. They are deleted {days} day{'s' if days != 1 else ''} after your last "
        "visit, at once when you choose **Disconnect and delete my data**, and when you "
        "revoke Dash for Strava's access on Strava. Your Strava token is never stored: it "
        "lives in this browser session only. The demo and uploaded archives are never stored."
    )


def delete_stored(athlete_id: int) -> int:
    """Delete every stored row of this athlete; the number of rows (0: none stored).

    Raises:
        StoreError: the database could not be reached or written.
    """
    settings, _ = hosting()
    database = shared_store(settings)
    return 0 if database is None else database.delete_athlete(athlete_id)
