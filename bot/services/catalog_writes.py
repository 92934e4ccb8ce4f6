"""New places, parties and conflicts, and the list of admins."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import commands as cmd
from bot.domain.errors import Invalid
from bot.domain.model import OBSERVER, Conflict, UpdateKind
from bot.domain.names import fuzzy_ranking, normalize
from bot.services.context import Actor, Context
from bot.services.resolve import pick_conflict, resolve_place
from bot.services.views import DoneView, TextView
from bot.services.writes import require_admin
from bot.store.uow import Tx

# How close a new name must be to an existing one to be worth a warning: close
# overall, or fairly close and starting alike (`Vardenis` is not `Varanda`, but
# the answer says so).
SIMILAR = 70.0
SIMILAR_SAME_START = 50.0


def _similar(
    tx: Tx, entity: str, conflict: Conflict, name: str, labels: dict[int, str]
) -> str | None:
    wanted = normalize(name)
    for match in fuzzy_ranking(wanted, tx.catalog.all_names(entity, conflict.id), limit=10):
        same_start = normalize(match.matched_name)[:3] == wanted[:3]
        if match.entity_id in labels and (
            match.score >= SIMILAR or (same_start and match.score >= SIMILAR_SAME_START)
        ):
            return labels[match.entity_id]
    return None


def _merge(old: tuple[str, ...], new: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys([*old, *new]))


def place(ctx: Context, command: cmd.PlaceUpdate, actor: Actor) -> DoneView:
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        conflict = pick_conflict(tx, command.common.conflict)
        return place_in(tx, conflict, command, actor, now)


def place_in(
    tx: Tx, conflict: Conflict, command: cmd.PlaceUpdate, actor: Actor, now: Any
) -> DoneView:
    parent_id = resolve_place(tx, conflict, command.parent)[0].id if command.parent else None
    exact = tx.catalog.exact("place", command.name, conflict.id)
    if len(exact) > 1:
        raise Invalid(f"“{command.name}” already names several places; use a unique name.", "name")
    values: dict[str, Any] = {}
    if command.kind:
        values["kind"] = command.kind
    if parent_id is not None:
        values["parent_id"] = parent_id
    if command.lat is not None:
        values["lat"], values["lon"] = command.lat, command.lon
    notes: list[str] = []
    if exact:
        existing = tx.catalog.place(exact[0].entity_id)
        if parent_id == existing.id:
            raise Invalid("A place cannot be inside itself.", "in")
        values["aliases"] = _merge(existing.aliases, command.aliases)
        changed = tx.catalog.change_place(existing, values)
        verb, target = "updated", changed
    else:
        labels = {p.id: p.display_name for p in tx.catalog.places(conflict.id)}
        similar = _similar(tx, "place", conflict, command.name, labels)
        if similar:
            notes.append(
                f"A similar name is already in the ledger: {similar}. "
                "This is a new, separate place."
            )
        values.setdefault("kind", "town")
        values["name"] = command.name
        values["aliases"] = list(command.aliases)
        target = tx.catalog.add_place(conflict.id, values)
        verb = "added"
    update_id = tx.ledger.append(
        conflict_id=conflict.id,
        kind=UpdateKind.PLACE,
        recorded_at=now,
        recorded_by=actor.user_id,
        body={
            "place_id": target.id,
            "name": target.name,
            "verb": verb,
            **{k: v for k, v in values.items() if k != "name"},
        },
        sources=command.common.sources,
    )
    return DoneView(
        headline=f"Recorded u{update_id}: place {target.display_name} {verb} ({target.kind}).",
        update_id=update_id,
        details=(f"Names: {', '.join([target.name, *target.aliases])}",),
        notes=tuple(notes),
    )


def party(ctx: Context, command: cmd.PartyUpdate, actor: Actor) -> DoneView:
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        conflict = pick_conflict(tx, command.common.conflict)
        return party_in(tx, conflict, command, actor, now)


def party_in(
    tx: Tx, conflict: Conflict, command: cmd.PartyUpdate, actor: Actor, now: Any
) -> DoneView:
    exact = tx.catalog.exact("party", command.name, conflict.id)
    side = (command.side or "").strip()
    notes: list[str] = []
    if exact:
        existing = next(p for p in tx.catalog.parties(conflict.id) if p.id == exact[0].entity_id)
        changed = tx.catalog.change_party(
            existing, side or existing.side, _merge(existing.aliases, command.aliases)
        )
        verb = "updated"
    else:
        labels = {p.id: p.name for p in tx.catalog.parties(conflict.id)}
        similar = _similar(tx, "party", conflict, command.name, labels)
        if similar:
            notes.append(
                f"A similar name is already in the ledger: {similar}. "
                "This is a new, separate party."
            )
        changed = tx.catalog.add_party(
            conflict.id, command.name, side or command.name, command.aliases
        )
        verb = "added"
    side_text = "an observer" if changed.side == OBSERVER else f"on the side of {changed.side}"
    update_id = tx.ledger.append(
        conflict_id=conflict.id,
        kind=UpdateKind.PARTY,
        recorded_at=now,
        recorded_by=actor.user_id,
        body={
            "party_id": changed.id,
            "name": changed.name,
            "side": changed.side,
            "aliases": list(changed.aliases),
            "verb": verb,
        },
        sources=command.common.sources,
    )
    return DoneView(
        headline=f"Recorded u{update_id}: party {changed.name} {verb}, {side_text}.",
        update_id=update_id,
        notes=tuple(notes),
    )


def conflict(ctx: Context, command: cmd.ConflictUpdate, actor: Actor) -> DoneView:
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        if tx.catalog.exact("conflict", command.name, None):
            raise Invalid(f"A conflict called “{command.name}” is already in the ledger.", "name")
        zone = command.zone or ctx.default_zone
        ZoneInfo(zone)
        created = tx.catalog.add_conflict(command.name, zone, command.aliases, now)
        update_id = tx.ledger.append(
            conflict_id=created.id,
            kind=UpdateKind.CONFLICT,
            recorded_at=now,
            recorded_by=actor.user_id,
            body={"name": created.name, "timezone": zone, "aliases": list(created.aliases)},
        )
        return DoneView(
            headline=f"Recorded u{update_id}: conflict {created.name} started (times in {zone}).",
            update_id=update_id,
            details=("Add its parties with `/update party` and places with `/update place`.",),
        )


def admins(ctx: Context, command: cmd.Admins, actor: Actor) -> TextView | DoneView:
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        if command.action == "list":
            stored = tx.admins.list()
            lines = [f"{u} (from SITREP_ADMINS)" for u in ctx.admins]
            lines += [u for u in stored if u not in ctx.admins]
            return TextView("Sitrep admins", tuple(lines) or ("No admins yet: set SITREP_ADMINS.",))
        require_admin(tx, ctx, actor)
        done: list[str] = []
        for user in command.users:
            if command.action == "add":
                changed = tx.admins.add(user, actor.user_id, now)
                done.append(f"{user} {'is now an admin' if changed else 'was already an admin'}")
            else:
                if user in ctx.admins:
                    raise Invalid(f"{user} is an admin through SITREP_ADMINS; change it there.")
                changed = tx.admins.remove(user)
                done.append(f"{user} {'is no longer an admin' if changed else 'was not an admin'}")
        return DoneView(headline="Admins changed.", details=tuple(done))
