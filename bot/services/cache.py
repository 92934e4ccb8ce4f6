"""Answers to reads, kept until the ledger changes. During a war everyone types
`/status` at once; the same question asked again before anything new is recorded
gets the same answer without reading the ledger again. The ledger's version is
checked on every read (one indexed query), so a write through any instance is
seen at once; answers that depend on the clock are kept for the minute only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import func, select

from bot.store.schema import ceasefires, conflicts, parties, places, updates
from bot.store.uow import Tx

T = TypeVar("T")


def ledger_version(tx: Tx) -> tuple[int, ...]:
    """Changes whenever anything a read depends on is added: every write to the
    ledger is an `updates` row; imports add catalog rows."""
    row = tx.conn.execute(
        select(
            select(func.max(updates.c.id)).scalar_subquery(),
            select(func.max(places.c.id)).scalar_subquery(),
            select(func.max(parties.c.id)).scalar_subquery(),
            select(func.max(ceasefires.c.id)).scalar_subquery(),
            select(func.max(conflicts.c.id)).scalar_subquery(),
        )
    ).one()
    return tuple(int(v or 0) for v in row)


class ReadCache:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]  # type: ignore[return-value]
        value = build()
        with self._lock:
            self.misses += 1
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
