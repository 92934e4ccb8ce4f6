"""Writing to the ledger: every /update form, each one transaction.

Authorization lives here, not in the parser or the listeners: a write by someone
who is not an admin is refused before anything is read or written."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError

from bot.domain import commands as cmd
from bot.domain.entries import Entry, EntryDraft
from bot.domain.errors import Invalid, NotFound, NotPermitted
from bot.domain.model import (
    CONTESTED,
    OBSERVER,
    UNKNOWN,
    CeasefireState,
    Conflict,
    EventTime,
    Precision,
    UpdateKind,
    short_id,
)
from bot.domain.names import SUGGEST, fuzzy_ranking, normalize
from bot.domain.picture import parse_ordinal
from bot.domain.times import TimeSpec, format_spec
from bot.services.context import Actor, Context
from bot.services.picture import ordered_ceasefires
from bot.services.resolve import pick_conflict, resolve_ceasefire, resolve_party, resolve_place
from bot.services.views import DoneView
from bot.store.uow import Tx

# How far ahead of the clock an event time may be (clock skew), before it is a typo.
FUTURE_SLACK = timedelta(minutes=5)
CREATES_CEASEFIRE = (CeasefireState.ANNOUNCED, CeasefireState.IN_EFFECT)


def is_admin(tx: Tx, ctx: Context, actor: Actor) -> bool:
    return actor.console or actor.user_id in ctx.admins or tx.admins.contains(actor.user_id)


def can_write(ctx: Context, actor: Actor) -> bool:
    with ctx.uow.read() as tx:
        return is_admin(tx, ctx, actor)


def require_admin(tx: Tx, ctx: Context, actor: Actor) -> None:
    if not is_admin(tx, ctx, actor):
        raise NotPermitted(
            "Only Sitrep admins can change the ledger, and you are not one. "
            "An admin can add you with `/update admins add @you`."
        )


def now_event(zone: str, now: datetime) -> EventTime:
    start = now.replace(second=0, microsecond=0)
    return EventTime(start, start + timedelta(minutes=1), Precision.MINUTE, zone)


def event_time(
    spec: TimeSpec | None, conflict: Conflict, now: datetime, field: str = "when"
) -> EventTime:
    event = spec.resolve(conflict.timezone, now) if spec else now_event(conflict.timezone, now)
    if event.start > now + FUTURE_SLACK:
        raise Invalid(
            f"{field}: {spec} is in the future; event times say when something happened.", field
        )
    return event


# ---- drafting: commands into entries ---------------------------------------


class Drafter:
    """Resolves a write command's names against the ledger into an EntryDraft."""

    def __init__(
        self, tx: Tx, conflict: Conflict, actor: Actor, now: datetime, names_first: bool = False
    ) -> None:
        self.tx = tx
        self.conflict = conflict
        self.actor = actor
        self.now = now
        # A ledger file names places by their unique names; there a name beats an
        # alias (`Martuni` is the town, not also Martuni (Armenia)'s alias).
        self.names_first = names_first

    def place_id(self, name: str) -> int:
        if self.names_first and (found := self.tx.catalog.place_named(self.conflict.id, name)):
            return found
        place, _, _ = resolve_place(self.tx, self.conflict, name)
        return place.id

    def party_id(self, name: str) -> int:
        return resolve_party(self.tx, self.conflict, name).id

    def holder(self, name: str) -> tuple[str, int | None]:
        word = normalize(name)
        if word in (CONTESTED, UNKNOWN):
            return word, None
        return "party", self.party_id(name)

    def linked(self, ids: tuple[int, ...], relation: str) -> tuple[int, ...]:
        entries = self.tx.ledger.entries(ids)
        for target in ids:
            entry = entries.get(target)
            if entry is None or entry.conflict_id != self.conflict.id:
                raise NotFound(
                    f"{relation}: there is no update {short_id(target)} in this conflict."
                )
            if entry.retracted:
                raise Invalid(
                    f"{relation}: {short_id(target)} was retracted; it cannot be {relation[:-1]}d.",
                    relation,
                )
        return tuple(dict.fromkeys(ids))

    def common(self, c: cmd.Common, exclude_place: int | None = None) -> dict[str, Any]:
        about = tuple(dict.fromkeys(self.place_id(p) for p in c.about))
        return {
            "conflict_id": self.conflict.id,
            "event": event_time(c.when, self.conflict, self.now),
            "recorded_at": self.now,
            "recorded_by": self.actor.user_id,
            "sources": tuple(dict.fromkeys(c.sources)),
            "about_ids": tuple(p for p in about if p != exclude_place),
            "note": c.note,
            "corroborates": self.linked(c.corroborates, "corroborates"),
            "refutes": self.linked(c.refutes, "refutes"),
        }

    def control(self, c: cmd.ControlUpdate) -> EntryDraft:
        place_id = self.place_id(c.place)
        holder, holder_party = self.holder(c.holder)
        return EntryDraft(
            kind=UpdateKind.CONTROL,
            place_id=place_id,
            holder=holder,
            holder_party_id=holder_party,
            confidence=c.confidence,
            **self.common(c.common, exclude_place=place_id),
        )

    def claim(self, c: cmd.ClaimUpdate) -> EntryDraft:
        party_ids = tuple(dict.fromkeys(self.party_id(p) for p in c.parties))
        if c.stance is not None and not c.common.about:
            raise Invalid(
                "A stance on control needs the places it is about: add about:<place>[,<place>].",
                "about",
            )
        if c.holder is not None and c.stance is None:
            raise Invalid(
                "holder: only means something with stance:asserts or stance:denies.", "holder"
            )
        return EntryDraft(
            kind=UpdateKind.CLAIM,
            party_ids=party_ids,
            text=c.text,
            speaker=c.speaker,
            stance=c.stance,
            holder_party_id=self.party_id(c.holder) if c.holder else None,
            **self.common(c.common),
        )

    def ceasefire(self, c: cmd.CeasefireUpdate) -> tuple[EntryDraft, bool]:
        """The draft, and whether the ceasefire is new (created by this update)."""
        catalog = self.tx.catalog
        parties = tuple(resolve_party(self.tx, self.conflict, p).name for p in c.parties)
        mediators = tuple(resolve_party(self.tx, self.conflict, p).name for p in c.mediators)
        ordered = ordered_ceasefires(self.tx, self.conflict)
        exact = catalog.exact("ceasefire", c.name, self.conflict.id)
        created = False
        if exact or parse_ordinal(c.name) is not None or c.state not in CREATES_CEASEFIRE:
            # An existing one, by name, alias or order; fuzzy names only suggest.
            ceasefire = resolve_ceasefire(self.tx, self.conflict, c.name, ordered, fuzzy=False)
            if parties or mediators:
                catalog.change_ceasefire(
                    ceasefire, parties or ceasefire.parties, mediators or ceasefire.mediators
                )
        else:
            ceasefire = catalog.add_ceasefire(self.conflict.id, c.name, (), parties, mediators)
            created = True
        if (c.accused or c.accuser) and c.state != CeasefireState.VIOLATED:
            raise Invalid("by: and accuser: go with a `violated` event.", "by")
        effective = (
            event_time(c.effective, self.conflict, self.now + timedelta(days=30), "effective")
            if c.effective
            else None
        )
        draft = EntryDraft(
            kind=UpdateKind.CEASEFIRE,
            ceasefire_id=ceasefire.id,
            ceasefire_state=c.state,
            effective=effective,
            accused_ids=tuple(self.party_id(p) for p in c.accused),
            accuser_party_id=self.party_id(c.accuser) if c.accuser else None,
            **self.common(c.common),
        )
        return draft, created

    def note(self, c: cmd.NoteUpdate) -> EntryDraft:
        values = self.common(c.common)
        values["note"] = None
        return EntryDraft(kind=UpdateKind.NOTE, text=c.text, **values)


