"""What the extractor knows of a conflict before it reads a report: its parties,
its places with every name, and its ceasefires. Plain, hashable values, so the
spaCy pipeline built from one can be cached and reused."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.model import OBSERVER


@dataclass(frozen=True)
class KnownParty:
    name: str
    side: str  # a side's name, or "observer"
    aliases: tuple[str, ...] = ()

    @property
    def is_observer(self) -> bool:
        return self.side == OBSERVER

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class KnownPlace:
    name: str
    aliases: tuple[str, ...] = ()  # every other name, including each side's

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Gazetteer:
    parties: tuple[KnownParty, ...]
    places: tuple[KnownPlace, ...]
    # Names in the ledger's order (the first agreed first): `third` is the third.
    ceasefires: tuple[str, ...] = ()

    def party(self, name: str) -> KnownParty | None:
        return next((p for p in self.parties if p.name == name), None)

    def principals(self) -> tuple[str, ...]:
        """One party per side: the one named like its side, else the first of it."""
        chosen: dict[str, str] = {}
        for party in self.parties:
            if party.is_observer:
                continue
            current = chosen.get(party.side)
            if current is None or (party.name == party.side and current != party.side):
                chosen[party.side] = party.name
        return tuple(chosen.values())

    def opponents(self, party: str) -> tuple[str, ...]:
        """The principal parties of the other sides (none for an observer)."""
        known = self.party(party)
        if known is None or known.is_observer:
            return ()
        return tuple(
            name for name in self.principals() if (p := self.party(name)) and p.side != known.side
        )


def _strings(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values if v)


def gazetteer_from_ledger(conflict: Mapping[str, Any]) -> Gazetteer:
    """A gazetteer from one conflict of a ledger file (`data/nk2020.yaml`'s shape)."""
    parties = tuple(
        KnownParty(str(p["name"]), str(p.get("side") or p["name"]), _strings(p.get("aliases", ())))
        for p in conflict.get("parties", ())
    )
    places = []
    for p in conflict.get("places", ()):
        names = [
            *_strings(p.get("aliases", ())),
            *_strings((p.get("names_by_side") or {}).values()),
        ]
        aliases = tuple(dict.fromkeys(n for n in names if n != p["name"]))
        places.append(KnownPlace(str(p["name"]), aliases))
    ceasefires = tuple(str(c["name"]) for c in conflict.get("ceasefires", ()))
    return Gazetteer(parties, tuple(places), ceasefires)
