"""`python run_bot.py serve` killed with SIGKILL in the middle of load — admins'
writes arriving, a briefing being posted — then started again: no duplicate
post, no lost confirmed write, the subscriptions as they were."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import Engine, select

from bot.domain import commands as cmd
from bot.services import subscriptions
from bot.services.context import Actor, Context, FixedClock
from bot.store.schema import updates
from bot.store.uow import UnitOfWork
from tests.briefing_harness import briefings_in
from tests.fakeslack import FakeSlack
from tests.reliability.kit import (
    ADMIN,
    CHANNEL,
    RECORDED,
    command_body,
    demo_ledger,
    free_port,
    new_fake,
    reply_text,
    wait_until,
)
from tests.slackbot import SECRET, TOKEN, Reply, SlackSender

ROOT = Path(__file__).resolve().parents[2]
BRIEFED = "CBRIEF"
READY_TIMEOUT = 60.0


class Bot:
    """One `run_bot.py serve` process, its output collected in the background."""

    def __init__(self, env: dict[str, str], port: int, cwd: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run_bot.py"), "serve"],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        threading.Thread(target=self._collect, args=(self.process.stdout,), daemon=True).start()

    def _collect(self, stream: IO[str]) -> None:
        for line in stream:
            self.output.append(line)

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def wait_ready(self) -> None:
        if not wait_until(lambda: self.ready() or self.process.poll() is not None, READY_TIMEOUT):
            raise AssertionError("the bot did not start:\n" + "".join(self.output[-30:]))
        assert self.process.poll() is None, "".join(self.output[-30:])

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Sent:
    note: str
    trigger: str
    reply: Reply | None  # None: no answer (the process died under it)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = new_fake()
    slack.add_channel(BRIEFED, "briefings")
    yield slack
    slack.stop()


def env_for(fake: FakeSlack, database: str, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SITREP_")) and k not in ("DATABASE_URL", "PORT")
    }
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database,
        PORT=str(port),
        SITREP_ADMINS=ADMIN,
        SITREP_DELIVERY_LEASE="1s",  # a claim of the killed process is stale at once
        PYTHONPATH=str(ROOT),
    )
    return env


def subscription_rows(ctx: Context) -> list[tuple[object, ...]]:
    with ctx.uow.read() as tx:
        return sorted(
            (s.channel_id, s.conflict_id, s.time_of_day, s.zone, s.paused)
            for s in tx.briefings.subscriptions()
        )


def notes_stored(engine: Engine, prefix: str) -> Counter[str]:
    with engine.connect() as conn:
        bodies = conn.execute(select(updates.c.body)).scalars().all()
    return Counter(
        b["text"]
        for b in bodies
        if isinstance(b, dict) and str(b.get("text", "")).startswith(prefix)
    )


def send_note(sender: SlackSender, fake: FakeSlack, note: str, trigger: str) -> Reply | None:
    url = fake.issue_response_url(channel=CHANNEL, user=ADMIN)
    body = command_body("/update", f'note "{note}"', ADMIN, trigger, url)
    try:
        return sender.post(body, "application/x-www-form-urlencoded")
    except (OSError, http.client.HTTPException):  # refused, reset, or cut mid-answer
        return None


def load(sender: SlackSender, fake: FakeSlack, prefix: str, stop: threading.Event) -> list[Sent]:
    """Admins' writes from four threads until stopped (at most 400, at most 60 s)."""
    sent: list[Sent] = []
    lock = threading.Lock()
    numbers = iter(range(400))
    deadline = time.monotonic() + 60

    def worker() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            note = f"{prefix}{number:04d}"
            trigger = f"{int(time.time())}.111.{number:012x}"
            reply = send_note(sender, fake, note, trigger)
            with lock:
                sent.append(Sent(note, trigger, reply))
            if reply is None:
                return  # the server is gone

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return sent


