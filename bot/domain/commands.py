"""What a user asked for, once parsed: one dataclass per command form.

The one parser (`bot.domain.parser`) turns the text typed in Slack or the console
into these; services carry them out. Names stay as typed (resolution needs the
ledger); times stay as `TimeSpec` (resolution needs the conflict's zone and a clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.model import CeasefireState, Confidence, PlaceKind, Stance
from bot.domain.times import TimeSpec


@dataclass(frozen=True)
class Common:
    """Options every ledger update takes."""

    about: tuple[str, ...] = ()
    note: str | None = None
    corroborates: tuple[int, ...] = ()
    refutes: tuple[int, ...] = ()
    when: TimeSpec | None = None
    sources: tuple[str, ...] = ()
    conflict: str | None = None


# ---- read commands -------------------------------------------------------


@dataclass(frozen=True)
class Help:
    topic: str | None = None  # "status", "update", "update claim", ...


@dataclass(frozen=True)
class Status:
    place: str | None = None
    on: TimeSpec | None = None
    conflict: str | None = None


@dataclass(frozen=True)
class Claims:
    subject: str | None = None  # a place, party or speaker
    subject_is_place: bool = False  # `place:<name>` was used
    since: TimeSpec | None = None
    page: int = 1
    conflict: str | None = None


@dataclass(frozen=True)
class CeasefireQuery:
    name: str | None = None  # a name, alias or order word ("third")
    conflict: str | None = None


# ---- writes --------------------------------------------------------------


@dataclass(frozen=True)
class OpenForm:
    """`/update` alone: open the form (Slack) or explain it (console)."""


@dataclass(frozen=True)
class ControlUpdate:
    place: str
    holder: str  # a party, "contested" or "unknown"
    confidence: Confidence | None = None
    common: Common = field(default_factory=Common)


@dataclass(frozen=True)
class ClaimUpdate:
    parties: tuple[str, ...]
    text: str
    speaker: str | None = None
    stance: Stance | None = None
    holder: str | None = None
    common: Common = field(default_factory=Common)


@dataclass(frozen=True)
class CeasefireUpdate:
    name: str
    state: CeasefireState
    parties: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    effective: TimeSpec | None = None
    accused: tuple[str, ...] = ()
    accuser: str | None = None
    common: Common = field(default_factory=Common)


@dataclass(frozen=True)
class NoteUpdate:
    text: str
    common: Common = field(default_factory=Common)


@dataclass(frozen=True)
class PlaceUpdate:
    name: str
    aliases: tuple[str, ...] = ()
    kind: PlaceKind | None = None
    parent: str | None = None
    lat: float | None = None
    lon: float | None = None
    common: Common = field(default_factory=Common)


@dataclass(frozen=True)
class PartyUpdate:
    name: str
    aliases: tuple[str, ...] = ()
    side: str | None = None  # a side's name or "observer"
    common: Common = field(default_factory=Common)


@dataclass(frozen=True)
class ConflictUpdate:
    """`/update conflict "<name>" [zone:<tz>] [aliases:"a","b"]`: start a new ledger."""

    name: str
    zone: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShowUpdate:
    update_id: int


@dataclass(frozen=True)
class CorrectUpdate:
    update_id: int
    changes: tuple[tuple[str, str], ...]  # (field, raw value) in the order given


@dataclass(frozen=True)
class RetractUpdate:
    update_id: int
    reason: str | None = None


@dataclass(frozen=True)
class Admins:
    action: str  # "add", "remove" or "list"
    users: tuple[str, ...] = ()  # Slack user IDs (from <@U123|name> or U123)


@dataclass(frozen=True)
class Ingest:
    target: str | None = None  # a file path or URL; None opens the form in Slack
    approve: tuple[int, ...] | None = None  # None: propose only; () never happens
    approve_all: bool = False
    source_name: str | None = None


# ---- briefings -----------------------------------------------------------


@dataclass(frozen=True)
class BriefingPreview:
    conflict: str | None = None


@dataclass(frozen=True)
class BriefingSubscribe:
    time_of_day: str  # "HH:MM", validated by the parser
    zone: str | None = None
    conflict: str | None = None


@dataclass(frozen=True)
class BriefingUnsubscribe:
    conflict: str | None = None


@dataclass(frozen=True)
class BriefingList:
    pass


@dataclass(frozen=True)
class BriefingPost:
    conflict: str | None = None


@dataclass(frozen=True)
class BriefingBottomLine:
    text: str
    trend: str | None = None  # deteriorated | unchanged | improved
    conflict: str | None = None


LedgerWrite = ControlUpdate | ClaimUpdate | CeasefireUpdate | NoteUpdate
Command = (
    Help
    | Status
    | Claims
    | CeasefireQuery
    | OpenForm
    | ControlUpdate
    | ClaimUpdate
    | CeasefireUpdate
    | NoteUpdate
    | PlaceUpdate
    | PartyUpdate
    | ConflictUpdate
    | ShowUpdate
    | CorrectUpdate
    | RetractUpdate
    | Admins
    | Ingest
    | BriefingPreview
    | BriefingSubscribe
    | BriefingUnsubscribe
    | BriefingList
    | BriefingPost
    | BriefingBottomLine
)
