"""Turn typed names into ledger things, or into errors that help the user."""

from __future__ import annotations

from bot.domain.errors import Ambiguous, NotFound
from bot.domain.model import Ceasefire, Conflict, Party, Place
from bot.domain.names import Resolution, normalize, related_names, resolve
from bot.domain.picture import parse_ordinal
from bot.store.uow import Tx


def pick_conflict(tx: Tx, name: str | None) -> Conflict:
    """The named conflict, or the only one; several without a name must be chosen."""
    all_conflicts = tx.catalog.conflicts()
    if not all_conflicts:
        raise NotFound(
            "The ledger is empty: no conflict has been recorded yet. "
            'An admin can start one with `/update conflict "<name>" zone:<time zone>` '
            "or load a file with `python run_bot.py import FILE`."
        )
    if name is None:
        if len(all_conflicts) == 1:
            return all_conflicts[0]
        raise Ambiguous(
            "The ledger holds several conflicts; say which with conflict:<name>.",
            [c.name for c in all_conflicts],
        )
    result = resolve(
        name, tx.catalog.exact("conflict", name, None), tx.catalog.all_names("conflict", None)
    )
    by_id = {c.id: c for c in all_conflicts}
    if result.match:
        return by_id[result.match.entity_id]
    if result.ambiguous:
        raise Ambiguous(
            f"“{name}” could be several conflicts.",
            [by_id[m.entity_id].name for m in result.ambiguous],
        )
    raise NotFound(
        f"No conflict is called “{name}”.",
        [by_id[m.entity_id].name for m in result.suggestions] or [c.name for c in all_conflicts],
    )


def _place_label(place: Place, places: dict[int, Place]) -> str:
    parent = places.get(place.parent_id) if place.parent_id else None
    where = f", in {parent.name}" if parent else ""
    return f"{place.display_name} — {place.kind}{where}"


def resolve_place(tx: Tx, conflict: Conflict, query: str) -> tuple[Place, Resolution, list[Place]]:
    """The place, how it was matched, and related places (`Lachin` → district, corridor)."""
    exact = tx.catalog.exact("place", query, conflict.id)
    every = tx.catalog.all_names("place", conflict.id) if len(exact) != 1 else None
    result = resolve(query, exact, every)
    if result.match:
        place = tx.catalog.place(result.match.entity_id)
        related_ids: list[int] = []
        if not result.fuzzy:
            wanted = normalize(query)
            related_ids = related_names(
                wanted,
                tx.catalog.names_starting("place", wanted + " ", conflict.id),
                exclude=place.id,
            )
        related = list(tx.catalog.places_by_id(related_ids).values())
        return place, result, sorted(related, key=lambda p: p.name)
    if result.ambiguous:
        found = tx.catalog.places_by_id(m.entity_id for m in result.ambiguous)
        parents = tx.catalog.places_by_id(p.parent_id for p in found.values() if p.parent_id)
        options = sorted(_place_label(p, parents) for p in found.values())
        raise Ambiguous(f"“{query}” names more than one place. Which one do you mean?", options)
    suggested = tx.catalog.places_by_id(m.entity_id for m in result.suggestions)
    names = [
        suggested[m.entity_id].display_name for m in result.suggestions if m.entity_id in suggested
    ]
    raise NotFound(f"No place called “{query}” is in the ledger.", names)


def resolve_party(tx: Tx, conflict: Conflict, query: str) -> Party:
    parties = {p.id: p for p in tx.catalog.parties(conflict.id)}
    result = resolve(
        query,
        tx.catalog.exact("party", query, conflict.id),
        tx.catalog.all_names("party", conflict.id),
    )
    if result.match:
        return parties[result.match.entity_id]
    if result.ambiguous:
        raise Ambiguous(
            f"“{query}” names more than one party.",
            [parties[m.entity_id].name for m in result.ambiguous],
        )
    raise NotFound(
        f"No party called “{query}” is in the ledger.",
        [parties[m.entity_id].name for m in result.suggestions]
        or sorted(p.name for p in parties.values()),
    )


def find_party(tx: Tx, conflict: Conflict, query: str) -> Party | None:
    """A party by exact name or alias only (no fuzzy): for `/claims <subject>`."""
    exact = tx.catalog.exact("party", query, conflict.id)
    if len(exact) != 1:
        return None
    return next(p for p in tx.catalog.parties(conflict.id) if p.id == exact[0].entity_id)


def resolve_ceasefire(
    tx: Tx, conflict: Conflict, query: str, ordered: list[Ceasefire], fuzzy: bool = True
) -> Ceasefire:
    """By name or alias, or by its order (`third`, `3rd`, `3`) among `ordered`;
    with `fuzzy` off (writes), a near name is only suggested, never taken."""
    position = parse_ordinal(query)
    if position is not None:
        if 1 <= position <= len(ordered):
            return ordered[position - 1]
        raise NotFound(
            f"There is no {query} ceasefire: the ledger holds {len(ordered)}.",
            [c.name for c in ordered],
        )
    by_id = {c.id: c for c in ordered}
    result = resolve(
        query,
        tx.catalog.exact("ceasefire", query, conflict.id),
        tx.catalog.all_names("ceasefire", conflict.id),
    )
    if result.match and result.match.entity_id in by_id and (fuzzy or not result.fuzzy):
        return by_id[result.match.entity_id]
    if result.ambiguous:
        raise Ambiguous(
            f"“{query}” names more than one ceasefire.",
            [by_id[m.entity_id].name for m in result.ambiguous],
        )
    near = [result.match] if result.match else list(result.suggestions)
    hint = "" if fuzzy else "; a new one starts as `announced` or `in effect`"
    raise NotFound(
        f"No ceasefire called “{query}” is in the ledger{hint}.",
        [by_id[m.entity_id].name for m in near if m.entity_id in by_id]
        or [c.name for c in ordered],
    )
