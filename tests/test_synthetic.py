"""The synthetic ledger's bulk path leaves the database the application's own
write path would: same ledger rows, same projections, same answers."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bench.synthetic import SyntheticLedger, generate, replay
from bot.domain.errors import SitrepError
from bot.domain.parser import parse
from bot.render.text import render
from bot.services.context import Actor, Context, FixedClock
from bot.services.dispatch import error_view, execute
from bot.store import migrate
from bot.store.db import create_db_engine
from bot.store.ledger import Ledger
from bot.store.schema import metadata, place_latest, places
from bot.store.uow import UnitOfWork

# Small enough to replay one update at a time, dense enough (few places) that
# places see many assessments, stance claims, corrections and retractions.
SIZE: dict[str, Any] = dict(updates=2000, seed=7, conflicts=2, places_per_conflict=30)
RICH: dict[str, Any] = dict(corrections=0.06, retractions=0.04, revise_window=400)
# Every table: a projection added later is compared too.
TABLES = tuple(t.name for t in metadata.sorted_tables)


def _engine(path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, order-free (JSON compared as values)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = metadata.tables[name]
            rows = conn.execute(select(table)).all()
            out[name] = sorted(
                (
                    tuple(
                        json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v
                        for v in row
                    )
                    for row in rows
                ),
                key=repr,
            )
    return out


def _assert_same(left: Engine, right: Engine) -> None:
    a, b = _snapshot(left), _snapshot(right)
    for name in TABLES:
        in_a, in_b = set(a[name]), set(b[name])
        only_a = [r for r in a[name] if r not in in_b]
        only_b = [r for r in b[name] if r not in in_a]
        assert not only_a and not only_b, (
            f"{name}: {len(a[name])} rows vs {len(b[name])}; first differences:\n"
            f"bulk:    {only_a[:3]}\nservice: {only_b[:3]}"
        )


def _status(engine: Engine, ledger: SyntheticLedger, query: str, conflict: str) -> str:
    ctx = Context(uow=UnitOfWork(engine), clock=FixedClock(ledger.last_recorded))
    try:
        view = execute(ctx, parse("/status", f"{query} conflict:{conflict}"), Actor.console_user())
    except SitrepError as exc:
        view = error_view(exc)
    return render(view, "plain")


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, SyntheticLedger]:
    engine = _engine(tmp_path_factory.mktemp("bulk") / "bulk.db")
    return engine, generate(engine, **SIZE, **RICH)


def test_bulk_rows_equal_the_ledger_write_path(
    bulk: tuple[Engine, SyntheticLedger], tmp_path: Path
) -> None:
    engine, ledger = bulk
    assert sum(ledger.counts.values()) == SIZE["updates"]
    assert ledger.counts["correction"] > 50 and ledger.counts["retraction"] > 30
    service = _engine(tmp_path / "service.db")
    replayed = replay(service, **SIZE, **RICH, through="ledger")
    assert replayed.counts == ledger.counts
    _assert_same(engine, service)

    # What `/status <place>` answers for a sample of places, by name or by an alias.
    rng = random.Random(3)
    for i, place in enumerate(rng.sample(ledger.places, 20)):
        alias = ledger.conflict_alias(place.conflict)
        query = rng.choice(place.aliases) if i % 2 and place.aliases else place.name
        assert _status(engine, ledger, query, alias) == _status(service, ledger, query, alias)


def test_commands_typed_one_by_one_give_the_same_database(tmp_path: Path) -> None:
    """The full path (names resolved, times parsed from their text, one transaction
    per command) on a shorter ledger."""
    size = {**SIZE, "updates": 250}
    bulk = _engine(tmp_path / "bulk.db")
    generate(bulk, **size, **RICH, parallel=False)
    service = _engine(tmp_path / "service.db")
    replay(service, **size, **RICH, through="dispatch")
    _assert_same(bulk, service)


def test_rebuilt_place_latest_is_what_refresh_latest_computes(
    bulk: tuple[Engine, SyntheticLedger],
) -> None:
    engine, _ = bulk
    with engine.connect() as conn:
        trans = conn.begin()
        before = sorted(conn.execute(select(place_latest)).all())
        Ledger(conn).refresh_latest(conn.execute(select(places.c.id)).scalars().all())
        after = sorted(conn.execute(select(place_latest)).all())
        trans.rollback()
    assert before and after == before


def test_a_ledger_of_every_kind(bulk: tuple[Engine, SyntheticLedger]) -> None:
    _, ledger = bulk
    assert set(ledger.counts) == {
        "claim",
        "control",
        "note",
        "ceasefire",
        "correction",
        "retraction",
    }
    kinds = {p.kind for p in ledger.places}
    assert {"region", "district", "village"} <= kinds
    assert all(p.misspelling in p.aliases for p in ledger.places)
    assert any(p.names_by_side for p in ledger.places)
    assert len({p.side for p in ledger.parties}) >= 4  # two sides, third parties, observers
    restored = SyntheticLedger.from_json(ledger.to_json())
    assert restored == ledger
