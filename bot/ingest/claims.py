"""Attributed statements: "X said (that) …", "…, X said", "according to X, …",
"X accused Y of …". Each becomes what X claims, in X's words as far as the
sentence gives them: the reporter's hedges ("in fact", "somehow") and commentary
after the claim ("…, while forgetting to mention …") are left out, and a denial
is worded as what the party says is not so."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from bot.domain.model import Stance
from bot.ingest.lexicon import CEASEFIRE_WORDS, DENIAL_VERBS, REPORT_VERBS, Lexicon, wordset
from bot.ingest.sentences import Memory, Sentence, Speaker
from bot.ingest.speakers import Resolved, np_after, np_before, resolve
from bot.ingest.stance import FORCES, NEGATORS, find_stance

ACCUSING = wordset("accused accuses blamed blames charged")
CALLING = wordset("called calls hailed hails described describes termed terms branded brands")
_NOT_CALLING = wordset("for on off up in back out")
_ADVERBIAL_START = wordset(
    """, on in at to during late early earlier later also again today yesterday after before
    while"""
)
# Words that may open a sentence before "according to X, …".
_ADVERBIAL_LEADS = wordset(
    "nonetheless however but and meanwhile moreover also yet still so then now"
)
_CUT_WORDS = wordset("while whereas although somehow adding saying")
_CUT_AFTER_COMMA = wordset(
    """but while which although though even something adding saying according as accusing
    calling describing"""
)
# What a denial's object may be when it denies what was said before: "denied it",
# "rejected the claims", "dismissed these reports".
_REFERENTS = wordset(
    """it this that them these those such the claim claims report reports allegation allegations
    accusation accusations statement statements"""
)
_HEDGES = wordset("somehow reportedly allegedly actually apparently")
_AUX = wordset("had has have was were is are will would could did does do can should")
_QUOTES = "\"'“”‘’«»"
_BE = wordset("was were been being is are")
_STOPWORDS = wordset(
    """the a an and or of to in on at by for with from that this it its their his her these
    those some several many since after before over they he she we our was were is are be
    been has have had will would not do does did said says about into than then there as any
    every"""
)


@dataclass(frozen=True)
class FoundClaim:
    start: int  # the cue's token, for ordering within the sentence
    party: str
    speaker: str | None
    text: str
    about: tuple[str, ...]
    stance: Stance | None
    holder: str | None
    denial: bool
    violation: bool  # the claim is an accusation of breaking a ceasefire
    stems: frozenset[str]
    sentence: int = 0


def lower_first(text: str) -> str:
    """Lower-case the first word unless it is a name: "the towns of …", "Armenian forces …"."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first.lower() in _STOPWORDS else text


def stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def stems_of(text: str) -> frozenset[str]:
    return frozenset(
        stem(w) for w in re.findall(r"[^\W_]+(?:-[^\W_]+)*", text) if w.lower() not in _STOPWORDS
    )


def _content_after(sentence: Sentence, verb: int) -> tuple[int, int]:
    doc, end = sentence.doc, _sentence_end(sentence)
    i = verb + 1
    if i < end and doc[i].norm_ in (":", ","):
        i += 1
    if i < end and doc[i].norm_ == "that":
        return i + 1, end
    named = {n for m in sentence.parties for n in range(m.start, m.end)}
    for k in range(i, min(end, i + 5)):
        # "denied reports that …", "rejected Azerbaijani claims that …"
        if doc[k].norm_ == "that" and all(
            t.norm_ in _REFERENTS or t.i in named or t.norm_ in ("s", "'s") for t in doc[i:k]
        ):
            return k + 1, end
    if i < end and doc[i].norm_ in _ADVERBIAL_START:
        for k in range(i, min(end, i + 12)):
            if doc[k].norm_ == "that":
                return k + 1, end
            if doc[k].text in _QUOTES:
                return k, end
        if end - i <= 8:
            return end, end  # only "on Sunday", "in a statement": the claim came before
    return i, end


def _sentence_end(sentence: Sentence) -> int:
    end = sentence.span.end
    while end > sentence.span.start and (
        sentence.doc[end - 1].is_punct or sentence.doc[end - 1].text in _QUOTES
    ):
        end -= 1
    return end


def _cut(sentence: Sentence, start: int, end: int) -> int:
    """Where the claim ends: before the reporter's commentary or another claim."""
    doc = sentence.doc
    for i in range(start + 2, end):
        norm = doc[i].norm_
        nxt = doc[i + 1].norm_ if i + 1 < end else ""
        if norm in _CUT_WORDS or norm in (";", "—", "–"):
            return i
        if norm == "," and nxt in _CUT_AFTER_COMMA:
            return i
        if norm == "and" and nxt in REPORT_VERBS:
            return i
    return end


