"""Ceasefire events: agreed or announced, in effect, violated (who accuses whom),
holding, collapsed — one reading per clause that names a ceasefire.

A ceasefire is named, in order of preference, by a known ceasefire whose
distinctive words the clause holds ("Washington", "18 October", or the seat of
the party that brokered it: "Russian-brokered" → Moscow), by its order ("the
third", "the previous two"), by the one the report spoke of last ("the truce"),
or by a description made from the clause ("humanitarian ceasefire")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc

from bot.domain.model import CeasefireState
from bot.domain.names import normalize
from bot.domain.picture import ORDINALS, ordinal_word
from bot.domain.times import TimeSpec
from bot.ingest.claims import ACCUSING, FoundClaim
from bot.ingest.dates import clock_spec, dates_in, spec_for_day
from bot.ingest.lexicon import CEASEFIRE_WORDS, METONYMS, Lexicon, wordset
from bot.ingest.sentences import Memory, Mention, Sentence
from bot.ingest.stance import NEGATORS

_GENERIC = wordset(
    """humanitarian ceasefire ceasefires truce truces cease fire the of agreement regime
    armistice new"""
)
# Fighting "despite the ceasefire" is a violation of it.
ATTACKS = wordset(
    """attack attacks attacked attacking shelled shelling offensive fired firing struck strike
    strikes bombed bombing assault launched fighting clashes hostilities"""
)
_ANNOUNCING = wordset(
    "agreed agree agrees announced announce signed brokered established reached declared"
)
_BROKERED = ("brokered", "sponsored", "mediated", "backed")
_COUNTS = {"two": 2, "both": 2, "three": 3}


@dataclass(frozen=True)
class FoundCeasefire:
    start: int
    name: str
    state: CeasefireState
    parties: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    effective: TimeSpec | None = None
    accused: tuple[str, ...] = ()
    accuser: str | None = None
    when: TimeSpec | None = None


_NAMING = re.compile(
    r"^\W*(?:agreed|signed|announced|brokered|reached|declared|of"
    r"|(?:that|which)\s+(?:took|came|entered|went|began))\b[^,;]{0,40}$",
    re.IGNORECASE,
)


def _event_day(
    sentence: Sentence, lo: int, hi: int, noun: int, published: date | None
) -> date | None:
    """The clause's date, unless it only names the ceasefire ("agreed on 25 October")."""
    doc = sentence.doc
    clause = doc[lo:hi]
    offset = clause.start_char
    noun_end = doc[noun].idx + len(doc[noun]) - offset
    for found in dates_in(clause.text, published):
        between = clause.text[noun_end : found.offset] if found.offset > noun_end else None
        if between is not None and _NAMING.match(between):
            continue
        return found.day
    return None


def _clauses(sentence: Sentence) -> list[tuple[int, int]]:
    bounds, start = [], sentence.span.start
    for token in sentence.span:
        if token.text == ";":
            bounds.append((start, token.i))
            start = token.i + 1
    bounds.append((start, sentence.span.end))
    return bounds


def _state(words: list[str], nouns: set[int]) -> CeasefireState | None:
    joined = " ".join(words)
    if any(w.startswith(("violat", "breach")) for w in words) or re.search(
        r"\bbr(?:oke|oken|eaking)\b (?:the|a) (?:ceasefire|truce)", joined
    ):
        return CeasefireState.VIOLATED
    if ATTACKS.intersection(words) and (
        "despite" in words
        or re.search(r"after (?:the|a) (?:ceasefire|truce) (?:began|took effect|started)", joined)
    ):
        return CeasefireState.VIOLATED
    negated = bool(NEGATORS.intersection(words)) or "none" in words
    if re.search(r"\bcollaps|\bbroke down\b|\bfell apart\b|\bended\b", joined) or (
        negated and re.search(r"\bh(?:o|e)ld\b", joined)
    ):
        return CeasefireState.COLLAPSED
    announced = any(
        w in _ANNOUNCING and i - 1 not in nouns and (i == 0 or words[i - 1] != "-")
        for i, w in enumerate(words)
    )
    if announced:
        return CeasefireState.ANNOUNCED
    if re.search(
        r"\b(?:took|take|takes|taking|went|go|come|came|comes|entered|enter|enters) "
        r"(?:into )?(?:effect|force)\b|\bin (?:effect|force)\b|\b(?:truce|ceasefire) began\b",
        joined,
    ):
        return CeasefireState.IN_EFFECT
    if re.search(
        r"\bholding\b|\bheld\b|\bholds\b"
        r"|\b(?:is|are|was|were|has been|have been) (?:being )?(?:observed|respected)\b",
        joined,
    ):
        return CeasefireState.HOLDING
    return None


def brokering(doc: Doc, mention: Mention) -> bool:
    """The party that mediated: "Russian-brokered", "US-sponsored"."""
    after = doc[mention.end : mention.end + 2]
    return len(after) == 2 and after[0].text == "-" and after[1].norm_.endswith(_BROKERED)


