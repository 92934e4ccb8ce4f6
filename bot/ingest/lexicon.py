"""The spaCy pipeline and the names the extractor reads a report with, built once
per gazetteer: a blank English tokenizer with the sentencizer, a PhraseMatcher
over every name of every place and party (compared the way `bot.domain.names`
compares names), and a Matcher for the cue words of the genre."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from bot.domain.names import normalize
from bot.ingest.gazetteer import Gazetteer


def wordset(text: str) -> frozenset[str]:
    """A word list written as one string, for the long lists below."""
    return frozenset(text.split())


# Nationality words that no rule derives from a country's name, keyed by the
# normalised name of a party or one of its aliases. Data, not logic: a party not
# listed here still gets the regular forms (`derived_demonyms`).
IRREGULAR_DEMONYMS: dict[str, tuple[str, ...]] = {
    "azerbaijan": ("Azerbaijani", "Azerbaijanis", "Azeri", "Azeris"),
    "turkey": ("Turkish", "Turk", "Turks"),
    "turkiye": ("Turkish", "Turk", "Turks"),
    "france": ("French", "Frenchman"),
    "united states": ("American", "Americans", "US", "U.S."),
    "united kingdom": ("British", "UK", "U.K."),
    "germany": ("German", "Germans"),
    "netherlands": ("Dutch",),
    "switzerland": ("Swiss",),
    "china": ("Chinese",),
    "japan": ("Japanese",),
    "israel": ("Israeli", "Israelis"),
    "iraq": ("Iraqi", "Iraqis"),
    "pakistan": ("Pakistani", "Pakistanis"),
    "greece": ("Greek", "Greeks"),
    "spain": ("Spanish",),
    "sweden": ("Swedish",),
    "poland": ("Polish",),
    "artsakh": ("Artsakh",),
}

# Capitals and institutions that stand for a state in news prose ("Baku said",
# "the Kremlin announced", "met the Secretary of State in Washington").
METONYMS: dict[str, tuple[str, ...]] = {
    "united states": (
        "Washington",
        "White House",
        "State Department",
        "Department of State",
        "Secretary of State",
        "Pentagon",
    ),
    "russia": ("Moscow", "Kremlin"),
    "france": ("Paris", "Elysee", "Élysée Palace", "Quai d'Orsay"),
    "turkey": ("Ankara",),
    "iran": ("Tehran",),
    "armenia": ("Yerevan",),
    "azerbaijan": ("Baku",),
    "united kingdom": ("London", "Downing Street", "Whitehall"),
    "ukraine": ("Kyiv", "Kiev"),
    "georgia": ("Tbilisi",),
    "germany": ("Berlin",),
    "china": ("Beijing",),
}

REPORT_VERBS = wordset(
    """said says say claimed claims claim insisted insists insist announced announces stated
    states admitted admits admit acknowledged acknowledges denied denies deny reported
    reports accused accuses alleged alleges told tells added adds noted notes declared
    declares asserted asserts confirmed confirms warned warns maintained maintains argued
    argues rejected rejects dismissed dismisses reminded reminds stressed stresses emphasized
    emphasised emphasizes emphasises tweeted wrote writes affirmed affirms assured countered
    blamed blames charged informed called calls hailed hails described describes termed terms
    branded brands"""
)
DENIAL_VERBS = wordset("denied denies deny rejected rejects dismissed dismisses refuted refutes")
CEASEFIRE_WORDS = wordset("ceasefire ceasefires truce truces armistice cease-fire cease-fires")
MONTHS = wordset(
    """january february march april may june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec"""
)
WEEKDAYS = wordset("monday tuesday wednesday thursday friday saturday sunday")
# Nouns that name the kind of a place: "the town of X", "the villages of X and Y".
PLACE_KINDS: dict[str, str | None] = {
    "town": "town",
    "towns": "town",
    "city": "city",
    "cities": "city",
    "village": "village",
    "villages": "village",
    "settlement": "village",
    "settlements": "village",
    "hamlet": "village",
    "district": "district",
    "districts": "district",
    "province": "region",
    "provinces": "region",
    "region": "region",
    "regions": "region",
    "airbase": "site",
    "airbases": "site",
    "airport": "site",
    "base": "site",
    "municipality": "town",
    "community": "village",
}
# Prepositions after which a bare capitalised name is usually a place.
PLACE_PREPOSITIONS = wordset("in near around outside towards toward into from at across over")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """A token's matching form: `normalize`d, or the text itself for punctuation."""
    return normalize(text) or text.lower()


def derived_demonyms(name: str) -> tuple[str, ...]:
    """Regular adjective forms of a one-word country name, with plurals:
    Armenia → Armenian, Azerbaijan → Azerbaijani, Iran → Iranian, Ukraine → Ukrainian."""
    if not (name.isascii() and name.isalpha() and name[1:].islower()) or len(name) < 4:
        return ()
    if name.endswith("ia") or name.endswith("a"):
        forms = [name + "n"]
    elif name.endswith(("stan", "jan")):
        forms = [name + "i"]
    elif name.endswith(("e", "y")):
        forms = [name[:-1] + "ian"]
    else:
        forms = [name + "ian"]
    return (*forms, *(f + "s" for f in forms))


def name_variants(name: str) -> Iterator[str]:
    """A name as written, and with hyphens and spaces swapped (`Nagorno Karabakh`)."""
    yield name
    if "-" in name:
        yield name.replace("-", " ")
    if " " in name:
        yield name.replace(" ", "-")