def _paraphrase(tokens: list[Token], party: str, verb: str, lexicon: Lexicon) -> str:
    words: list[str] = []
    skip = 0
    for n, token in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        norm = token.norm_
        nxt = tokens[n + 1].norm_ if n + 1 < len(tokens) else ""
        if norm == "in" and nxt == "fact":
            skip = 1
            continue
        if norm in _HEDGES:
            continue
        if norm in ("his", "its", "their", "our") and nxt in FORCES:
            words.append(lexicon.adjective.get(party, party) + token.whitespace_)
            continue
        words.append(token.text_with_ws)
    text = "".join(words).strip().strip(_QUOTES + ",;: ").strip()
    if verb in CALLING:
        m = re.match(r"(.+?)\s+as\s+(.+)", text) or re.match(r"(.+?)\s+([\"“].+)", text)
        if m:
            text = f"{m[1]} is {m[2]}"
    elif verb in ACCUSING:
        m = re.match(r"(.+?) of (\w+ing\b.*)", text)
        if m:
            subject = m[1]
            text = f"{subject} {'were' if subject.endswith('s') else 'was'} {m[2]}"
    elif verb in DENIAL_VERBS:
        m = re.search(rf"\b({'|'.join(sorted(_AUX))})\b", text)
        negated = m is not None and m.start() < 60
        text = (
            f"{text[: m.end()]} not{text[m.end() :]}"
            if m and negated
            else f"it is not true that {text}"
        )
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    if len(text) > 300:
        text = text[:300].rsplit(" ", 1)[0] + "…"
    return text if text[-1] in ".!?…" else text + "."


def _claim(
    sentence: Sentence,
    lexicon: Lexicon,
    who: Resolved,
    cue: int,
    verb: str,
    start: int,
    end: int,
) -> FoundClaim | None:
    tokens = list(sentence.tokens(start, end))
    if sum(t.is_alpha for t in tokens) < 3:
        return None
    text = _paraphrase(tokens, who.party, verb, lexicon)
    if not text:
        return None
    about = tuple(dict.fromkeys(m.name for m in sentence.within(sentence.places, start, end)))
    found = find_stance(
        sentence,
        start,
        end,
        who.party,
        lexicon.gazetteer.opponents(who.party),
        denied=verb in DENIAL_VERBS,
    )
    norms = {t.norm_ for t in tokens}
    denial = verb in DENIAL_VERBS or bool(norms & NEGATORS)
    violation = any(n.startswith(("violat", "breach")) for n in norms) and (
        bool(norms & CEASEFIRE_WORDS) or verb in ACCUSING
    )
    return FoundClaim(
        cue,
        who.party,
        who.speaker,
        text,
        found.places if found else about,
        found.stance if found else None,
        found.holder if found else None,
        denial,
        violation,
        stems_of(text),
        sentence.index,
    )


# What makes a sentence of an issuing body's statement worth recording as its claim.
EVENT_WORDS = wordset(
    """attack attacks attacked attacking shelled shelling shell fired firing struck strike
    strikes bombed bombing assault offensive killed wounded injured casualties destroyed
    captured fighting fight repelling repelled clashes drone drones advance liberated control
    controlled violated"""
)


def claim_in_voice(sentence: Sentence, lexicon: Lexicon, who: Resolved) -> FoundClaim | None:
    """A sentence of a statement, as the claim of the body that issued it."""
    words = {t.norm_ for t in sentence.span}
    if not (sentence.places or EVENT_WORDS & words):
        return None
    start, end = sentence.span.start, _sentence_end(sentence)
    return _claim(sentence, lexicon, who, start, "", start, _cut(sentence, start, end))


def _before_np(sentence: Sentence, np_start: int) -> tuple[int, int] | None:
    """The claim before "…, X said": up to the comma or quote before X."""
    doc, begin = sentence.doc, sentence.span.start
    end = np_start
    while end > begin and (doc[end - 1].is_punct or doc[end - 1].text in _QUOTES):
        end -= 1
    if end == np_start:
        return None
    return begin, end


