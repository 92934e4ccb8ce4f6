"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL
is set), a controllable clock, and the demo ledger."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.bootstrap import DEMO_FILE
from bot.services.context import Actor, Context, FixedClock
from bot.services.ledger_file import import_file
from bot.store import migrate
from bot.store.db import create_db_engine
from bot.store.schema import metadata
from bot.store.uow import UnitOfWork

PG_URL = os.environ.get("TEST_DATABASE_URL")
# Noon in Baku on the day of the seed report.
DEMO_NOW = datetime(2020, 10, 26, 8, 0, tzinfo=UTC)

_pg_engine: Engine | None = None


def _postgres() -> Engine:
    global _pg_engine
    if _pg_engine is None:
        assert PG_URL
        engine = create_db_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(engine)
        _pg_engine = engine
    return _pg_engine


def _truncate(engine: Engine) -> None:
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (set by .ci/run)")
        pg = _postgres()
        _truncate(pg)
        yield pg
        return
    sqlite = create_db_engine(f"sqlite:///{tmp_path / 'sitrep.db'}")
    migrate.upgrade(sqlite)
    yield sqlite
    sqlite.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    sqlite = create_db_engine(f"sqlite:///{tmp_path / 'sitrep.db'}")
    migrate.upgrade(sqlite)
    yield sqlite
    sqlite.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEMO_NOW)


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock) -> Context:
    return Context(
        uow=UnitOfWork(engine), clock=clock, admins=("UADMIN",), default_zone="Asia/Baku"
    )


@pytest.fixture
def demo(ctx: Context) -> Context:
    """The demo ledger, loaded at noon (Baku) on 26 Oct 2020."""
    import_file(ctx, DEMO_FILE)
    return ctx


@pytest.fixture
def sqlite_demo(sqlite_engine: Engine, clock: FixedClock) -> Context:
    ctx = Context(
        uow=UnitOfWork(sqlite_engine), clock=clock, admins=("UADMIN",), default_zone="Asia/Baku"
    )
    import_file(ctx, DEMO_FILE)
    return ctx


CONSOLE = Actor.console_user()
