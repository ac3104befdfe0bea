"""Engines for the store: SQLite (embedded default, WAL) and PostgreSQL (replicas)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

#: How long a writer waits for another process's write lock before the store reports
#: itself unavailable (SQLite only; PostgreSQL locks rows, not the file).
SQLITE_BUSY_MS = 10_000


def create(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite's parent directory is created when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pool_pre_ping: a PostgreSQL restart must cost one reconnect, not a failed page.
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling skips BEGIN before DDL and SAVEPOINTs; SQLAlchemy's
    # documented recipe hands transactions to the "begin" event instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps it crash-safe
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that later writes
    # can fail with "database is locked" at once instead of waiting busy_timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
