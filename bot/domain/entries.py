"""A ledger entry as it stands now: the update as recorded, with any corrections
applied and whether it was retracted. This is what the picture is made of."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.domain.model import (
    CeasefireState,
    Confidence,
    EventTime,
    Stance,
    UpdateKind,
)


@dataclass(frozen=True)
class Entry:
    id: int
    conflict_id: int
    kind: UpdateKind  # CONTROL, CLAIM, CEASEFIRE or NOTE
    event: EventTime
    sort_at: datetime
    recorded_at: datetime
    recorded_by: str
    sources: tuple[str, ...] = ()
    about_ids: tuple[int, ...] = ()
    note: str | None = None
    # control
    place_id: int | None = None
    holder: str | None = None  # "party", CONTESTED or UNKNOWN
    holder_party_id: int | None = None
    confidence: Confidence | None = None
    # claim
    party_ids: tuple[int, ...] = ()
    speaker: str | None = None
    text: str | None = None
    stance: Stance | None = None
    # ceasefire event
    ceasefire_id: int | None = None
    ceasefire_state: CeasefireState | None = None
    effective: EventTime | None = None
    accused_ids: tuple[int, ...] = ()
    accuser_party_id: int | None = None
    # links this entry makes to earlier ones
    corroborates: tuple[int, ...] = ()
    refutes: tuple[int, ...] = ()
    retracted: bool = False
    reason: str | None = None
    last_correction_id: int | None = None

    @property
    def place_ids(self) -> tuple[int, ...]:
        """Every place this entry is about, its own first."""
        own = (self.place_id,) if self.place_id is not None else ()
        return own + tuple(p for p in self.about_ids if p not in own)

    @property
    def stance_holder_id(self) -> int | None:
        """Whom a claim's stance is about: `holder:` or else the first claimant."""
        if self.kind != UpdateKind.CLAIM or self.stance is None:
            return None
        if self.holder_party_id is not None:
            return self.holder_party_id
        return self.party_ids[0] if self.party_ids else None


@dataclass(frozen=True)
class EntryDraft:
    """What a write carries before the store gives it an ID and a sort position."""

    conflict_id: int
    kind: UpdateKind
    event: EventTime
    recorded_at: datetime
    recorded_by: str
    sources: tuple[str, ...] = ()
    about_ids: tuple[int, ...] = ()
    note: str | None = None
    place_id: int | None = None
    holder: str | None = None
    holder_party_id: int | None = None
    confidence: Confidence | None = None
    party_ids: tuple[int, ...] = ()
    speaker: str | None = None
    text: str | None = None
    stance: Stance | None = None
    ceasefire_id: int | None = None
    ceasefire_state: CeasefireState | None = None
    effective: EventTime | None = None
    accused_ids: tuple[int, ...] = ()
    accuser_party_id: int | None = None
    corroborates: tuple[int, ...] = ()
    refutes: tuple[int, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_entry(self, update_id: int, sort_at: datetime) -> Entry:
        return Entry(
            id=update_id,
            conflict_id=self.conflict_id,
            kind=self.kind,
            event=self.event,
            sort_at=sort_at,
            recorded_at=self.recorded_at,
            recorded_by=self.recorded_by,
            sources=self.sources,
            about_ids=self.about_ids,
            note=self.note,
            place_id=self.place_id,
            holder=self.holder,
            holder_party_id=self.holder_party_id,
            confidence=self.confidence,
            party_ids=self.party_ids,
            speaker=self.speaker,
            text=self.text,
            stance=self.stance,
            ceasefire_id=self.ceasefire_id,
            ceasefire_state=self.ceasefire_state,
            effective=self.effective,
            accused_ids=self.accused_ids,
            accuser_party_id=self.accuser_party_id,
            corroborates=self.corroborates,
            refutes=self.refutes,
        )


def with_changes(entry: Entry, **changes: Any) -> Entry:
    return replace(entry, **changes)
