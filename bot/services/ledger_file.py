"""The ledger file (YAML or JSON, format `sitrep-ledger/1`): import it
all-or-nothing, naming the record and field of any error; export the ledger in
the same format, so that export then import gives the same picture."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.domain import commands as cmd
from bot.domain.errors import ImportFailed, ParseError, SitrepError
from bot.domain.model import CeasefireState, Confidence, PlaceKind, Stance, UpdateKind
from bot.domain.times import format_spec, parse_time_spec
from bot.services.context import Actor, Context
from bot.services.revisions import correct_in, retract_in
from bot.services.writes import Drafter, append_entry
from bot.store.ledger import _event
from bot.store.uow import Tx

FORMAT = "sitrep-ledger/1"
# libyaml's loader when PyYAML was built with it: ten times faster on the demo file.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
T = TypeVar("T")


class _Where:
    """Names the record being read, for error messages: conflicts[0].places[3] (“Hadrut”)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def at(self, part: str) -> _Where:
        return _Where(f"{self.path}.{part}" if self.path else part)

    def fail(self, message: str) -> ImportFailed:
        return ImportFailed(f"{self.path}: {message}")


def _get(
    record: dict[str, Any], key: str, where: _Where, kind: type[T], required: bool = True
) -> T | None:
    if key not in record or record[key] is None:
        if required:
            raise where.fail(f"{key} is missing")
        return None
    value = record[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise where.fail(f"{key} should be a {kind.__name__}, not {type(value).__name__} {value!r}")
    if isinstance(value, str) and not value.strip():
        raise where.fail(f"{key} is empty")
    return value


def _strings(record: dict[str, Any], key: str, where: _Where) -> tuple[str, ...]:
    value = record.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.fail(f"{key} should be a list of names")
    return tuple(value)


def _choice(
    record: dict[str, Any],
    key: str,
    where: _Where,
    enum: Callable[[str], T],
    required: bool = False,
) -> T | None:
    raw = _get(record, key, where, str, required)
    if raw is None:
        return None
    value = raw.strip().lower().replace("-", " ")
    if value == "medium":
        value = "moderate"
    try:
        return enum(value)
    except ValueError:
        raise where.fail(f"{key}: {raw!r} is not allowed") from None


def read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read it ({exc.strerror})") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_LOADER)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ImportFailed(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFailed(
            f"{path}: not a Sitrep ledger file (it must start with `format: {FORMAT}`)"
        )
    return data


def import_file(ctx: Context, path: Path, actor: Actor | None = None) -> dict[str, int]:
    """Load a ledger file in one transaction; returns counts of what was loaded."""
    data = read_file(path)
    return import_data(ctx, data, actor or Actor("import", console=True))


def import_data(ctx: Context, data: dict[str, Any], actor: Actor) -> dict[str, int]:
    counts = {"conflicts": 0, "parties": 0, "places": 0, "ceasefires": 0, "updates": 0}
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        conflicts = data.get("conflicts")
        if not isinstance(conflicts, list) or not conflicts:
            raise ImportFailed("conflicts: the file lists no conflict")
        for i, record in enumerate(conflicts):
            where = _Where(f"conflicts[{i}]")
            if not isinstance(record, dict):
                raise where.fail("should be a mapping")
            _load_conflict(tx, ctx, record, where, actor, now, counts)
    return counts


