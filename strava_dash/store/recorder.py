"""Writes one athlete's sync through to the store, and keeps going in memory if it can't."""

from __future__ import annotations

import logging
import threading
from typing import Any

from strava_dash.errors import AthleteGone, StoreError
from strava_dash.store.sql import SqlStore
from strava_dash.sync import Cursors

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "Your activities could not be saved on this server ({reason}). Nothing is lost: this "
    "session keeps everything downloaded so far, and your downloads work as usual; the "
    "next visit may have to fetch some activities from Strava again."
)


class AthleteRecorder:
    """The :class:`strava_dash.sync.Persistence` of one proven athlete.

    The first failed write turns the recorder off for the rest of the session: later
    pages stay in memory only, so the database keeps a consistent older state (records
    and cursors are always written together) instead of a half-written one.
    """

    def __init__(self, store: SqlStore, athlete_id: int) -> None:
        self.store = store
        self.athlete_id = athlete_id
        self.error: str | None = None
        self._off = threading.Event()

    @property
    def active(self) -> bool:
        return not self._off.is_set()

    def detach(self) -> None:
        """Write nothing more (the athlete is being deleted, or logged out)."""
        self._off.set()

    def save(self, page: list[dict[str, Any]], cursors: Cursors, *, recheck_done: bool) -> None:
        if self._off.is_set():
            return
        try:
            self.store.save_page(self.athlete_id, page, cursors, recheck_done=recheck_done)
        except AthleteGone:
            log.info("athlete's stored data was deleted during a sync; writing stops")
            self._off.set()
        except StoreError as error:
            log.warning("store write failed, continuing in memory: %s", error)
            self.error = UNAVAILABLE.format(reason=error)
            self._off.set()

    def save_gear(self, names: dict[str, str]) -> None:
        if self._off.is_set() or not names:
            return
        try:
            self.store.save_gear(self.athlete_id, names)
        except StoreError as error:
            log.warning("gear names not stored: %s", error)

    def stream(self, activity_id: int) -> dict[str, Any] | None:
        if self._off.is_set():
            return None
        try:
            return self.store.stream(self.athlete_id, activity_id)
        except StoreError as error:
            log.warning("stored stream unreadable: %s", error)
            return None

    def save_stream(self, activity_id: int, data: dict[str, Any]) -> None:
        if self._off.is_set():
            return
        try:
            self.store.save_stream(self.athlete_id, activity_id, data)
        except StoreError as error:
            log.warning("stream not stored: %s", error)

    def goals(self) -> str | None:
        """The stored goals document, None when there is none or it cannot be read."""
        if self._off.is_set():
            return None
        try:
            return self.store.goals(self.athlete_id)
        except StoreError as error:
            log.warning("stored goals unreadable: %s", error)
            return None

    def save_goals(self, document: str) -> bool:
        """Keep the goals; False when they could not be stored (the session keeps them)."""
        if self._off.is_set():
            return False
        try:
            self.store.save_goals(self.athlete_id, document)
        except StoreError as error:  # AthleteGone included: nothing to write to
            log.warning("goals not stored: %s", error)
            return False
        return True