def find_claims(sentence: Sentence, memory: Memory, lexicon: Lexicon) -> list[FoundClaim]:
    doc = sentence.doc
    cues = sorted(
        [(s, "verb") for s, _ in sentence.cues.get("REPORT", [])]
        + [(s, "according") for s, _ in sentence.cues.get("ACCORDING", [])]
    )
    claims: list[FoundClaim] = []
    covered: set[int] = set()
    previous: Resolved | None = None
    for cue, kind in cues:
        before = doc[cue - 1].norm_ if cue > sentence.span.start else ""
        coordinated = before == "and" and previous is not None
        if cue in covered and not coordinated:
            continue
        found: FoundClaim | None = None
        who: Resolved | None = None
        if kind == "according":
            found, who = _according(sentence, memory, lexicon, cue)
        else:
            verb = doc[cue].norm_
            if before in _BE:
                continue  # "was reported": no one named says it
            after = doc[cue + 1].norm_ if cue + 1 < sentence.span.end else ""
            if verb in CALLING and (after in _NOT_CALLING or before == "-"):
                continue  # "called for talks", "so-called"
            if verb in ("warned", "warns") and "to" in [t.norm_ for t in doc[cue + 1 : cue + 5]]:
                continue  # "warned both sides to respect …": a demand, not a claim
            np = None if coordinated else np_before(sentence, cue)
            who = previous if coordinated else (resolve(sentence, memory, *np) if np else None)
            span = _content_after(sentence, cue)
            if who is None and before in (",", *_QUOTES):
                np = np_after(sentence, cue + 1)
                who = resolve(sentence, memory, *np) if np else None
                span = (sentence.span.start, cue - 1)
            elif who is not None and span[0] >= span[1] and np is not None:
                span = _before_np(sentence, np[0]) or span
            if who is not None and span[0] < span[1] and not _announces_truce(sentence, span[0]):
                cut = _cut(sentence, *span)
                found = _claim(sentence, lexicon, who, cue, verb, span[0], cut)
                if verb in DENIAL_VERBS and _short(sentence, span[0], cut):
                    found = _deny_earlier(sentence, memory, who, cue, span[0], cut) or found
                if found is not None:
                    covered.update(range(span[0], cut))
        if found is not None and who is not None:
            claims.append(found)
            memory.claims.append(found)
            previous = who
            memory.speakers.append(Speaker(who.party, who.speaker, sentence.index))
    return claims


def _short(sentence: Sentence, start: int, end: int) -> bool:
    """A denial's object that is not itself a claim: "denied it", "denied responsibility"."""
    tokens = _denied_object(sentence, start, end)
    return bool(tokens) and (
        all(t.norm_ in _REFERENTS for t in tokens) or sum(t.is_alpha for t in tokens) < 3
    )


def _denied_object(sentence: Sentence, start: int, end: int) -> list[Token]:
    """The object of a denial without its characterisation ("the claim as a lie")."""
    tokens = [t for t in sentence.tokens(start, end) if not t.is_punct]
    cut = next((n for n, t in enumerate(tokens) if t.norm_ == "as"), len(tokens))
    return tokens[:cut]


def _deny_earlier(
    sentence: Sentence, memory: Memory, who: Resolved, cue: int, start: int, end: int
) -> FoundClaim | None:
    """A denial of what was just said ("X denied it", "X denied responsibility"):
    X answers the latest claim of another party in this sentence or the two before."""
    earlier = next(
        (
            c
            for c in reversed(memory.claims)
            if c.party != who.party and c.sentence >= sentence.index - 2
        ),
        None,
    )
    if earlier is None:
        return None
    said = lower_first(earlier.text.rstrip("."))
    tokens = _denied_object(sentence, start, end)
    if all(t.norm_ in _REFERENTS for t in tokens):
        text = f"It is not true that {said}."
    else:
        text = f"It denies {' '.join(t.text for t in tokens)}: {said}."
    stance = holder = None
    if earlier.stance is not None:
        stance = Stance.DENIES if earlier.stance is Stance.ASSERTS else Stance.ASSERTS
        holder = earlier.holder
    return FoundClaim(
        cue,
        who.party,
        who.speaker,
        text,
        earlier.about,
        stance,
        holder,
        True,
        earlier.violation,
        earlier.stems,
        sentence.index,
    )


def _according(
    sentence: Sentence, memory: Memory, lexicon: Lexicon, cue: int
) -> tuple[FoundClaim | None, Resolved | None]:
    doc, start, end = sentence.doc, sentence.span.start, _sentence_end(sentence)
    phrase_end = next((i for i in range(cue + 2, end) if doc[i].norm_ in (",", ";")), end)
    who = resolve(sentence, memory, cue + 2, phrase_end)
    if who is None:
        return None, None
    opening = all(t.is_punct or t.norm_ in _ADVERBIAL_LEADS for t in doc[start:cue])
    first, last = (phrase_end + 1, end) if opening else (start, cue)
    return _claim(sentence, lexicon, who, cue, "according", first, _cut(sentence, first, last)), who


def _announces_truce(sentence: Sentence, start: int) -> bool:
    """Whether the verb's object is a ceasefire ("announced the truce"): an event, not a claim."""
    head = [t.norm_ for t in sentence.tokens(start, start + 4)]
    return bool(CEASEFIRE_WORDS.intersection(head)) and head[0] in ("the", "a", "an", "another")
