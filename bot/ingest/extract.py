"""From a pasted report to numbered candidate ledger updates that a person
approves: attributed claims, the report's own statements about control,
ceasefire events, notes, and places the gazetteer does not know yet.

Plain Python over a blank spaCy pipeline (tokenizer, sentencizer, matchers);
nothing is fetched and no model is loaded. The pipeline is built once per
gazetteer and cached, so extracting one report takes milliseconds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.domain.commands import (
    CeasefireUpdate,
    ClaimUpdate,
    Common,
    ControlUpdate,
    NoteUpdate,
    PlaceUpdate,
)
from bot.domain.model import Stance
from bot.domain.names import normalize
from bot.domain.times import TimeSpec
from bot.ingest.ceasefires import FoundCeasefire, find_ceasefires
from bot.ingest.claims import FoundClaim, claim_in_voice, find_claims, lower_first
from bot.ingest.cleanup import report_paragraphs
from bot.ingest.dates import dates_in, first_full_date, spec_for_day
from bot.ingest.gazetteer import Gazetteer, KnownParty, KnownPlace
from bot.ingest.lexicon import Lexicon, lexicon_for
from bot.ingest.observations import (
    FoundControl,
    FoundNote,
    FoundPlace,
    control_statements,
    new_places,
    notes,
)
from bot.ingest.sentences import Memory, Sentence, Speaker, find_persons, read_sentences
from bot.ingest.speakers import Resolved, resolve

__all__ = [
    "Candidate",
    "CandidateCommand",
    "Gazetteer",
    "KnownParty",
    "KnownPlace",
    "Proposal",
    "extract",
]

CandidateCommand = ControlUpdate | ClaimUpdate | CeasefireUpdate | NoteUpdate | PlaceUpdate


@dataclass(frozen=True)
class Candidate:
    number: int  # 1-based, in the order of the report
    label: str  # one plain line saying what would be recorded
    sentence: str  # the sentence it came from, whitespace normalised
    command: CandidateCommand  # ready to record; names are the gazetteer's own
    # The earlier candidate this one answers: a denial of its claim, or a note
    # that contradicts it. Once both are recorded, this one refutes that one.
    answers: int | None = None


@dataclass(frozen=True)
class Proposal:
    places_named: tuple[str, ...]  # known places the report names, by first mention
    candidates: tuple[Candidate, ...]


@dataclass
class _Draft:
    sentence: int
    start: int
    text: str
    command: CandidateCommand
    label: str
    claim: FoundClaim | None = None
    contradicts: bool = False
    answers: _Draft | None = field(default=None, repr=False)


_STATEMENT_HEADER = re.compile(
    r"^\W*(?:joint\s+)?(?:statement|press release|information|communiqu[eé]|announcement"
    r"|comment|news release|briefing|declaration)\b",
    re.IGNORECASE,
)


def extract(text: str, gazetteer: Gazetteer, published: date | None = None) -> Proposal:
    """Candidate updates for a report, in the report's order."""
    lexicon = lexicon_for(gazetteer)
    paragraphs = report_paragraphs(text)
    if published is None:
        published = first_full_date(text[:3000])
    memory = Memory(lexicon.adjective)
    drafts: list[_Draft] = []
    places_named: list[str] = []
    offered: set[str] = set()
    docs = list(lexicon.read(paragraphs))
    headline = docs[0] if len(docs) > 1 and _is_headline(paragraphs[0]) else None
    for sentence in read_sentences(lexicon, docs):
        if sentence.index == 0 and _issuer(sentence, memory):
            continue
        find_persons(sentence, memory)
        for mention in sentence.mentions():
            is_place = mention.kind == "place" or mention.via == "place"
            if is_place and mention.name not in places_named:
                places_named.append(mention.name)
        if sentence.doc is not headline:
            drafts.extend(_read(sentence, memory, lexicon, published, offered))
    _link(drafts)
    drafts.sort(key=lambda d: (d.sentence, d.start))
    numbers = {id(d): n for n, d in enumerate(drafts, start=1)}
    candidates = tuple(
        Candidate(
            numbers[id(d)],
            d.label.replace("#?", f"#{numbers[id(d.answers)]}" if d.answers else "#?"),
            d.text,
            d.command,
            numbers[id(d.answers)] if d.answers else None,
        )
        for d in drafts
    )
    return Proposal(tuple(places_named), candidates)