def draft_body(draft: EntryDraft) -> dict[str, Any]:
    """The ledger row's body: the entry's own fields, as plain JSON values."""
    body: dict[str, Any] = {}
    for key in (
        "place_id",
        "holder",
        "holder_party_id",
        "confidence",
        "party_ids",
        "speaker",
        "text",
        "stance",
        "ceasefire_id",
        "ceasefire_state",
        "accused_ids",
        "accuser_party_id",
        "note",
        "about_ids",
        "corroborates",
        "refutes",
    ):
        value = getattr(draft, key)
        if value in (None, ()):
            continue
        body[key] = (
            list(value)
            if isinstance(value, tuple)
            else (str(value) if hasattr(value, "value") else value)
        )
    if draft.effective is not None:
        body["effective"] = format_spec(draft.effective)
    return body


def append_entry(tx: Tx, draft: EntryDraft, request_key: str | None = None) -> Entry:
    """Record a drafted entry in the ledger and every projection."""
    update_id = tx.ledger.append(
        conflict_id=draft.conflict_id,
        kind=draft.kind,
        recorded_at=draft.recorded_at,
        recorded_by=draft.recorded_by,
        body=draft_body(draft),
        sources=draft.sources,
        event=draft.event,
        request_key=request_key,
    )
    place_ids = ((draft.place_id,) if draft.place_id is not None else ()) + draft.about_ids
    position = tx.ledger.sort_position(
        draft.conflict_id, draft.event, draft.ceasefire_id, place_ids
    )
    entry = draft.to_entry(update_id, position)
    tx.ledger.project(entry)
    return entry


