"""The read commands: /status, /claims, /ceasefire."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import TypeVar

from bot.domain import commands as cmd
from bot.domain.errors import NotFound
from bot.domain.model import EventTime, UpdateKind
from bot.domain.names import normalize
from bot.domain.picture import find_dispute
from bot.services.cache import ReadCache, ledger_version
from bot.services.context import Actor, Context
from bot.services.picture import Picture
from bot.services.resolve import find_party, pick_conflict, resolve_ceasefire, resolve_place
from bot.services.views import (
    CeasefiresView,
    ClaimsView,
    DisputedPlaceView,
    OverviewView,
    StatusView,
)
from bot.store.ledger import DESK
from bot.store.uow import Tx

T = TypeVar("T")

CLAIMS_PAGE = 10
OVERVIEW_CLAIMS = 10
DEFAULT_WINDOW = timedelta(hours=24)


def reader_zone(actor: Actor, conflict_zone: str) -> str:
    return actor.zone or conflict_zone


def _cached(
    ctx: Context, tx: Tx, name: str, args: Hashable, now: datetime, build: Callable[[], T]
) -> T:
    """Build a read's answer, or reuse the one built since the ledger last changed
    (within the same minute, for answers that say how long something has lasted)."""
    key = (name, args, ledger_version(tx), now.replace(second=0, microsecond=0))
    return ctx.cache.get_or_build(key, build)


def place_status(ctx: Context, command: cmd.Status, actor: Actor) -> StatusView:
    assert command.place is not None
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        return _cached(
            ctx,
            tx,
            "status",
            (command, actor.zone),
            now,
            lambda: _place_status(tx, command, actor, now, ctx.cache),
        )


def _place_status(
    tx: Tx, command: cmd.Status, actor: Actor, now: datetime, cache: ReadCache
) -> StatusView:
    assert command.place is not None
    conflict = pick_conflict(tx, command.conflict)
    place, match, related = resolve_place(tx, conflict, command.place)
    as_of: EventTime | None = command.on.resolve(conflict.timezone, now) if command.on else None
    before = as_of.end if as_of else None
    picture = Picture(tx, conflict, now, cache)
    ledger = tx.ledger

    assessment, stance_claims = picture.place_slots(place.id, before)
    latest_ids = [
        ledger.latest_about_id(place.id, UpdateKind.CLAIM, party_id, before)
        for party_id in ledger.claimants_about(place.id)
    ]
    claim_ids = {i for i in latest_ids if i is not None} | {c.id for c in stance_claims}
    claims = sorted(
        ledger.entries(claim_ids).values(), key=lambda e: (e.sort_at, e.id), reverse=True
    )

    dispute = find_dispute(assessment, stance_claims, picture.parties)
    changed_at = ledger.holder_run(place.id, before)
    notes = ledger.entries(ledger.recent_about(place.id, UpdateKind.NOTE, before, 3))
    parent = tx.catalog.place(place.parent_id) if place.parent_id else None
    in_force = tuple(c for c in picture.ceasefire_views(before) if c.in_force)
    return StatusView(
        conflict=conflict.name,
        zone=reader_zone(actor, conflict.timezone),
        place=place.display_name,
        kind=str(place.kind),
        parent=parent.display_name if parent else None,
        as_of=as_of,
        assessment=picture.assessment_view(assessment) if assessment else None,
        changed_at=changed_at,
        claims=tuple(picture.claim_views(claims)),
        dispute=picture.dispute_view(dispute, assessment, stance_claims) if dispute else None,
        ceasefires_in_force=in_force,
        notes=tuple(
            picture.note_view(n)
            for n in sorted(notes.values(), key=lambda e: (e.sort_at, e.id), reverse=True)
        ),
        related=tuple(f"{p.display_name} ({p.kind})" for p in related),
        read_as=command.place if match.fuzzy else None,
    )


def overview(
    ctx: Context, conflict_name: str | None, actor: Actor, since: datetime | None = None
) -> OverviewView:
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        return _cached(
            ctx,
            tx,
            "overview",
            (conflict_name, actor.zone, since),
            now,
            lambda: _overview(tx, conflict_name, actor, since, now, ctx.cache),
        )


def _overview(
    tx: Tx,
    conflict_name: str | None,
    actor: Actor,
    since: datetime | None,
    now: datetime,
    cache: ReadCache,
) -> OverviewView:
    since_label = "the last briefing" if since else "the last 24 hours"
    window_start = since or now - DEFAULT_WINDOW
    conflict = pick_conflict(tx, conflict_name)
    picture = Picture(tx, conflict, now, cache)
    disputed = disputed_places(picture)
    new_claims, total = tx.ledger.recorded_since(
        conflict.id, [UpdateKind.CLAIM], window_start, limit=OVERVIEW_CLAIMS
    )
    return OverviewView(
        conflict=conflict.name,
        zone=reader_zone(actor, conflict.timezone),
        now=now,
        since=window_start,
        since_label=since_label,
        ceasefires=tuple(picture.ceasefire_views(None)),
        disputed=tuple(disputed),
        new_claims=tuple(picture.claim_views(new_claims)),
        new_claims_total=total,
        empty_ledger=tx.ledger.count() == 0,
    )


def disputed_places(picture: Picture) -> list[DisputedPlaceView]:
    """Every place disputed now, from the current-state slots (no history read)."""
    slots = picture.tx.ledger.latest_slots(picture.conflict.id)
    entries = picture.tx.ledger.entries(update_id for _, _, update_id in slots)
    by_place: dict[int, tuple[list[int], list[int]]] = {}
    for place_id, slot, update_id in slots:
        assessment_ids, claim_ids = by_place.setdefault(place_id, ([], []))
        (assessment_ids if slot == DESK else claim_ids).append(update_id)
    places = picture.places(by_place)
    disputes = []
    for place_id, (assessment_ids, claim_ids) in by_place.items():
        assessment = entries.get(assessment_ids[0]) if assessment_ids else None
        claims = sorted(
            (entries[i] for i in claim_ids if i in entries), key=lambda e: (e.sort_at, e.id)
        )
        dispute = find_dispute(assessment, claims, picture.parties)
        if dispute is not None and place_id in places:
            disputes.append((place_id, assessment, claims, dispute))
    # Every claim's standing in one pass, not one query per place.
    views = {
        c.id: c for c in picture.claim_views([c for *_, claims, _ in disputes for c in claims])
    }
    found = [
        DisputedPlaceView(
            place=places[place_id].display_name,
            assessment=picture.assessment_view(assessment) if assessment else None,
            claims=tuple(views[c.id] for c in claims),
            dispute=picture.dispute_view(dispute, assessment, claims),
        )
        for place_id, assessment, claims, dispute in disputes
    ]
    return sorted(found, key=lambda d: d.place)


def list_claims(ctx: Context, command: cmd.Claims, actor: Actor) -> ClaimsView:
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        return _cached(
            ctx,
            tx,
            "claims",
            (command, actor.zone),
            now,
            lambda: _list_claims(tx, command, actor, now, ctx.cache),
        )


def _list_claims(
    tx: Tx, command: cmd.Claims, actor: Actor, now: datetime, cache: ReadCache
) -> ClaimsView:
    conflict = pick_conflict(tx, command.conflict)
    since = command.since.resolve(conflict.timezone, now).start if command.since else None
    picture = Picture(tx, conflict, now, cache)
    filters: dict[str, object] = {}
    title = "Claims"
    subject = command.subject
    if subject and not command.subject_is_place and (party := find_party(tx, conflict, subject)):
        filters["party_id"] = party.id
        title = f"Claims by {party.name}"
    elif subject:
        exact_place = tx.catalog.exact("place", subject, conflict.id)
        speaker_norm = subject.strip().lower()
        if not command.subject_is_place and not exact_place:
            _, speaker_total = tx.ledger.recorded_since(
                conflict.id, [UpdateKind.CLAIM], since, speaker_norm=speaker_norm, limit=1
            )
            if speaker_total:
                filters["speaker_norm"] = speaker_norm
                title = f"Claims by {subject.strip()}"
        if not filters:
            try:
                place, _, _ = resolve_place(tx, conflict, subject)
            except NotFound as exc:
                raise NotFound(
                    f"“{subject}” is not a party, speaker or place in the ledger.",
                    exc.suggestions,
                ) from exc
            filters["place_id"] = place.id
            title = f"Claims about {place.display_name}"
    offset = (command.page - 1) * CLAIMS_PAGE
    found, total = tx.ledger.recorded_since(
        conflict.id,
        [UpdateKind.CLAIM],
        since,
        limit=CLAIMS_PAGE,
        offset=offset,
        **filters,  # type: ignore[arg-type]
    )
    pages = max(1, math.ceil(total / CLAIMS_PAGE))
    next_command = None
    if command.page < pages:
        parts = ["/claims"]
        if subject:
            parts.append(f"place:{subject}" if command.subject_is_place else subject)
        parts.append(f"page:{command.page + 1}")
        next_command = " ".join(parts)
    return ClaimsView(
        conflict=conflict.name,
        zone=reader_zone(actor, conflict.timezone),
        title=title,
        claims=tuple(picture.claim_views(found)),
        page=command.page,
        pages=pages,
        total=total,
        since=since,
        next_command=next_command,
    )


def ceasefires(ctx: Context, command: cmd.CeasefireQuery, actor: Actor) -> CeasefiresView:
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        return _cached(
            ctx,
            tx,
            "ceasefires",
            (command, actor.zone),
            now,
            lambda: _ceasefires(tx, command, actor, now, ctx.cache),
        )


def _ceasefires(
    tx: Tx, command: cmd.CeasefireQuery, actor: Actor, now: datetime, cache: ReadCache
) -> CeasefiresView:
    conflict = pick_conflict(tx, command.conflict)
    picture = Picture(tx, conflict, now, cache)
    views = picture.ceasefire_views(None, detail=command.name is not None)
    if command.name:
        ordered = tx.catalog.ceasefires(conflict.id)
        by_id = {c.id: c for c in ordered}
        chosen = resolve_ceasefire(tx, conflict, command.name, [by_id[v.id] for v in views])
        views = [v for v in views if v.id == chosen.id]
    return CeasefiresView(
        conflict=conflict.name,
        zone=reader_zone(actor, conflict.timezone),
        ceasefires=tuple(views),
        detail=command.name is not None,
        now=now,
    )


__all__ = ["ceasefires", "list_claims", "normalize", "overview", "place_status"]


def conflict_names(ctx: Context) -> tuple[str, ...]:
    with ctx.uow.read() as tx:
        return tuple(c.name for c in tx.catalog.conflicts())