def _is_headline(paragraph: str) -> bool:
    """A title line: short, without a full stop. What it says, the body says again."""
    return len(paragraph.split()) <= 20 and not paragraph.rstrip().endswith(
        (".", "!", "?", '"', "”")
    )


def _issuer(sentence: Sentence, memory: Memory) -> bool:
    """A statement's header ("Statement of the Ministry of Defence of …") names
    who speaks in every sentence that follows."""
    if len(sentence.span) > 25 or not _STATEMENT_HEADER.match(sentence.text):
        return False
    at = next((t.i for t in sentence.span if t.norm_ in ("of", "by", "from")), None)
    if at is None:
        return False
    who = resolve(sentence, memory, at + 1, sentence.span.end)
    if who is None:
        return False
    memory.issuer = Speaker(who.party, who.speaker, sentence.index)
    return True


def _read(
    sentence: Sentence,
    memory: Memory,
    lexicon: Lexicon,
    published: date | None,
    offered: set[str],
) -> list[_Draft]:
    days = dates_in(sentence.text, published)
    day = days[0].day if days else None
    when = spec_for_day(day) if day else None
    claims = find_claims(sentence, memory, lexicon)
    ceasefires = find_ceasefires(sentence, memory, lexicon, claims, published)
    if not claims and not ceasefires and memory.issuer is not None:
        issuer = memory.issuer
        voiced = claim_in_voice(sentence, lexicon, Resolved(issuer.party, issuer.speaker))
        claims = [voiced] if voiced else []
    violation_reported = any(c.state.value == "violated" for c in ceasefires)
    out: list[_Draft] = []
    for claim in claims:
        if claim.violation and violation_reported:
            continue  # the ceasefire event says it, with accuser and accused
        out.append(_claim_draft(sentence, claim, when))
    places = tuple(dict.fromkeys(m.name for m in sentence.places))
    for event in ceasefires:
        out.append(_ceasefire_draft(sentence, event, places))
    attributed = bool(claims) or memory.issuer is not None
    for control in control_statements(sentence, attributed):
        out.append(_control_draft(sentence, control, when))
    for note in notes(sentence, attributed or bool(ceasefires)):
        out.append(_note_draft(sentence, note, when))
    for place in new_places(sentence, memory):
        key = normalize(place.name)
        if key not in offered and key not in lexicon.party_names:
            offered.add(key)
            out.append(_place_draft(sentence, place))
    return out


def _them(places: tuple[str, ...]) -> str:
    return "them" if len(places) > 1 else "it"


def _short(text: str, limit: int = 90) -> str:
    text = text.rstrip(".")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _claim_draft(sentence: Sentence, claim: FoundClaim, when: TimeSpec | None) -> _Draft:
    who = claim.party + (f" ({claim.speaker})" if claim.speaker else "")
    about = f" about {', '.join(claim.about)}" if claim.about else ""
    if claim.stance is not None:
        verb = "says" if claim.stance is Stance.ASSERTS else "denies"
        summary = f"{verb} {claim.holder} holds {_them(claim.about)}"
    else:
        summary = _short(claim.text)
    command = ClaimUpdate(
        (claim.party,),
        claim.text,
        speaker=claim.speaker,
        stance=claim.stance,
        holder=claim.holder,
        common=Common(about=claim.about, when=when),
    )
    return _Draft(
        sentence.index,
        claim.start,
        sentence.text,
        command,
        f"Claim by {who}{about}: {summary}",
        claim,
    )


def _ceasefire_draft(sentence: Sentence, event: FoundCeasefire, places: tuple[str, ...]) -> _Draft:
    parts = [f"Ceasefire “{event.name}”: {event.state.value}"]
    if event.parties:
        parts.append(f"parties {', '.join(event.parties)}")
    if event.mediators:
        parts.append(f"mediated by {', '.join(event.mediators)}")
    if event.accused:
        accused = ", ".join(event.accused)
        parts.append(f"{event.accuser} accuses {accused}" if event.accuser else f"by {accused}")
    if event.effective is not None:
        parts.append(f"effective {event.effective}")
    about = places if event.state.value == "violated" else ()
    command = CeasefireUpdate(
        event.name,
        event.state,
        parties=event.parties,
        mediators=event.mediators,
        effective=event.effective,
        accused=event.accused,
        accuser=event.accuser,
        common=Common(about=about, when=event.when),
    )
    return _Draft(sentence.index, event.start, sentence.text, command, "; ".join(parts))


