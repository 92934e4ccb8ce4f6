"""Type-ahead for forms: the places and parties whose names start with, contain,
or resemble what was typed."""

from __future__ import annotations

from bot.domain.model import CONTESTED, UNKNOWN
from bot.domain.names import NameEntry, fuzzy_ranking, normalize
from bot.services.context import Context
from bot.services.resolve import pick_conflict

LIMIT = 50  # Slack shows at most 100 options


def _rank(query: str, names: list[NameEntry], limit: int) -> list[int]:
    wanted = normalize(query)
    ids: list[int] = []
    for test in (str.startswith, str.__contains__):
        for entry in sorted(names, key=lambda e: e.norm):
            if entry.entity_id not in ids and test(entry.norm, wanted):
                ids.append(entry.entity_id)
    if len(ids) < limit and len(wanted) >= 3:
        ids += [
            m.entity_id
            for m in fuzzy_ranking(wanted, names, limit)
            if m.score >= 60 and m.entity_id not in ids
        ]
    return ids[:limit]


def place_options(ctx: Context, conflict: str | None, query: str) -> list[tuple[str, str]]:
    """(value, label): the value is the place's own name, which resolves exactly."""
    with ctx.uow.read() as tx:
        chosen = pick_conflict(tx, conflict)
        ids = _rank(query, tx.catalog.all_names("place", chosen.id), LIMIT)
        places = tx.catalog.places_by_id(ids)
        return [
            (places[i].name, f"{places[i].display_name} ({places[i].kind})")
            for i in ids
            if i in places
        ]


def party_options(
    ctx: Context, conflict: str | None, query: str, holders: bool = False
) -> list[tuple[str, str]]:
    with ctx.uow.read() as tx:
        chosen = pick_conflict(tx, conflict)
        parties = {p.id: p for p in tx.catalog.parties(chosen.id)}
        ids = (
            _rank(query, tx.catalog.all_names("party", chosen.id), LIMIT)
            if query.strip()
            else list(parties)
        )
        options = [(parties[i].name, parties[i].name) for i in ids if i in parties]
    if holders:
        wanted = normalize(query)
        options = [(w, w) for w in (CONTESTED, UNKNOWN) if w.startswith(wanted)] + options
    return options
