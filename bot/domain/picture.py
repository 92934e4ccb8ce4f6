"""Rules that turn entries into a picture: a claim's standing, whether a place
is disputed, and what became of a ceasefire. Pure functions over entries."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.entries import Entry
from bot.domain.model import (
    CONTESTED,
    OBSERVER,
    CeasefireState,
    EventTime,
    Party,
    Stance,
    Standing,
    UpdateKind,
)

# ---- standing ------------------------------------------------------------


@dataclass(frozen=True)
class LinkFrom:
    """An entry that corroborates or refutes a claim, reduced to what matters."""

    relation: str  # "corroborates" | "refutes"
    entry_id: int
    kind: UpdateKind
    party_sides: tuple[str, ...]  # sides of its claimants; () for the desk's own entries


@dataclass(frozen=True)
class StandingInfo:
    standing: Standing
    corroborated_by: tuple[int, ...] = ()
    refuted_by: tuple[int, ...] = ()


def claim_standing(claimant_sides: Sequence[str], links: Sequence[LinkFrom]) -> StandingInfo:
    """New with no links; corroborated when only backed. Refuted when the desk's
    own entry (an assessment, a note: video, a reporter on site), an observer, or
    the claimant's own side contradicts it; disputed when only an opposing party
    does, or when it is both backed and contradicted."""
    backing = tuple(link.entry_id for link in links if link.relation == "corroborates")
    against = [link for link in links if link.relation == "refutes"]
    against_ids = tuple(link.entry_id for link in against)
    if not backing and not against:
        return StandingInfo(Standing.NEW)
    if not against:
        return StandingInfo(Standing.CORROBORATED, backing)
    own = set(claimant_sides)

    def decisive(link: LinkFrom) -> bool:
        if not link.party_sides:  # the desk's own assessment or note
            return True
        return any(side == OBSERVER or side in own for side in link.party_sides)

    if any(decisive(link) for link in against):
        return StandingInfo(Standing.REFUTED, backing, against_ids)
    return StandingInfo(Standing.DISPUTED, backing, against_ids)


# ---- disputes ------------------------------------------------------------


@dataclass(frozen=True)
class Contradiction:
    claim_id: int
    against_id: int  # the assessment's or the other claim's ID
    against_assessment: bool


@dataclass(frozen=True)
class Dispute:
    contested: bool
    contradictions: tuple[Contradiction, ...] = ()


def _side(party_id: int | None, parties: Mapping[int, Party]) -> str | None:
    if party_id is None or party_id not in parties:
        return None
    party = parties[party_id]
    return party.side if not party.is_observer else f"{OBSERVER}:{party.id}"


def _claimant_side(claim: Entry, parties: Mapping[int, Party]) -> str | None:
    """A claim's side; None for an observer's, which never disputes by itself."""
    for pid in claim.party_ids:
        party = parties.get(pid)
        if party is not None and not party.is_observer:
            return party.side
    return None


def _claim_vs_holder(claim: Entry, holder_side: str, parties: Mapping[int, Party]) -> bool:
    """True when `claim` cannot be true if `holder_side` controls the place."""
    side = _side(claim.stance_holder_id, parties)
    if side is None:
        return False
    if claim.stance == Stance.ASSERTS:
        return side != holder_side
    return side == holder_side


def _claims_clash(a: Entry, b: Entry, parties: Mapping[int, Party]) -> bool:
    side_a = _side(a.stance_holder_id, parties)
    side_b = _side(b.stance_holder_id, parties)
    if side_a is None or side_b is None:
        return False
    if a.stance == Stance.ASSERTS and b.stance == Stance.ASSERTS:
        return side_a != side_b
    if a.stance != b.stance:  # one asserts what the other denies
        return side_a == side_b
    return False  # two denials can both be true


def find_dispute(
    assessment: Entry | None,
    stance_claims: Sequence[Entry],
    parties: Mapping[int, Party],
) -> Dispute | None:
    """A place is disputed when its control is assessed contested, or when the
    latest stance claims of the parties (not observers) cannot all be true together
    with the assessment: a claim against the assessment, or opposing parties'
    claims against each other."""
    contested = assessment is not None and assessment.holder == CONTESTED
    claims = [c for c in stance_claims if not c.retracted and _claimant_side(c, parties)]
    found: list[Contradiction] = []
    holder_side = None
    if assessment is not None and assessment.holder_party_id is not None:
        holder_side = _side(assessment.holder_party_id, parties)
    if holder_side is not None and assessment is not None:
        for claim in claims:
            if _claim_vs_holder(claim, holder_side, parties):
                found.append(Contradiction(claim.id, assessment.id, True))
    for i, first in enumerate(claims):
        for second in claims[i + 1 :]:
            if _claimant_side(first, parties) == _claimant_side(second, parties):
                continue
            if _claims_clash(first, second, parties):
                found.append(Contradiction(second.id, first.id, False))
    if contested or found:
        return Dispute(contested, tuple(found))
    return None


# ---- ceasefires ----------------------------------------------------------

ENDING_STATES = (CeasefireState.COLLAPSED, CeasefireState.ENDED)


@dataclass(frozen=True)
class Duration:
    """How long something lasted, as a range when the times are imprecise."""

    shortest: timedelta
    longest: timedelta
    ongoing: bool = False


@dataclass(frozen=True)
class CeasefireSummary:
    ceasefire_id: int
    state: CeasefireState | None
    since: EventTime | None  # when the current state began
    announced: EventTime | None
    effective: EventTime | None
    ended: EventTime | None
    held: Duration | None
    violations: tuple[Entry, ...]
    events: tuple[Entry, ...]


def held_between(start: EventTime, end: EventTime | None, now: datetime) -> Duration:
    if end is None:
        return Duration(
            max(timedelta(0), now - start.end), max(timedelta(0), now - start.start), True
        )
    shortest = max(timedelta(0), end.start - start.end)
    longest = max(shortest, end.end - start.start)
    return Duration(shortest, longest)


def summarize_ceasefire(
    ceasefire_id: int, events: Sequence[Entry], now: datetime
) -> CeasefireSummary:
    """`events` in ledger order (sort position), not retracted, up to the moment wanted."""
    live = [e for e in events if not e.retracted]
    state = live[-1].ceasefire_state if live else None
    since = live[-1].event if live else None
    announced = next((e.event for e in live if e.ceasefire_state == CeasefireState.ANNOUNCED), None)
    effective: EventTime | None = None
    for event in live:
        if event.effective is not None:
            effective = event.effective
        if event.ceasefire_state == CeasefireState.IN_EFFECT:
            effective = effective or event.event
            break
    ended = next((e.event for e in live if e.ceasefire_state in ENDING_STATES), None)
    held = held_between(effective, ended, now) if effective is not None else None
    if held is not None and effective is not None and effective.start > now:
        held = None  # announced for later: nothing has held yet
    violations = tuple(e for e in live if e.ceasefire_state == CeasefireState.VIOLATED)
    return CeasefireSummary(
        ceasefire_id, state, since, announced, effective, ended, held, violations, tuple(live)
    )


ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
)


def ordinal_word(n: int) -> str:
    if 1 <= n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ORDINAL_NUMBER = re.compile(r"^([0-9]{1,4})(?:st|nd|rd|th)?$")


def parse_ordinal(text: str) -> int | None:
    """`third`, `3rd`, `3` → 3; anything else None."""
    word = text.strip().lower()
    if word in ORDINALS:
        return ORDINALS.index(word) + 1
    match = _ORDINAL_NUMBER.match(word)
    if match is None or int(match.group(1)) == 0:
        return None
    return int(match.group(1))
