"""The ledger (append-only `updates`) and the projections kept beside it."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from bot.domain.entries import Entry
from bot.domain.model import (
    CeasefireState,
    Confidence,
    EventTime,
    Precision,
    Stance,
    UpdateKind,
)
from bot.domain.picture import LinkFrom
from bot.store.schema import (
    entries,
    entry_parties,
    entry_places,
    links,
    parties,
    place_latest,
    places,
    updates,
)

DESK = 0  # party_id / slot of the desk's own entries (assessments, notes)


def _event(start: datetime, end: datetime, precision: str, zone: str) -> EventTime:
    return EventTime(start, end, Precision(precision), zone)


def entry_from_row(row: RowMapping, links_from: Sequence[tuple[int, str]] = ()) -> Entry:
    effective = None
    if row["effective_start"] is not None:
        effective = _event(
            row["effective_start"], row["effective_end"], row["effective_precision"], row["zone"]
        )
    return Entry(
        id=row["update_id"],
        conflict_id=row["conflict_id"],
        kind=UpdateKind(row["kind"]),
        event=_event(row["event_start"], row["event_end"], row["precision"], row["zone"]),
        sort_at=row["sort_at"],
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
        sources=tuple(row["sources"] or ()),
        about_ids=tuple(row["about_ids"] or ()),
        note=row["note"],
        place_id=row["place_id"],
        holder=row["holder"],
        holder_party_id=row["holder_party_id"],
        confidence=Confidence(row["confidence"]) if row["confidence"] else None,
        party_ids=tuple(row["party_ids"] or ()),
        speaker=row["speaker"],
        text=row["text"],
        stance=Stance(row["stance"]) if row["stance"] else None,
        ceasefire_id=row["ceasefire_id"],
        ceasefire_state=CeasefireState(row["ceasefire_state"]) if row["ceasefire_state"] else None,
        effective=effective,
        accused_ids=tuple(row["accused_ids"] or ()),
        accuser_party_id=row["accuser_party_id"],
        corroborates=tuple(i for i, rel in links_from if rel == "corroborates"),
        refutes=tuple(i for i, rel in links_from if rel == "refutes"),
        retracted=bool(row["retracted"]),
        reason=row["reason"],
        last_correction_id=row["last_correction_id"],
    )


def _entry_row(entry: Entry) -> dict[str, Any]:
    eff = entry.effective
    return {
        "update_id": entry.id,
        "conflict_id": entry.conflict_id,
        "kind": str(entry.kind),
        "sort_at": entry.sort_at,
        "event_start": entry.event.start,
        "event_end": entry.event.end,
        "precision": str(entry.event.precision),
        "zone": entry.event.zone,
        "recorded_at": entry.recorded_at,
        "recorded_by": entry.recorded_by,
        "place_id": entry.place_id,
        "holder": entry.holder,
        "holder_party_id": entry.holder_party_id,
        "confidence": str(entry.confidence) if entry.confidence else None,
        "party_ids": list(entry.party_ids),
        "speaker": entry.speaker,
        "text": entry.text,
        "stance": str(entry.stance) if entry.stance else None,
        "ceasefire_id": entry.ceasefire_id,
        "ceasefire_state": str(entry.ceasefire_state) if entry.ceasefire_state else None,
        "effective_start": eff.start if eff else None,
        "effective_end": eff.end if eff else None,
        "effective_precision": str(eff.precision) if eff else None,
        "accused_ids": list(entry.accused_ids),
        "accuser_party_id": entry.accuser_party_id,
        "note": entry.note,
        "about_ids": list(entry.about_ids),
        "sources": list(entry.sources),
        "retracted": entry.retracted,
        "reason": entry.reason,
        "last_correction_id": entry.last_correction_id,
    }


def place_rows(entry: Entry) -> list[dict[str, Any]]:
    """One row per place the entry is about and per claimant (claims), else the desk."""
    claimants = entry.party_ids if entry.kind == UpdateKind.CLAIM and entry.party_ids else (DESK,)
    return [
        {
            "update_id": entry.id,
            "place_id": place_id,
            "kind": str(entry.kind),
            "party_id": party_id,
            "stance": str(entry.stance) if entry.stance else None,
            "sort_at": entry.sort_at,
            "retracted": entry.retracted,
        }
        for place_id in entry.place_ids
        for party_id in claimants
    ]


def link_rows(entry: Entry) -> list[dict[str, Any]]:
    return [
        {"from_id": entry.id, "to_id": t, "relation": "corroborates"} for t in entry.corroborates
    ] + [{"from_id": entry.id, "to_id": t, "relation": "refutes"} for t in entry.refutes]


def _slot(entry: Entry, party_id: int) -> int | None:
    """Which place_latest slot a row fills: the assessment (0) or a party's stance."""
    if entry.kind == UpdateKind.CONTROL:
        return DESK
    if entry.kind == UpdateKind.CLAIM and entry.stance is not None:
        return party_id
    return None


