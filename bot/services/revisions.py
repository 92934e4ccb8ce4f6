"""Corrections, retractions and the history of an update. A correction is a new
ledger row pointing at the old one; the old row is never touched, only the
projection of what it now says."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain import commands as cmd
from bot.domain.entries import Entry
from bot.domain.errors import Invalid, NotFound
from bot.domain.model import CeasefireState, Confidence, Stance, UpdateKind, short_id
from bot.domain.times import format_event_time, parse_time_spec
from bot.services.context import Actor, Context
from bot.services.views import DoneView, ShowView, UpdateLine
from bot.services.writes import Drafter, describe, event_time, require_admin
from bot.store.uow import Tx

COMMON_FIELDS = ("when", "source", "sources", "about", "corroborates", "refutes")
FIELDS: dict[UpdateKind, tuple[str, ...]] = {
    UpdateKind.CONTROL: ("place", "holder", "confidence", "note", *COMMON_FIELDS),
    UpdateKind.CLAIM: (
        "party",
        "parties",
        "text",
        "speaker",
        "stance",
        "holder",
        "note",
        *COMMON_FIELDS,
    ),
    UpdateKind.CEASEFIRE: ("state", "effective", "by", "accuser", "note", *COMMON_FIELDS),
    UpdateKind.NOTE: ("text", *COMMON_FIELDS),
}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _ids(value: str, field: str) -> tuple[int, ...]:
    found = []
    for part in _split(value):
        digits = part.lower().removeprefix("u")
        if not digits.isdigit():
            raise Invalid(f"{field}: “{part}” is not an update ID like u42.", field)
        found.append(int(digits))
    return tuple(found)


def _choice(enum: Any, value: str, field: str) -> Any:
    raw = value.strip().lower().replace("-", " ")
    if enum is Confidence and raw == "medium":
        raw = "moderate"
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(str(v) for v in enum)
        raise Invalid(f"{field}: “{value}” is not one of {allowed}.", field) from None


def apply_changes(d: Drafter, entry: Entry, changes: tuple[tuple[str, str], ...]) -> Entry:
    """The entry as it reads after these field:value changes (validated)."""
    allowed = FIELDS[entry.kind]
    values: dict[str, Any] = {}
    sources: list[str] = []
    for field, raw in changes:
        if field not in allowed:
            raise Invalid(
                f"A {entry.kind} update has no field “{field}”; it has {', '.join(allowed)}.", field
            )
        if field == "when":
            values["event"] = event_time(parse_time_spec(raw), d.conflict, d.now)
        elif field in ("source", "sources"):
            sources.extend(_split(raw) if field == "sources" else [raw.strip()])
        elif field == "about":
            values["about_ids"] = tuple(dict.fromkeys(d.place_id(p) for p in _split(raw)))
        elif field in ("corroborates", "refutes"):
            values[field] = d.linked(_ids(raw, field), field)
        elif field == "place":
            values["place_id"] = d.place_id(raw)
        elif field == "holder" and entry.kind == UpdateKind.CONTROL:
            values["holder"], values["holder_party_id"] = d.holder(raw)
        elif field == "holder":
            values["holder_party_id"] = d.party_id(raw)
        elif field == "confidence":
            values["confidence"] = _choice(Confidence, raw, field)
        elif field in ("party", "parties"):
            values["party_ids"] = tuple(dict.fromkeys(d.party_id(p) for p in _split(raw)))
        elif field == "stance":
            values["stance"] = (
                None if raw.strip().lower() in ("", "none") else _choice(Stance, raw, field)
            )
        elif field == "state":
            values["ceasefire_state"] = _choice(CeasefireState, raw, field)
        elif field == "effective":
            values["effective"] = parse_time_spec(raw).resolve(d.conflict.timezone, d.now)
        elif field == "by":
            values["accused_ids"] = tuple(d.party_id(p) for p in _split(raw))
        elif field == "accuser":
            values["accuser_party_id"] = d.party_id(raw)
        elif field in ("text", "speaker", "note"):
            text = raw.strip()
            if field == "text" and not text:
                raise Invalid("text: the new text is empty.", field)
            values[field] = text or None
    if sources:
        values["sources"] = tuple(dict.fromkeys(sources))
    changed = replace(entry, **values)
    if changed.kind == UpdateKind.CLAIM and changed.stance is not None and not changed.about_ids:
        raise Invalid(
            "A stance on control needs the places it is about: add about:<place>.", "about"
        )
    return changed


def _target(tx: Tx, update_id: int) -> Entry:
    entry = tx.ledger.entry(update_id)
    if entry is None:
        row = tx.ledger.update_row(update_id)
        if row is None:
            raise NotFound(f"There is no update {short_id(update_id)}.")
        raise Invalid(
            f"{short_id(update_id)} is a {row['kind']} record; only control, claim, ceasefire "
            "and note updates can be corrected or retracted."
        )
    return entry


def correct(
    ctx: Context, command: cmd.CorrectUpdate, actor: Actor, request_key: str | None = None
) -> DoneView:
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        return correct_in(tx, ctx, command, actor, now, request_key)


def correct_in(
    tx: Tx,
    ctx: Context,
    command: cmd.CorrectUpdate,
    actor: Actor,
    now: Any,
    request_key: str | None = None,
    names_first: bool = False,
) -> DoneView:
    entry = _target(tx, command.update_id)
    if entry.retracted:
        raise Invalid(f"{short_id(entry.id)} was retracted; record a new update instead.")
    conflict = tx.catalog.conflict(entry.conflict_id)
    drafter = Drafter(tx, conflict, actor, now, names_first)
    changed = apply_changes(drafter, entry, command.changes)
    correction_id = tx.ledger.append(
        conflict_id=entry.conflict_id,
        kind=UpdateKind.CORRECTION,
        recorded_at=now,
        recorded_by=actor.user_id,
        body={"changes": {field: value for field, value in command.changes}},
        target_id=entry.id,
        request_key=request_key,
    )
    if changed.event != entry.event:
        position = tx.ledger.sort_position(
            entry.conflict_id, changed.event, changed.ceasefire_id, changed.place_ids
        )
        changed = replace(changed, sort_at=position)
    changed = replace(changed, last_correction_id=correction_id)
    tx.ledger.replace(entry, changed)
    return DoneView(
        headline=f"Recorded {short_id(correction_id)}: {short_id(entry.id)} corrected.",
        update_id=correction_id,
        details=(
            f"Now: {describe(tx, changed)}",
            f"The original stays in its history: `/update show {short_id(entry.id)}`.",
        ),
    )


def retract(
    ctx: Context, command: cmd.RetractUpdate, actor: Actor, request_key: str | None = None
) -> DoneView:
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        return retract_in(tx, command, actor, now, request_key)


def retract_in(
    tx: Tx, command: cmd.RetractUpdate, actor: Actor, now: Any, request_key: str | None = None
) -> DoneView:
    entry = _target(tx, command.update_id)
    if entry.retracted:
        raise Invalid(f"{short_id(entry.id)} is already retracted.")
    retraction_id = tx.ledger.append(
        conflict_id=entry.conflict_id,
        kind=UpdateKind.RETRACTION,
        recorded_at=now,
        recorded_by=actor.user_id,
        body={"reason": command.reason} if command.reason else {},
        target_id=entry.id,
        request_key=request_key,
    )
    tx.ledger.replace(entry, replace(entry, retracted=True, reason=command.reason))
    return DoneView(
        headline=f"Recorded {short_id(retraction_id)}: {short_id(entry.id)} retracted.",
        update_id=retraction_id,
        details=("It no longer counts in the picture; its history stays.",),
    )


def show(ctx: Context, command: cmd.ShowUpdate, actor: Actor) -> ShowView:
    with ctx.uow.read() as tx:
        rows = tx.ledger.history(command.update_id)
        if not rows or rows[0]["id"] != command.update_id:
            raise NotFound(f"There is no update {short_id(command.update_id)}.")
        first = rows[0]
        if first["target_id"] is not None:
            # Showing a correction: show the whole history of what it corrected.
            return show(ctx, cmd.ShowUpdate(first["target_id"]), actor)
        conflict = tx.catalog.conflict(first["conflict_id"])
        zone = actor.zone or conflict.timezone
        entry = tx.ledger.entry(command.update_id)
        lines = []
        for row in rows:
            event = None
            if row["event_start"] is not None:
                from bot.store.ledger import _event

                event = _event(row["event_start"], row["event_end"], row["precision"], row["zone"])
            lines.append(
                UpdateLine(
                    id=row["id"],
                    kind=row["kind"],
                    recorded_at=row["recorded_at"],
                    recorded_by=row["recorded_by"],
                    summary=_summary(row),
                    event=event,
                    sources=tuple(row["sources"] or ()),
                )
            )
        standing = None
        if entry is not None and entry.kind == UpdateKind.CLAIM:
            from bot.services.picture import Picture

            standing = Picture(tx, conflict, ctx.clock.now()).claim_views([entry])[0].standing
        current = describe(tx, entry) if entry else _summary(first)
        if entry is not None:
            current += f" — {format_event_time(entry.event, zone)}"
        return ShowView(
            conflict=conflict.name,
            zone=zone,
            id=command.update_id,
            kind=first["kind"],
            current=current,
            retracted=bool(entry and entry.retracted),
            history=tuple(lines),
            standing=standing,
        )


def _summary(row: Any) -> str:
    body = row["body"] or {}
    if row["kind"] == str(UpdateKind.CORRECTION):
        return "corrected " + ", ".join(f"{k}: {v}" for k, v in body.get("changes", {}).items())
    if row["kind"] == str(UpdateKind.RETRACTION):
        return "retracted" + (f": {body['reason']}" if body.get("reason") else "")
    return f"recorded as {row['kind']}"