def _known_by_words(
    lexicon: Lexicon, doc: Doc, words: set[str], mentions: list[Mention]
) -> str | None:
    seats = {
        normalize(seat)
        for m in mentions
        if m.party and brokering(doc, m)
        for seat in METONYMS.get(normalize(m.party), ())
    }
    found = []
    for name in lexicon.gazetteer.ceasefires:
        distinctive = set(normalize(name).split()) - _GENERIC
        if distinctive and (distinctive <= words or distinctive & seats):
            found.append(name)
    return found[0] if len(found) == 1 else None


def _ordinal(words: list[str]) -> int | None:
    for word in words:
        if word in ORDINALS:
            return ORDINALS.index(word) + 1
        m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", word)
        if m:
            return int(m[1])
    return None


def _previous(words: list[str], memory: Memory) -> list[int]:
    """The ceasefires before the one spoken of last: "the previous two ceasefires"."""
    if memory.ceasefire_ordinal is None or "previous" not in words:
        return []
    at = words.index("previous")
    near = words[max(0, at - 2) : at + 2]
    count = next((_COUNTS[w] for w in near if w in _COUNTS), 1)
    last = memory.ceasefire_ordinal
    return [n for n in range(last - count, last) if n >= 1]


def _by_order(lexicon: Lexicon, n: int, description: str) -> str:
    known = lexicon.gazetteer.ceasefires
    return known[n - 1] if n <= len(known) else f"{ordinal_word(n)} {description}".strip()


def _description(sentence: Sentence, noun: int) -> str:
    doc = sentence.doc
    words: list[str] = []
    i = noun - 1
    while i >= sentence.span.start and (
        doc[i].norm_ in ("humanitarian", "-", "new", "temporary", "partial", "full", "another")
        or doc[i].norm_.endswith(("brokered", "sponsored", "mediated"))
        or (i + 1 < len(doc) and doc[i + 1].text == "-")
    ):
        words.insert(0, doc[i].text)
        i -= 1
    words = [w for w in words if w.lower() not in ("new", "another")]
    head = doc[noun].text.lower()
    words.append(head if head in CEASEFIRE_WORDS else "ceasefire")  # "an agreement to end …"
    text = "".join(w if w == "-" else f" {w}" for w in words).replace(" -", "-").strip()
    return text.replace("- ", "-")


def find_ceasefires(
    sentence: Sentence,
    memory: Memory,
    lexicon: Lexicon,
    claims: list[FoundClaim],
    published: date | None,
) -> list[FoundCeasefire]:
    """Ceasefire events in a sentence; `claims` are the claims found in it (their
    claimant accuses when the claim is that a ceasefire was broken)."""
    nouns_all = sentence.cues.get("CEASEFIRE", [])
    if not nouns_all:
        return []
    out: list[FoundCeasefire] = []
    for lo, hi in _clauses(sentence):
        nouns = [s for s, _ in nouns_all if lo <= s < hi]
        if not nouns:
            continue
        noun = nouns[0]
        doc = sentence.doc
        words = [t.norm_ for t in doc[lo:hi]]
        state = _state(words, {n - lo for n in nouns})
        if state is None:
            continue
        mentions = [m for m in sentence.mentions() if lo <= m.start < hi and m.party]
        clause_day = _event_day(sentence, lo, hi, noun, published)
        plural = doc[noun].norm_.endswith("s") and doc[noun].norm_ in CEASEFIRE_WORDS
        names = _names(sentence, memory, lexicon, words, mentions, noun, plural, state, clause_day)
        for name in names:
            out.extend(
                _events(
                    sentence,
                    memory,
                    lexicon,
                    claims,
                    state,
                    name,
                    (lo, hi, noun),
                    mentions,
                    clause_day,
                    clause_day or published,
                )
            )
            memory.ceasefire_name = name
            if name in lexicon.gazetteer.ceasefires:
                memory.ceasefire_ordinal = lexicon.gazetteer.ceasefires.index(name) + 1
    return out


def _names(
    sentence: Sentence,
    memory: Memory,
    lexicon: Lexicon,
    words: list[str],
    mentions: list[Mention],
    noun: int,
    plural: bool,
    state: CeasefireState,
    day: date | None,
) -> list[str]:
    description = _description(sentence, noun)
    previous = _previous(words, memory)
    if previous:
        return [_by_order(lexicon, n, description) for n in previous]
    if plural:
        return []  # "none of the three truces": not one ceasefire
    # "01:00 Moscow time" names a clock, not the Moscow ceasefire
    timed = {i for i, w in enumerate(words[:-1]) if words[i + 1] == "time"}
    naming = {w for i, w in enumerate(words) if i not in timed}
    doc = sentence.doc
    untimed = [m for m in mentions if not (m.end < len(doc) and doc[m.end].norm_ == "time")]
    known = _known_by_words(lexicon, doc, naming, untimed)
    if known:
        return [known]
    order = _ordinal(words)
    if order is not None:
        memory.ceasefire_ordinal = order
        return [_by_order(lexicon, order, description)]
    new = state is CeasefireState.ANNOUNCED and bool({"another", "new", "a", "an"} & set(words))
    if not new and memory.ceasefire_name:
        return [memory.ceasefire_name]
    if not new and lexicon.gazetteer.ceasefires:
        return [lexicon.gazetteer.ceasefires[-1]]
    suffix = f" of {day.day} {day:%B} {day.year}" if day else ""
    return [f"{description}{suffix}"]