@functools.cache
def _key_events_statement(with_before: bool) -> Any:
    """Built once: one row per ceasefire, one scalar index probe per column."""
    from bot.store.schema import ceasefires

    before = bindparam("before", type_=entries.c.sort_at.type)

    def probe(condition: Any = None, latest: bool = False) -> Any:
        inner = entries.alias()
        where = [inner.c.ceasefire_id == ceasefires.c.id, inner.c.retracted.is_(False)]
        if condition is not None:
            where.append(condition(inner))
        if with_before:
            where.append(inner.c.sort_at < before)
        order = (
            (inner.c.sort_at.desc(), inner.c.update_id.desc())
            if latest
            else (inner.c.sort_at, inner.c.update_id)
        )
        return select(inner.c.update_id).where(*where).order_by(*order).limit(1).scalar_subquery()

    columns = [probe(lambda t, s=state: t.c.ceasefire_state == str(s)) for state in CeasefireState]
    columns.append(probe(lambda t: t.c.effective_start.is_not(None)))
    columns.append(probe(latest=True))
    violated = entries.alias()
    counted = [
        violated.c.ceasefire_id == ceasefires.c.id,
        violated.c.retracted.is_(False),
        violated.c.ceasefire_state == str(CeasefireState.VIOLATED),
    ]
    if with_before:
        counted.append(violated.c.sort_at < before)
    columns.append(select(func.count()).select_from(violated).where(*counted).scalar_subquery())
    return select(ceasefires.c.id, *columns).where(
        ceasefires.c.conflict_id == bindparam("conflict_id")
    )


