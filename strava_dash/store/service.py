"""One store per server process, shared by every session and the webhook route, and the
retention sweep that runs beside it (at start-up, then hourly)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from strava_dash.errors import ConfigError, StoreError
from strava_dash.settings import HostingSettings
from strava_dash.store.sql import SqlStore

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 3600.0

_lock = threading.Lock()
_stores: dict[str, SqlStore] = {}
_sweepers: dict[str, Sweeper] = {}


class Sweeper:
    """Deletes athletes whose last visit is older than the retention period."""

    def __init__(
        self,
        store: SqlStore,
        retention: timedelta,
        *,
        interval_s: float = SWEEP_INTERVAL_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.retention = retention
        self.interval_s = interval_s
        self.clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="store-sweep", daemon=True)

    def sweep_once(self) -> list[int]:
        deleted = self.store.sweep(self.clock() - self.retention)
        if deleted:
            # Counts only: athlete ids are personal data and do not belong in a log.
            log.info(
                "retention sweep deleted %d athlete(s) not seen in %s", len(deleted), self.retention
            )
        return deleted

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while True:
            try:
                self.sweep_once()
            except StoreError as error:
                log.warning("retention sweep failed, will try again: %s", error)
            if self._stop.wait(self.interval_s):
                return


def shared_store(hosting: HostingSettings) -> SqlStore | None:
    """This process's store for ``hosting``, opened (and migrated) on first use.

    None when nothing is to be stored (``DASH_DATABASE_URL=none``).

    Raises:
        StoreError: the database cannot be opened now; the next call tries again.
    """
    url = hosting.database_url
    if url is None:
        return None
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = SqlStore.open(url)
            _stores[url] = store
            sweeper = Sweeper(store, timedelta(days=hosting.retention_days))
            _sweepers[url] = sweeper
            sweeper.start()
        return store


def close_all() -> None:
    """Stop the sweeps and drop the engines (tests; a server shutting down)."""
    with _lock:
        for sweeper in _sweepers.values():
            sweeper.stop()
        for store in _stores.values():
            store.dispose()
        _sweepers.clear()
        _stores.clear()


def open_in_background(load: Callable[[], HostingSettings]) -> threading.Thread:
    """Open the store at server start (migrations, then the first retention sweep) without
    holding the start-up: a database that is down only delays this, logged, and the first
    login tries again."""

    def run() -> None:
        try:
            shared_store(load())
        except (StoreError, ConfigError) as error:
            log.warning("store not opened at start-up, the first login tries again: %s", error)

    thread = threading.Thread(target=run, name="store-open", daemon=True)
    thread.start()
    return thread
