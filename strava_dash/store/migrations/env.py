"""Alembic environment: migrations run on the connection :mod:`strava_dash.store.migrate`
hands over (never on a URL from an ini file), so the app, the CLI and the tests migrate
the database they are actually using."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
