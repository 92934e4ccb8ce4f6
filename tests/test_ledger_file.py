"""Import validates and loads all or nothing; export then import gives the same picture."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from bot.bootstrap import DEMO_FILE
from bot.domain.errors import ImportFailed
from bot.domain.parser import parse
from bot.render.text import render
from bot.services import reads
from bot.services.context import Context, FixedClock
from bot.services.dispatch import execute
from bot.services.ledger_file import dump_yaml, export_data, import_data, read_file
from bot.store.schema import conflicts, places, updates
from bot.store.uow import UnitOfWork
from tests.conftest import CONSOLE


def demo_data() -> dict[str, Any]:
    return read_file(DEMO_FILE)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def broken(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(demo_data())
    mutate(data["conflicts"][0])
    return data


CASES = [
    (lambda c: c["places"][3].update(kind="towne"), "places[3]", "kind"),
    (lambda c: c["places"][5].update(parent="Atlantis"), "places[5]", "parent"),
    (lambda c: c["places"][2].update(lat=123.0), "places[2]", "lat"),
    (lambda c: c["parties"][0].pop("name"), "parties[0]", "name is missing"),
    (lambda c: c.update(timezone="Mars/Olympus"), "timezone", "Mars/Olympus"),
    (lambda c: c["updates"][-1].update(when="the 32nd of Octember"), "updates[", "when"),
    (lambda c: c["updates"][-1].update(refutes=["nope"]), "updates[", "refutes"),
    (lambda c: c["updates"][0].update(place="Narnia"), "updates[0]", "Narnia"),
    (lambda c: c["updates"][0].update(kind="rumour"), "updates[0]", "kind"),
]


@pytest.mark.parametrize(("mutate", "where", "what"), CASES)
def test_a_broken_file_loads_nothing_and_says_where(
    ctx: Context, engine: Engine, mutate: Any, where: str, what: str
) -> None:
    with pytest.raises(ImportFailed) as info:
        import_data(ctx, broken(mutate), CONSOLE)
    assert where in info.value.message
    assert what in info.value.message
    assert count(engine, conflicts) == 0
    assert count(engine, places) == 0
    assert count(engine, updates) == 0


def test_not_a_ledger_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("hello: world\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="not a Sitrep ledger file"):
        read_file(path)
    path.write_text("format: sitrep-ledger/1\nconflicts: [\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="not valid YAML"):
        read_file(path)


def test_the_same_conflict_twice_is_refused_whole(demo: Context, engine: Engine) -> None:
    before = count(engine, updates)
    with pytest.raises(ImportFailed, match="already in the ledger"):
        import_data(demo, demo_data(), CONSOLE)
    assert count(engine, updates) == before


def _picture(ctx: Context) -> list[str]:
    """Every answer that makes up the picture, rendered (IDs may differ)."""
    out = [render(reads.overview(ctx, None, CONSOLE), "plain")]
    for name in (
        "Hadrut",
        "Fuzuli",
        "Qubadli",
        "Lachin",
        "Shusha",
        "Jabrayil",
        "Hadrut on 2020-10-05",
    ):
        out.append(render(execute(ctx, parse("/status", name), CONSOLE), "plain"))
    out.append(render(execute(ctx, parse("/ceasefire", ""), CONSOLE), "plain"))
    return out


def test_export_then_import_gives_the_same_picture(
    demo: Context, tmp_path: Path, clock: FixedClock
) -> None:
    execute(
        demo,
        parse("/update", 'correct u40 confidence:high source:"Geolocated video, 27 Oct"'),
        CONSOLE,
    )
    execute(demo, parse("/update", 'retract u33 reason:"duplicate of an earlier entry"'), CONSOLE)
    text = dump_yaml(export_data(demo))
    (tmp_path / "export.yaml").write_text(text, encoding="utf-8")
    from bot.store import migrate
    from bot.store.db import create_db_engine

    other = create_db_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate.upgrade(other)
    again = Context(UnitOfWork(other), clock, demo.admins, demo.default_zone)
    import_data(again, yaml.safe_load(text), CONSOLE)
    assert _picture(again) == _picture(demo)