def test_sigkill_mid_load_loses_nothing_and_posts_once(fake: FakeSlack, tmp_path: Path) -> None:
    engine, demo = demo_ledger(tmp_path / "sitrep.db")
    database = str(engine.url)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # A briefing due two minutes ago, subscribed an hour ago.
    earlier = Context(UnitOfWork(engine), FixedClock(now - timedelta(hours=1)), (ADMIN,), "UTC")
    subscriptions.subscribe(
        earlier,
        cmd.BriefingSubscribe(f"{now - timedelta(minutes=2):%H:%M}", "UTC"),
        Actor(ADMIN, channel_id=BRIEFED),
    )
    subscriptions.subscribe(
        earlier,
        cmd.BriefingSubscribe(f"{now + timedelta(hours=3):%H:%M}", "Asia/Baku"),
        Actor(ADMIN, channel_id=CHANNEL),
    )
    subscribed = subscription_rows(demo)
    # Slack takes the briefing, then hangs: the process dies before it hears back.
    fake.fail_next("chat.postMessage", "slow", delay=15)
    prefix = "load-"
    port = free_port()
    env = env_for(fake, database, port)

    started = time.monotonic()
    first = Bot(env, port, tmp_path)
    try:
        first.wait_ready()
        sender = SlackSender(first.url)
        stop = threading.Event()
        results: list[list[Sent]] = []
        loader = threading.Thread(target=lambda: results.append(load(sender, fake, prefix, stop)))
        loader.start()
        posting = wait_until(lambda: bool(fake.calls_to("chat.postMessage")), 30)
        posted_at = time.monotonic()
        # Kill once the briefing hangs in Slack and writes are flowing.
        wait_until(lambda: len(notes_stored(engine, prefix)) >= 36, 20)
        first.kill()
        stop.set()
        loader.join(timeout=90)
    finally:
        first.stop()
    killed_at = time.monotonic() - started
    sent = results[0] if results else []
    confirmed = {
        s.note: int(m.group(1))
        for s in sent
        if s.reply is not None and (m := RECORDED.search(reply_text(s.reply)))
    }
    unanswered = [s for s in sent if s.reply is None or not RECORDED.search(reply_text(s.reply))]
    stored_after_kill = notes_stored(engine, prefix)

    # The killed process's claim must be stale (its 1 s lease) when the next one looks.
    time.sleep(max(0.0, posted_at + 1.2 - time.monotonic()))
    second = Bot(env, port, tmp_path)
    try:
        second.wait_ready()
        sender = SlackSender(second.url)
        # Slack would retry what got no answer: the same trigger, so at most one write.
        retried = [send_note(sender, fake, s.note, s.trigger) for s in unanswered]
        fresh = [send_note(sender, fake, f"{prefix}after-{i}", f"9.9.{i}") for i in range(5)]
        recovered = wait_until(
            lambda: (
                len(fake.calls_to("conversations.history")) > 0
                and "recovered" in "".join(second.output)
            ),
            30,
        )
    finally:
        second.stop()
    elapsed = time.monotonic() - started

    stored = notes_stored(engine, prefix)
    found = [note for note, uid in confirmed.items() if stored[note] == 1]
    posts = briefings_in(fake, BRIEFED)
    retried_ok = [r for r in retried if r is not None and RECORDED.search(reply_text(r))]
    fresh_ok = [r for r in fresh if r is not None and RECORDED.search(reply_text(r))]
    print(
        f"\nkilled after {killed_at:.1f}s (briefing post in flight: {posting}); writes sent "
        f"{len(sent)}, confirmed {len(confirmed)}, found {len(found)}, in the database at "
        f"the kill {sum(stored_after_kill.values())}; unanswered {len(unanswered)}, retried "
        f"after restart {len(retried_ok)} answered; new writes after restart "
        f"{len(fresh_ok)}/5; briefing posts expected 1, seen {len(posts)} (recovered "
        f"from history: {recovered}); subscriptions {len(subscribed)} before, "
        f"{len(subscription_rows(demo))} after; total {elapsed:.1f}s"
    )
    assert posting, "the briefing never reached Slack before the kill"
    assert len(confirmed) >= 30
    assert len(found) == len(confirmed)  # no confirmed write lost
    assert all(count == 1 for count in stored.values())  # and none written twice
    assert len(retried_ok) == len(unanswered) and len(fresh_ok) == 5
    assert len(posts) == 1 and recovered  # posted once, found again rather than reposted
    assert subscription_rows(demo) == subscribed
    engine.dispose()
