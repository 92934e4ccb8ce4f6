"""How a typed name reaches a place, party, ceasefire or conflict.

Rules (DESIGN.md): case- and diacritics-insensitive over every alias first; an
exact name beats a fuzzy one; several things sharing an exact name is a true
ambiguity and the user is asked; otherwise the closest names by rapidfuzz, taken
only when one is clearly best, else offered as "did you mean".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

# Letters that Unicode does not decompose into a base letter plus a mark.
_FOLD = str.maketrans(
    {
        "ı": "i",
        "ə": "e",
        "Ə": "e",
        "ß": "ss",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "æ": "ae",
        "œ": "oe",
        "ʼ": "",
        "’": "",
        "'": "",
        "`": "",
    }
)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_/.,()]+")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

# A fuzzy match is taken without asking when it scores this high and leads the
# next different thing by this margin; below SUGGEST it is not worth offering.
ACCEPT = 86.0
MARGIN = 6.0
SUGGEST = 55.0


def normalize(name: str) -> str:
    """The form names are compared in: `Şuşa`, `SHUSHA`, `shusha` → `susa`/`shusha`."""
    text = _INVISIBLE.sub("", name).translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().translate(_FOLD)
    return _SEPARATORS.sub(" ", text).strip()


@dataclass(frozen=True)
class NameEntry:
    """One name of one thing: `entity_id` is the thing, `name` how it is written."""

    entity_id: int
    name: str
    norm: str


def entries_for(entity_id: int, names: Iterable[str]) -> list[NameEntry]:
    seen: set[str] = set()
    out: list[NameEntry] = []
    for name in names:
        norm = normalize(name)
        if norm and norm not in seen:
            seen.add(norm)
            out.append(NameEntry(entity_id, name, norm))
    return out


@dataclass(frozen=True)
class Match:
    entity_id: int
    matched_name: str
    score: float  # 100 for an exact (normalised) match


@dataclass(frozen=True)
class Resolution:
    """What a typed name reached.

    Exactly one of: `match` (one thing), `ambiguous` (several, ask),
    or neither (unknown; `suggestions` are the closest).
    """

    query: str
    match: Match | None = None
    ambiguous: tuple[Match, ...] = ()
    suggestions: tuple[Match, ...] = ()

    @property
    def fuzzy(self) -> bool:
        return self.match is not None and self.match.score < 100


def exact_matches(query_norm: str, entries: Iterable[NameEntry]) -> list[Match]:
    """One match per thing whose name normalises to the query."""
    found: dict[int, Match] = {}
    for entry in entries:
        if entry.norm == query_norm and entry.entity_id not in found:
            found[entry.entity_id] = Match(entry.entity_id, entry.name, 100.0)
    return list(found.values())


def fuzzy_ranking(query_norm: str, entries: Sequence[NameEntry], limit: int = 5) -> list[Match]:
    """Best fuzzy score per thing, best first."""
    best: dict[int, Match] = {}
    for entry in entries:
        score = max(
            fuzz.ratio(query_norm, entry.norm),
            fuzz.token_sort_ratio(query_norm, entry.norm),
        )
        current = best.get(entry.entity_id)
        if current is None or score > current.score:
            best[entry.entity_id] = Match(entry.entity_id, entry.name, float(score))
    ranked = sorted(best.values(), key=lambda m: (-m.score, m.matched_name))
    return ranked[:limit]


def resolve(
    query: str,
    exact: Sequence[Match],
    all_entries: Sequence[NameEntry] | None,
) -> Resolution:
    """Decide what `query` means given its exact matches and, if there were
    none, every name to rank fuzzily (None: exact matching only)."""
    if len(exact) == 1:
        return Resolution(query, match=exact[0])
    if len(exact) > 1:
        return Resolution(query, ambiguous=tuple(exact))
    if not all_entries:
        return Resolution(query)
    ranked = fuzzy_ranking(normalize(query), all_entries)
    if not ranked:
        return Resolution(query)
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= ACCEPT and best.score - runner_up >= MARGIN:
        return Resolution(query, match=best)
    return Resolution(query, suggestions=tuple(m for m in ranked[:3] if m.score >= SUGGEST))


def related_names(query_norm: str, entries: Iterable[NameEntry], exclude: int) -> list[int]:
    """Things with a name that starts with the query as a whole word:
    `Lachin` → Lachin District, Lachin corridor."""
    prefix = query_norm + " "
    found: list[int] = []
    for entry in entries:
        if entry.entity_id not in (exclude, *found) and entry.norm.startswith(prefix):
            found.append(entry.entity_id)
    return found
