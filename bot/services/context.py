"""What every service needs: the unit of work, a clock, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bot.services.cache import ReadCache
from bot.store.uow import UnitOfWork


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock tests and `run-due --at` set by hand."""

    current: datetime

    def now(self) -> datetime:
        return self.current


@dataclass(frozen=True)
class Actor:
    """Who is asking. The console's user acts as an admin."""

    user_id: str
    console: bool = False
    zone: str | None = None  # the reader's time zone, when known
    channel_id: str | None = None  # where the command was typed (Slack)

    @classmethod
    def console_user(cls) -> Actor:
        return cls(user_id="console", console=True)


@dataclass(frozen=True)
class Context:
    uow: UnitOfWork
    clock: Clock
    admins: tuple[str, ...] = ()  # SITREP_ADMINS
    default_zone: str = "UTC"  # SITREP_TIMEZONE
    fetch_allow_private: bool = False  # SITREP_FETCH_ALLOW_PRIVATE
    cache: ReadCache = field(default_factory=ReadCache, compare=False)
