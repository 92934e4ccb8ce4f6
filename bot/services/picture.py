"""Reading the picture inside one transaction: entries turned into view parts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from bot.domain.entries import Entry
from bot.domain.model import CONTESTED, UNKNOWN, Ceasefire, Conflict, Party, Place, UpdateKind
from bot.domain.picture import (
    Dispute,
    claim_standing,
    summarize_ceasefire,
)
from bot.services.cache import ReadCache, ledger_version
from bot.services.views import (
    AssessmentView,
    CeasefireView,
    ClaimView,
    DisputeView,
    NoteView,
    ViolationView,
)
from bot.store.ledger import DESK
from bot.store.uow import Tx


class Picture:
    """Lookups shared by every read of one conflict in one transaction."""

    def __init__(
        self, tx: Tx, conflict: Conflict, now: datetime, cache: ReadCache | None = None
    ) -> None:
        self.tx = tx
        self.cache = cache
        self.conflict = conflict
        self.now = now
        self.parties: dict[int, Party] = {p.id: p for p in tx.catalog.parties(conflict.id)}
        self._places: dict[int, Place] = {}

    # ---- names -----------------------------------------------------------

    def party_name(self, party_id: int | None) -> str:
        party = self.parties.get(party_id) if party_id is not None else None
        return party.name if party else "?"

    def places(self, ids: Iterable[int]) -> dict[int, Place]:
        missing = [i for i in ids if i not in self._places]
        if missing:
            self._places.update(self.tx.catalog.places_by_id(missing))
        return self._places

    def place_names(self, ids: Sequence[int]) -> tuple[str, ...]:
        known = self.places(ids)
        return tuple(known[i].display_name for i in ids if i in known)

    def holder_name(self, entry: Entry) -> str:
        if entry.holder in (CONTESTED, UNKNOWN):
            return str(entry.holder)
        return self.party_name(entry.holder_party_id)

    # ---- entries to views ------------------------------------------------

    def claim_views(self, claims: Sequence[Entry]) -> list[ClaimView]:
        links = self.tx.ledger.links_to(c.id for c in claims)
        self.places(pid for c in claims for pid in c.place_ids)
        views = []
        for claim in claims:
            sides = [self.parties[p].side for p in claim.party_ids if p in self.parties]
            info = claim_standing(sides, links.get(claim.id, []))
            views.append(
                ClaimView(
                    id=claim.id,
                    parties=tuple(self.party_name(p) for p in claim.party_ids),
                    speaker=claim.speaker,
                    text=claim.text or "",
                    event=claim.event,
                    recorded_at=claim.recorded_at,
                    sources=claim.sources,
                    standing=info.standing,
                    stance=claim.stance,
                    stance_holder=self.party_name(claim.stance_holder_id) if claim.stance else None,
                    places=self.place_names(claim.place_ids),
                    corroborated_by=info.corroborated_by,
                    refuted_by=info.refuted_by,
                )
            )
        return views

    def assessment_view(self, entry: Entry) -> AssessmentView:
        return AssessmentView(
            id=entry.id,
            holder=self.holder_name(entry),
            confidence=entry.confidence,
            event=entry.event,
            sources=entry.sources,
            note=entry.note,
        )

    def note_view(self, entry: Entry) -> NoteView:
        return NoteView(
            entry.id,
            entry.text or entry.note or "",
            entry.event,
            entry.sources,
            self.place_names(entry.about_ids),
        )

    # ---- disputes --------------------------------------------------------

    def dispute_view(
        self, dispute: Dispute, assessment: Entry | None, claims: Sequence[Entry]
    ) -> DisputeView:
        by_id = {c.id: c for c in claims}
        reasons: list[str] = []
        if dispute.contested:
            reasons.append("the desk assesses control as contested")
        for item in dispute.contradictions:
            claim = by_id.get(item.claim_id)
            if claim is None:
                continue
            said = self._stance_phrase(claim)
            if item.against_assessment and assessment is not None:
                reasons.append(f"{said}, against the assessment ({self.holder_name(assessment)})")
            else:
                other = by_id.get(item.against_id)
                if other is not None:
                    reasons.append(f"{said}, while {self._stance_phrase(other)}")
        return DisputeView(dispute.contested, tuple(dict.fromkeys(reasons)))

    def _stance_phrase(self, claim: Entry) -> str:
        who = ", ".join(self.party_name(p) for p in claim.party_ids)
        holder = self.party_name(claim.stance_holder_id)
        verb = "holds it" if str(claim.stance) == "asserts" else "does not hold it"
        return f"{who} says {holder} {verb}"

    def place_slots(
        self, place_id: int, before: datetime | None
    ) -> tuple[Entry | None, list[Entry]]:
        """The assessment and each party's latest stance claim about a place, as of `before`."""
        ledger = self.tx.ledger
        assessment_id = ledger.latest_about_id(place_id, UpdateKind.CONTROL, DESK, before)
        claim_ids = [
            ledger.latest_about_id(place_id, UpdateKind.CLAIM, party_id, before, stance_only=True)
            for party_id in ledger.claimants_about(place_id)
        ]
        found = ledger.entries([i for i in [assessment_id, *claim_ids] if i is not None])
        assessment = found.get(assessment_id) if assessment_id is not None else None
        claims = sorted(
            (found[i] for i in claim_ids if i is not None and i in found), key=lambda e: e.sort_at
        )
        return assessment, claims

    # ---- ceasefires ------------------------------------------------------

    def _key_events(self, before: datetime | None) -> dict[int, tuple[list[Entry], int]]:
        """The same for every place of the conflict: built once per ledger version."""
        if self.cache is None:
            return self.tx.ledger.ceasefire_key_events(self.conflict.id, before)
        key = ("ceasefire-key-events", self.conflict.id, before, ledger_version(self.tx))
        return self.cache.get_or_build(
            key, lambda: self.tx.ledger.ceasefire_key_events(self.conflict.id, before)
        )

    def ceasefire_views(self, before: datetime | None, detail: bool = False) -> list[CeasefireView]:
        """Every ceasefire in its order, with its state as of `before` (None: now);
        with `detail`, the latest violations reported too."""
        ceasefires = self.tx.catalog.ceasefires(self.conflict.id)
        now_events = self._key_events(None)
        ordered = order_ceasefires(ceasefires, {c: events for c, (events, _) in now_events.items()})
        at_moment = now_events if before is None else self._key_events(before)
        # As of a past moment, or now; never beyond now (`on <today>`).
        moment = min(before, self.now) if before is not None else self.now
        views = []
        for ordinal, ceasefire in enumerate(ordered, start=1):
            events, violations_total = at_moment.get(ceasefire.id, ([], 0))
            if before is not None and not events:
                continue  # not yet announced at that moment
            if detail:
                extra = self.tx.ledger.latest_violations(ceasefire.id, before)
                known = {e.id for e in events}
                events = sorted(
                    [*events, *(e for e in extra if e.id not in known)],
                    key=lambda e: (e.sort_at, e.id),
                )
            summary = summarize_ceasefire(ceasefire.id, events, moment)
            violations = tuple(
                ViolationView(
                    v.id,
                    v.event,
                    self.party_name(v.accuser_party_id) if v.accuser_party_id else None,
                    tuple(self.party_name(p) for p in v.accused_ids),
                    v.note,
                    v.sources,
                )
                for v in summary.violations
            )
            sources = tuple(dict.fromkeys(s for e in summary.events for s in e.sources))
            views.append(
                CeasefireView(
                    id=ceasefire.id,
                    ordinal=ordinal,
                    name=ceasefire.name,
                    state=summary.state,
                    since=summary.since,
                    announced=summary.announced,
                    effective=summary.effective,
                    ended=summary.ended,
                    held=summary.held,
                    parties=ceasefire.parties,
                    mediators=ceasefire.mediators,
                    violations=violations,
                    sources=sources,
                    update_ids=tuple(e.id for e in summary.events),
                    violations_total=violations_total,
                )
            )
        return views


def ordered_ceasefires(tx: Tx, conflict: Conflict) -> list[Ceasefire]:
    """The conflict's ceasefires in order (first, second, …)."""
    key_events = tx.ledger.ceasefire_key_events(conflict.id, None)
    return order_ceasefires(
        tx.catalog.ceasefires(conflict.id), {c: e for c, (e, _) in key_events.items()}
    )


def order_ceasefires(
    ceasefires: Sequence[Ceasefire], events: dict[int, list[Entry]]
) -> list[Ceasefire]:
    """Ceasefires in the order they took (or were to take) effect."""

    def key(ceasefire: Ceasefire) -> tuple[datetime, int]:
        own = events.get(ceasefire.id, [])
        starts = [e.effective.start for e in own if e.effective is not None]
        starts += [e.event.start for e in own if str(e.ceasefire_state) == "in effect"]
        if not starts and own:
            starts = [own[0].event.start]
        return (min(starts) if starts else datetime.max.replace(tzinfo=UTC), ceasefire.id)

    return sorted(ceasefires, key=key)
