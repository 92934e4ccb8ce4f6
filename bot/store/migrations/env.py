"""Alembic environment: runs on the connection the caller hands over
(`bot.store.migrate`), or on DATABASE_URL when run by the alembic CLI."""

from __future__ import annotations

from alembic import context

from bot.config import load_settings
from bot.store.db import create_db_engine
from bot.store.schema import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_db_engine(load_settings().database_url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
