"""The daily briefing: what a duty officer reads in one minute, built from a
window of recorded time (what entered the ledger since the last briefing)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.entries import Entry
from bot.domain.model import CeasefireState, Conflict, UpdateKind
from bot.domain.picture import ENDING_STATES, ordinal_word
from bot.services.picture import Picture
from bot.services.reads import disputed_places
from bot.services.views import (
    BriefingView,
    CeasefireView,
    ChangeView,
    ClaimView,
    PartyClaims,
    ViolationView,
)
from bot.store.ledger import DESK
from bot.store.uow import Tx

WINDOW_LIMIT = 500  # entries of one kind in one window; more are counted, not listed


def _in_window(
    tx: Tx, conflict: Conflict, kind: UpdateKind, start: datetime, end: datetime
) -> tuple[list[Entry], int]:
    found, total = tx.ledger.recorded_since(
        conflict.id, [kind], start, until=end, limit=WINDOW_LIMIT
    )
    return sorted(found, key=lambda e: (e.sort_at, e.id)), total


def _fate(duration: timedelta) -> str:
    if duration <= timedelta(hours=1):
        return "within minutes"
    if duration <= timedelta(hours=24):
        return "within hours"
    if duration <= timedelta(days=7):
        return "within days"
    return "after weeks"


def ceasefire_record(
    views: list[CeasefireView], war_start: datetime | None, zone_day: str | None
) -> str | None:
    """`third ceasefire since 27 Sep; the previous two collapsed within hours`."""
    if not views:
        return None
    latest = views[-1]
    since = f" since {zone_day}" if zone_day else ""
    line = f"{ordinal_word(latest.ordinal)} ceasefire{since}"
    previous = views[:-1]
    if previous and all(v.state in ENDING_STATES and v.held is not None for v in previous):
        longest = max(v.held.longest for v in previous if v.held is not None)
        count = (
            "the previous one"
            if len(previous) == 1
            else f"the previous {_count_word(len(previous))}"
        )
        verb = (
            "collapsed" if all(v.state == CeasefireState.COLLAPSED for v in previous) else "ended"
        )
        line += f"; {count} {verb} {_fate(longest)}"
    return line


def _count_word(n: int) -> str:
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if n < len(words) else str(n)


def build_briefing(
    tx: Tx,
    conflict: Conflict,
    window_start: datetime,
    window_end: datetime,
    zone: str,
    now: datetime,
    next_briefing: datetime | None = None,
    late_by: timedelta | None = None,
) -> BriefingView:
    picture = Picture(tx, conflict, now)
    ledger = tx.ledger

    claims, claims_total = _in_window(tx, conflict, UpdateKind.CLAIM, window_start, window_end)
    controls, _ = _in_window(tx, conflict, UpdateKind.CONTROL, window_start, window_end)
    notes, _ = _in_window(tx, conflict, UpdateKind.NOTE, window_start, window_end)
    events, _ = _in_window(tx, conflict, UpdateKind.CEASEFIRE, window_start, window_end)

    changes: list[ChangeView] = []
    places = picture.places(p for c in controls for p in c.place_ids)
    for entry in controls:
        if entry.place_id is None:
            continue
        before_id = ledger.latest_about_id(entry.place_id, UpdateKind.CONTROL, DESK, entry.sort_at)
        before = ledger.entry(before_id) if before_id is not None else None
        # A first assessment is where the record starts, not a change of hands.
        if before is not None and (before.holder, before.holder_party_id) != (
            entry.holder,
            entry.holder_party_id,
        ):
            changes.append(
                ChangeView(
                    places[entry.place_id].display_name if entry.place_id in places else "?",
                    picture.holder_name(before),
                    picture.assessment_view(entry),
                )
            )

    all_ceasefires = picture.ceasefire_views(None)
    changed_ids = frozenset(e.ceasefire_id for e in events if e.ceasefire_id is not None)
    shown = tuple(c for c in all_ceasefires if c.in_force or c.id in changed_ids)
    violations = tuple(
        ViolationView(
            e.id,
            e.event,
            picture.party_name(e.accuser_party_id) if e.accuser_party_id else None,
            tuple(picture.party_name(p) for p in e.accused_ids),
            e.note,
            e.sources,
        )
        for e in events
        if e.ceasefire_state == CeasefireState.VIOLATED
    )
    first = ledger.first_event(conflict.id)
    record = ceasefire_record(
        all_ceasefires, first, _day(first, conflict.timezone) if first else None
    )

    claim_views = picture.claim_views(claims)
    by_party: dict[str, list[ClaimView]] = {}
    for claim in claim_views:
        by_party.setdefault(", ".join(claim.parties), []).append(claim)
    grouped = tuple(PartyClaims(party, tuple(items)) for party, items in sorted(by_party.items()))

    sources = Counter(s for e in [*claims, *controls, *notes, *events] for s in e.sources)
    set_line = tx.briefings.bottom_line(conflict.id, window_start)
    view = BriefingView(
        conflict=conflict.name,
        zone=zone,
        as_of=now,
        window_start=window_start,
        window_end=window_end,
        bottom_line=set_line[0] if set_line else "",
        trend=set_line[1] if set_line else None,
        bottom_line_set=set_line is not None,
        ceasefires=shown,
        ceasefire_record=record,
        violations=violations,
        changed_hands=tuple(changes),
        disputed=tuple(disputed_places(picture)),
        new_claims=grouped,
        new_claims_total=claims_total,
        notes=tuple(picture.note_view(n) for n in notes),
        sources=tuple(s for s, _ in sources.most_common(20)),
        next_briefing=next_briefing,
        late_by=late_by,
        changed_ceasefire_ids=changed_ids,
    )
    if set_line:
        return view
    return replace(view, bottom_line=automatic_bottom_line(view, events))


def _day(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b}"


def automatic_bottom_line(view: BriefingView, events: list[Entry]) -> str:
    """One line on what changed most, when no admin wrote one."""
    names = {c.id: c.name for c in view.ceasefires}
    for event in reversed(events):
        if event.ceasefire_state in (
            CeasefireState.IN_EFFECT,
            CeasefireState.COLLAPSED,
            CeasefireState.ENDED,
        ):
            name = names.get(event.ceasefire_id or 0) or "A ceasefire"
            verb = {"in effect": "took effect", "collapsed": "collapsed", "ended": "ended"}[
                str(event.ceasefire_state)
            ]
            changed, claims = len(view.changed_hands), view.new_claims_total
            return f"{name} {verb}; {changed} place(s) changed hands, {claims} new claim(s)."
    if view.changed_hands:
        places = ", ".join(c.place for c in view.changed_hands[:3])
        more = f" and {len(view.changed_hands) - 3} more" if len(view.changed_hands) > 3 else ""
        return f"Changed hands according to the desk's assessment: {places}{more}."
    if view.violations:
        return f"{len(view.violations)} ceasefire violation(s) reported; no change of control assessed."
    if view.new_claims_total:
        return f"{view.new_claims_total} new claim(s), none verified as a change of control."
    return "A quiet period: nothing new was recorded."