# ---- the service -------------------------------------------------------------


def record(
    ctx: Context,
    command: cmd.LedgerWrite,
    actor: Actor,
    request_key: str | None = None,
    names_first: bool = False,
) -> DoneView:
    """Record a control, claim, ceasefire or note update in one transaction.
    `names_first`: the names come from a picker, so a place's own name beats an alias."""
    now = ctx.clock.now()
    try:
        with ctx.uow.write() as tx:
            require_admin(tx, ctx, actor)
            if request_key and (existing := tx.ledger.by_request_key(request_key)):
                return DoneView(f"Already recorded as {short_id(existing)}.", existing)
            return record_in(tx, command, actor, now, request_key, names_first)
    except DBAPIError:
        # The same request raced another copy of itself (IntegrityError), or the
        # connection dropped: perhaps after the commit reached the database. The
        # request's key tells whether it was recorded.
        recorded = recorded_under(ctx, request_key)
        if recorded is None:
            raise
        return DoneView(f"Recorded {short_id(recorded)}.", recorded)


def recorded_under(ctx: Context, request_key: str | None) -> int | None:
    """The update a request's key wrote, if any (asked in a fresh transaction)."""
    if not request_key:
        return None
    try:
        with ctx.uow.read() as tx:
            return tx.ledger.by_request_key(request_key)
    except DBAPIError:
        return None


def record_in(
    tx: Tx,
    command: cmd.LedgerWrite,
    actor: Actor,
    now: datetime,
    request_key: str | None = None,
    names_first: bool = False,
) -> DoneView:
    """Record inside the caller's transaction (several updates approved at once)."""
    conflict = pick_conflict(tx, command.common.conflict)
    drafter = Drafter(tx, conflict, actor, now, names_first)
    created = False
    if isinstance(command, cmd.ControlUpdate):
        draft = drafter.control(command)
    elif isinstance(command, cmd.ClaimUpdate):
        draft = drafter.claim(command)
    elif isinstance(command, cmd.CeasefireUpdate):
        draft, created = drafter.ceasefire(command)
    else:
        draft = drafter.note(command)
    entry = append_entry(tx, draft, request_key)
    return DoneView(
        headline=f"Recorded {short_id(entry.id)}: {describe(tx, entry)}",
        update_id=entry.id,
        notes=("A new ceasefire was added to the ledger.",) if created else (),
    )


def describe(tx: Tx, entry: Entry) -> str:
    """One plain line saying what an entry records (for confirmations and history)."""
    parties = {p.id: p.name for p in tx.catalog.parties(entry.conflict_id)}
    places = tx.catalog.places_by_id(entry.place_ids)

    def place_list(ids: tuple[int, ...]) -> str:
        return ", ".join(places[i].display_name for i in ids if i in places)

    if entry.kind == UpdateKind.CONTROL:
        holder = parties.get(entry.holder_party_id or 0, entry.holder or "?")
        confidence = f" ({entry.confidence} confidence)" if entry.confidence else ""
        where = place_list((entry.place_id,) if entry.place_id else ())
        what = f"held by {holder}" if entry.holder == "party" else str(entry.holder)
        return f"{where} assessed as {what}{confidence}"
    if entry.kind == UpdateKind.CLAIM:
        who = ", ".join(parties.get(p, "?") for p in entry.party_ids)
        if entry.speaker:
            who += f" ({entry.speaker})"
        about = f" about {place_list(entry.about_ids)}" if entry.about_ids else ""
        return f"claim by {who}{about}: “{entry.text}”"
    if entry.kind == UpdateKind.CEASEFIRE:
        names = {c.id: c.name for c in tx.catalog.ceasefires(entry.conflict_id)}
        return f"{names.get(entry.ceasefire_id or 0, '?')}: {entry.ceasefire_state}"
    return f"note: “{entry.text}”"


__all__ = [
    "OBSERVER",
    "SUGGEST",
    "Drafter",
    "append_entry",
    "describe",
    "event_time",
    "fuzzy_ranking",
    "is_admin",
    "record",
    "replace",
    "require_admin",
]
