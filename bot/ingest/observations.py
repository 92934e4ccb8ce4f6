"""What a report says in its own voice: that a place is contested or its control
unverified, that a force took a place, that evidence (video, satellite images)
shows something or contradicts a claim it cites — and the places it names that
the gazetteer does not know."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.model import CONTESTED, UNKNOWN, Confidence, PlaceKind, Stance
from bot.ingest.lexicon import MONTHS, PLACE_KINDS, PLACE_PREPOSITIONS, WEEKDAYS, wordset
from bot.ingest.sentences import ORG_WORDS, TITLE_HEADS, Memory, Sentence, capitalised
from bot.ingest.stance import find_stance

_HEDGED = wordset(
    """reportedly likely probably apparently appears appear seems may might could unconfirmed
    allegedly possibly"""
)
_SURE = wordset("confirmed geolocated footage video videos verified")
# Venues of talks are where diplomacy happened, not places of the conflict.
_DIPLOMACY = wordset(
    """met meet meeting meetings talks summit visit visited negotiations conference hosted hosts
    signed embassy consultations counterpart counterparts"""
)
_UNCLEAR = wordset("unclear unknown unconfirmed")
_NOT_NAMES = MONTHS | WEEKDAYS | ORG_WORDS | TITLE_HEADS


@dataclass(frozen=True)
class FoundControl:
    start: int
    place: str
    holder: str  # a party, "contested" or "unknown"
    confidence: Confidence | None
    why: str  # for the label


@dataclass(frozen=True)
class FoundNote:
    start: int
    text: str
    about: tuple[str, ...]
    contradicts: bool  # "This goes contrary to …": answers the claim before it
    evidence: str  # what contradicts ("videos from the ground")


@dataclass(frozen=True)
class FoundPlace:
    start: int
    name: str
    kind: PlaceKind | None


def control_statements(sentence: Sentence, attributed: bool) -> list[FoundControl]:
    """The report's own word on control; nothing when a party is the one speaking."""
    if attributed:
        return []
    words = [t.norm_ for t in sentence.span]
    out: list[FoundControl] = []
    for start, _ in sentence.cues.get("CONTESTED", []):
        before = [m for m in sentence.places if m.end <= start]
        if before:
            out.append(FoundControl(start, before[-1].name, CONTESTED, None, "contested"))
    if out:
        return out
    if ("control" in words or "status" in words) and (
        ("not" in words and "verified" in words) or _UNCLEAR.intersection(words)
    ):
        for m in sentence.places:
            out.append(FoundControl(m.start, m.name, UNKNOWN, None, "not verified"))
        return out
    found = find_stance(sentence, sentence.span.start, sentence.span.end, None)
    if found is not None and found.stance is Stance.ASSERTS:
        confidence = (
            Confidence.LOW
            if _HEDGED.intersection(words)
            else Confidence.HIGH
            if _SURE.intersection(words)
            else Confidence.MODERATE
        )
        first = sentence.places[0].start if sentence.places else sentence.span.start
        for place in found.places:
            out.append(FoundControl(first, place, found.holder, confidence, "taken"))
    return out


def notes(sentence: Sentence, attributed: bool) -> list[FoundNote]:
    if attributed:
        return []
    text = sentence.text
    for start, end in sentence.cues.get("CONTRARY", []):
        evidence = sentence.tokens(end, sentence.span.end).text.strip(" .;:!")
        return [FoundNote(start, text, (), True, evidence)]
    places = tuple(dict.fromkeys(m.name for m in sentence.places))
    if sentence.cues.get("EVIDENCE") and places:
        return [FoundNote(sentence.span.start, text, places, False, "")]
    return []


def _name_run(sentence: Sentence, i: int, known: set[int], memory: Memory) -> tuple[int, int]:
    doc, end = sentence.doc, sentence.span.end
    k = i
    while (
        k < end
        and k - i < 3
        and capitalised(doc[k])
        and doc[k].is_alpha
        and k not in known
        and doc[k].norm_ not in _NOT_NAMES
    ):
        k += 1
    if k > i and (doc[i].norm_ in memory.persons or doc[k - 1].norm_ in memory.persons):
        return i, i
    return i, k


def new_places(sentence: Sentence, memory: Memory) -> list[FoundPlace]:
    """Capitalised names after "the village of", "near", "in" … that are not a
    known place, party, person, month or institution."""
    doc, lo, hi = sentence.doc, sentence.span.start, sentence.span.end
    known = {i for m in sentence.mentions() for i in range(m.start, m.end)}
    diplomacy = bool(_DIPLOMACY.intersection(t.norm_ for t in sentence.span))
    found: list[FoundPlace] = []
    for i in range(lo, hi - 1):
        word = doc[i].norm_
        if word in PLACE_KINDS and doc[i + 1].norm_ == "of":
            kind_text = PLACE_KINDS[word]
            kind = PlaceKind(kind_text) if kind_text else None
            j = i + 2
            while j < hi:
                if doc[j].norm_ in ("the", ",", "and") or j in known:
                    j += 1
                    continue
                a, b = _name_run(sentence, j, known, memory)
                if b == a:
                    break
                found.append(FoundPlace(a, doc[a:b].text, kind))
                j = b
        elif word in PLACE_KINDS and word.endswith("s") and i > lo and capitalised(doc[i - 1]):
            # "the Tartar, Aghdam and Aghjabadi regions"
            kind_text = PLACE_KINDS[word]
            kind = PlaceKind(kind_text) if kind_text else None
            j = i - 1
            while j >= lo and (doc[j].norm_ in (",", "and") or capitalised(doc[j])):
                j -= 1
            k = j + 1
            while k < i:
                if doc[k].norm_ in (",", "and") or k in known:
                    k += 1
                    continue
                a, b = _name_run(sentence, k, known, memory)
                if b == a:
                    break
                found.append(FoundPlace(a, doc[a:b].text, kind))
                k = b
        elif word in PLACE_PREPOSITIONS and not diplomacy:
            a, b = _name_run(sentence, i + 1, known, memory)
            if b > a and not (b < hi and doc[b].text in ("-", "'s", "’s")):
                found.append(FoundPlace(a, doc[a:b].text, None))
    return found
