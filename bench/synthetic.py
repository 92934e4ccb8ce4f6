"""Synthetic ledgers for benchmarks.

`generate` fills an empty database with a ledger of several conflicts: hundreds of
places per conflict (aliases with diacritics and a misspelling, names by side,
regions > districts > towns and villages), parties on two sides plus mediators and
observers, claims with stances that corroborate or refute earlier ones, control
assessments, ceasefires through their lifecycle, notes, corrections and retractions,
event times of every precision, recorded times increasing.

The rows are computed in Python with the store's own row builders and inserted in
bulk, so a million updates take minutes; yet the database is the one the normal
write path (`bot.services.dispatch.execute`, one update per transaction) leaves
behind. `replay` writes the same ledger that way; tests/test_synthetic.py compares.

Both paths consume one deterministic plan (`_Planner`): the same seed and options
give the same updates, with the same IDs.

    python bench/synthetic.py --updates 100000 --db sqlite:///bench/out/x.db
"""

from __future__ import annotations

import argparse
import bisect
import gc
import json
import multiprocessing
import queue
import sys
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from random import Random
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Dialect,
    Engine,
    Table,
    and_,
    func,
    insert,
    or_,
    select,
    text,
)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.domain import commands as cmd  # noqa: E402
from bot.domain.entries import Entry, EntryDraft  # noqa: E402
from bot.domain.model import (  # noqa: E402
    CONTESTED,
    OBSERVER,
    UNKNOWN,
    CeasefireState,
    Confidence,
    EventTime,
    PlaceKind,
    Precision,
    Stance,
    UpdateKind,
)
from bot.domain.names import normalize  # noqa: E402
from bot.domain.times import format_spec, parse_time_spec  # noqa: E402
from bot.services.context import Actor, Context, FixedClock  # noqa: E402
from bot.services.dispatch import execute  # noqa: E402
from bot.services.revisions import correct_in, retract_in  # noqa: E402
from bot.services.writes import append_entry, draft_body  # noqa: E402
from bot.store import migrate  # noqa: E402
from bot.store.catalog import Catalog  # noqa: E402
from bot.store.db import WRITE  # noqa: E402
from bot.store.ledger import _entry_row, link_rows, place_rows  # noqa: E402
from bot.store.schema import (  # noqa: E402
    UTCDateTime,
    conflicts,
    entries,
    entry_parties,
    entry_places,
    links,
    place_latest,
    updates,
)
from bot.store.uow import Tx, UnitOfWork  # noqa: E402

# Bump when the plan changes, so cached benchmark databases are rebuilt.
GENERATOR_VERSION = 3

START = datetime(2020, 9, 27, 4, 0, tzinfo=UTC)
MEAN_GAP_S = 30  # between two recorded updates, across all conflicts
LAG_MEAN_S = 6 * 3600  # how long after the event it is recorded, on average
LAG_MAX_S = 10 * 86400
ZONES = ("Asia/Baku", "Europe/Kyiv", "Africa/Khartoum", "Asia/Yangon", "America/Bogota")
DESK_USERS = tuple(f"U0DESK{n:02d}" for n in range(1, 9))

# Share of each kind among updates; the rest are claims.
P_CORRECTION = 0.025
P_RETRACTION = 0.012
P_CEASEFIRE = 0.02
P_CONTROL = 0.2
P_NOTE = 0.1


# ---- what a benchmark gets back ------------------------------------------------


@dataclass
class ConflictInfo:
    id: int
    name: str
    alias: str  # one word, for `conflict:<alias>`
    timezone: str


@dataclass
class PartyInfo:
    id: int
    conflict: str
    name: str
    side: str
    aliases: list[str]


@dataclass
class PlaceInfo:
    id: int
    conflict: str
    name: str
    kind: str
    parent: str | None
    aliases: list[str]  # [diacritic form, misspelling, …]
    names_by_side: dict[str, str]
    misspelling: str
    entries: int = 0  # how many ledger entries are about it


@dataclass
class SyntheticLedger:
    updates: int
    seed: int
    conflicts: list[ConflictInfo]
    parties: list[PartyInfo]
    places: list[PlaceInfo]
    ceasefires: list[str]
    first_recorded: datetime
    last_recorded: datetime
    counts: dict[str, int]  # updates by kind
    seconds: float  # how long generating took
    version: int = GENERATOR_VERSION

    def conflict_alias(self, conflict_name: str) -> str:
        return next(c.alias for c in self.conflicts if c.name == conflict_name)

    def hottest(self, n: int) -> list[PlaceInfo]:
        """The places with the most entries about them."""
        return sorted(self.places, key=lambda p: -p.entries)[:n]

    def to_json(self) -> str:
        data = asdict(self)
        data["first_recorded"] = self.first_recorded.isoformat()
        data["last_recorded"] = self.last_recorded.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> SyntheticLedger:
        data = json.loads(raw)
        data["conflicts"] = [ConflictInfo(**c) for c in data["conflicts"]]
        data["parties"] = [PartyInfo(**p) for p in data["parties"]]
        data["places"] = [PlaceInfo(**p) for p in data["places"]]
        data["first_recorded"] = datetime.fromisoformat(data["first_recorded"])
        data["last_recorded"] = datetime.fromisoformat(data["last_recorded"])
        return cls(**data)


# ---- the world: conflicts, parties, places ---------------------------------------

_ONSETS: tuple[str, ...] = (
    "b",
    "d",
    "g",
    "k",
    "l",
    "m",
    "n",
    "r",
    "s",
    "t",
    "v",
    "z",
    "sh",
    "kh",
    "gh",
    "ch",
)
_ONSETS += ("q", "h", "y", "j", "p", "f")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "ya", "ou", "ai")
_CODAS = ("", "", "", "n", "r", "l", "k", "t", "sh", "m", "z", "rd")
_SUFFIXES = ("", "", "", "", "kend", "abad", "avan", "shen", "li", "ovo", "pol", "dzor", "tagh")
# Letters written with diacritics in the other script's transliteration.
_DIACRITICS = (
    ("sh", "ş"),
    ("ch", "ç"),
    ("gh", "ğ"),
    ("e", "ə"),
    ("u", "ü"),
    ("o", "ö"),
    ("i", "ı"),
)
_VOWEL_LETTERS = set("aeiou")


@dataclass(eq=False)
class _Party:
    name: str
    side: str
    aliases: tuple[str, ...]
    role: str  # "a" | "b" (the two sides) | "third" | "observer"
    speakers: tuple[str, ...]
    id: int = 0


@dataclass(eq=False)
class _Place:
    name: str
    kind: PlaceKind
    parent: _Place | None
    aliases: tuple[str, ...]
    names_by_side: dict[str, str]
    misspelling: str
    lat: float
    lon: float
    weight: float
    id: int = 0
    children: list[_Place] = field(default_factory=list)


@dataclass(eq=False)
class _Conflict:
    name: str
    alias: str
    zone: str
    parties: list[_Party]
    places: list[_Place]
    tz: ZoneInfo = field(init=False)
    id: int = 0

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.zone)

    def role(self, role: str) -> list[_Party]:
        return [p for p in self.parties if p.role == role]


