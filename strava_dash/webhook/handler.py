"""What a webhook event does to the athlete store.

Events are hints, not commands: they carry no signature, so the only check is that
they name this application's own subscription. The worst a forged event can do is
delete stored rows that the athlete's next visit downloads again, or make that visit's
head walk read further back; it can never reveal or add data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum

from strava_dash.errors import ConfigError, StoreError
from strava_dash.settings import HostingSettings
from strava_dash.store.sql import SqlStore
from strava_dash.webhook.events import Malformed, WebhookEvent, parse_event

log = logging.getLogger(__name__)

#: ``app_meta`` key of the subscription id that the CLI's subscribe/list recorded.
SUBSCRIPTION_META_KEY = "webhook_subscription_id"
#: Without this scope, an activity made Only You is no longer one the athlete shares with us.
READ_ALL = "activity:read_all"


class Outcome(Enum):
    """What handling one event did (logged, and what tests assert on)."""

    DELETED_ATHLETE = "deleted athlete"
    DELETED_ACTIVITY = "deleted activity"
    NOTED_CHANGE = "noted change"
    NOT_STORED = "not stored"
    NO_STORE = "no store configured"
    FOREIGN = "foreign subscription"
    NO_SUBSCRIPTION = "no subscription known"
    MALFORMED = "malformed"
    IGNORED = "ignored"
    FAILED = "store failed"


def app_subscription_id(hosting: HostingSettings, store: SqlStore | None) -> int | None:
    """The app's own subscription: the setting wins, else what the CLI recorded.

    Raises:
        StoreError: the store could not be read.
    """
    if hosting.webhook_subscription_id is not None:
        return hosting.webhook_subscription_id
    if store is None:
        return None
    recorded = store.get_meta(SUBSCRIPTION_META_KEY)
    return int(recorded) if recorded is not None and recorded.isdigit() else None


def handle_event(
    store: SqlStore,
    event: WebhookEvent,
    subscription_id: int | None,
    *,
    now: datetime | None = None,
) -> Outcome:
    """Apply one parsed event to the store.

    Raises:
        StoreError: the store could not be read or written.
    """
    if subscription_id is None:
        log.warning(
            "webhook event ignored: no subscription id is known (set "
            "STRAVA_WEBHOOK_SUBSCRIPTION_ID or run python -m strava_dash.webhook subscribe)"
        )
        return Outcome.NO_SUBSCRIPTION
    if event.subscription_id != subscription_id:
        log.warning("webhook event for a foreign subscription ignored")
        log.debug("foreign subscription id %d", event.subscription_id)
        return Outcome.FOREIGN
    if event.object_type == "athlete":
        return _athlete_event(store, event)
    return _activity_event(store, event, now or datetime.now(UTC))


def _athlete_event(store: SqlStore, event: WebhookEvent) -> Outcome:
    if event.aspect_type == "update" and event.flag("authorized") is False:
        rows = store.delete_athlete(event.owner_id)
        # Strava's API Agreement: everything of an athlete who revokes access goes.
        log.info("athlete revoked access: deleted %d stored row(s)", rows)
        log.debug("deauthorized athlete %d", event.owner_id)
        return Outcome.DELETED_ATHLETE if rows else Outcome.NOT_STORED
    log.debug("athlete event %s ignored", event.aspect_type)
    return Outcome.IGNORED


def _activity_event(store: SqlStore, event: WebhookEvent, now: datetime) -> Outcome:
    if event.aspect_type == "delete":
        deleted = store.delete_activity(event.owner_id, event.object_id)
        log.debug("activity %d of athlete %d deleted", event.object_id, event.owner_id)
        return Outcome.DELETED_ACTIVITY if deleted else Outcome.NOT_STORED
    if event.aspect_type == "update" and event.flag("private") is True:
        scopes = store.scopes(event.owner_id)
        if scopes is None:
            return Outcome.NOT_STORED
        if READ_ALL not in scopes:
            # Only You now, and the athlete never let us read those: it is no longer
            # theirs to share with this app, so the stored copy goes.
            deleted = store.delete_activity(event.owner_id, event.object_id)
            log.debug("activity %d went private: deleted", event.object_id)
            return Outcome.DELETED_ACTIVITY if deleted else Outcome.NOT_STORED
    # A create has no stored start to re-read down to; the head walk finds it anyway.
    activity_id = event.object_id if event.aspect_type == "update" else None
    noted = store.note_change(event.owner_id, activity_id, now=now)
    log.debug("activity %s of athlete %d: change noted", event.aspect_type, event.owner_id)
    return Outcome.NOTED_CHANGE if noted else Outcome.NOT_STORED


def process_body(
    body: bytes,
    store_for: Callable[[], tuple[SqlStore | None, HostingSettings]],
    *,
    now: datetime | None = None,
) -> Outcome:
    """Parse and handle one POSTed body; logs and returns instead of raising.

    ``store_for`` opens the store only once the body proved to be an event, so junk
    POSTs never cost a database connection.
    """
    event = parse_event(body)
    if isinstance(event, Malformed):
        log.warning("webhook body ignored: %s", event.reason)
        return Outcome.MALFORMED
    try:
        store, hosting = store_for()
        if store is None:
            log.debug("webhook event ignored: no store is configured")
            return Outcome.NO_STORE
        outcome = handle_event(store, event, app_subscription_id(hosting, store), now=now)
    except (StoreError, ConfigError) as error:
        # Strava already has its 200: the event is lost. A deauthorization missed here
        # is still caught by the retention sweep (DASH_RETENTION_DAYS).
        log.error("webhook event could not be applied: %s", error)
        return Outcome.FAILED
    except Exception:
        # Runs after the answer, in a server thread: nothing may escape into the server.
        log.exception("webhook event handling failed")
        return Outcome.FAILED
    log.info("webhook %s %s: %s", event.object_type, event.aspect_type, outcome.value)
    return outcome
