"""Whether words say who controls a place: "Azerbaijani forces liberated Hadrut"
asserts that Azerbaijan holds Hadrut; "Fuzuli and Hadrut are still not controlled
by Azerbaijan" denies it; "we lost Shushi" denies that the speaker holds it.

Only places named as the object of control count: "the south of Karabakh",
"villages near Kapan" or "the direction of Hadrut" are parts or surroundings of a
place, and saying something of them says nothing of who holds the place."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from bot.domain.model import Stance
from bot.ingest.lexicon import PLACE_KINDS, wordset
from bot.ingest.sentences import Mention, Sentence

CAPTURE = wordset(
    """took taken take takes taking captured capture captures capturing seized seize seizes
    seizing liberated liberate liberates liberating liberation occupied occupy occupies
    retook retaken recaptured regained freed control controlled controls controlling hold
    holds held holding"""
)
LOSS = wordset(
    """lost lose loses losing fell fallen falls surrendered abandoned withdrew withdrawn
    retreated ceded"""
)
NEGATORS = wordset("not n't never no neither nor failed")
FALSITY = wordset(
    """false untrue lies lie fake baseless groundless fabricated disinformation misinformation"""
)
PARTIAL = wordset(
    """south north east west southern northern eastern western outskirts approaches part parts
    direction directions villages areas area vicinity near around outside towards toward edge
    suburbs road roads heights"""
)
# After a name: "the Khojavend direction", "the Lachin corridor area".
PARTIAL_AFTER = wordset(
    "direction directions area areas front sector axis outskirts border suburbs"
)
FORCES = wordset("forces army troops military soldiers units side")
# "took part", "take place", "held talks": not about holding ground.
_IDIOMS = wordset(
    """part place measures steps action off advantage note care responsibility talks meetings
    meeting consultations elections"""
)
_CUE_WORDS = CAPTURE | LOSS | {"ours", "cleared"}
_BE = wordset("is are was were be been being")
_DETERMINERS = wordset("the a an its their our his her these those")
ENEMY = wordset("adversary enemy opponent foe")
_LIST_WORDS = frozenset({"the", "of", ",", "and", "s", "'s", "to", "in"})
_SELF = frozenset({"we", "our", "us", "it", "its", "they", "their", "his", "he", "she", "her"})


@dataclass(frozen=True)
class StanceFound:
    stance: Stance
    holder: str
    places: tuple[str, ...]


def partial(sentence: Sentence, place: Mention) -> bool:
    """Whether a place is named only as a part or surrounding of itself."""
    doc = sentence.doc
    if place.end < sentence.span.end and doc[place.end].norm_ in PARTIAL_AFTER:
        return True
    places = {i for m in sentence.places for i in range(m.start, m.end)}
    i, steps = place.start - 1, 0
    while i >= sentence.span.start and steps < 8:
        token = doc[i]
        if token.norm_ in PARTIAL:
            return True
        if token.norm_ not in _LIST_WORDS and i not in places:
            return False
        i -= 1
        steps += 1
    return False


_OBJECT_WORDS = frozenset({"the", "a", "an", "of", "control", "over", "full"}) | frozenset(
    PLACE_KINDS
)


def container(sentence: Sentence, place: Mention, cue: int) -> bool:
    """Whether a place after the cue is only where its object lies: "captured the
    village of Mets Tagher in Khojavend District", "took positions in Hadrut"."""
    doc = sentence.doc
    i = place.start - 1
    while i > cue and doc[i].norm_ == "the":
        i -= 1
    if i <= cue or doc[i].norm_ not in ("in", "inside", "within"):
        return False
    return any(doc[k].norm_ not in _OBJECT_WORDS for k in range(cue + 1, i))


def _party_at(sentence: Sentence, start: int, end: int) -> str | None:
    for mention in sentence.mentions():
        if start <= mention.start < end and mention.party and mention.via != "metonym":
            return mention.party
    return None


def _is_cue(sentence: Sentence, i: int) -> bool:
    doc = sentence.doc
    word = doc[i].norm_
    if word not in _CUE_WORDS:
        return False
    nxt = doc[i + 1].norm_ if i + 1 < len(doc) else ""
    prev = doc[i - 1].norm_ if i > sentence.span.start else ""
    if nxt in _IDIOMS:
        return False
    if word.endswith("ing") and word not in ("holding", "controlling") and prev in _BE:
        return False  # "was liberating its lands": under way, not done
    if word in ("occupied", "liberated", "captured", "seized") and prev in _DETERMINERS:
        return False  # "its occupied lands": a description, not an event
    if word == "ours":
        return prev in _BE | {"remain", "remains"}  # "Shushi is ours"
    if word == "cleared":
        return nxt == "of"  # "cleared of the enemy", not "cleared the road"
    return word in CAPTURE | LOSS


def find_stance(
    sentence: Sentence,
    start: int,
    end: int,
    claimant: str | None,
    opponents: tuple[str, ...] = (),
    denied: bool = False,
) -> StanceFound | None:
    """The stance on control in tokens [start, end) of a sentence, if any;
    `denied`: the words are what the claimant denies ("denied that …")."""
    doc = sentence.doc
    cue = next((i for i in range(start, end) if _is_cue(sentence, i)), None)
    if cue is None:
        return None
    places = tuple(
        dict.fromkeys(
            m.name
            for m in sentence.within(sentence.places, start, end)
            if not partial(sentence, m) and not container(sentence, m, cue)
        )
    )
    if not places:
        return None
    window = {t.norm_ for t in doc[max(start, cue - 4) : cue]}
    sentence_words = [t.norm_ for t in sentence.span]
    negative = bool(window & NEGATORS) or bool(FALSITY.intersection(sentence_words))
    negative |= any(
        a == "not" and b in ("true", "correct", "accurate") for a, b in pairwise(sentence_words)
    )
    out_of = doc[max(start, cue - 3) : cue].text.lower()
    negative |= "out of" in out_of
    negative ^= denied
    loss = doc[cue].norm_ in LOSS
    stance = Stance.ASSERTS if negative == loss else Stance.DENIES

    holder: str | None = None
    reach = min(end, cue + 9)
    after = doc[cue + 1 : reach]
    if len(after) and after[0].norm_ in ("by", "of", "to"):
        holder = _party_at(sentence, cue + 1, reach)
        if holder is not None and loss and after[0].norm_ == "to":
            # "fell to Azerbaijani forces": the party named gained the place
            stance = Stance.DENIES if negative else Stance.ASSERTS
    if holder is None and doc[cue].norm_ == "control":
        before = {t.norm_ for t in doc[max(start, cue - 2) : cue]}
        holder = claimant if before & _SELF else _party_at(sentence, cue + 1, reach)
    if holder is None:
        subject = [
            m
            for m in sentence.mentions()
            if start <= m.start < cue
            and m.party
            and m.via != "metonym"
            and (m.kind == "party" or (m.end < len(doc) and doc[m.end].norm_ in FORCES))
        ]
        near = {t.norm_ for t in doc[max(start, cue - 5) : cue]}
        if subject:
            holder = subject[-1].party
        elif near & ENEMY and len(opponents) == 1:
            holder = opponents[0]
        elif near & _SELF or loss or stance is Stance.ASSERTS:
            holder = claimant
        elif len(opponents) == 1:
            holder = opponents[0]
    if holder is None:
        return None
    return StanceFound(stance, holder, places)