class Ledger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ---- the append-only ledger ------------------------------------------

    def append(
        self,
        *,
        conflict_id: int,
        kind: UpdateKind,
        recorded_at: datetime,
        recorded_by: str,
        body: dict[str, Any],
        sources: Sequence[str] = (),
        event: EventTime | None = None,
        target_id: int | None = None,
        request_key: str | None = None,
    ) -> int:
        result = self.conn.execute(
            insert(updates).values(
                conflict_id=conflict_id,
                kind=str(kind),
                recorded_at=recorded_at,
                recorded_by=recorded_by,
                event_start=event.start if event else None,
                event_end=event.end if event else None,
                precision=str(event.precision) if event else None,
                zone=event.zone if event else None,
                target_id=target_id,
                body=body,
                sources=list(sources),
                request_key=request_key,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def update_row(self, update_id: int) -> RowMapping | None:
        return (
            self.conn.execute(select(updates).where(updates.c.id == update_id)).mappings().first()
        )

    def history(self, update_id: int) -> list[RowMapping]:
        """The update and every correction or retraction that points at it."""
        rows = self.conn.execute(
            select(updates)
            .where(or_(updates.c.id == update_id, updates.c.target_id == update_id))
            .order_by(updates.c.id)
        ).mappings()
        return list(rows)

    def by_request_key(self, key: str) -> int | None:
        return self.conn.execute(select(updates.c.id).where(updates.c.request_key == key)).scalar()

    def all_updates(self, conflict_id: int) -> list[RowMapping]:
        rows = self.conn.execute(
            select(updates).where(updates.c.conflict_id == conflict_id).order_by(updates.c.id)
        ).mappings()
        return list(rows)

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(updates)).scalar_one())

    # ---- ordering --------------------------------------------------------

    def sort_position(
        self,
        conflict_id: int,
        event: EventTime,
        ceasefire_id: int | None = None,
        place_ids: Iterable[int] = (),
    ) -> datetime:
        """Where an event sorts. Known to the minute: its time. Known less
        precisely: after whatever was already recorded inside its interval about
        the same thing (that ceasefire, those places), so that on one day
        "collapsed" reported later follows "in effect at 08:00". Entries about
        nothing in particular are placed among the whole conflict's."""
        if event.precision == Precision.MINUTE:
            return event.start
        if ceasefire_id is not None:
            stmt = select(func.max(entries.c.sort_at)).where(entries.c.ceasefire_id == ceasefire_id)
            column = entries.c.sort_at
        elif places_ := sorted(set(place_ids)):
            stmt = select(func.max(entry_places.c.sort_at)).where(
                entry_places.c.place_id.in_(places_)
            )
            column = entry_places.c.sort_at
        else:
            stmt = select(func.max(entries.c.sort_at)).where(entries.c.conflict_id == conflict_id)
            column = entries.c.sort_at
        latest = self.conn.execute(stmt.where(column >= event.start, column < event.end)).scalar()
        return max(event.start, latest) if latest is not None else event.start

    # ---- projections -----------------------------------------------------

    def lock_places(self, place_ids: Iterable[int]) -> None:
        """Serialise writers of the same places' current slots until commit
        (PostgreSQL row locks, in id order so that two writers cannot deadlock;
        SQLite already holds its one write lock from BEGIN IMMEDIATE)."""
        wanted = sorted(set(place_ids))
        if wanted and self.conn.dialect.name == "postgresql":
            self.conn.execute(
                select(places.c.id)
                .where(places.c.id.in_(wanted))
                .order_by(places.c.id)
                .with_for_update()
            ).all()

    def project(self, entry: Entry) -> None:
        """Add a new entry to every projection (same transaction as its update)."""
        self.lock_places(entry.place_ids)
        self.conn.execute(insert(entries).values(**_entry_row(entry)))
        self._insert_places_and_links(entry)
        for row in place_rows(entry):
            slot = _slot(entry, row["party_id"])
            if slot is not None and not entry.retracted:
                self._offer_latest(row["place_id"], slot, entry)

    def replace(self, before: Entry, after: Entry) -> None:
        """A correction or retraction changed an entry: rewrite its projections."""
        self.lock_places(set(before.place_ids) | set(after.place_ids))
        self.conn.execute(
            update(entries).where(entries.c.update_id == after.id).values(**_entry_row(after))
        )
        self.conn.execute(delete(entry_places).where(entry_places.c.update_id == after.id))
        self.conn.execute(delete(links).where(links.c.from_id == after.id))
        self.conn.execute(delete(entry_parties).where(entry_parties.c.update_id == after.id))
        self._insert_places_and_links(after)
        self.refresh_latest(set(before.place_ids) | set(after.place_ids))

    def _insert_places_and_links(self, entry: Entry) -> None:
        rows = place_rows(entry)
        if rows:
            self.conn.execute(insert(entry_places), rows)
        if entry.kind == UpdateKind.CLAIM and entry.party_ids:
            self.conn.execute(
                insert(entry_parties),
                [{"update_id": entry.id, "party_id": p} for p in dict.fromkeys(entry.party_ids)],
            )
        link_values = link_rows(entry)
        if link_values:
            self.conn.execute(insert(links), link_values)

    def _offer_latest(self, place_id: int, slot: int, entry: Entry) -> None:
        current = self.conn.execute(
            select(entries.c.update_id, entries.c.sort_at)
            .select_from(
                place_latest.join(entries, entries.c.update_id == place_latest.c.update_id)
            )
            .where(place_latest.c.place_id == place_id, place_latest.c.slot == slot)
        ).first()
        if current is None:
            self.conn.execute(
                insert(place_latest).values(place_id=place_id, slot=slot, update_id=entry.id)
            )
        elif (entry.sort_at, entry.id) > (current.sort_at, current.update_id):
            self.conn.execute(
                update(place_latest)
                .where(place_latest.c.place_id == place_id, place_latest.c.slot == slot)
                .values(update_id=entry.id)
            )

    def refresh_latest(self, place_ids: Iterable[int]) -> None:
        """Recompute the current slots of these places from entry_places."""
        for place_id in place_ids:
            self.conn.execute(delete(place_latest).where(place_latest.c.place_id == place_id))
            for kind, party_id in self.conn.execute(
                select(entry_places.c.kind, entry_places.c.party_id)
                .where(
                    entry_places.c.place_id == place_id,
                    entry_places.c.retracted.is_(False),
                    or_(
                        entry_places.c.kind == str(UpdateKind.CONTROL),
                        and_(
                            entry_places.c.kind == str(UpdateKind.CLAIM),
                            entry_places.c.stance.is_not(None),
                        ),
                    ),
                )
                .distinct()
            ).all():
                stance_only = kind == str(UpdateKind.CLAIM)
                latest = self.latest_about_id(
                    place_id, UpdateKind(kind), party_id, None, stance_only
                )
                if latest is not None:
                    self.conn.execute(
                        insert(place_latest).values(
                            place_id=place_id, slot=party_id, update_id=latest
                        )
                    )

    # ---- reading entries -------------------------------------------------

    def entry(self, update_id: int) -> Entry | None:
        found = self.entries([update_id])
        return found.get(update_id)

    def entries(self, ids: Iterable[int]) -> dict[int, Entry]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        made: dict[int, list[tuple[int, str]]] = {}
        for from_id, to_id, relation in self.conn.execute(
            select(links.c.from_id, links.c.to_id, links.c.relation).where(
                links.c.from_id.in_(wanted)
            )
        ):
            made.setdefault(from_id, []).append((to_id, relation))
        rows = self.conn.execute(select(entries).where(entries.c.update_id.in_(wanted))).mappings()
        return {r["update_id"]: entry_from_row(r, made.get(r["update_id"], ())) for r in rows}

    def latest_about_id(
        self,
        place_id: int,
        kind: UpdateKind,
        party_id: int,
        before: datetime | None,
        stance_only: bool = False,
    ) -> int | None:
        """The latest live entry of a kind about a place (by a party), as of `before`."""
        stmt = select(entry_places.c.update_id).where(
            entry_places.c.place_id == place_id,
            entry_places.c.kind == str(kind),
            entry_places.c.party_id == party_id,
            entry_places.c.retracted.is_(False),
        )
        if stance_only:
            stmt = stmt.where(entry_places.c.stance.is_not(None))
        if before is not None:
            stmt = stmt.where(entry_places.c.sort_at < before)
        stmt = stmt.order_by(entry_places.c.sort_at.desc(), entry_places.c.update_id.desc()).limit(
            1
        )
        return self.conn.execute(stmt).scalar()

    def holder_run(self, place_id: int, before: datetime | None) -> EventTime | None:
        """When the current holder of a place was first assessed, after the last
        assessment that named another: reads only as far back as the run goes."""
        stmt = (
            select(
                entries.c.holder,
                entries.c.holder_party_id,
                entries.c.event_start,
                entries.c.event_end,
                entries.c.precision,
                entries.c.zone,
            )
            .select_from(
                entry_places.join(entries, entries.c.update_id == entry_places.c.update_id)
            )
            .where(
                entry_places.c.place_id == place_id,
                entry_places.c.kind == str(UpdateKind.CONTROL),
                entry_places.c.party_id == DESK,
                entry_places.c.retracted.is_(False),
            )
        )
        if before is not None:
            stmt = stmt.where(entry_places.c.sort_at < before)
        stmt = stmt.order_by(entry_places.c.sort_at.desc(), entry_places.c.update_id.desc())
        current: tuple[Any, Any] | None = None
        since: Any = None
        offset, batch = 0, 20
        while True:
            rows = self.conn.execute(stmt.limit(batch).offset(offset)).all()
            for row in rows:
                holder = (row.holder, row.holder_party_id)
                if current is None:
                    current = holder
                elif holder != current:
                    return (
                        _event(since.event_start, since.event_end, since.precision, since.zone)
                        if since
                        else None
                    )
                since = row
            if len(rows) < batch:
                break
            offset += batch
            batch = min(batch * 4, 1000)
        return (
            _event(since.event_start, since.event_end, since.precision, since.zone)
            if since
            else None
        )

    def claimants_about(self, place_id: int) -> list[int]:
        rows = self.conn.execute(
            select(entry_places.c.party_id)
            .where(
                entry_places.c.place_id == place_id, entry_places.c.kind == str(UpdateKind.CLAIM)
            )
            .distinct()
        )
        return [r[0] for r in rows]

    def recent_about(
        self, place_id: int, kind: UpdateKind, before: datetime | None, limit: int
    ) -> list[int]:
        """IDs of the latest live desk entries of a kind about a place, newest first."""
        stmt = select(entry_places.c.update_id).where(
            entry_places.c.place_id == place_id,
            entry_places.c.kind == str(kind),
            entry_places.c.party_id == DESK,
            entry_places.c.retracted.is_(False),
        )
        if before is not None:
            stmt = stmt.where(entry_places.c.sort_at < before)
        stmt = stmt.order_by(entry_places.c.sort_at.desc(), entry_places.c.update_id.desc()).limit(
            limit
        )
        return [r[0] for r in self.conn.execute(stmt)]

    def links_to(self, ids: Iterable[int]) -> dict[int, list[LinkFrom]]:
        """Live entries that corroborate or refute each of `ids`."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = self.conn.execute(
            select(
                links.c.to_id,
                links.c.relation,
                entries.c.update_id,
                entries.c.kind,
                entries.c.party_ids,
            )
            .select_from(links.join(entries, entries.c.update_id == links.c.from_id))
            .where(links.c.to_id.in_(wanted), entries.c.retracted.is_(False))
            .order_by(entries.c.update_id)
        ).all()
        sides = self._sides({pid for r in rows for pid in (r.party_ids or ())})
        found: dict[int, list[LinkFrom]] = {}
        for r in rows:
            found.setdefault(r.to_id, []).append(
                LinkFrom(
                    r.relation,
                    r.update_id,
                    UpdateKind(r.kind),
                    tuple(sides[p] for p in (r.party_ids or ()) if p in sides)
                    if r.kind == str(UpdateKind.CLAIM)
                    else (),
                )
            )
        return found

    def _sides(self, party_ids: set[int]) -> dict[int, str]:
        if not party_ids:
            return {}
        return dict(
            self.conn.execute(
                select(parties.c.id, parties.c.side).where(parties.c.id.in_(party_ids))
            ).all()
        )

    def ceasefire_events(self, conflict_id: int, before: datetime | None) -> list[Entry]:
        """Every live ceasefire event of a conflict, in order (the briefing's and
        tests' full view; the picture reads `ceasefire_key_events`)."""
        stmt = select(entries.c.update_id).where(
            entries.c.conflict_id == conflict_id,
            entries.c.kind == str(UpdateKind.CEASEFIRE),
            entries.c.retracted.is_(False),
        )
        if before is not None:
            stmt = stmt.where(entries.c.sort_at < before)
        ids = [r[0] for r in self.conn.execute(stmt)]
        found = self.entries(ids)
        return sorted(found.values(), key=lambda e: (e.sort_at, e.id))

    def ceasefire_key_events(
        self, conflict_id: int, before: datetime | None
    ) -> dict[int, tuple[list[Entry], int]]:
        """For each ceasefire of a conflict, the events that decide its summary —
        the first of each state, the first that gives an effective time, the
        latest — and how many violations were reported. One statement of index
        probes, however many violations the war has seen."""
        statement = _key_events_statement(before is not None)
        params: dict[str, Any] = {"conflict_id": conflict_id}
        if before is not None:
            params["before"] = before
        rows = self.conn.execute(statement, params).all()
        wanted = {i for row in rows for i in row[1:-1] if i is not None}
        found = self.entries(wanted)
        out: dict[int, tuple[list[Entry], int]] = {}
        for row in rows:
            ids = {i for i in row[1:-1] if i is not None}
            events = sorted((found[i] for i in ids if i in found), key=lambda e: (e.sort_at, e.id))
            out[row[0]] = (events, int(row[-1] or 0))
        return out

    def latest_violations(
        self, ceasefire_id: int, before: datetime | None, limit: int = 10
    ) -> list[Entry]:
        stmt = select(entries.c.update_id).where(
            entries.c.ceasefire_id == ceasefire_id,
            entries.c.retracted.is_(False),
            entries.c.ceasefire_state == str(CeasefireState.VIOLATED),
        )
        if before is not None:
            stmt = stmt.where(entries.c.sort_at < before)
        ids = [
            r[0]
            for r in self.conn.execute(
                stmt.order_by(entries.c.sort_at.desc(), entries.c.update_id.desc()).limit(limit)
            )
        ]
        found = self.entries(ids)
        return sorted((found[i] for i in ids if i in found), key=lambda e: (e.sort_at, e.id))

    def first_event(self, conflict_id: int) -> datetime | None:
        """When the conflict's earliest recorded event happened."""
        return self.conn.execute(
            select(func.min(entries.c.sort_at)).where(entries.c.conflict_id == conflict_id)
        ).scalar()

    def latest_slots(self, conflict_id: int) -> list[tuple[int, int, int]]:
        """(place_id, slot, update_id) of every current slot of the conflict."""
        rows = self.conn.execute(
            select(place_latest.c.place_id, place_latest.c.slot, place_latest.c.update_id)
            .select_from(
                place_latest.join(entries, entries.c.update_id == place_latest.c.update_id)
            )
            .where(entries.c.conflict_id == conflict_id)
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def recorded_since(
        self,
        conflict_id: int,
        kinds: Sequence[UpdateKind],
        since: datetime | None,
        *,
        until: datetime | None = None,
        party_id: int | None = None,
        place_id: int | None = None,
        speaker_norm: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Entry], int]:
        """Live entries recorded in [since, until), newest first; and how many in all."""
        base = select(entries.c.update_id).where(
            entries.c.conflict_id == conflict_id,
            entries.c.kind.in_([str(k) for k in kinds]),
            entries.c.retracted.is_(False),
        )
        if since is not None:
            base = base.where(entries.c.recorded_at >= since)
        if until is not None:
            base = base.where(entries.c.recorded_at < until)
        if place_id is not None:
            base = base.where(
                entries.c.update_id.in_(
                    select(entry_places.c.update_id).where(entry_places.c.place_id == place_id)
                )
            )
        if speaker_norm is not None:
            base = base.where(func.lower(entries.c.speaker) == speaker_norm)
        if party_id is not None:
            base = base.where(
                entries.c.update_id.in_(
                    select(entry_parties.c.update_id).where(entry_parties.c.party_id == party_id)
                )
            )
        total = int(
            self.conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        )
        page = (
            base.order_by(entries.c.recorded_at.desc(), entries.c.update_id.desc())
            .limit(limit)
            .offset(offset)
        )
        ids = [r[0] for r in self.conn.execute(page)]
        found = self.entries(ids)
        return [found[i] for i in ids if i in found], total
