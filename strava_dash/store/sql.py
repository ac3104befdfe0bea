"""The athlete store on SQLAlchemy Core: one schema for SQLite and PostgreSQL.

Everything is keyed by the athlete id that Strava's token response proved: nothing a
browser can choose ever selects stored rows. Every method is one short transaction, so
several threads and processes (replicas on PostgreSQL) can share one store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from strava_dash.errors import AthleteGone, StoreError
from strava_dash.islands import Island
from strava_dash.store import engine as engines
from strava_dash.store import migrate
from strava_dash.store.schema import (
    PER_ATHLETE,
    activities,
    app_meta,
    athletes,
    gear,
    goals,
    streams,
)
from strava_dash.sync import Cursors, start_epoch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredAthlete:
    """What the store holds for one athlete, as a returning visit needs it."""

    athlete_id: int
    records: dict[int, dict[str, Any]]
    cursors: Cursors
    gear_names: dict[str, str]
    scopes: frozenset[str]
    #: Set by a webhook update: the head walk re-reads down to this start (epoch s).
    recheck_from: int | None
    last_visit: datetime


def _dumps(value: Any) -> str:
    # Python's float repr round-trips exactly, so the text is the API's numbers unchanged.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes: everything is written in UTC, so say so again.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _describe(error: Exception) -> str:
    """A short, safe reason: the driver's first line, never the SQL or its parameters."""
    cause = getattr(error, "orig", None) or error
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first[:160]}" if first else type(cause).__name__