class _Names:
    """Fresh made-up names, no two alike once normalised (within the whole ledger)."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    @staticmethod
    def norm(name: str) -> str:
        return normalize(name)

    def word(self, syllables: int | None = None, suffix: bool = True) -> str:
        rng = self.rng
        while True:
            count = syllables or rng.choice((2, 2, 3))
            parts = [
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(count)
            ]
            word = "".join(parts) + (rng.choice(_SUFFIXES) if suffix else "")
            if 4 <= len(word) <= 16 and self.norm(word) not in self.used:
                return word.capitalize()

    def claim(self, *names: str) -> bool:
        """Reserve these names' normal forms, if none is taken."""
        norms = {self.norm(n) for n in names}
        if norms & self.used:
            return False
        self.used |= norms
        return True

    def diacritic(self, name: str) -> str:
        out = name.lower()
        for plain, marked in self.rng.sample(_DIACRITICS, 3):
            out = out.replace(plain, marked, 1)
        return out[:1].upper() + out[1:]

    def misspell(self, name: str) -> str:
        """A plausible typo: a vowel dropped or changed, or two letters swapped."""
        rng = self.rng
        letters = list(name)
        inner = [i for i in range(1, len(letters) - 1) if letters[i].isalpha()]
        how = rng.random()
        i = rng.choice(inner)
        if how < 0.4 and any(letters[j] in _VOWEL_LETTERS for j in inner):
            i = rng.choice([j for j in inner if letters[j] in _VOWEL_LETTERS])
            del letters[i]
        elif how < 0.7:
            letters[i] = rng.choice([v for v in "aeiouy" if v != letters[i]])
        elif i + 1 < len(letters) - 1:
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        else:
            letters.insert(i, letters[i])
        return "".join(letters)


def _make_place(
    names: _Names,
    kind: PlaceKind,
    parent: _Place | None,
    sides: tuple[str, str],
    weight: float,
    name: str | None = None,
    suffix: str = "",
) -> _Place:
    rng = names.rng
    norm = names.norm
    for attempt in range(50):
        base = name if name and attempt < 10 else names.word()
        full = f"{base} {suffix}".strip()
        other = f"{names.word()} {suffix}".strip() if rng.random() < 0.4 else None
        marked = f"{names.diacritic(base)} {suffix}".strip()
        typo = f"{names.misspell(base)} {suffix}".strip()
        distinct = [full, typo] + ([other] if other else [])
        if len({norm(n) for n in distinct}) < len(distinct):
            continue
        # The diacritic form may fold back to the name itself, but to no other place's.
        if names.claim(*distinct, *([marked] if norm(marked) not in map(norm, distinct) else [])):
            break
    else:
        raise RuntimeError("could not make up a fresh place name")
    by_side = {sides[0]: full, sides[1]: other} if other else {}
    aliases = tuple(dict.fromkeys(a for a in (marked, typo) if a != full))
    lat = 38.5 + rng.random() * 3 if parent is None else parent.lat + rng.uniform(-0.3, 0.3)
    lon = 45.0 + rng.random() * 4 if parent is None else parent.lon + rng.uniform(-0.3, 0.3)
    place = _Place(full, kind, parent, aliases, by_side, typo, round(lat, 5), round(lon, 5), weight)
    if parent is not None:
        parent.children.append(place)
    return place


