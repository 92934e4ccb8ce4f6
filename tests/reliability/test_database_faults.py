"""PostgreSQL behind a TCP proxy that cuts every connection, mid-stream, several
times, and refuses new ones for a moment. The bot keeps serving without a
restart; every write it confirmed is in the database; every write it could not
make was reported to the user, none silently lost."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from bot.bootstrap import DEMO_FILE
from bot.services.context import Context, FixedClock
from bot.services.ledger_file import import_file
from bot.store import migrate
from bot.store.db import create_db_engine
from bot.store.schema import updates
from bot.store.uow import UnitOfWork
from tests.conftest import DEMO_NOW, PG_URL
from tests.fakeslack import FakeSlack
from tests.reliability.kit import (
    ADMIN,
    RECORDED,
    SORRY,
    TcpProxy,
    bot_settings,
    new_fake,
    reply_text,
    signed_command,
)
from tests.slackbot import BotServer, SlackSender

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


@dataclass
class Rig:
    direct: Engine  # straight to PostgreSQL, for checking
    proxy: TcpProxy
    fake: FakeSlack
    sender: SlackSender
    notes: Iterator[int] = field(default_factory=itertools.count)


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    assert PG_URL
    url = make_url(PG_URL)
    name = f"reliability_dbfaults_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    direct = create_db_engine(url.set(database=name).render_as_string(hide_password=False))
    fake = new_fake()
    try:
        migrate.upgrade(direct)
        clock = FixedClock(DEMO_NOW)
        import_file(Context(UnitOfWork(direct), clock, (ADMIN,), "Asia/Baku"), DEMO_FILE)
        with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
            through = url.set(host="127.0.0.1", port=proxy.port, database=name)
            bot_engine = create_db_engine(through.render_as_string(hide_password=False))
            ctx = Context(UnitOfWork(bot_engine), clock, (ADMIN,), "Asia/Baku")
            settings = bot_settings(fake, "sqlite:///unused.db")
            with BotServer(settings, ctx) as server:
                yield Rig(direct, proxy, fake, SlackSender(server.url))
            bot_engine.dispose()
    finally:
        fake.stop()
        direct.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def notes_in_database(direct: Engine, prefix: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    with direct.connect() as conn:
        for update_id, body in conn.execute(select(updates.c.id, updates.c.body)):
            note = (body or {}).get("text") or ""
            if note.startswith(prefix):
                found.setdefault(note, []).append(int(update_id))
    return found


@dataclass(frozen=True)
class Outcome:
    kind: str  # confirmed | answered | reported | silent
    command: str
    note: str | None
    update_id: int | None
    detail: str


def one_request(rig: Rig, i: int, prefix: str) -> Outcome:
    if i % 3 == 2:
        command, typed, note = "/status", ("Lachin" if i % 2 else ""), None
    else:
        note = f"{prefix}{i:04d}"
        command, typed = "/update", f'note "{note}" about:Lachin'
    try:
        reply, url = signed_command(rig.sender, rig.fake, command, typed)
    except OSError as error:
        return Outcome("silent", command, note, None, f"no HTTP answer: {error}")
    said = reply_text(reply)
    if reply.status == 200 and (match := RECORDED.search(said)):
        return Outcome("confirmed", command, note, int(match.group(1)), said[:80])
    if reply.status == 200 and command == "/status" and ("Lachin" in said or "Ceasefire" in said):
        return Outcome("answered", command, note, None, said[:80])
    told = [m.get("text", "") for m in rig.fake.response_messages(url)]
    if reply.status == 200 and any(SORRY in t for t in told):
        return Outcome("reported", command, note, None, told[0][:80])
    return Outcome("silent", command, note, None, f"{reply.status} {said[:80]!r} {told}")


def test_connections_cut_mid_stream_lose_no_confirmed_write(rig: Rig) -> None:
    prefix = "stream-"
    requests, workers, every = 240, 4, 34
    done = itertools.count(1)
    progress = threading.Condition()
    finished = 0
    outages: list[str] = []

    def tracked(i: int) -> Outcome:
        nonlocal finished
        outcome = one_request(rig, i, prefix)
        with progress:
            finished = next(done)
            progress.notify_all()
        return outcome

    def reached(target: int) -> Callable[[], bool]:
        return lambda: finished >= target

    def chaos() -> None:
        # A cut after every `every` answered requests; every other one also keeps
        # the database unreachable for 0.2 s.
        for n in range(1, requests // every):
            with progress:
                if not progress.wait_for(reached(n * every), timeout=60):
                    return
            cut = rig.proxy.cut()
            if n % 2 == 0:
                rig.proxy.down()
                time.sleep(0.2)
                rig.proxy.up()
            outages.append(f"{cut}" + (" +down" if n % 2 == 0 else ""))

    started = time.monotonic()
    saboteur = threading.Thread(target=chaos, daemon=True)
    saboteur.start()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(tracked, range(requests)))
    saboteur.join(timeout=10)
    rig.proxy.up()
    # Recovery without a restart: a calm stream afterwards all succeeds.
    calm = [one_request(rig, 10_000 + i, prefix) for i in range(12)]
    elapsed = time.monotonic() - started

    stored = notes_in_database(rig.direct, prefix)
    kinds = Counter(o.kind for o in outcomes)
    confirmed = [o for o in [*outcomes, *calm] if o.kind == "confirmed"]
    reported_writes = [o for o in outcomes if o.kind == "reported" and o.note]
    found = [o for o in confirmed if o.note in stored and o.update_id in stored[o.note]]
    written_anyway = [o for o in reported_writes if o.note in stored]
    print(
        f"\nrequests tried {requests} + {len(calm)} after, in {elapsed:.1f}s; "
        f"cuts injected {rig.proxy.cuts} (connections cut each time: {', '.join(outages)}); "
        f"connections opened {rig.proxy.connections}, refused {rig.proxy.refused}; "
        f"outcomes {dict(kinds)}; writes confirmed {len(confirmed)}, found {len(found)}; "
        f"writes reported failed {len(reported_writes)}, of which in the database anyway "
        f"{len(written_anyway)}"
    )
    assert rig.proxy.cuts == requests // every - 1
    assert [o for o in outcomes if o.kind == "silent"] == []
    assert kinds["reported"] > 0  # the faults did bite
    assert len(found) == len(confirmed)  # every confirmed write is there
    assert all(len(ids) == 1 for ids in stored.values())  # and none twice
    assert all(o.kind in ("confirmed", "answered") for o in calm)


def test_a_commit_whose_answer_is_lost_is_not_reported_as_nothing_changed(rig: Rig) -> None:
    note = f"commit-lost-{next(rig.notes)}"
    warm, _ = signed_command(rig.sender, rig.fake, "/status", "Lachin")
    if warm.status != 200:
        pytest.fail(f"the bot is not answering: {warm.status}")
    rig.proxy.lose_next_commit_answer()
    reply, url = signed_command(rig.sender, rig.fake, "/update", f'note "{note}"')
    told = [m.get("text", "") for m in rig.fake.response_messages(url)]
    stored = notes_in_database(rig.direct, note)
    print(
        f"\ncommit answers lost {rig.proxy.commits_lost}; in the database {stored}; "
        f"acknowledgement {reply_text(reply)[:60]!r}; told later {told}"
    )
    if not (rig.proxy.commits_lost == 1 and note in stored):
        pytest.fail("the fault was not injected: the commit's answer was not lost")
    assert not any(SORRY in t for t in told)  # so "nothing was changed" is false
    assert RECORDED.search(reply_text(reply))  # the user should learn its ID