def _load_conflict(
    tx: Tx,
    ctx: Context,
    record: dict[str, Any],
    where: _Where,
    actor: Actor,
    now: datetime,
    counts: dict[str, int],
) -> None:
    name = _get(record, "name", where, str)
    assert name is not None
    where = _Where(f"{where.path} (“{name}”)")
    zone = _get(record, "timezone", where, str, required=False) or ctx.default_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.fail(f"timezone: {zone!r} is not an IANA time zone") from None
    if tx.catalog.exact("conflict", name, None):
        raise where.fail("a conflict of this name is already in the ledger")
    conflict = tx.catalog.add_conflict(name, zone, _strings(record, "aliases", where), now)
    counts["conflicts"] += 1
    for i, party in enumerate(record.get("parties") or []):
        w = where.at(f"parties[{i}]")
        party_name = _get(party, "name", w, str)
        assert party_name is not None
        if tx.catalog.exact("party", party_name, conflict.id):
            raise w.fail(f"the party {party_name!r} is listed twice")
        side = _get(party, "side", w, str, required=False) or party_name
        tx.catalog.add_party(conflict.id, party_name, side, _strings(party, "aliases", w))
        counts["parties"] += 1
    place_ids: dict[str, int] = {}
    for i, place in enumerate(record.get("places") or []):
        w = where.at(f"places[{i}]")
        place_name = _get(place, "name", w, str)
        assert place_name is not None
        w = _Where(f"{w.path} (“{place_name}”)")
        if place_name in place_ids:
            raise w.fail("this place is listed twice")
        kind = _choice(place, "kind", w, PlaceKind, required=True)
        parent = _get(place, "parent", w, str, required=False)
        if parent is not None and parent not in place_ids:
            raise w.fail(f"parent: {parent!r} is not a place listed before this one")
        lat = _get(place, "lat", w, float, required=False)
        lon = _get(place, "lon", w, float, required=False)
        if lat is not None and not -90 <= lat <= 90:
            raise w.fail(f"lat: {lat} is not a latitude")
        if lon is not None and not -180 <= lon <= 180:
            raise w.fail(f"lon: {lon} is not a longitude")
        by_side = place.get("names_by_side") or {}
        if not isinstance(by_side, dict) or not all(isinstance(v, str) for v in by_side.values()):
            raise w.fail("names_by_side should map a side to a name")
        created = tx.catalog.add_place(
            conflict.id,
            {
                "name": place_name,
                "kind": kind,
                "lat": lat,
                "lon": lon,
                "parent_id": place_ids[parent] if parent else None,
                "aliases": list(_strings(place, "aliases", w)),
                "names_by_side": {str(k): v for k, v in by_side.items()},
            },
        )
        place_ids[place_name] = created.id
        counts["places"] += 1
    for i, ceasefire in enumerate(record.get("ceasefires") or []):
        w = where.at(f"ceasefires[{i}]")
        cf_name = _get(ceasefire, "name", w, str)
        assert cf_name is not None
        tx.catalog.add_ceasefire(
            conflict.id,
            cf_name,
            _strings(ceasefire, "aliases", w),
            _strings(ceasefire, "parties", w),
            _strings(ceasefire, "mediators", w),
        )
        counts["ceasefires"] += 1
    refs: dict[str, int] = {}
    for i, update in enumerate(record.get("updates") or []):
        w = where.at(f"updates[{i}]")
        if not isinstance(update, dict):
            raise w.fail("should be a mapping")
        ref = str(update.get("ref") or f"#{i}")
        w = _Where(f"{w.path} (ref {ref})")
        if ref in refs:
            raise w.fail("ref is used twice")
        try:
            refs[ref] = _load_update(
                tx, ctx, conflict.name, update, w, refs, actor, now + timedelta(microseconds=i)
            )
        except ImportFailed:
            raise
        except SitrepError as exc:
            raise w.fail(exc.message) from exc
        counts["updates"] += 1


def _spec(record: dict[str, Any], key: str, where: _Where) -> Any:
    raw = record.get(key)
    if raw is None:
        return None
    try:
        return parse_time_spec(str(raw))
    except ParseError as exc:
        raise where.fail(f"{key}: {exc.message}") from exc


def _refs(record: dict[str, Any], key: str, where: _Where, refs: dict[str, int]) -> tuple[int, ...]:
    found = []
    for ref in _strings(record, key, where):
        if ref not in refs:
            raise where.fail(f"{key}: {ref!r} is not the ref of an earlier update")
        found.append(refs[ref])
    return tuple(found)