class SqlStore:
    """The per-athlete store: raw records, resume cursors, gear names, streams."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> SqlStore:
        """Connect and run the migrations up to head.

        Raises:
            StoreError: the database cannot be reached, created or upgraded.
        """
        try:
            engine = engines.create(url)
            migrate.upgrade(engine)
        except (sa.exc.SQLAlchemyError, OSError) as error:
            raise StoreError(
                f"the athlete store could not be opened ({_describe(error)})"
            ) from error
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[sa.Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except (sa.exc.SQLAlchemyError, OSError) as error:
            raise StoreError(f"the athlete store could not {doing} ({_describe(error)})") from error

    def _upsert(
        self, connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]
    ) -> None:
        if not rows:
            return
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        statement = insert(table)
        keys = [c.name for c in table.primary_key.columns]
        changed = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=changed), rows)

    # ------------------------------------------------------------ a visit

    def visit(self, athlete_id: int, *, scopes: Iterable[str], now: datetime) -> StoredAthlete:
        """Record a proven login (creating the athlete if new) and load what is stored."""
        granted = ",".join(sorted(set(scopes)))
        with self._transaction("load your stored activities") as connection:
            updated = connection.execute(
                athletes.update()
                .where(athletes.c.athlete_id == athlete_id)
                .values(last_visit=now, scopes=granted)
            ).rowcount
            if not updated:
                connection.execute(
                    athletes.insert().values(
                        athlete_id=athlete_id, complete=False, last_visit=now, scopes=granted
                    )
                )
            row = connection.execute(
                athletes.select().where(athletes.c.athlete_id == athlete_id)
            ).one()
            records = {
                int(activity_id): json.loads(text)
                for activity_id, text in connection.execute(
                    sa.select(activities.c.activity_id, activities.c.record).where(
                        activities.c.athlete_id == athlete_id
                    )
                )
            }
            names = {
                str(gear_id): str(name)
                for gear_id, name in connection.execute(
                    sa.select(gear.c.gear_id, gear.c.name).where(gear.c.athlete_id == athlete_id)
                )
            }
        cursors = Cursors(
            complete=bool(row.complete),
            tail_before=row.tail_before,
            head_before=row.head_before,
            total_hint=row.total_hint,
            last_synced=_utc(row.last_synced),
            tail_islands=tuple(Island(top, bottom) for top, bottom in json.loads(row.tail_islands)),
        )
        return StoredAthlete(
            athlete_id,
            records,
            cursors,
            names,
            frozenset(s for s in row.scopes.split(",") if s),
            row.recheck_from,
            _utc(row.last_visit) or now,
        )

    # ------------------------------------------------------------ sync writes

    def save_page(
        self,
        athlete_id: int,
        records: list[dict[str, Any]],
        cursors: Cursors,
        *,
        recheck_done: bool = False,
    ) -> None:
        """Merge one page and move the cursors, together (a kill between is impossible).

        Raises:
            AthleteGone: the athlete's data was deleted meanwhile; nothing was written.
            StoreError: the write failed; the transaction was rolled back.
        """
        values: dict[str, Any] = {
            "complete": cursors.complete,
            "tail_before": cursors.tail_before,
            "head_before": cursors.head_before,
            "total_hint": cursors.total_hint,
            "last_synced": cursors.last_synced,
            "tail_islands": _dumps([list(island) for island in cursors.tail_islands]),
        }
        if recheck_done:
            values["recheck_from"] = None
        with self._transaction("save the activities just downloaded") as connection:
            # Only a login creates an athlete: a sync racing a deletion must not undo it.
            if not connection.execute(
                athletes.update().where(athletes.c.athlete_id == athlete_id).values(**values)
            ).rowcount:
                raise AthleteGone("your stored data was deleted while the download ran")
            rows = [
                {
                    "athlete_id": athlete_id,
                    "activity_id": record["id"],
                    "start_epoch": start_epoch(record),
                    "record": _dumps(record),
                }
                for record in records
            ]
            self._upsert(connection, activities, rows)

    def save_gear(self, athlete_id: int, names: dict[str, str]) -> None:
        rows = [{"athlete_id": athlete_id, "gear_id": k, "name": v} for k, v in names.items()]
        with self._transaction("save gear names") as connection:
            self._upsert(connection, gear, rows)

    def stream(self, athlete_id: int, activity_id: int) -> dict[str, Any] | None:
        with self._transaction("read a stored track") as connection:
            text = connection.execute(
                sa.select(streams.c.data).where(
                    streams.c.athlete_id == athlete_id, streams.c.activity_id == activity_id
                )
            ).scalar()
        return None if text is None else dict(json.loads(text))

    def save_stream(self, athlete_id: int, activity_id: int, data: dict[str, Any]) -> None:
        row = {"athlete_id": athlete_id, "activity_id": activity_id, "data": _dumps(data)}
        with self._transaction("save a track") as connection:
            self._upsert(connection, streams, [row])

    def goals(self, athlete_id: int) -> str | None:
        """The athlete's goals document (the goals file's text), None when none is kept."""
        with self._transaction("read your goals") as connection:
            text = connection.execute(
                sa.select(goals.c.document).where(goals.c.athlete_id == athlete_id)
            ).scalar()
        return None if text is None else str(text)

    def save_goals(self, athlete_id: int, document: str) -> None:
        """Keep the goals document of a stored athlete.

        Raises:
            AthleteGone: the athlete's data was deleted (a late save must not bring a
                row back for someone who asked to be forgotten).
        """
        with self._transaction("save your goals") as connection:
            exists = connection.execute(
                sa.select(athletes.c.athlete_id)
                .where(athletes.c.athlete_id == athlete_id)
                .with_for_update()
            ).scalar()
            if exists is None:
                raise AthleteGone(f"athlete {athlete_id} is not stored")
            self._upsert(connection, goals, [{"athlete_id": athlete_id, "document": document}])

    # ------------------------------------------------------------ leaving, webhooks

    def delete_athlete(self, athlete_id: int) -> int:
        """Delete every row of this athlete, in one transaction; returns the rows deleted."""
        with self._transaction("delete your data") as connection:
            return sum(
                connection.execute(table.delete().where(table.c.athlete_id == athlete_id)).rowcount
                for table in PER_ATHLETE
            )

    def delete_activity(self, athlete_id: int, activity_id: int) -> bool:
        return self.delete_activities(athlete_id, [activity_id]) > 0

    def delete_activities(self, athlete_id: int, activity_ids: Iterable[int]) -> int:
        """Delete these activities of one athlete (and their streams), in one transaction;
        the activities deleted."""
        ids = list(activity_ids)
        if not ids:
            return 0
        with self._transaction("delete activities") as connection:
            connection.execute(
                streams.delete().where(
                    streams.c.athlete_id == athlete_id, streams.c.activity_id.in_(ids)
                )
            )
            return int(
                connection.execute(
                    activities.delete().where(
                        activities.c.athlete_id == athlete_id, activities.c.activity_id.in_(ids)
                    )
                ).rowcount
            )

    def note_change(self, athlete_id: int, activity_id: int | None, *, now: datetime) -> bool:
        """A webhook said an activity was created or changed: make the next head walk
        re-read down to it (when it is stored). False when the athlete is not stored."""
        with self._transaction("note a change from Strava") as connection:
            values: dict[str, Any] = {"changed_at": now}
            if activity_id is not None:
                start = connection.execute(
                    sa.select(activities.c.start_epoch).where(
                        activities.c.athlete_id == athlete_id,
                        activities.c.activity_id == activity_id,
                    )
                ).scalar()
                if start is not None:
                    earlier = sa.func.coalesce(athletes.c.recheck_from, start)
                    values["recheck_from"] = sa.case((earlier < start, earlier), else_=start)
            return bool(
                connection.execute(
                    athletes.update().where(athletes.c.athlete_id == athlete_id).values(**values)
                ).rowcount
            )

    def scopes(self, athlete_id: int) -> frozenset[str] | None:
        with self._transaction("read an athlete") as connection:
            text = connection.execute(
                sa.select(athletes.c.scopes).where(athletes.c.athlete_id == athlete_id)
            ).scalar()
        return None if text is None else frozenset(s for s in text.split(",") if s)

    def sweep(self, cutoff: datetime) -> list[int]:
        """Delete every athlete whose last visit is older than ``cutoff``; their ids."""
        with self._transaction("find athletes past the retention period") as connection:
            stale = list(
                connection.execute(
                    sa.select(athletes.c.athlete_id).where(athletes.c.last_visit < cutoff)
                ).scalars()
            )
        for athlete_id in stale:
            self.delete_athlete(athlete_id)
        return stale

    # ------------------------------------------------------------ inspection

    def athlete_ids(self) -> list[int]:
        with self._transaction("list athletes") as connection:
            return list(connection.execute(sa.select(athletes.c.athlete_id)).scalars())

    def row_counts(self, athlete_id: int) -> dict[str, int]:
        """Rows per table for one athlete: what "your data" amounts to, and test evidence."""
        with self._transaction("count stored rows") as connection:
            return {
                table.name: int(
                    connection.execute(
                        sa.select(sa.func.count()).where(table.c.athlete_id == athlete_id)
                    ).scalar_one()
                )
                for table in PER_ATHLETE
            }

    def get_meta(self, key: str) -> str | None:
        with self._transaction("read a setting") as connection:
            value = connection.execute(
                sa.select(app_meta.c.value).where(app_meta.c.key == key)
            ).scalar()
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str | None) -> None:
        with self._transaction("save a setting") as connection:
            if value is None:
                connection.execute(app_meta.delete().where(app_meta.c.key == key))
            else:
                self._upsert(connection, app_meta, [{"key": key, "value": value}])

    def dispose(self) -> None:
        self.engine.dispose()
