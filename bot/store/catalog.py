"""Conflicts, parties, places and ceasefires, and every name they go by."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from bot.domain.model import Ceasefire, Conflict, Party, Place, PlaceKind
from bot.domain.names import Match, NameEntry, entries_for, normalize
from bot.store.schema import ceasefires, conflicts, names, parties, places


def _conflict(row: RowMapping) -> Conflict:
    return Conflict(row["id"], row["name"], row["timezone"], tuple(row["aliases"] or ()))


def _party(row: RowMapping) -> Party:
    return Party(
        row["id"], row["conflict_id"], row["name"], row["side"], tuple(row["aliases"] or ())
    )


def _place(row: RowMapping) -> Place:
    return Place(
        id=row["id"],
        conflict_id=row["conflict_id"],
        name=row["name"],
        kind=PlaceKind(row["kind"]),
        aliases=tuple(row["aliases"] or ()),
        names_by_side=dict(row["names_by_side"] or {}),
        lat=row["lat"],
        lon=row["lon"],
        parent_id=row["parent_id"],
    )


def _ceasefire(row: RowMapping) -> Ceasefire:
    return Ceasefire(
        row["id"],
        row["conflict_id"],
        row["name"],
        tuple(row["parties"] or ()),
        tuple(row["mediators"] or ()),
        tuple(row["aliases"] or ()),
    )


class Catalog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ---- conflicts -------------------------------------------------------

    def conflicts(self) -> list[Conflict]:
        rows = self.conn.execute(select(conflicts).order_by(conflicts.c.id)).mappings()
        return [_conflict(r) for r in rows]

    def conflict(self, conflict_id: int) -> Conflict:
        row = (
            self.conn.execute(select(conflicts).where(conflicts.c.id == conflict_id))
            .mappings()
            .one()
        )
        return _conflict(row)

    def add_conflict(
        self, name: str, timezone: str, aliases: Sequence[str], now: datetime
    ) -> Conflict:
        conflict_id = self.conn.execute(
            insert(conflicts).values(
                name=name, timezone=timezone, aliases=list(aliases), created_at=now
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        self._set_names("conflict", conflict_id, conflict_id, [name, *aliases])
        return Conflict(conflict_id, name, timezone, tuple(aliases))

    # ---- parties ---------------------------------------------------------

    def parties(self, conflict_id: int) -> list[Party]:
        rows = self.conn.execute(
            select(parties).where(parties.c.conflict_id == conflict_id).order_by(parties.c.id)
        ).mappings()
        return [_party(r) for r in rows]

    def add_party(self, conflict_id: int, name: str, side: str, aliases: Sequence[str]) -> Party:
        party_id = self.conn.execute(
            insert(parties).values(
                conflict_id=conflict_id, name=name, side=side, aliases=list(aliases)
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        self._set_names("party", party_id, conflict_id, [name, *aliases])
        return Party(party_id, conflict_id, name, side, tuple(aliases))

    def change_party(self, party: Party, side: str, aliases: Sequence[str]) -> Party:
        self.conn.execute(
            update(parties).where(parties.c.id == party.id).values(side=side, aliases=list(aliases))
        )
        self._set_names("party", party.id, party.conflict_id, [party.name, *aliases])
        return Party(party.id, party.conflict_id, party.name, side, tuple(aliases))

    # ---- places ----------------------------------------------------------

    def places(self, conflict_id: int) -> list[Place]:
        rows = self.conn.execute(
            select(places).where(places.c.conflict_id == conflict_id).order_by(places.c.id)
        ).mappings()
        return [_place(r) for r in rows]

    def places_by_id(self, ids: Iterable[int]) -> dict[int, Place]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = self.conn.execute(select(places).where(places.c.id.in_(wanted))).mappings()
        return {r["id"]: _place(r) for r in rows}

    def place(self, place_id: int) -> Place:
        return _place(
            self.conn.execute(select(places).where(places.c.id == place_id)).mappings().one()
        )

    def add_place(self, conflict_id: int, values: dict[str, Any]) -> Place:
        row = {**values, "conflict_id": conflict_id}
        row["kind"] = str(row["kind"])
        place_id = self.conn.execute(insert(places).values(**row)).inserted_primary_key[0]  # type: ignore[index]
        place = self.place(place_id)
        self._set_names("place", place.id, conflict_id, self._place_names(place))
        return place

    def change_place(self, place: Place, values: dict[str, Any]) -> Place:
        if "kind" in values:
            values = {**values, "kind": str(values["kind"])}
        self.conn.execute(update(places).where(places.c.id == place.id).values(**values))
        changed = self.place(place.id)
        self._set_names("place", place.id, place.conflict_id, self._place_names(changed))
        return changed

    @staticmethod
    def _place_names(place: Place) -> list[str]:
        return [place.name, *place.aliases, *place.names_by_side.values()]

    def place_named(self, conflict_id: int, name: str) -> int | None:
        """The place whose own name (not alias) is exactly `name`."""
        return self.conn.execute(
            select(places.c.id).where(places.c.conflict_id == conflict_id, places.c.name == name)
        ).scalar()

    def children(self, place_id: int) -> list[Place]:
        rows = self.conn.execute(select(places).where(places.c.parent_id == place_id)).mappings()
        return [_place(r) for r in rows]

    # ---- ceasefires ------------------------------------------------------

    def ceasefires(self, conflict_id: int) -> list[Ceasefire]:
        rows = self.conn.execute(
            select(ceasefires)
            .where(ceasefires.c.conflict_id == conflict_id)
            .order_by(ceasefires.c.id)
        ).mappings()
        return [_ceasefire(r) for r in rows]

    def add_ceasefire(
        self,
        conflict_id: int,
        name: str,
        aliases: Sequence[str] = (),
        parties_: Sequence[str] = (),
        mediators: Sequence[str] = (),
    ) -> Ceasefire:
        ceasefire_id = self.conn.execute(
            insert(ceasefires).values(
                conflict_id=conflict_id,
                name=name,
                aliases=list(aliases),
                parties=list(parties_),
                mediators=list(mediators),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        self._set_names("ceasefire", ceasefire_id, conflict_id, [name, *aliases])
        return Ceasefire(
            ceasefire_id, conflict_id, name, tuple(parties_), tuple(mediators), tuple(aliases)
        )

    def change_ceasefire(
        self, ceasefire: Ceasefire, parties_: Sequence[str], mediators: Sequence[str]
    ) -> Ceasefire:
        self.conn.execute(
            update(ceasefires)
            .where(ceasefires.c.id == ceasefire.id)
            .values(parties=list(parties_), mediators=list(mediators))
        )
        return Ceasefire(
            ceasefire.id,
            ceasefire.conflict_id,
            ceasefire.name,
            tuple(parties_),
            tuple(mediators),
            ceasefire.aliases,
        )

    # ---- names -----------------------------------------------------------

    def _set_names(
        self, entity: str, entity_id: int, conflict_id: int, all_names: Iterable[str]
    ) -> None:
        self.conn.execute(
            delete(names).where(names.c.entity == entity, names.c.entity_id == entity_id)
        )
        rows = [
            {
                "conflict_id": conflict_id,
                "entity": entity,
                "entity_id": entity_id,
                "name": e.name,
                "norm": e.norm,
            }
            for e in entries_for(entity_id, all_names)
        ]
        if rows:
            self.conn.execute(insert(names), rows)

    def exact(self, entity: str, query: str, conflict_id: int | None) -> list[Match]:
        """Things whose name normalises to the query's form (one index probe)."""
        stmt = select(names.c.entity_id, names.c.name).where(
            names.c.entity == entity, names.c.norm == normalize(query)
        )
        if conflict_id is not None:
            stmt = stmt.where(names.c.conflict_id == conflict_id)
        found: dict[int, Match] = {}
        for entity_id, name in self.conn.execute(stmt):
            found.setdefault(entity_id, Match(entity_id, name, 100.0))
        return list(found.values())

    def names_starting(self, entity: str, prefix_norm: str, conflict_id: int) -> list[NameEntry]:
        """Names that begin with `prefix_norm` (already normalised)."""
        pattern = prefix_norm.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute(
            select(names.c.entity_id, names.c.name, names.c.norm).where(
                names.c.entity == entity,
                names.c.conflict_id == conflict_id,
                names.c.norm.like(pattern, escape="\\"),
            )
        )
        return [NameEntry(i, n, norm) for i, n, norm in rows]

    def all_names(self, entity: str, conflict_id: int | None) -> list[NameEntry]:
        stmt = select(names.c.entity_id, names.c.name, names.c.norm).where(names.c.entity == entity)
        if conflict_id is not None:
            stmt = stmt.where(names.c.conflict_id == conflict_id)
        return [NameEntry(i, n, norm) for i, n, norm in self.conn.execute(stmt)]