def _control_draft(sentence: Sentence, control: FoundControl, when: TimeSpec | None) -> _Draft:
    if control.why == "not verified":
        detail = "the report says its control could not be verified"
    elif control.confidence is not None:
        detail = f"{control.confidence.value} confidence; the report's own statement, not a party's"
    else:
        detail = "the report's own assessment"
    command = ControlUpdate(
        control.place, control.holder, control.confidence, common=Common(when=when)
    )
    label = f"Control of {control.place}: {control.holder} ({detail})"
    return _Draft(sentence.index, control.start, sentence.text, command, label)


def _note_draft(sentence: Sentence, note: FoundNote, when: TimeSpec | None) -> _Draft:
    command = NoteUpdate(note.text, common=Common(about=note.about, when=when))
    about = f" about {', '.join(note.about)}" if note.about else ""
    draft = _Draft(
        sentence.index, note.start, sentence.text, command, f"Note{about}: {_short(note.text)}"
    )
    draft.contradicts = note.contradicts
    if note.contradicts:
        draft.label = note.evidence  # completed once the claim it answers is known
    return draft


def _place_draft(sentence: Sentence, place: FoundPlace) -> _Draft:
    kind = f" ({place.kind.value})" if place.kind else ""
    command = PlaceUpdate(place.name, kind=place.kind)
    label = f"New place? {place.name}{kind}: named in the report, not in the gazetteer"
    return _Draft(sentence.index, place.start, sentence.text, command, label)


def _overlap(a: FoundClaim, b: FoundClaim) -> int:
    shared_places = 2 if set(a.about) & set(b.about) else 0
    return len(a.stems & b.stems) + shared_places


def _contradicts(later: FoundClaim, earlier: FoundClaim) -> bool:
    if not (later.stance and earlier.stance and set(later.about) & set(earlier.about)):
        return False
    if later.holder == earlier.holder:
        return later.stance != earlier.stance
    return later.stance == earlier.stance == Stance.ASSERTS


def _link(drafts: list[_Draft]) -> None:
    """Denials answer the claim they deny; contradicting notes the claim they cite."""
    for k, draft in enumerate(drafts):
        earlier = [d for d in drafts[:k] if d.claim is not None]
        claim = draft.claim
        if claim is not None:
            others = [d for d in earlier if d.claim and d.claim.party != claim.party]
            target = next(
                (d for d in reversed(others) if d.claim and _contradicts(claim, d.claim)), None
            )
            if target is None and claim.denial and others:
                scored = [(_overlap(claim, d.claim), i, d) for i, d in enumerate(others) if d.claim]
                best = max(scored, key=lambda s: (s[0], s[1]))
                target = best[2] if best[0] >= 2 else None
            draft.answers = target
        elif draft.contradicts:
            recent = [d for d in earlier if d.sentence >= draft.sentence - 2]
            target = recent[-1] if recent else None
            draft.answers = target
            draft.label = _contradiction(draft, target)


def _contradiction(draft: _Draft, target: _Draft | None) -> str:
    evidence = draft.label
    if target is None or target.claim is None:
        draft.label = ""
        return f"Note: {_short(draft.text)}"
    claim = target.claim
    who = claim.party + (f" ({claim.speaker})" if claim.speaker else "")
    note = (
        f"The report cites {evidence} as contradicting the claim by {who} that "
        f"{lower_first(claim.text.rstrip('.'))}."
    )
    assert isinstance(draft.command, NoteUpdate)
    draft.command = NoteUpdate(
        note, common=Common(about=claim.about, when=draft.command.common.when)
    )
    about = f" about {', '.join(claim.about)}" if claim.about else ""
    return (
        f"Note{about}: {evidence} contradict claim #? (a note, not an assessment: "
        f"the report does not say who holds {_them(claim.about)})"
    )
