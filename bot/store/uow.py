"""Unit of work: one transaction per command, committed whole or rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select

from bot.store.briefings import Briefings
from bot.store.catalog import Catalog
from bot.store.db import WRITE
from bot.store.ledger import Ledger
from bot.store.schema import admins


class AdminStore:
    """Admins added in Slack (those of SITREP_ADMINS live in the settings)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def list(self) -> list[str]:
        return [
            r[0] for r in self.conn.execute(select(admins.c.user_id).order_by(admins.c.added_at))
        ]

    def contains(self, user_id: str) -> bool:
        return (
            self.conn.execute(select(admins.c.user_id).where(admins.c.user_id == user_id)).first()
            is not None
        )

    def add(self, user_id: str, added_by: str, now: datetime) -> bool:
        if self.contains(user_id):
            return False
        self.conn.execute(insert(admins).values(user_id=user_id, added_by=added_by, added_at=now))
        return True

    def remove(self, user_id: str) -> bool:
        return self.conn.execute(delete(admins).where(admins.c.user_id == user_id)).rowcount > 0


class Tx:
    """What a service sees of the store inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.catalog = Catalog(conn)
        self.ledger = Ledger(conn)
        self.admins = AdminStore(conn)
        self.briefings = Briefings(conn)


class UnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.engine.connect() as conn, conn.begin():
            yield Tx(conn)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """Commits when the block ends normally; rolls back on any exception."""
        with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            yield Tx(conn)
