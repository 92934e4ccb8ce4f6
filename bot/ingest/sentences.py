"""One report sentence as the extractor sees it: the places, parties and people
it names (with token positions), its cue words, and the memory that carries
across sentences (who has been named, who spoke last)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

from bot.domain.names import normalize
from bot.ingest.lexicon import MONTHS, REPORT_VERBS, WEEKDAYS, Lexicon, span_key, wordset

if TYPE_CHECKING:
    from bot.ingest.claims import FoundClaim

# Words after a name that make it a party, not a place ("Artsakh forces").
PARTY_HEADS = wordset(
    """forces army armed troops authorities side government officials official ministry defence
    defense military soldiers president leader leadership foreign spokesman spokeswoman
    spokesperson prosecutor command units ombudsman presidency"""
)
# Title words that introduce a person's name ("Foreign Minister Zohrab Mnatsakanyan").
TITLE_HEADS = wordset(
    """president minister secretary spokesperson spokesman spokeswoman ambassador general
    colonel commander chief ombudsman mayor governor leader chairman adviser advisor aide
    envoy representative mr mr. ms ms. mrs mrs. dr dr. prosecutor patriarch premier defender"""
)
# Words inside a title or an institution's name, never a person's name.
ORG_WORDS = wordset(
    """of for the and state defense defence foreign affairs interior justice ministry ministries
    office republic national security council committee department service general prosecutor
    prosecutors president prime minister secretary deputy army forces armed staff chief human
    rights defender spokesperson spokesman spokeswoman de facto government parliament
    assembly united nations union news agency press information emergency emergencies
    situations presidential administration command headquarters special operations border
    guard police federal public"""
)


_JOINERS = frozenset({"and", "the", "of", "for", "with"})


@dataclass(frozen=True)
class Mention:
    start: int  # token indices in the sentence's doc
    end: int
    kind: str  # "place", "party" or "person"
    name: str  # a place's or party's canonical name, or a person's full name
    party: str | None  # the party a party or person mention stands for
    via: str  # name, demonym, metonym, place, title, surname


@dataclass(frozen=True)
class Person:
    name: str
    party: str | None
    title: str


@dataclass(frozen=True)
class Speaker:
    party: str
    speaker: str | None
    sentence: int


@dataclass
class Memory:
    """What earlier sentences established: people by name and surname, speakers."""

    adjectives: dict[str, str] = field(default_factory=dict)  # party → "Armenian"
    persons: dict[str, Person] = field(default_factory=dict)
    speakers: list[Speaker] = field(default_factory=list)
    claims: list[FoundClaim] = field(default_factory=list)
    last_person: Person | None = None  # for "he" and "she"
    issuer: Speaker | None = None
    ceasefire_ordinal: int | None = None
    ceasefire_name: str | None = None

    def adjective(self, party: str) -> str:
        return self.adjectives.get(party, party)

    def remember(self, person: Person) -> None:
        self.persons[normalize(person.name)] = person
        self.persons[normalize(person.name.split()[-1])] = person

    def last_speaker(self, word: str | None = None) -> Speaker | None:
        """The latest speaker; with `word`, the latest whose name contains it."""
        for speaker in reversed(self.speakers):
            if word is None or (speaker.speaker and word in normalize(speaker.speaker)):
                return speaker
        if self.issuer and (word is None or word in normalize(self.issuer.speaker or "")):
            return self.issuer
        return None

    def person_with(self, party: str | None, roles: tuple[str, ...]) -> Person | None:
        for person in reversed(list(dict.fromkeys(self.persons.values()))):
            if party is not None and person.party != party:
                continue
            if any(role in person.title.lower() for role in roles):
                return person
        return None


@dataclass
class Sentence:
    index: int
    span: Span
    places: list[Mention]
    parties: list[Mention]
    persons: list[Mention]
    cues: dict[str, list[tuple[int, int]]]

    @property
    def doc(self) -> Doc:
        return self.span.doc

    @cached_property
    def text(self) -> str:
        return " ".join(self.span.text.split())

    def tokens(self, start: int, end: int) -> Span:
        return self.doc[max(start, self.span.start) : min(end, self.span.end)]

    def mentions(self) -> list[Mention]:
        return sorted([*self.places, *self.parties, *self.persons], key=lambda m: m.start)

    def within(self, mentions: list[Mention], start: int, end: int) -> list[Mention]:
        return [m for m in mentions if m.start >= start and m.end <= end]


def capitalised(token: Token) -> bool:
    text = token.text
    return bool(text) and text[0].isupper() and any(ch.isalpha() for ch in text)


def all_lowercase(text: str) -> bool:
    return text == text.lower() and text != text.upper()


def _name_spans(lexicon: Lexicon, doc: Doc) -> list[tuple[int, int, set[str]]]:
    labels: dict[tuple[int, int], set[str]] = {}
    for match_id, start, end in lexicon.names(doc):
        labels.setdefault((start, end), set()).add(doc.vocab.strings[match_id])
    chosen: list[tuple[int, int, set[str]]] = []
    taken: set[int] = set()
    for (start, end), kinds in sorted(
        labels.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0])
    ):
        if taken.intersection(range(start, end)):
            continue
        if all_lowercase(doc[start:end].text):
            continue  # "us", "susa": prose words, not names
        taken.update(range(start, end))
        chosen.append((start, end, kinds))
    return sorted(chosen)


def _party_context(doc: Doc, start: int, end: int) -> bool:
    after = doc[end].norm_ if end < len(doc) else ""
    if after in ("s", "'s") and end + 1 < len(doc):
        after = doc[end + 1].norm_
    before = doc[start - 1].norm_ if start > 0 else ""
    org_before = start > 1 and before == "of" and doc[start - 2].norm_ in ORG_WORDS | PARTY_HEADS
    # "the Artsakh Emergency Service": a name before an institution's word is a party
    org_after = end < len(doc) and capitalised(doc[end]) and after in ORG_WORDS - _JOINERS
    return after in PARTY_HEADS or after in REPORT_VERBS or org_before or org_after


def _pick_place(lexicon: Lexicon, doc: Doc, start: int, end: int, partner: list[str]) -> str:
    key = span_key(doc, start, end)
    options = lexicon.places[key]
    if len(options) == 1:
        return options[0]
    shared = [o for o in options if o in partner]
    if shared:
        return shared[0]
    exact = [o for o in options if normalize(o) == key]
    if exact:
        return exact[0]
    after = doc[end].norm_ if end < len(doc) else ""
    if after:
        kind = [o for o in options if after.rstrip("s") in normalize(o)]
        if kind:
            return kind[0]
    return options[0]


def name_mentions(lexicon: Lexicon, doc: Doc) -> list[Mention]:
    """Places and parties a doc names, one reading per name (context decides
    between a place and a party that share it, like Artsakh)."""
    spans = _name_spans(lexicon, doc)
    out: list[Mention] = []
    for i, (start, end, kinds) in enumerate(spans):
        key = span_key(doc, start, end)
        party = (lexicon.parties.get(key) if "PARTY" in kinds else None) or (
            lexicon.demonyms.get(key) if "DEMONYM" in kinds else None
        )
        via = "name" if "PARTY" in kinds else "demonym"
        if party is None and "PLACE" in kinds and _party_context(doc, start, end):
            # "the Karabakh forces": a place that shares a party's name stands for it
            owners = {lexicon.place_party.get(p) for p in lexicon.places[key]} - {None}
            if len(owners) == 1:
                party, via = owners.pop(), "place"
                # the place keeps its name: it is still a place the report names
                place = _pick_place(lexicon, doc, start, end, [])
                out.append(Mention(start, end, "party", place, party, via))
                continue
        if "PLACE" in kinds and (party is None or not _party_context(doc, start, end)):
            partner: list[str] = []
            for j in (i - 1, i + 1):
                if 0 <= j < len(spans):
                    s, e, k = spans[j]
                    slash = (e == start - 1 and doc[e].text == "/") or (
                        s == end + 1 and doc[end].text == "/"
                    )
                    if slash and "PLACE" in k:
                        partner = lexicon.places[span_key(doc, s, e)]
            place = _pick_place(lexicon, doc, start, end, partner)
            out.append(Mention(start, end, "place", place, lexicon.place_party.get(place), "name"))
            if "METONYM" in kinds:
                seat = lexicon.metonyms[key]
                out.append(Mention(start, end, "party", seat, seat, "metonym"))
            continue
        if party is not None:
            out.append(Mention(start, end, "party", party, party, via))
        elif "METONYM" in kinds:
            seat = lexicon.metonyms[key]
            out.append(Mention(start, end, "party", seat, seat, "metonym"))
    return out


def named_people(sentence: Sentence) -> set[int]:
    return {i for m in sentence.persons for i in range(m.start, m.end)}


def _person_party(sentence: Sentence, memory: Memory, lo: int, hi: int) -> str | None:
    """The party of a titled person from the words around the title (the nearest)."""
    for mention in reversed(sentence.mentions()):
        inside = mention.start >= lo and mention.end <= hi
        if mention.kind != "person" and inside and mention.party is not None:
            return mention.party
    words = {t.norm_ for t in sentence.tokens(lo, hi)}
    for word in ("ministry", "office", "service", "committee"):
        if word in words and (speaker := memory.last_speaker(word)):
            return speaker.party
    return None


def find_persons(sentence: Sentence, memory: Memory) -> None:
    """Titled names ("Azerbaijani President Ilham Aliyev") and surnames already
    met ("Aliyev"), with their party; new people are remembered."""
    doc, sent = sentence.doc, sentence.span
    named = {i for m in sentence.mentions() for i in range(m.start, m.end)}
    i = sent.start
    while i < sent.end:
        token = doc[i]
        if token.norm_ in TITLE_HEADS and i + 1 < sent.end:
            j = i + 1
            while j < sent.end and (doc[j].norm_ in ORG_WORDS or j in named):
                j += 1
            k = j
            while (
                k < sent.end
                and k - j < 3
                and capitalised(doc[k])
                and doc[k].is_alpha
                and doc[k].norm_ not in ORG_WORDS | TITLE_HEADS | MONTHS | WEEKDAYS
                and k not in named
            ):
                k += 1
            if k > j and (k == j + 1 or capitalised(doc[j])):
                lo = i
                while (
                    lo > sent.start
                    and lo - 1 not in named_people(sentence)
                    and (
                        (capitalised(doc[lo - 1]) and doc[lo - 1].norm_ not in _JOINERS)
                        or doc[lo - 1].norm_ in (ORG_WORDS - _JOINERS) | {"s", "-"}
                    )
                ):
                    lo -= 1
                party = _person_party(sentence, memory, lo, j)
                name = doc[j:k].text
                known = memory.persons.get(normalize(name))
                if party is None and known is not None:
                    party = known.party
                person = Person(name, party, doc[i:j].text)
                memory.remember(person)
                sentence.persons.append(Mention(j, k, "person", name, party, "title"))
                named.update(range(j, k))
                i = k
                continue
        if capitalised(token) and i not in named:
            known = memory.persons.get(token.norm_)
            if known is not None and token.is_alpha:
                before = doc[i - 1].norm_ if i > sent.start else ""
                start = i - 1 if before in normalize(known.name).split() else i
                sentence.persons.append(
                    Mention(start, i + 1, "person", known.name, known.party, "surname")
                )
        i += 1
    _appositives(sentence, memory, named)
    sentence.persons.sort(key=lambda m: m.start)
    if sentence.persons:
        memory.last_person = memory.persons.get(normalize(sentence.persons[-1].name))


def _appositives(sentence: Sentence, memory: Memory, named: set[int]) -> None:
    """People whose title stands beside the name, set off by commas: "Name,
    leader of X," and "The ombudsman of X, Name,"."""
    doc, sent = sentence.doc, sentence.span
    commas = [t.i for t in sent if t.text == ","]
    for first, second in pairwise(commas):
        run = doc[first + 1 : second]
        if not 2 <= len(run) <= 3 or not all(capitalised(t) and t.is_alpha for t in run):
            continue
        if any(i in named for i in range(first + 1, second)):
            continue
        lo = max(sent.start, first - 8)
        if not any(t.norm_ in TITLE_HEADS for t in doc[lo:first]):
            continue
        party = _person_party(sentence, memory, lo, first)
        person = Person(run.text, party, doc[lo:first].text)
        memory.remember(person)
        sentence.persons.append(Mention(first + 1, second, "person", run.text, party, "title"))
        named.update(range(first + 1, second))
    for comma in commas:
        k = comma
        while (
            k - 1 >= sent.start
            and k - comma > -3
            and capitalised(doc[k - 1])
            and doc[k - 1].is_alpha
        ):
            k -= 1
        if comma - k < 2 or any(i in named for i in range(k, comma)):
            continue
        end = next((t.i for t in doc[comma + 1 : min(sent.end, comma + 9)] if t.text == ","), None)
        title = doc[comma + 1 : end] if end is not None else None
        if title is None or not any(t.norm_ in TITLE_HEADS for t in title):
            continue
        party = _person_party(sentence, memory, comma + 1, end or comma + 1)
        name = doc[k:comma].text
        person = Person(name, party, title.text)
        memory.remember(person)
        sentence.persons.append(Mention(k, comma, "person", name, party, "title"))
        named.update(range(k, comma))


def read_sentences(lexicon: Lexicon, docs: list[Doc]) -> Iterator[Sentence]:
    """Sentences with their places, parties and cues (people need the memory:
    `find_persons` adds them in reading order)."""
    index = 0
    for doc in docs:
        mentions = name_mentions(lexicon, doc)
        cues: list[tuple[str, int, int]] = [
            (doc.vocab.strings[m], s, e)
            for m, s, e in [*lexicon.cue_words(doc), *lexicon.cues(doc)]
        ]
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            inside = [m for m in mentions if m.start >= sent.start and m.end <= sent.end]
            sentence_cues: dict[str, list[tuple[int, int]]] = {}
            for label, s, e in cues:
                if s >= sent.start and e <= sent.end:
                    sentence_cues.setdefault(label, []).append((s, e))
            yield Sentence(
                index,
                sent,
                [m for m in inside if m.kind == "place"],
                [m for m in inside if m.kind == "party"],
                [],
                sentence_cues,
            )
            index += 1
