"""The composition root: settings → engine → unit of work → services context.
Nothing here runs at import time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.services.context import Clock, Context, SystemClock
from bot.store import migrate
from bot.store.db import create_db_engine
from bot.store.uow import UnitOfWork

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_FILE = PROJECT_ROOT / "data" / "nk2020.yaml"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    ctx: Context


def bootstrap(settings: Settings, clock: Clock | None = None, upgrade: bool = True) -> Runtime:
    engine = create_db_engine(settings.database_url)
    if upgrade:
        migrate.upgrade(engine)
    ctx = Context(
        uow=UnitOfWork(engine),
        clock=clock or SystemClock(),
        admins=settings.admins,
        default_zone=settings.timezone,
        fetch_allow_private=settings.fetch_allow_private,
    )
    return Runtime(settings, engine, ctx)


def describe_database(url: str) -> str:
    """The database without its password, for start-up lines."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite at {parsed.database}"
    return f"PostgreSQL at {parsed.host}:{parsed.port or 5432}/{parsed.database}"