@dataclass
class Lexicon:
    """Everything built from one gazetteer; `lexicon_for` caches it."""

    gazetteer: Gazetteer
    nlp: Language
    names: PhraseMatcher
    cues: Matcher  # patterns of several words
    cue_words: PhraseMatcher  # single cue words: far cheaper than an IN-list pattern
    places: dict[str, list[str]] = field(default_factory=dict)  # key → canonical places
    parties: dict[str, str] = field(default_factory=dict)  # key → party (its names)
    demonyms: dict[str, str] = field(default_factory=dict)  # key → party
    metonyms: dict[str, str] = field(default_factory=dict)  # key → party
    adjective: dict[str, str] = field(default_factory=dict)  # party → "Armenian"
    # A place that shares a name with a party stands for it in "Karabakh forces".
    place_party: dict[str, str] = field(default_factory=dict)
    party_names: frozenset[str] = frozenset()  # every party name and alias, normalised

    def read(self, texts: Iterable[str]) -> Iterator[Doc]:
        for doc in self.nlp.pipe(texts):
            fold_doc(doc)
            yield doc

    def make(self, text: str) -> Doc:
        return fold_doc(self.nlp.make_doc(text))


def fold_doc(doc: Doc) -> Doc:
    for token in doc:
        token.norm_ = fold(token.text)
    return doc


def span_key(doc: Doc, start: int, end: int) -> str:
    return " ".join(t.norm_ for t in doc[start:end])


@lru_cache(maxsize=8)
def lexicon_for(gazetteer: Gazetteer) -> Lexicon:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    lexicon = Lexicon(
        gazetteer,
        nlp,
        PhraseMatcher(nlp.vocab, attr="NORM"),
        Matcher(nlp.vocab),
        PhraseMatcher(nlp.vocab, attr="NORM"),
    )
    patterns: dict[str, list[Doc]] = {"PLACE": [], "PARTY": [], "DEMONYM": [], "METONYM": []}

    def add(label: str, table: dict[str, str] | None, name: str, value: str) -> None:
        for variant in name_variants(name):
            doc = lexicon.make(variant)
            key = span_key(doc, 0, len(doc))
            if not key.strip():
                continue
            if table is None:
                owners = lexicon.places.setdefault(key, [])
                if value not in owners:
                    owners.append(value)
            else:
                table.setdefault(key, value)
            patterns[label].append(doc)

    for place in gazetteer.places:
        for name in place.names:
            add("PLACE", None, name, place.name)
    for party in gazetteer.parties:
        forms: list[str] = []
        for name in party.names:
            add("PARTY", lexicon.parties, name, party.name)
            forms += IRREGULAR_DEMONYMS.get(normalize(name), ()) or derived_demonyms(name)
            for seat in METONYMS.get(normalize(name), ()):
                add("METONYM", lexicon.metonyms, seat, party.name)
        for form in dict.fromkeys(forms):
            add("DEMONYM", lexicon.demonyms, form, party.name)
        lexicon.adjective[party.name] = forms[0] if forms else party.name
    party_names = {p.name: {normalize(n) for n in p.names} for p in gazetteer.parties}
    lexicon.party_names = frozenset(n for names in party_names.values() for n in names)
    for place in gazetteer.places:
        names = {normalize(n) for n in place.names}
        shared = [party for party, pn in party_names.items() if pn & names]
        if len(shared) == 1:
            lexicon.place_party[place.name] = shared[0]
    for label, docs in patterns.items():
        lexicon.names.add(label, docs)
    lexicon.cue_words.add("REPORT", [lexicon.make(w) for w in sorted(REPORT_VERBS)])
    lexicon.cue_words.add("CEASEFIRE", [lexicon.make(w) for w in sorted(CEASEFIRE_WORDS)])
    _add_cues(lexicon.cues)
    return lexicon


def _add_cues(cues: Matcher) -> None:
    cues.add("ACCORDING", [[{"NORM": "according"}, {"NORM": "to"}]])
    cues.add(
        "CEASEFIRE",
        [
            [{"NORM": "cease"}, {"NORM": "-", "OP": "?"}, {"NORM": {"IN": ["fire", "fires"]}}],
            [{"NORM": "cessation"}, {"NORM": "of"}, {"NORM": "hostilities"}],
            # "an agreement on Tuesday to end the war", "a deal to halt the fighting"
            [
                {"NORM": {"IN": ["agreement", "deal", "accord"]}},
                {"IS_ALPHA": True, "OP": "?"},
                {"IS_ALPHA": True, "OP": "?"},
                {"NORM": "to"},
                {"NORM": {"IN": ["end", "halt", "stop"]}},
            ],
        ],
    )
    be = ["remains", "remain", "remained", "is", "was", "are", "were", "stays", "stayed"]
    cues.add(
        "CONTESTED",
        [
            [
                {"NORM": {"IN": be}},
                {"NORM": {"IN": ["still", "now", "fiercely", "heavily", "hotly"]}, "OP": "*"},
                {"NORM": {"IN": ["contested", "disputed"]}},
            ]
        ],
    )
    cues.add(
        "CONTRARY",
        [
            [{"NORM": "contrary"}, {"NORM": "to"}],
            [{"NORM": {"IN": ["contradicts", "contradict", "contradicted", "belied"]}}],
            [{"NORM": "at"}, {"NORM": "odds"}, {"NORM": "with"}],
            [{"NORM": "refuted"}, {"NORM": "by"}],
            [{"NORM": "inconsistent"}, {"NORM": "with"}],
            [{"NORM": "not"}, {"NORM": "supported"}, {"NORM": "by"}],
        ],
    )
    cues.add(
        "EVIDENCE",
        [
            [{"NORM": "confirmed"}, {"NORM": "by"}],
            [{"NORM": {"IN": ["satellite", "geolocated", "footage", "geolocation"]}}],
            [{"NORM": {"IN": ["video", "videos", "photos", "images"]}}, {"NORM": "show"}],
        ],
    )