def _make_conflict(names: _Names, index: int, places_per_conflict: int) -> _Conflict:
    rng = names.rng
    a, b = names.word(2, suffix=False) + "ia", names.word(2, suffix=False) + "an"
    while not names.claim(a, b):
        a, b = names.word(2, suffix=False) + "ia", names.word(2, suffix=False) + "an"
    parties: list[_Party] = []

    def speakers() -> tuple[str, ...]:
        return tuple(f"{names.word(2, False)} {names.word(2, False)}" for _ in range(3))

    for main, role in ((a, "a"), (b, "b")):
        ally = f"{names.word(2, False)} People's Front"
        names.claim(ally)
        parties.append(
            _Party(main, main, (f"Republic of {main}", main[:3].upper()), role, speakers())
        )
        parties.append(_Party(ally, main, (), role, speakers()))
    for _ in range(2):
        third = names.word(2, False) + "stan"
        names.claim(third)
        parties.append(_Party(third, third, (), "third", speakers()))
    for label in ("Monitoring Mission", "Field Reporters", "Rights Watch"):
        observer = f"{names.word(2, False)} {label}"
        names.claim(observer)
        parties.append(_Party(observer, OBSERVER, (), "observer", speakers()))

    sides = (a, b)
    n_regions = max(2, places_per_conflict // 60)
    n_districts = max(3, places_per_conflict // 12)
    places: list[_Place] = []
    regions = [
        _make_place(names, PlaceKind.REGION, None, sides, 0.01, suffix="Region")
        for _ in range(n_regions)
    ]
    places += regions
    seats: list[tuple[_Place, str]] = []
    for _ in range(n_districts):
        seat = names.word()
        district = _make_place(
            names, PlaceKind.DISTRICT, rng.choice(regions), sides, 0.02, seat, "District"
        )
        places.append(district)
        seats.append((district, district.name.removesuffix(" District")))
    # Popularity falls off with rank: a few front-line towns get most of the reports.
    rest = places_per_conflict - len(places)
    ranks = list(range(rest))
    rng.shuffle(ranks)
    for i in range(rest):
        weight = 1.0 / (ranks[i] + 5)
        if i < len(seats):
            district, seat = seats[i]
            kind = PlaceKind.CITY if rng.random() < 0.3 else PlaceKind.TOWN
            places.append(_make_place(names, kind, district, sides, weight, seat))
            continue
        district = rng.choice(seats)[0]
        roll = rng.random()
        if roll < 0.015:
            seat = district.name.removesuffix(" District")
            corridor = _make_place(
                names, PlaceKind.CORRIDOR, district, sides, weight, seat, "corridor"
            )
            places.append(corridor)
        elif roll < 0.06:
            site = rng.choice(("Airfield", "Bridge", "Heights", "Dam", "Pass"))
            places.append(_make_place(names, PlaceKind.SITE, district, sides, weight, suffix=site))
        else:
            kind = PlaceKind.VILLAGE if roll < 0.7 else PlaceKind.TOWN
            places.append(_make_place(names, kind, district, sides, weight))
    name = f"{a}–{b} war"
    alias = f"{a[:1]}{b[:1]}W{index + 1}"
    names.claim(name, alias)
    return _Conflict(name, alias, ZONES[index % len(ZONES)], parties, places)


def _make_world(seed: int, conflicts_: int, places_per_conflict: int) -> list[_Conflict]:
    names = _Names(Random(f"world-{seed}"))
    return [_make_conflict(names, i, places_per_conflict) for i in range(conflicts_)]


def _create_catalog(catalog: Catalog, world: list[_Conflict]) -> None:
    """The same catalog calls for both paths, so every ID matches."""
    for conflict in world:
        conflict.id = catalog.add_conflict(
            conflict.name, conflict.zone, (conflict.alias,), START
        ).id
        for party in conflict.parties:
            party.id = catalog.add_party(conflict.id, party.name, party.side, party.aliases).id
        for place in conflict.places:
            place.id = catalog.add_place(
                conflict.id,
                {
                    "name": place.name,
                    "kind": place.kind,
                    "lat": place.lat,
                    "lon": place.lon,
                    "parent_id": place.parent.id if place.parent else None,
                    "aliases": list(place.aliases),
                    "names_by_side": place.names_by_side,
                },
            ).id


# ---- the plan: one update after another ------------------------------------------


@dataclass(slots=True)
class Op:
    """One update as planned: resolved IDs for the bulk path, names for the replay."""

    id: int
    conflict: _Conflict
    kind: UpdateKind
    recorded_at: datetime
    recorded_by: str
    event: EventTime | None = None
    sources: tuple[str, ...] = ()
    about: tuple[_Place, ...] = ()
    note: str | None = None
    corroborates: tuple[int, ...] = ()
    refutes: tuple[int, ...] = ()
    place: _Place | None = None
    holder: str | None = None  # control: "party" | contested | unknown
    holder_party: _Party | None = None
    confidence: Confidence | None = None
    parties: tuple[_Party, ...] = ()
    speaker: str | None = None
    text: str | None = None
    stance: Stance | None = None
    ceasefire: str | None = None
    state: CeasefireState | None = None
    cf_parties: tuple[_Party, ...] = ()  # given when the event creates the ceasefire
    cf_mediators: tuple[_Party, ...] = ()
    effective: EventTime | None = None
    accused: tuple[_Party, ...] = ()
    accuser: _Party | None = None
    # corrections and retractions
    target: int | None = None
    changes: tuple[tuple[str, str], ...] = ()  # field:value as typed
    values: dict[str, Any] = field(default_factory=dict)  # the same, resolved
    reason: str | None = None


@dataclass(slots=True)
class _Rec:
    """What the plan remembers of a recent entry, to correct or retract it."""

    id: int
    conflict: _Conflict
    kind: UpdateKind
    event: EventTime
    recorded_at: datetime
    stance: Stance | None = None
    about: tuple[_Place, ...] = ()
    holder: str | None = None
    confidence: Confidence | None = None
    retracted: bool = False


@dataclass(slots=True)
class _ClaimRef:
    id: int
    side: str  # the claimant's side (observers: "observer")
    stance: Stance
    holder_side: str


@dataclass(slots=True)
class _CeasefireRun:
    name: str
    state: CeasefireState


_CLAIM_ASSERT = (
    "{party} forces have taken full control of {places}.",
    "{places} remain firmly in {party}'s hands.",
    "Units of {party} entered {places} this morning.",
)
_CLAIM_ADMIT = ("{holder} troops have entered {places}; our forces withdrew to new positions.",)
_CLAIM_DENY = (
    "Reports that {holder} took {places} are false.",
    "{places} are not under {holder} control, contrary to what the other side says.",
)
_CLAIM_OTHER = (
    "{n} civilians were wounded by shelling in {places}.",
    "Our air defence shot down {n} drones over {places}.",
    "The enemy used cluster munitions against {places}.",
    "{n} enemy armoured vehicles were destroyed near {places}.",
)
_CLAIM_GENERAL = (
    "The other side is preparing a provocation along the whole front.",
    "Foreign fighters are taking part in the fighting.",
    "{n} servicemen were killed since the start of the week.",
)
_NOTES = (
    "Power cut in {places} since the morning.",
    "Roads to {places} closed by checkpoints.",
    "Our reporter on site heard heavy shelling near {places}.",
    "Geolocated video shows the flag raised in {places}.",
)
_OUTLETS = ("Defence Ministry briefing", "State news agency", "Field Reporters wire", "Local TV")
_REASONS = ("duplicate of an earlier update", "source withdrew the report", "wrong place")


class _Planner:
    def __init__(
        self,
        world: list[_Conflict],
        updates_: int,
        seed: int,
        corrections: float,
        retractions: float,
        revise_window: int,
    ) -> None:
        self.world = world
        self.total = updates_
        self.rng = Random(f"plan-{seed}")
        self.p_correction = corrections
        self.p_retraction = retractions
        self.revise_window = revise_window
        self.recent: deque[_Rec] = deque()
        self.retracted: set[int] = set()
        self.claims_about: dict[int, deque[_ClaimRef]] = {}
        self.holders: dict[int, _Party | str] = {}
        self.ceasefires: dict[int, _CeasefireRun | None] = {id(c): None for c in world}
        self.ceasefire_count = Counter[int]()
        self.ceasefire_names: list[str] = []
        self.ceasefire_floor: dict[int, datetime] = {}
        self.about_count = Counter[int]()
        self.counts = Counter[str]()
        self.times: dict[tuple[str, str], EventTime] = {}
        self.cum: dict[int, list[float]] = {}
        for conflict in world:
            total = 0.0
            cum = []
            for place in conflict.places:
                total += place.weight
                cum.append(total)
            self.cum[id(conflict)] = cum
        self.last_recorded = START

    # ---- small choices -------------------------------------------------------

    def place(self, conflict: _Conflict) -> _Place:
        cum = self.cum[id(conflict)]  # as `Random.choices` with cum_weights, without its overhead
        return conflict.places[bisect.bisect(cum, self.rng.random() * cum[-1], 0, len(cum) - 1)]

    def places(self, conflict: _Conflict, most: int) -> tuple[_Place, ...]:
        count = (
            1 if most == 1 else self.rng.choices(range(1, most + 1), weights=(8, 3, 1)[:most])[0]
        )
        return tuple(dict.fromkeys(self.place(conflict) for _ in range(count)))

    def sources(self, conflict: _Conflict, op_id: int) -> tuple[str, ...]:
        rng = self.rng
        first = f"https://news.example/{conflict.alias.lower()}/{op_id}"
        if rng.random() < 0.4:
            return (first, f"{rng.choice(_OUTLETS)}, {self.last_recorded:%d %b %Y}")
        return (first,)

    def when(
        self, conflict: _Conflict, recorded: datetime, lag_mean: float = LAG_MEAN_S
    ) -> EventTime:
        """An event time before `recorded`, at one of the precisions people give."""
        rng = self.rng
        lag = min(rng.expovariate(1 / lag_mean), LAG_MAX_S)
        point = recorded - timedelta(seconds=lag)
        roll = rng.random()
        if roll < 0.6:
            start = point.replace(second=0, microsecond=0)
            return EventTime(start, start + timedelta(minutes=1), Precision.MINUTE, conflict.zone)
        local = point.astimezone(conflict.tz)
        if roll < 0.7:
            spec = f"{local:%Y-%m-%dT%H}"
        elif roll < 0.88:
            spec = f"{local:%Y-%m-%d}"
        elif roll < 0.94:
            spec = f"~{local:%Y-%m-%d}"
        else:
            first = local - timedelta(days=rng.randint(1, 3))
            spec = f"{first:%Y-%m-%d}..{local:%Y-%m-%d}"
        key = (conflict.zone, spec)
        event = self.times.get(key)
        if event is None:
            event = parse_time_spec(spec).resolve(conflict.zone, recorded)
            self.times[key] = event
        return event

    def text(self, template: str, places: tuple[_Place, ...], **names: str) -> str:
        return template.format(
            places=", ".join(p.name for p in places), n=self.rng.randint(2, 40), **names
        )

    # ---- the stream ------------------------------------------------------------

    def ops(self) -> Iterator[Op]:
        rng = self.rng
        recorded = START
        for op_id in range(1, self.total + 1):
            recorded += timedelta(seconds=1 + int(rng.expovariate(1 / (MEAN_GAP_S - 1))))
            self.last_recorded = recorded
            who = rng.choice(DESK_USERS)
            while self.recent and self.recent[0].id < op_id - self.revise_window:
                self.recent.popleft()
            roll = rng.random()
            op: Op | None = None
            if roll < self.p_correction + self.p_retraction and self.recent:
                target = self.recent[rng.randrange(len(self.recent))]
                if not target.retracted:
                    if roll < self.p_correction:
                        op = self.correction(op_id, target, recorded, who)
                    else:
                        op = self.retraction(op_id, target, recorded, who)
            if op is None:
                conflict = rng.choice(self.world)
                roll = rng.random()
                if roll < P_CEASEFIRE:
                    op = self.ceasefire(op_id, conflict, recorded, who)
                elif roll < P_CEASEFIRE + P_CONTROL:
                    op = self.control(op_id, conflict, recorded, who)
                elif roll < P_CEASEFIRE + P_CONTROL + P_NOTE:
                    op = self.note_op(op_id, conflict, recorded, who)
                else:
                    op = self.claim(op_id, conflict, recorded, who)
                assert op.event is not None
                place_ids = ((op.place,) if op.place else ()) + op.about
                for place in dict.fromkeys(place_ids):
                    self.about_count[place.id] += 1
                self.recent.append(
                    _Rec(
                        op_id,
                        conflict,
                        op.kind,
                        op.event,
                        recorded,
                        op.stance,
                        op.about,
                        op.holder,
                        op.confidence,
                    )
                )
            self.counts[str(op.kind)] += 1
            yield op

    def claim(self, op_id: int, conflict: _Conflict, recorded: datetime, who: str) -> Op:
        rng = self.rng
        roll = rng.random()
        role = "a" if roll < 0.45 else "b" if roll < 0.9 else "observer"
        own = conflict.role(role)
        claimant = own[0] if rng.random() < 0.7 else rng.choice(own)
        parties: tuple[_Party, ...] = (claimant,)
        if role != "observer" and rng.random() < 0.1:
            parties = tuple(dict.fromkeys((claimant, *own)))
        enemy = conflict.role("b" if role == "a" else "a")[0]
        speaker = rng.choice(claimant.speakers) if rng.random() < 0.4 else None
        op = Op(op_id, conflict, UpdateKind.CLAIM, recorded, who, parties=parties, speaker=speaker)
        op.event = self.when(conflict, recorded)
        op.sources = self.sources(conflict, op_id)
        if rng.random() < 0.55:
            op.about = self.places(conflict, 3)
            if role == "observer":
                op.stance = Stance.ASSERTS
                op.holder_party = conflict.role(rng.choice("ab"))[0]
                op.text = self.text(rng.choice(_CLAIM_ASSERT), op.about, party=op.holder_party.name)
            elif rng.random() < 0.6:
                op.stance = Stance.ASSERTS
                if rng.random() < 0.12:
                    op.holder_party = enemy
                    op.text = self.text(rng.choice(_CLAIM_ADMIT), op.about, holder=enemy.name)
                else:
                    op.text = self.text(rng.choice(_CLAIM_ASSERT), op.about, party=claimant.name)
            else:
                op.stance = Stance.DENIES
                op.holder_party = enemy
                op.text = self.text(rng.choice(_CLAIM_DENY), op.about, holder=enemy.name)
            self.link_claims(op, claimant.side if role != "observer" else OBSERVER)
            holder_side = (op.holder_party or claimant).side
            for place in op.about:
                refs = self.claims_about.setdefault(place.id, deque(maxlen=6))
                refs.append(_ClaimRef(op_id, claimant.side, op.stance, holder_side))
        elif rng.random() < 0.7:
            op.about = self.places(conflict, 2)
            op.text = self.text(rng.choice(_CLAIM_OTHER), op.about)
        else:
            op.text = self.text(rng.choice(_CLAIM_GENERAL), ())
        if rng.random() < 0.05:
            op.note = "Statement repeated by the state news agency."
        return op

    def link_claims(self, op: Op, side: str) -> None:
        """A stance claim sometimes answers the latest claims about its first place."""
        rng = self.rng
        assert op.stance is not None
        refs = self.claims_about.get(op.about[0].id)
        if not refs or rng.random() > 0.25:
            return
        ref = refs[rng.randrange(len(refs))]
        if ref.id in self.retracted:
            return
        holder_side = (op.holder_party or op.parties[0]).side
        agrees = (ref.stance == op.stance) == (ref.holder_side == holder_side)
        if ref.side == side and agrees:
            op.corroborates = (ref.id,)
        elif ref.side != side and not agrees:
            op.refutes = (ref.id,)

    def control(self, op_id: int, conflict: _Conflict, recorded: datetime, who: str) -> Op:
        rng = self.rng
        place = self.place(conflict)
        current = self.holders.get(place.id)
        if current is None or rng.random() < 0.1:
            roll = rng.random()
            mains = (conflict.role("a")[0], conflict.role("b")[0])
            current = rng.choice(mains) if roll < 0.8 else CONTESTED if roll < 0.93 else UNKNOWN
            self.holders[place.id] = current
        op = Op(op_id, conflict, UpdateKind.CONTROL, recorded, who, place=place)
        if isinstance(current, _Party):
            op.holder, op.holder_party = "party", current
        else:
            op.holder = current
        op.confidence = rng.choice((None, *Confidence)) if rng.random() < 0.9 else None
        op.event = self.when(conflict, recorded)
        op.sources = self.sources(conflict, op_id)
        if rng.random() < 0.08 and place.parent is not None:
            siblings = [p for p in place.parent.children if p is not place]
            if siblings:
                op.about = (rng.choice(siblings),)
        if rng.random() < 0.3:
            op.note = "Confirmed by two independent sources on the ground."
        refs = self.claims_about.get(place.id)
        if refs and isinstance(current, _Party) and rng.random() < 0.25:
            backs: list[int] = []
            against: list[int] = []
            for ref in list(refs)[-2:]:
                if ref.id in self.retracted:
                    continue
                true = (ref.stance == Stance.ASSERTS) == (ref.holder_side == current.side)
                (backs if true else against).append(ref.id)
            op.corroborates, op.refutes = tuple(backs), tuple(against)
        return op

    def note_op(self, op_id: int, conflict: _Conflict, recorded: datetime, who: str) -> Op:
        rng = self.rng
        about = self.places(conflict, 2) if rng.random() < 0.85 else ()
        op = Op(op_id, conflict, UpdateKind.NOTE, recorded, who, about=about)
        op.text = (
            self.text(rng.choice(_NOTES), about)
            if about
            else "Communications down across the region."
        )
        op.event = self.when(conflict, recorded)
        op.sources = self.sources(conflict, op_id)
        refs = self.claims_about.get(about[0].id) if about else None
        if refs and rng.random() < 0.1:
            ref = refs[-1]
            if ref.id not in self.retracted:
                if rng.random() < 0.5:
                    op.corroborates = (ref.id,)
                else:
                    op.refutes = (ref.id,)
        return op

    def ceasefire(self, op_id: int, conflict: _Conflict, recorded: datetime, who: str) -> Op:
        rng = self.rng
        op = Op(op_id, conflict, UpdateKind.CEASEFIRE, recorded, who)
        op.event = self.when(conflict, recorded, LAG_MEAN_S / 6)
        # A ceasefire's story is told in order, and the next one starts after it:
        # no event may lie wholly before the conflict's latest ceasefire event.
        floor = self.ceasefire_floor.get(id(conflict))
        if floor is not None and op.event.end <= floor:
            op.event = EventTime(
                floor, floor + timedelta(minutes=1), Precision.MINUTE, conflict.zone
            )
        if floor is None or op.event.start > floor:
            self.ceasefire_floor[id(conflict)] = op.event.start
        op.sources = self.sources(conflict, op_id)
        run = self.ceasefires[id(conflict)]
        if run is None or run.state in (CeasefireState.COLLAPSED, CeasefireState.ENDED):
            self.ceasefire_count[id(conflict)] += 1
            seat = rng.choice([p for p in conflict.places if p.kind != PlaceKind.REGION])
            name = f"{seat.name} ceasefire {self.ceasefire_count[id(conflict)]}"
            state = CeasefireState.ANNOUNCED if rng.random() < 0.8 else CeasefireState.IN_EFFECT
            run = self.ceasefires[id(conflict)] = _CeasefireRun(name, state)
            self.ceasefire_names.append(name)
            op.cf_parties = (conflict.role("a")[0], conflict.role("b")[0])
            op.cf_mediators = tuple(rng.sample(conflict.role("third"), rng.randint(1, 2)))
            if state == CeasefireState.ANNOUNCED:
                start = op.event.start.replace(second=0) + timedelta(minutes=rng.randint(60, 720))
                op.effective = EventTime(
                    start, start + timedelta(minutes=1), Precision.MINUTE, conflict.zone
                )
        elif run.state == CeasefireState.ANNOUNCED:
            run.state = CeasefireState.IN_EFFECT
        else:
            roll = rng.random()
            if roll < 0.93:
                run.state = CeasefireState.VIOLATED
            elif roll < 0.96:
                run.state = CeasefireState.HOLDING
            elif roll < 0.99:
                run.state = CeasefireState.COLLAPSED
            else:
                run.state = CeasefireState.ENDED
        op.ceasefire, op.state = run.name, run.state
        if run.state == CeasefireState.VIOLATED:
            accuser_role = rng.choice("ab")
            op.accuser = conflict.role(accuser_role)[0]
            op.accused = (conflict.role("b" if accuser_role == "a" else "a")[0],)
            if rng.random() < 0.5:
                op.note = f"Shelling reported near {self.place(conflict).name}."
        return op

    def correction(self, op_id: int, rec: _Rec, recorded: datetime, who: str) -> Op:
        rng = self.rng
        conflict = rec.conflict
        op = Op(op_id, conflict, UpdateKind.CORRECTION, recorded, who, target=rec.id)
        options = ["when", "source"]
        if rec.kind == UpdateKind.CONTROL:
            options += ["confidence", "holder", "note"]
        elif rec.kind == UpdateKind.CLAIM:
            options += ["text", "speaker"] + (["stance", "about"] if rec.stance else [])
        elif rec.kind == UpdateKind.NOTE:
            options += ["text"]
        else:
            options += ["note"]
        chosen = rng.sample(options, 2 if rng.random() < 0.2 else 1)
        changes: list[tuple[str, str]] = []
        for name in chosen:
            if name == "when":
                start = rec.event.start.replace(second=0) - timedelta(minutes=rng.randint(5, 600))
                event = EventTime(
                    start, start + timedelta(minutes=1), Precision.MINUTE, conflict.zone
                )
                changes.append(("when", format_spec(event)))
                op.values["event"] = rec.event = event
            elif name == "source":
                source = f"https://news.example/{conflict.alias.lower()}/{op_id}/corrected"
                changes.append(("source", source))
                op.values["sources"] = (source,)
            elif name == "confidence":
                new = rng.choice([c for c in Confidence if c != rec.confidence])
                changes.append(("confidence", str(new)))
                op.values["confidence"] = rec.confidence = new
            elif name == "holder":
                a, b = conflict.role("a")[0], conflict.role("b")[0]
                choices: list[_Party | str] = [a, b, CONTESTED, UNKNOWN]
                new_holder = rng.choice([h for h in choices if h != rec.holder])
                if isinstance(new_holder, _Party):
                    changes.append(("holder", new_holder.name))
                    op.values.update(holder="party", holder_party_id=new_holder.id)
                else:
                    changes.append(("holder", new_holder))
                    op.values.update(holder=new_holder, holder_party_id=None)
                rec.holder = new_holder if isinstance(new_holder, str) else "party"
            elif name == "note":
                note = "Corrected after a call with the source."
                changes.append(("note", note))
                op.values["note"] = note
            elif name == "text":
                new_text = f"Corrected statement no. {op_id}, as published."
                changes.append(("text", new_text))
                op.values["text"] = new_text
            elif name == "speaker":
                speaker = f"Spokesperson {op_id % 97}"
                changes.append(("speaker", speaker))
                op.values["speaker"] = speaker
            elif name == "stance":
                stance = Stance.DENIES if rec.stance == Stance.ASSERTS else Stance.ASSERTS
                changes.append(("stance", str(stance)))
                op.values["stance"] = rec.stance = stance
            elif name == "about":
                about = tuple(dict.fromkeys((*rec.about[1:], self.place(conflict))))
                changes.append(("about", ", ".join(p.name for p in about)))
                op.values["about_ids"] = tuple(p.id for p in about)
                rec.about = about
        op.changes = tuple(changes)
        return op

    def retraction(self, op_id: int, rec: _Rec, recorded: datetime, who: str) -> Op:
        rec.retracted = True
        self.retracted.add(rec.id)
        reason = self.rng.choice((None, *_REASONS))
        op = Op(op_id, rec.conflict, UpdateKind.RETRACTION, recorded, who, target=rec.id)
        op.reason = reason
        op.values = {"retracted": True, "reason": reason}
        return op


# ---- the bulk path ---------------------------------------------------------------


def _draft(op: Op, ceasefire_id: int | None) -> EntryDraft:
    """The draft `Drafter` would make of the command `_command(op)` gives."""
    assert op.event is not None
    common: dict[str, Any] = {
        "conflict_id": op.conflict.id,
        "event": op.event,
        "recorded_at": op.recorded_at,
        "recorded_by": op.recorded_by,
        "sources": op.sources,
        "about_ids": tuple(p.id for p in op.about),
        "note": op.note,
        "corroborates": op.corroborates,
        "refutes": op.refutes,
    }
    if op.kind == UpdateKind.CONTROL:
        assert op.place is not None
        return EntryDraft(
            kind=UpdateKind.CONTROL,
            place_id=op.place.id,
            holder=op.holder,
            holder_party_id=op.holder_party.id if op.holder_party else None,
            confidence=op.confidence,
            **common,
        )
    if op.kind == UpdateKind.CLAIM:
        return EntryDraft(
            kind=UpdateKind.CLAIM,
            party_ids=tuple(p.id for p in op.parties),
            text=op.text,
            speaker=op.speaker,
            stance=op.stance,
            holder_party_id=op.holder_party.id if op.holder_party else None,
            **common,
        )
    if op.kind == UpdateKind.CEASEFIRE:
        return EntryDraft(
            kind=UpdateKind.CEASEFIRE,
            ceasefire_id=ceasefire_id,
            ceasefire_state=op.state,
            effective=op.effective,
            accused_ids=tuple(p.id for p in op.accused),
            accuser_party_id=op.accuser.id if op.accuser else None,
            **common,
        )
    common["note"] = None
    return EntryDraft(kind=UpdateKind.NOTE, text=op.text, **common)


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


class _SortPositions:
    """`Ledger.sort_position` over the entries written so far, kept in memory: the
    sort positions of each ceasefire's events, of the entries about each place,
    and of all the entries of each conflict, each list in order."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, int], list[int]] = {}

    def position(
        self, conflict_id: int, event: EventTime, ceasefire_id: int | None, place_ids: Iterable[int]
    ) -> datetime:
        if event.precision == Precision.MINUTE:
            return event.start
        if ceasefire_id is not None:
            scopes = [("ceasefire", ceasefire_id)]
        elif places := set(place_ids):
            scopes = [("place", p) for p in places]
        else:
            scopes = [("conflict", conflict_id)]
        start, end = _stamp(event.start), _stamp(event.end)
        latest = None
        for scope in scopes:
            known = self.known.get(scope)
            if known:
                i = bisect.bisect_left(known, end) - 1
                if i >= 0 and known[i] >= start and (latest is None or known[i] > latest):
                    latest = known[i]
        return event.start if latest is None else datetime.fromtimestamp(latest, UTC)

    @staticmethod
    def _scopes(entry: Entry) -> list[tuple[str, int]]:
        scopes = [("conflict", entry.conflict_id)]
        if entry.ceasefire_id is not None:
            scopes.append(("ceasefire", entry.ceasefire_id))
        return scopes + [("place", p) for p in set(entry.place_ids)]

    def add(self, entry: Entry) -> None:
        stamp = _stamp(entry.sort_at)
        for scope in self._scopes(entry):
            bisect.insort(self.known.setdefault(scope, []), stamp)

    def remove(self, entry: Entry) -> None:
        stamp = _stamp(entry.sort_at)
        for scope in self._scopes(entry):
            known = self.known[scope]
            del known[bisect.bisect_left(known, stamp)]


class _BulkWriter:
    """Rows computed in Python, inserted in batches. Entries stay in memory while a
    correction or retraction may still reach them, and are written after that."""

    def __init__(self, sink: _Sink, dialect: Dialect, revise_window: int, batch: int) -> None:
        self.sink = sink
        self.dialect = dialect
        self.revise_window = revise_window
        self.batch = batch
        self.update_rows: list[dict[str, Any]] = []
        self.pending: dict[int, Entry] = {}
        self.order: deque[int] = deque()
        self.sorts = _SortPositions()
        self.ceasefire_ids: dict[tuple[int, str], int] = {}
        self.fast: dict[str, _FastRows] = {}

    def apply(self, op: Op) -> None:
        if op.kind in (UpdateKind.CORRECTION, UpdateKind.RETRACTION):
            self.revise(op)
            return
        ceasefire_id = None
        if op.kind == UpdateKind.CEASEFIRE:
            assert op.ceasefire is not None
            key = (op.conflict.id, op.ceasefire)
            if key not in self.ceasefire_ids:
                self.ceasefire_ids[key] = self.sink.ceasefire(
                    op.conflict.id,
                    op.ceasefire,
                    tuple(p.name for p in op.cf_parties),
                    tuple(p.name for p in op.cf_mediators),
                )
            ceasefire_id = self.ceasefire_ids[key]
        draft = _draft(op, ceasefire_id)
        self.update_rows.append(
            {
                "id": op.id,
                "conflict_id": op.conflict.id,
                "kind": str(op.kind),
                "recorded_at": op.recorded_at,
                "recorded_by": op.recorded_by,
                "event_start": draft.event.start,
                "event_end": draft.event.end,
                "precision": str(draft.event.precision),
                "zone": draft.event.zone,
                "target_id": None,
                "body": draft_body(draft),
                "sources": list(draft.sources),
                "request_key": None,
            }
        )
        place_ids = ((draft.place_id,) if draft.place_id is not None else ()) + draft.about_ids
        sort_at = self.sorts.position(op.conflict.id, draft.event, draft.ceasefire_id, place_ids)
        entry = self.pending[op.id] = draft.to_entry(op.id, sort_at)
        self.sorts.add(entry)
        self.order.append(op.id)

    def revise(self, op: Op) -> None:
        assert op.target is not None
        entry = self.pending[op.target]  # the plan only revises entries inside the window
        if op.kind == UpdateKind.CORRECTION:
            body: dict[str, Any] = {"changes": dict(op.changes)}
            changed = replace(entry, **op.values)
            if changed.event != entry.event:
                # Placed among what is recorded before the correction, itself included.
                sort_at = self.sorts.position(
                    entry.conflict_id, changed.event, changed.ceasefire_id, changed.place_ids
                )
                changed = replace(changed, sort_at=sort_at)
            changed = replace(changed, last_correction_id=op.id)
            self.sorts.remove(entry)
            self.sorts.add(changed)
        else:
            body = {"reason": op.reason} if op.reason else {}
            changed = replace(entry, **op.values)
        self.pending[op.target] = changed
        self.update_rows.append(
            {
                "id": op.id,
                "conflict_id": op.conflict.id,
                "kind": str(op.kind),
                "recorded_at": op.recorded_at,
                "recorded_by": op.recorded_by,
                "event_start": None,
                "event_end": None,
                "precision": None,
                "zone": None,
                "target_id": op.target,
                "body": body,
                "sources": [],
                "request_key": None,
            }
        )

    def flush(self, below: int | None) -> None:
        """Write every update so far, and the entries with IDs below `below` (None: all)."""
        if self.update_rows:
            self._insert(updates, self.update_rows)
            self.update_rows = []
        entry_rows: list[dict[str, Any]] = []
        place_rows_: list[dict[str, Any]] = []
        party_rows: list[dict[str, Any]] = []
        link_rows_: list[dict[str, Any]] = []
        while self.order and (below is None or self.order[0] < below):
            entry = self.pending.pop(self.order.popleft())
            entry_rows.append(_entry_row(entry))
            place_rows_ += place_rows(entry)
            if entry.kind == UpdateKind.CLAIM and entry.party_ids:
                party_rows += [
                    {"update_id": entry.id, "party_id": p} for p in dict.fromkeys(entry.party_ids)
                ]
            link_rows_ += link_rows(entry)
        for table, rows in (
            (entries, entry_rows),
            (entry_places, place_rows_),
            (entry_parties, party_rows),
            (links, link_rows_),
        ):
            if rows:
                self._insert(table, rows)

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        fast = self.fast.get(table.name)
        if fast is None:
            fast = self.fast[table.name] = _FastRows(table, self.dialect, rows[0])
        for i in range(0, len(rows), self.batch):
            self.sink.rows(fast.sql, fast.encode(rows[i : i + self.batch]))


class _FastRows:
    """Rows encoded as SQLAlchemy's bind processors would encode them, without the
    per-row overhead of `Connection.execute` (half the time of the whole load):
    SQLite gets UTC text stamps, JSON text and 0/1 through `executemany`;
    PostgreSQL gets JSON text and aware times through COPY."""

    def __init__(self, table: Table, dialect: Dialect, keys: Iterable[str]) -> None:
        given = set(keys)
        for column in table.columns:
            if column.name not in given and column.default is not None:
                raise ValueError(f"{table.name}.{column.name} has a default: give it in each row")
        # Columns left out (entries.retraction_id) stay NULL, as through `insert()`.
        columns = [c for c in table.columns if c.name in given]
        names = ", ".join(c.name for c in columns)
        self.sqlite = dialect.name == "sqlite"
        if self.sqlite:
            self.sql = (
                f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
            )
        elif dialect.name == "postgresql":
            self.sql = f"COPY {table.name} ({names}) FROM STDIN"
        else:
            raise ValueError(f"no bulk path for {dialect.name}")
        dumps: Callable[[Any], str] = getattr(dialect, "_json_serializer", None) or json.dumps
        helpers: dict[str, Any] = {"J": partial(_json, dumps=dumps), "S": _STAMPS, "U": _utc}
        values = []
        for column in columns:
            get = f"r[{column.name!r}]"
            if isinstance(column.type, JSON):
                values.append(f"J({get})")  # these columns never hold None
            elif isinstance(column.type, UTCDateTime):
                values.append(f"(None if {get} is None else {'S' if self.sqlite else 'U'}({get}))")
            elif self.sqlite and isinstance(column.type, Boolean):
                values.append(f"int({get})")
            else:
                values.append(get)
        # One generated loop per table: a third of the time of a generic one.
        source = f"def encode(rows):\n    return [({', '.join(values)},) for r in rows]\n"
        exec(source, helpers)
        self.encode: Callable[[list[dict[str, Any]]], list[tuple[Any, ...]]] = helpers["encode"]


def _write_rows(conn: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    if not sql.startswith("COPY"):
        conn.exec_driver_sql(sql, rows)
        return
    # The connection's own transaction: COPY goes through its DBAPI cursor.
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(sql) as copy:
        for values in rows:
            copy.write_row(values)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store; times must be aware")
    return moment.astimezone(UTC)


class _Stamps:
    """`UTCDateTime` then SQLite's DATETIME: naive UTC text, to the microsecond.
    The same instants recur (event start, sort position, each place's row)."""

    def __init__(self) -> None:
        self.known: dict[datetime, str] = {}

    def __call__(self, moment: datetime) -> str:
        found = self.known.get(moment)
        if found is None:
            if len(self.known) > 500_000:
                self.known.clear()
            utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
            found = self.known[moment] = utc.isoformat(" ", "microseconds")[:26]
        return found


_STAMPS = _Stamps()


def _json(value: Any, dumps: Callable[[Any], str]) -> str:
    """What `dumps` gives, faster for the lists of IDs most JSON columns hold."""
    if type(value) is list:
        if not value:
            return "[]"
        if type(value[0]) is int and all(type(v) is int for v in value):
            return "[" + ", ".join(map(str, value)) + "]"
    return dumps(value)


class _Sink(Protocol):
    """Where encoded rows go, in order, with the transaction boundaries."""

    def rows(self, sql: str, rows: list[tuple[Any, ...]]) -> None: ...

    def ceasefire(
        self, conflict_id: int, name: str, parties_: tuple[str, ...], mediators: tuple[str, ...]
    ) -> int: ...

    def commit(self) -> None: ...

    def finish(self, updates_: int, analyze: bool) -> None: ...

    def close(self) -> None: ...


class _SameProcess:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        _prepare(conn)

    def rows(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        _write_rows(self.conn, sql, rows)

    def ceasefire(
        self, conflict_id: int, name: str, parties_: tuple[str, ...], mediators: tuple[str, ...]
    ) -> int:
        return Catalog(self.conn).add_ceasefire(conflict_id, name, (), parties_, mediators).id

    def commit(self) -> None:
        self.conn.commit()

    def finish(self, updates_: int, analyze: bool) -> None:
        _finish(self.conn, updates_, analyze)

    def close(self) -> None:
        self.conn.close()


class _WriterProcess:
    """A second process that does the database work, fed through a bounded queue.
    Ceasefires get their IDs in the order they are created, from 1 (the table is
    empty at the start); the writer checks each one."""

    def __init__(self, url: str, dialect_name: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.queue: Any = context.Queue(maxsize=6)
        self.outcome: Any = context.Queue()
        self.process = context.Process(
            target=_write_in_process, args=(url, self.queue, self.outcome), daemon=True
        )
        self.process.start()
        self.ceasefires = 0

    def _send(self, message: tuple[Any, ...]) -> None:
        while True:
            try:
                self.queue.put(message, timeout=1)
                return
            except queue.Full:
                if not self.process.is_alive():
                    self._fail()

    def _fail(self) -> None:
        try:
            error = self.outcome.get(timeout=5)
        except queue.Empty:
            error = f"exit code {self.process.exitcode}"
        raise RuntimeError(f"the writer process failed: {error}")

    def rows(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._send(("rows", sql, rows))

    def ceasefire(
        self, conflict_id: int, name: str, parties_: tuple[str, ...], mediators: tuple[str, ...]
    ) -> int:
        self.ceasefires += 1
        self._send(("ceasefire", conflict_id, name, parties_, mediators, self.ceasefires))
        return self.ceasefires

    def commit(self) -> None:
        self._send(("commit",))

    def finish(self, updates_: int, analyze: bool) -> None:
        self._send(("finish", updates_, analyze))
        while True:
            try:
                error = self.outcome.get(timeout=1)
            except queue.Empty:
                if not self.process.is_alive():
                    self._fail()
                continue
            if error is not None:
                raise RuntimeError(f"the writer process failed: {error}")
            return

    def close(self) -> None:
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()


def _write_in_process(url: str, inbox: Any, outcome: Any) -> None:
    from bot.store.db import create_db_engine

    try:
        engine = create_db_engine(url)
        with engine.connect().execution_options(**{WRITE: True}) as conn:
            _prepare(conn)
            while True:
                message = inbox.get()
                if message[0] == "rows":
                    _write_rows(conn, message[1], message[2])
                elif message[0] == "ceasefire":
                    conflict_id, name, parties_, mediators, expected = message[1:]
                    made = Catalog(conn).add_ceasefire(conflict_id, name, (), parties_, mediators)
                    if made.id != expected:
                        raise RuntimeError(f"ceasefire {name!r} got ID {made.id}, not {expected}")
                elif message[0] == "commit":
                    conn.commit()
                else:
                    _finish(conn, message[1], message[2])
                    break
        engine.dispose()
        outcome.put(None)
    except BaseException:
        outcome.put(traceback.format_exc())
        raise


def _prepare(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB for index inserts
        conn.commit()


def _finish(conn: Connection, updates_: int, analyze: bool) -> None:
    rebuild_latest(conn)
    if conn.dialect.name == "postgresql" and updates_:
        # IDs were given explicitly: move the sequence past them for later writes.
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('updates', 'id'), :n)"), {"n": updates_}
        )
    conn.commit()
    if conn.dialect.name == "postgresql" and analyze:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def rebuild_latest(conn: Connection) -> None:
    """`place_latest` from `entry_places` in one statement: per place, the latest
    live assessment (slot 0) and each party's latest live stance claim, the rows
    `Ledger.refresh_latest` would choose."""
    ep = entry_places.c
    ranked = (
        select(
            ep.place_id,
            ep.party_id,
            ep.update_id,
            func.row_number()
            .over(
                partition_by=(ep.place_id, ep.kind, ep.party_id),
                order_by=(ep.sort_at.desc(), ep.update_id.desc()),
            )
            .label("rank"),
        )
        .where(
            ep.retracted.is_(False),
            or_(
                ep.kind == str(UpdateKind.CONTROL),
                and_(ep.kind == str(UpdateKind.CLAIM), ep.stance.is_not(None)),
            ),
        )
        .subquery()
    )
    conn.execute(place_latest.delete())
    conn.execute(
        insert(place_latest).from_select(
            ["place_id", "slot", "update_id"],
            select(ranked.c.place_id, ranked.c.party_id, ranked.c.update_id).where(
                ranked.c.rank == 1
            ),
        )
    )


def _describe(
    world: list[_Conflict], planner: _Planner, updates_: int, seed: int, seconds: float
) -> SyntheticLedger:
    return SyntheticLedger(
        updates=updates_,
        seed=seed,
        conflicts=[ConflictInfo(c.id, c.name, c.alias, c.zone) for c in world],
        parties=[
            PartyInfo(p.id, c.name, p.name, p.side, list(p.aliases))
            for c in world
            for p in c.parties
        ],
        places=[
            PlaceInfo(
                p.id,
                c.name,
                p.name,
                str(p.kind),
                p.parent.name if p.parent else None,
                list(p.aliases),
                dict(p.names_by_side),
                p.misspelling,
                planner.about_count[p.id],
            )
            for c in world
            for p in c.places
        ],
        ceasefires=list(planner.ceasefire_names),
        first_recorded=START,
        last_recorded=planner.last_recorded,
        counts=dict(planner.counts),
        seconds=seconds,
    )


def _check_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(conflicts)).scalar_one():
            raise ValueError("the database already holds a ledger; generate into an empty one")


def generate(
    engine: Engine,
    updates: int,
    seed: int = 1,
    conflicts: int = 3,
    places_per_conflict: int = 300,
    *,
    corrections: float = P_CORRECTION,
    retractions: float = P_RETRACTION,
    revise_window: int = 5000,
    batch: int = 10_000,
    analyze: bool = True,
    parallel: bool = True,
    progress: Callable[[int], None] | None = None,
) -> SyntheticLedger:
    """Fill an empty database (migrated here if needed) with a synthetic ledger of
    `updates` updates. Corrections and retractions reach entries at most
    `revise_window` updates old. On PostgreSQL the tables are ANALYZEd at the end
    (`analyze`), as autovacuum would after such a load; SQLite is left as the
    application leaves it. With `parallel`, a second process does the writing
    while this one plans and encodes the rows."""
    began = time.perf_counter()
    migrate.upgrade(engine)
    _check_empty(engine)
    world = _make_world(seed, conflicts, places_per_conflict)
    planner = _Planner(world, updates, seed, corrections, retractions, revise_window)
    with engine.connect() as conn, conn.begin():
        _create_catalog(Catalog(conn), world)
    sink: _Sink
    if parallel:
        url = engine.url.render_as_string(hide_password=False)
        sink = _WriterProcess(url, engine.dialect.name)
    else:
        sink = _SameProcess(engine.connect().execution_options(**{WRITE: True}))
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows, no cycles: the collector only costs time
    try:
        writer = _BulkWriter(sink, engine.dialect, revise_window, batch)
        for op in planner.ops():
            writer.apply(op)
            if op.id % batch == 0:
                writer.flush(below=op.id - revise_window)
                sink.commit()
                if progress:
                    progress(op.id)
        writer.flush(below=None)
        sink.finish(updates, analyze)
    finally:
        sink.close()
        _STAMPS.known.clear()
        if collecting:
            gc.enable()
    return _describe(world, planner, updates, seed, time.perf_counter() - began)


# ---- the normal path -------------------------------------------------------------


def _command(op: Op) -> cmd.Command:
    """The command a user would have typed for this update."""
    if op.kind == UpdateKind.CORRECTION:
        assert op.target is not None
        return cmd.CorrectUpdate(op.target, op.changes)
    if op.kind == UpdateKind.RETRACTION:
        assert op.target is not None
        return cmd.RetractUpdate(op.target, op.reason)
    assert op.event is not None
    common = cmd.Common(
        about=tuple(p.name for p in op.about),
        note=op.note,
        corroborates=op.corroborates,
        refutes=op.refutes,
        when=parse_time_spec(format_spec(op.event)),
        sources=op.sources,
        conflict=op.conflict.name,
    )
    if op.kind == UpdateKind.CONTROL:
        assert op.place is not None and op.holder is not None
        holder = op.holder_party.name if op.holder_party else op.holder
        return cmd.ControlUpdate(op.place.name, holder, op.confidence, common)
    if op.kind == UpdateKind.CLAIM:
        return cmd.ClaimUpdate(
            parties=tuple(p.name for p in op.parties),
            text=op.text or "",
            speaker=op.speaker,
            stance=op.stance,
            holder=op.holder_party.name if op.holder_party else None,
            common=common,
        )
    if op.kind == UpdateKind.CEASEFIRE:
        assert op.ceasefire is not None and op.state is not None
        return cmd.CeasefireUpdate(
            name=op.ceasefire,
            state=op.state,
            parties=tuple(p.name for p in op.cf_parties),
            mediators=tuple(p.name for p in op.cf_mediators),
            effective=parse_time_spec(format_spec(op.effective)) if op.effective else None,
            accused=tuple(p.name for p in op.accused),
            accuser=op.accuser.name if op.accuser else None,
            common=common,
        )
    return cmd.NoteUpdate(op.text or "", common)


def replay(
    engine: Engine,
    updates: int,
    seed: int = 1,
    conflicts: int = 3,
    places_per_conflict: int = 300,
    *,
    corrections: float = P_CORRECTION,
    retractions: float = P_RETRACTION,
    revise_window: int = 5000,
    through: str = "dispatch",
) -> SyntheticLedger:
    """The ledger `generate` makes with these arguments, written one update at a
    time by the application's own code (slow; for checking the bulk path).

    `through="dispatch"`: each update is the command a user would type, carried
    out by `bot.services.dispatch.execute` in its own transaction (names resolved,
    times parsed, as in Slack or the console). `through="ledger"`: the drafts go
    straight to `writes.append_entry`, corrections and retractions to
    `revisions.correct_in` / `retract_in`, in one transaction, as a file import
    does; name resolution is skipped, every projection is still maintained by the
    store (about five times faster)."""
    began = time.perf_counter()
    migrate.upgrade(engine)
    _check_empty(engine)
    world = _make_world(seed, conflicts, places_per_conflict)
    planner = _Planner(world, updates, seed, corrections, retractions, revise_window)
    uow = UnitOfWork(engine)
    with uow.write() as tx:
        _create_catalog(tx.catalog, world)
    clock = FixedClock(START)
    ctx = Context(uow=uow, clock=clock)
    if through == "dispatch":
        for op in planner.ops():
            clock.current = op.recorded_at
            view = execute(ctx, _command(op), Actor(op.recorded_by, console=True))
            _check_id(op, getattr(view, "update_id", None))
    elif through == "ledger":
        ceasefire_ids: dict[tuple[int, str], int] = {}
        with uow.write() as tx:
            for op in planner.ops():
                actor = Actor(op.recorded_by, console=True)
                command = _command(op) if op.kind in _REVISIONS else None
                if isinstance(command, cmd.CorrectUpdate):
                    done = correct_in(tx, ctx, command, actor, op.recorded_at).update_id
                elif isinstance(command, cmd.RetractUpdate):
                    done = retract_in(tx, command, actor, op.recorded_at).update_id
                else:
                    done = append_entry(tx, _draft(op, _ceasefire_id(tx, op, ceasefire_ids))).id
                _check_id(op, done)
    else:
        raise ValueError(f"through: {through!r} is neither 'dispatch' nor 'ledger'")
    return _describe(world, planner, updates, seed, time.perf_counter() - began)


_REVISIONS = (UpdateKind.CORRECTION, UpdateKind.RETRACTION)


def _ceasefire_id(tx: Tx, op: Op, known: dict[tuple[int, str], int]) -> int | None:
    """As `Drafter.ceasefire` does: an unknown name with `announced` or `in effect`
    creates the ceasefire."""
    if op.ceasefire is None:
        return None
    key = (op.conflict.id, op.ceasefire)
    if key not in known:
        known[key] = tx.catalog.add_ceasefire(
            op.conflict.id,
            op.ceasefire,
            (),
            tuple(p.name for p in op.cf_parties),
            tuple(p.name for p in op.cf_mediators),
        ).id
    return known[key]


def _check_id(op: Op, written: int | None) -> None:
    if written != op.id:
        raise AssertionError(f"update {op.id} ({op.kind}) was written as {written}")


def main(argv: list[str] | None = None) -> int:
    from bot.store.db import create_db_engine

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--conflicts", type=int, default=3)
    parser.add_argument("--places", type=int, default=300, help="places per conflict")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument(
        "--replay",
        choices=("dispatch", "ledger"),
        help="write one update at a time through the application instead (see `replay`)",
    )
    args = parser.parse_args(argv)
    engine = create_db_engine(args.db)
    if args.replay:
        ledger = replay(
            engine, args.updates, args.seed, args.conflicts, args.places, through=args.replay
        )
    else:
        ledger = generate(engine, args.updates, args.seed, args.conflicts, args.places)
    print(f"{ledger.updates} updates in {ledger.seconds:.1f} s: {ledger.counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