def _load_update(
    tx: Tx,
    ctx: Context,
    conflict_name: str,
    record: dict[str, Any],
    where: _Where,
    refs: dict[str, int],
    actor: Actor,
    default_recorded: datetime,
) -> int:
    kind = _choice(record, "kind", where, UpdateKind, required=True)
    recorded_at = default_recorded
    if record.get("recorded_at") is not None:
        raw = record["recorded_at"]
        value = raw if isinstance(raw, datetime) else None
        if value is None:
            try:
                value = datetime.fromisoformat(str(raw))
            except ValueError:
                raise where.fail(
                    f"recorded_at: {raw!r} is not an ISO time with its offset"
                ) from None
        if value.tzinfo is None:
            raise where.fail("recorded_at needs its UTC offset")
        recorded_at = value
    who = Actor(str(record.get("recorded_by") or actor.user_id), console=True)
    conflict = tx.catalog.conflict(tx.catalog.exact("conflict", conflict_name, None)[0].entity_id)
    if kind in (UpdateKind.CORRECTION, UpdateKind.RETRACTION):
        target_ref = _get(record, "target", where, str)
        assert target_ref is not None
        if target_ref not in refs:
            raise where.fail(f"target: {target_ref!r} is not the ref of an earlier update")
        if kind == UpdateKind.CORRECTION:
            changes = record.get("changes")
            if not isinstance(changes, dict) or not changes:
                raise where.fail("changes should map each corrected field to its new value")
            pairs = tuple(
                (str(k), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
                for k, v in changes.items()
            )
            done = correct_in(
                tx,
                ctx,
                cmd.CorrectUpdate(refs[target_ref], pairs),
                who,
                recorded_at,
                names_first=True,
            )
        else:
            reason = _get(record, "reason", where, str, required=False)
            done = retract_in(tx, cmd.RetractUpdate(refs[target_ref], reason), who, recorded_at)
        assert done.update_id is not None
        return done.update_id
    common = cmd.Common(
        about=_strings(record, "about", where),
        note=_get(record, "note", where, str, required=False),
        corroborates=_refs(record, "corroborates", where, refs),
        refutes=_refs(record, "refutes", where, refs),
        when=_spec(record, "when", where),
        sources=_strings(record, "sources", where),
    )
    drafter = Drafter(tx, conflict, who, recorded_at, names_first=True)
    if kind == UpdateKind.CONTROL:
        draft = drafter.control(
            cmd.ControlUpdate(
                place=_get(record, "place", where, str) or "",
                holder=_get(record, "holder", where, str) or "",
                confidence=_choice(record, "confidence", where, Confidence),
                common=common,
            )
        )
    elif kind == UpdateKind.CLAIM:
        parties = _strings(record, "parties", where) or _strings(record, "party", where)
        if not parties:
            raise where.fail("parties is missing")
        draft = drafter.claim(
            cmd.ClaimUpdate(
                parties=parties,
                text=_get(record, "text", where, str) or "",
                speaker=_get(record, "speaker", where, str, required=False),
                stance=_choice(record, "stance", where, Stance),
                holder=_get(record, "holder", where, str, required=False),
                common=common,
            )
        )
    elif kind == UpdateKind.CEASEFIRE:
        state = _choice(record, "state", where, CeasefireState, required=True)
        assert state is not None
        draft, _ = drafter.ceasefire(
            cmd.CeasefireUpdate(
                name=_get(record, "ceasefire", where, str) or "",
                state=state,
                parties=_strings(record, "parties", where),
                mediators=_strings(record, "mediators", where),
                effective=_spec(record, "effective", where),
                accused=_strings(record, "accused", where),
                accuser=_get(record, "accuser", where, str, required=False),
                common=common,
            )
        )
    elif kind == UpdateKind.NOTE:
        draft = drafter.note(cmd.NoteUpdate(_get(record, "text", where, str) or "", common))
    else:
        raise where.fail(
            f"kind: {kind} records are written as the conflict's parties or places, not updates"
        )
    return append_entry(tx, replace(draft, recorded_at=recorded_at)).id


# ---- export --------------------------------------------------------------------


def export_data(ctx: Context) -> dict[str, Any]:
    """The whole ledger in the import format: the catalog as it stands, then every
    update as first recorded, followed by its corrections and retractions."""
    out: dict[str, Any] = {"format": FORMAT, "conflicts": []}
    with ctx.uow.read() as tx:
        for conflict in tx.catalog.conflicts():
            parties = tx.catalog.parties(conflict.id)
            places = tx.catalog.places(conflict.id)
            ceasefires = tx.catalog.ceasefires(conflict.id)
            party_names = {p.id: p.name for p in parties}
            place_names = {p.id: p.name for p in places}
            cf_names = {c.id: c.name for c in ceasefires}
            record: dict[str, Any] = {
                "name": conflict.name,
                "aliases": list(conflict.aliases),
                "timezone": conflict.timezone,
                "parties": [
                    {"name": p.name, "side": p.side, "aliases": list(p.aliases)} for p in parties
                ],
                "places": [
                    {
                        k: v
                        for k, v in {
                            "name": p.name,
                            "kind": str(p.kind),
                            "lat": p.lat,
                            "lon": p.lon,
                            "parent": place_names.get(p.parent_id) if p.parent_id else None,
                            "aliases": list(p.aliases),
                            "names_by_side": dict(p.names_by_side),
                        }.items()
                        if v is not None
                    }
                    for p in _parents_first(places)
                ],
                "ceasefires": [
                    {
                        "name": c.name,
                        "aliases": list(c.aliases),
                        "parties": list(c.parties),
                        "mediators": list(c.mediators),
                    }
                    for c in ceasefires
                ],
                "updates": [],
            }
            for row in tx.ledger.all_updates(conflict.id):
                exported = _export_update(row, party_names, place_names, cf_names)
                if exported is not None:
                    record["updates"].append(exported)
            out["conflicts"].append(record)
    return out


def _parents_first(places: list[Any]) -> list[Any]:
    done: set[int] = set()
    ordered: list[Any] = []
    pending = list(places)
    while pending:
        rest = []
        for place in pending:
            if place.parent_id is None or place.parent_id in done:
                ordered.append(place)
                done.add(place.id)
            else:
                rest.append(place)
        if len(rest) == len(pending):  # a cycle cannot happen, but never loop forever
            ordered.extend(rest)
            break
        pending = rest
    return ordered


def _export_update(
    row: Any, parties: dict[int, str], places: dict[int, str], ceasefires: dict[int, str]
) -> dict[str, Any] | None:
    kind = row["kind"]
    base: dict[str, Any] = {
        "ref": f"u{row['id']}",
        "kind": kind,
        "recorded_at": row["recorded_at"].isoformat(),
        "recorded_by": row["recorded_by"],
    }
    body = row["body"] or {}
    if kind == str(UpdateKind.CORRECTION):
        return {**base, "target": f"u{row['target_id']}", "changes": body.get("changes", {})}
    if kind == str(UpdateKind.RETRACTION):
        return {
            **base,
            "target": f"u{row['target_id']}",
            **({"reason": body["reason"]} if body.get("reason") else {}),
        }
    if kind not in (
        str(UpdateKind.CONTROL),
        str(UpdateKind.CLAIM),
        str(UpdateKind.CEASEFIRE),
        str(UpdateKind.NOTE),
    ):
        return None  # places, parties and conflicts are exported as the catalog
    out = dict(base)
    out["when"] = format_spec(
        _event(row["event_start"], row["event_end"], row["precision"], row["zone"])
    )
    out["sources"] = list(row["sources"] or [])
    if body.get("about_ids"):
        out["about"] = [places[i] for i in body["about_ids"]]
    if body.get("corroborates"):
        out["corroborates"] = [f"u{i}" for i in body["corroborates"]]
    if body.get("refutes"):
        out["refutes"] = [f"u{i}" for i in body["refutes"]]
    if body.get("note"):
        out["note"] = body["note"]
    if kind == str(UpdateKind.CONTROL):
        out["place"] = places[body["place_id"]]
        out["holder"] = (
            parties[body["holder_party_id"]] if body.get("holder") == "party" else body["holder"]
        )
        if body.get("confidence"):
            out["confidence"] = body["confidence"]
    elif kind == str(UpdateKind.CLAIM):
        out["parties"] = [parties[i] for i in body.get("party_ids", [])]
        out["text"] = body.get("text", "")
        for key in ("speaker", "stance"):
            if body.get(key):
                out[key] = body[key]
        if body.get("holder_party_id"):
            out["holder"] = parties[body["holder_party_id"]]
    elif kind == str(UpdateKind.CEASEFIRE):
        out["ceasefire"] = ceasefires[body["ceasefire_id"]]
        out["state"] = body["ceasefire_state"]
        if body.get("effective"):
            out["effective"] = body["effective"]
        if body.get("accused_ids"):
            out["accused"] = [parties[i] for i in body["accused_ids"]]
        if body.get("accuser_party_id"):
            out["accuser"] = parties[body["accuser_party_id"]]
    else:
        out["text"] = body.get("text", "")
    return out


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
