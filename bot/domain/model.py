"""The entities of a conflict's ledger, as plain values.

Nothing here knows about Slack, SQL or templates. Times are aware datetimes in
UTC; the zone an event time was given in is kept for showing it as it was said.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Precision(StrEnum):
    """How precisely an event time is known (DESIGN: minute, hour, day, ~, range)."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    APPROXIMATE = "approximate"
    RANGE = "range"


@dataclass(frozen=True)
class EventTime:
    """When something happened: the interval [start, end) it is known to lie in.

    A time known to the minute is a one-minute interval; to the day, the whole
    local day of `zone`; a range, from its first day's start to its last day's end.
    """

    start: datetime
    end: datetime
    precision: Precision
    zone: str

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("EventTime needs aware datetimes")
        if self.end <= self.start:
            raise ValueError("EventTime end must come after start")


class PlaceKind(StrEnum):
    TOWN = "town"
    CITY = "city"
    VILLAGE = "village"
    DISTRICT = "district"
    CORRIDOR = "corridor"
    REGION = "region"
    SITE = "site"


class Confidence(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Stance(StrEnum):
    ASSERTS = "asserts"
    DENIES = "denies"


class CeasefireState(StrEnum):
    ANNOUNCED = "announced"
    IN_EFFECT = "in effect"
    VIOLATED = "violated"
    HOLDING = "holding"
    COLLAPSED = "collapsed"
    ENDED = "ended"


class Standing(StrEnum):
    NEW = "new"
    CORROBORATED = "corroborated"
    DISPUTED = "disputed"
    REFUTED = "refuted"


class UpdateKind(StrEnum):
    CONTROL = "control"
    CLAIM = "claim"
    CEASEFIRE = "ceasefire"
    NOTE = "note"
    PLACE = "place"
    PARTY = "party"
    CONFLICT = "conflict"
    CORRECTION = "correction"
    RETRACTION = "retraction"


# What an assessment may say about a place besides naming a party.
CONTESTED = "contested"
UNKNOWN = "unknown"
OBSERVER = "observer"


def short_id(update_id: int) -> str:
    """The short ID users see and type: u42."""
    return f"u{update_id}"


@dataclass(frozen=True)
class Conflict:
    id: int
    name: str
    timezone: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Party:
    id: int
    conflict_id: int
    name: str
    side: str  # a side's name, or OBSERVER
    aliases: tuple[str, ...] = ()

    @property
    def is_observer(self) -> bool:
        return self.side == OBSERVER


@dataclass(frozen=True)
class Place:
    id: int
    conflict_id: int
    name: str
    kind: PlaceKind
    aliases: tuple[str, ...] = ()
    names_by_side: dict[str, str] = field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    parent_id: int | None = None

    @property
    def display_name(self) -> str:
        """`Shusha (Shushi)`: the name, then what the other sides call it."""
        others: list[str] = []
        for name in self.names_by_side.values():
            if name != self.name and name not in others:
                others.append(name)
        return f"{self.name} ({' / '.join(others)})" if others else self.name


@dataclass(frozen=True)
class Ceasefire:
    id: int
    conflict_id: int
    name: str
    parties: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