def _sides(lexicon: Lexicon, mentions: list[Mention]) -> tuple[list[str], list[str]]:
    """Parties to the ceasefire (one per side) and mediators (observers) named."""
    parties: dict[str, str] = {}
    mediators: list[str] = []
    principals = set(lexicon.gazetteer.principals())
    for mention in mentions:
        party = lexicon.gazetteer.party(mention.party or "")
        if party is None:
            continue
        if party.is_observer:
            if party.name not in mediators:
                mediators.append(party.name)
        elif mention.via != "metonym" and (party.side not in parties or party.name in principals):
            parties[party.side] = party.name
    return list(parties.values()), mediators


def _events(
    sentence: Sentence,
    memory: Memory,
    lexicon: Lexicon,
    claims: list[FoundClaim],
    state: CeasefireState,
    name: str,
    where: tuple[int, int, int],
    mentions: list[Mention],
    day: date | None,
    clock_day: date | None,
) -> list[FoundCeasefire]:
    doc = sentence.doc
    lo, hi, noun = where
    when = spec_for_day(day) if day else None
    if state is CeasefireState.VIOLATED:
        return _violations(sentence, memory, lexicon, claims, name, (lo, hi), mentions, when)
    parties, mediators = _sides(lexicon, mentions)
    if state in (CeasefireState.ANNOUNCED, CeasefireState.IN_EFFECT):
        if len(parties) < 2 and len(lexicon.gazetteer.principals()) == 2:
            parties = list(lexicon.gazetteer.principals())
    else:
        parties, mediators = [], []
    text = doc[lo:hi].text
    effective = None
    if state is CeasefireState.IN_EFFECT or re.search(r"\b(?:effect|force)\b", text):
        effective = clock_spec(text, clock_day)
    if state is CeasefireState.IN_EFFECT and effective is not None:
        when = effective
    return [
        FoundCeasefire(noun, name, state, tuple(parties), tuple(mediators), effective, when=when)
    ]


def _violations(
    sentence: Sentence,
    memory: Memory,
    lexicon: Lexicon,
    claims: list[FoundClaim],
    name: str,
    clause: tuple[int, int],
    mentions: list[Mention],
    when: TimeSpec | None,
) -> list[FoundCeasefire]:
    doc = sentence.doc
    lo, hi = clause
    words = [t.norm_ for t in doc[lo:hi]]
    sides = [
        m
        for m in mentions
        if m.kind == "party"
        and m.via != "metonym"
        and not brokering(doc, m)
        and (p := lexicon.gazetteer.party(m.party or "")) is not None
        and not p.is_observer
    ]
    if "each" in words and "other" in words:
        pair: list[str] = []
        for m in sides:
            party = lexicon.gazetteer.party(m.party or "")
            if party and not party.is_observer and party.name not in pair:
                pair.append(party.name)
        if len(pair) >= 2:
            pair = pair[:2]
            return [
                FoundCeasefire(
                    lo, name, CeasefireState.VIOLATED, accused=(b,), accuser=a, when=when
                )
                for a, b in (pair, pair[::-1])
            ]
    claim = next((c for c in claims if lo <= c.start < hi), None)
    voice = memory.issuer.party if memory.issuer else None
    accuser = claim.party if claim else voice
    verb = next((i for i in range(lo, hi) if doc[i].norm_ in ACCUSING), None)
    cue = next(
        (
            i
            for i in range(lo, hi)
            if doc[i].norm_.startswith(("violat", "breach")) or doc[i].norm_ in ATTACKS
        ),
        hi,
    )
    accused: str | None = None
    if verb is not None:
        accused = next((m.party for m in sides if m.start > verb and m.party != accuser), None)
    if accused is None:
        before = [m for m in sides if m.start < cue and m.party != accuser]
        accused = before[-1].party if before else None
    if accused is None:
        accused = next((m.party for m in sides if m.party != accuser), None)
    if accused is None and accuser:
        opponents = lexicon.gazetteer.opponents(accuser)
        accused = opponents[0] if len(opponents) == 1 else None
    return [
        FoundCeasefire(
            lo,
            name,
            CeasefireState.VIOLATED,
            accused=(accused,) if accused else (),
            accuser=accuser,
            when=when,
        )
    ]
