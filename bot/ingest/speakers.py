"""Who is speaking: the noun phrase before a reporting verb (or after "according
to") turned into a party and, when one is named, a speaker.

The party comes from the phrase itself — a party's name or alias, a nationality
word ("Armenian"), a seat of government ("Baku"), a place that shares a party's
name ("Karabakh forces") — or, for phrases that name none, from what came
before: a person met earlier ("Aliyev"), a role ("the Azerbaijani leader"), an
institution ("the ministry"), a pronoun, or a party named earlier in the sentence
("In Azerbaijan, the Prosecutor General's Office reported …")."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from bot.ingest.lexicon import MONTHS, WEEKDAYS, wordset
from bot.ingest.sentences import PARTY_HEADS, Memory, Sentence, capitalised

# Between a speaker and its verb: "was forced to admit", "also stated".
AUX_SKIP = wordset(
    """was were is are has have had also then later again further repeatedly reportedly forced
    to been being would will once previously already officially publicly subsequently
    initially quickly immediately even itself himself herself themselves still now meanwhile
    earlier today yesterday"""
)
INSTITUTIONS = wordset(
    """ministry office prosecutor presidency service committee council command embassy agency
    department parliament ombudsman spokesperson spokesman spokeswoman headquarters staff
    mission administration cabinet defender"""
)
ROLES: dict[str, tuple[str, ...]] = {
    "leader": ("president", "prime minister", "premier", "leader"),
    "president": ("president",),
    "premier": ("prime minister", "premier"),
    "prime": ("prime minister", "premier"),
    "minister": ("minister",),
    "spokesperson": ("spokes",),
    "spokesman": ("spokes",),
    "spokeswoman": ("spokes",),
    "envoy": ("envoy",),
    "ambassador": ("ambassador",),
}
# Lower-case words a speaker's phrase may hold ("the de facto authorities").
_NP_WORDS = (
    INSTITUTIONS
    | PARTY_HEADS
    | frozenset(ROLES)
    | wordset(
        """the de facto ethnic local separatist self-proclaimed s 's - of general deputy
        interior affairs report statement sources media"""
    )
)
_WHEN_WORDS = MONTHS | WEEKDAYS | {"morning", "evening", "night", "afternoon", "the", "of", "."}
PRONOUNS = wordset("he she it they we its his her their our")
_DOCUMENTS = wordset("report statement communique release sources")
_DETERMINERS = wordset("the a an its his her their our this that")


@dataclass(frozen=True)
class Resolved:
    party: str
    speaker: str | None


def _in_np(token: Token) -> bool:
    return capitalised(token) or token.norm_ in _NP_WORDS or token.text in ("'s", "’s")


def np_before(sentence: Sentence, end: int) -> tuple[int, int] | None:
    """The noun phrase ending just before token `end`, auxiliaries skipped."""
    doc, lo = sentence.doc, sentence.span.start
    i = end - 1
    while i >= lo and doc[i].norm_ in AUX_SKIP and doc[i].norm_ not in PRONOUNS:
        i -= 1
    j = i
    while j >= lo and (doc[j].norm_ in _WHEN_WORDS or doc[j].like_num):
        j -= 1
    if j < i and j >= lo and doc[j].norm_ in ("on", "in", "at"):
        i = j - 1  # "… on 27 October said", "… on Tuesday said"
        while i >= lo and doc[i].norm_ in AUX_SKIP | {"late", "early"}:
            i -= 1
    if i < lo:
        return None
    if doc[i].norm_ in PRONOUNS:
        return i, i + 1
    if doc[i].text == ",":
        # "Arayik Harutyunyan, leader of Nagorno-Karabakh, told …": the person named
        for person in sentence.persons:
            between = doc[person.end + 1 : i]
            near = doc[person.end].text == "," and 0 <= i - person.end <= 9
            if near and not any(t.text == "," for t in between):
                return person.start, person.end
    stop = i + 1
    while i >= lo and _in_np(doc[i]):
        i -= 1
    start = i + 1
    while start < stop and doc[start].norm_ in ("of", "s", "-", "'s"):
        start += 1
    return (start, stop) if start < stop else None


def np_after(sentence: Sentence, start: int) -> tuple[int, int] | None:
    """The noun phrase starting at `start` ("…," said the ministry)."""
    doc, hi = sentence.doc, sentence.span.end
    i = start
    while i < hi and _in_np(doc[i]) and not doc[i].is_punct:
        i += 1
    return (start, i) if i > start else None


def speaker_text(sentence: Sentence, start: int, end: int) -> str:
    tokens = list(sentence.tokens(start, end))
    while tokens and tokens[0].norm_ in _DETERMINERS:
        tokens = tokens[1:]
    while tokens and tokens[-1].norm_ in ("s", "'s"):
        tokens = tokens[:-1]
    return "".join(t.text_with_ws for t in tokens).strip()


def resolve(sentence: Sentence, memory: Memory, start: int, end: int) -> Resolved | None:
    """The party (and speaker) a phrase names, or None when it names none."""
    found = _resolve(sentence, memory, start, end)
    if found is None or not found.speaker or not found.speaker.islower():
        return found
    # "the defence ministry" of a party named elsewhere: say whose
    return Resolved(found.party, f"{memory.adjective(found.party)} {found.speaker}")


def _resolve(sentence: Sentence, memory: Memory, start: int, end: int) -> Resolved | None:
    doc = sentence.doc
    words = [t.norm_ for t in sentence.tokens(start, end)]
    persons = sentence.within(sentence.persons, start, end)
    named = [
        m for m in sentence.within([*sentence.parties, *sentence.places], start, end) if m.party
    ]
    institution = any(w in INSTITUTIONS for w in words)
    if persons:
        person = persons[-1]
        party = person.party or (named[0].party if named else None)
        return Resolved(party, person.name) if party else None
    if named:
        party = named[0].party
        assert party is not None
        if institution:
            return Resolved(party, speaker_text(sentence, start, end))
        for word in words:
            if word in ROLES and (person_ := memory.person_with(party, ROLES[word])):
                return Resolved(party, person_.name)
        return Resolved(party, None)
    if len(words) == 1 and words[0] in PRONOUNS:
        named_last = memory.last_person
        if words[0] in ("he", "she") and named_last is not None and named_last.party:
            return Resolved(named_last.party, named_last.name)
        if words[0] in ("we", "our") and memory.issuer:
            return Resolved(memory.issuer.party, memory.issuer.speaker)
        last = memory.last_speaker()
        return Resolved(last.party, last.speaker) if last else None
    for word in reversed(words):
        if word in INSTITUTIONS:
            earlier = [m for m in sentence.parties if m.end <= start and m.via != "metonym"]
            last = memory.last_speaker(word)
            bare = len([w for w in words if w not in _DETERMINERS]) == 1
            if last is not None and (bare or not earlier):
                return Resolved(last.party, last.speaker)
            if earlier and earlier[-1].party:
                return Resolved(earlier[-1].party, speaker_text(sentence, start, end))
            return None
        if word in _DOCUMENTS:
            last = memory.last_speaker()
            return Resolved(last.party, last.speaker) if last else None
        if word in ROLES and (person_ := memory.person_with(None, ROLES[word])) and person_.party:
            return Resolved(person_.party, person_.name)
    if words and words[0] in PRONOUNS and doc[start].norm_ in ("its", "his", "their", "her"):
        last = memory.last_speaker()
        return Resolved(last.party, last.speaker) if last else None
    return None
