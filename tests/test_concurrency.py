"""Several threads writing at once lose nothing; several instances migrating at
once end with one schema."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, func, select

from bot.domain.parser import parse_line
from bot.services.context import Context
from bot.services.dispatch import execute
from bot.services.views import DoneView, StatusView
from bot.store import migrate
from bot.store.schema import entries, entry_places, updates
from tests.conftest import CONSOLE

THREADS = 8
WRITES_EACH = 15


def test_threads_adding_updates_at_once_lose_nothing(demo: Context, engine: Engine) -> None:
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(updates)).scalar_one()
    start = threading.Barrier(THREADS)

    def writer(n: int) -> list[int]:
        start.wait()
        ids = []
        for i in range(WRITES_EACH):
            line = (
                f'/update claim Armenia "report {n}-{i}" about:Lachin stance:asserts'
                if i % 3 == 0
                else f"/update control Hadrut {'Azerbaijan' if i % 2 else 'contested'} when:2020-10-26T09:{i:02d}"
                if i % 3 == 1
                else f'/update note "note {n}-{i}" about:Shusha'
            )
            view = execute(demo, parse_line(line), CONSOLE)
            assert isinstance(view, DoneView) and view.update_id is not None
            ids.append(view.update_id)
        return ids

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(writer, range(THREADS)))
    written = [i for ids in results for i in ids]
    assert len(written) == len(set(written)) == THREADS * WRITES_EACH
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(updates)).scalar_one()
        projected = conn.execute(
            select(func.count()).select_from(entries).where(entries.c.update_id.in_(written))
        ).scalar_one()
        places = conn.execute(
            select(func.count(func.distinct(entry_places.c.update_id))).where(
                entry_places.c.update_id.in_(written)
            )
        ).scalar_one()
    assert after - before == THREADS * WRITES_EACH
    assert projected == THREADS * WRITES_EACH
    assert places == THREADS * WRITES_EACH
    # The current-state slots agree with a recomputation from the history.
    view = execute(demo, parse_line("/status Hadrut"), CONSOLE)
    assert isinstance(view, StatusView) and view.assessment is not None
    with demo.uow.write() as tx:
        current = tx.ledger.latest_slots(1)
        tx.ledger.refresh_latest({place for place, _, _ in current})
        assert sorted(tx.ledger.latest_slots(1)) == sorted(current)


def test_instances_migrating_at_once(engine: Engine) -> None:
    # The fixture's database is migrated; several instances starting together
    # must all find it up to date and change nothing.
    errors: list[BaseException] = []

    def start() -> None:
        try:
            migrate.upgrade(engine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
