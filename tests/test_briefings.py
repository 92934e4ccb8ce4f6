"""Daily briefings: what they say, when they are due (across daylight-saving
changes), and that each is posted once — through Slack's failures, restarts and
several processes. The clock is controlled; no test waits for minutes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.domain.parser import parse_line
from bot.services.context import Actor, Context, FixedClock
from bot.services.dispatch import execute
from tests.briefing_harness import ADMIN, briefings_in, make_deliverer, replies_in, step, subscribe
from tests.conftest import PG_URL
from tests.fakeslack import FakeSlack, blocks_text_length, validate_blocks
from tests.slackbot import TOKEN

ROOT = Path(__file__).resolve().parents[1]
MORNING_27_OCT = datetime(2020, 10, 27, 4, 0, tzinfo=UTC)  # 08:00 in Baku


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as slack:
        slack.add_user(ADMIN, tz="Asia/Baku")
        for i in range(1, 4):
            slack.add_channel(f"C{i}", f"desk-{i}")
        yield slack
        slack.assert_all_accepted()


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False)


def test_the_morning_after_the_demo(demo: Context, fake: FakeSlack) -> None:
    subscribe(demo, "C1", "08:00")
    deliverer = make_deliverer(demo, fake)
    report = step(deliverer, demo, MORNING_27_OCT)
    assert len(report.posted) == 1
    [main] = briefings_in(fake, "C1")
    summary = text_of(main)
    assert "third ceasefire since 27 Sep; the previous two collapsed within hours" in summary
    assert "Washington humanitarian ceasefire" in summary
    assert "As of 27 Oct 2020 08:00 UTC+4" in summary
    details = " ".join(text_of(m) for m in replies_in(fake, "C1", main["ts"]))
    for place in ("Fuzuli (Varanda)", "Hadrut", "Qubadli (Kashunik)"):
        assert f"*{place}*" in details
    # Side by side: the assessment, then each party's claim, attributed.
    assert "*Armenia (Armenian Defense Ministry)* said" in details
    assert "*Azerbaijan (Ilham Aliyev)* said" in details
    assert "*Armenia (General Prosecutor's Office of Armenia)* said" in details
    assert "control *contested*" in details
    for message in fake.messages("C1"):
        assert validate_blocks(message.get("blocks", []), "message") == []


def test_posted_once_per_day_and_a_quiet_day_says_so(demo: Context, fake: FakeSlack) -> None:
    subscribe(demo, "C1", "08:00")
    deliverer = make_deliverer(demo, fake)
    for minutes in (0, 1, 30, 60 * 5):
        step(deliverer, demo, MORNING_27_OCT, minutes)
    assert len(briefings_in(fake, "C1")) == 1
    step(deliverer, demo, MORNING_27_OCT + timedelta(days=1))
    messages = briefings_in(fake, "C1")
    assert len(messages) == 2
    assert "A quiet day" in text_of(messages[-1])
    assert "covers what was recorded since 27 Oct 2020 08:00" in text_of(messages[-1])


@pytest.mark.parametrize(
    ("zone", "time_of_day", "day", "not_before", "fires_at"),
    [
        # Spring forward: 02:30 does not exist in New York on 14 Mar 2021 → 03:00 EDT.
        ("America/New_York", "02:30", "2021-03-14", "2021-03-14T06:59", "2021-03-14T07:00"),
        # Fall back: 01:30 happens twice on 7 Nov 2021 → the first, 01:30 EDT.
        ("America/New_York", "01:30", "2021-11-07", "2021-11-07T05:29", "2021-11-07T05:30"),
        # Baku kept daylight saving until 2015: 04:30 did not exist on 29 Mar 2015.
        ("Asia/Baku", "04:30", "2015-03-29", "2015-03-28T23:59", "2015-03-29T00:00"),
        ("Asia/Baku", "04:30", "2015-10-25", "2015-10-24T23:29", "2015-10-24T23:30"),
        ("Asia/Baku", "08:00", "2020-10-27", "2020-10-27T03:59", "2020-10-27T04:00"),
    ],
)
def test_daylight_saving_changes(
    demo: Context,
    fake: FakeSlack,
    clock: FixedClock,
    zone: str,
    time_of_day: str,
    day: str,
    not_before: str,
    fires_at: str,
) -> None:
    clock.current = datetime.fromisoformat(not_before).replace(tzinfo=UTC) - timedelta(days=2)
    subscribe(demo, "C1", time_of_day, zone)
    deliverer = make_deliverer(demo, fake)
    early = datetime.fromisoformat(not_before).replace(tzinfo=UTC)
    assert step(deliverer, demo, early).posted == []
    due = datetime.fromisoformat(fires_at).replace(tzinfo=UTC)
    assert len(step(deliverer, demo, due).posted) == 1
    # The rest of that local day (including a repeated hour) posts nothing more.
    for hours in (1, 2, 5):
        assert step(deliverer, demo, due, 60 * hours).posted == []
    assert len(briefings_in(fake, "C1")) == 1


def test_late_within_grace_says_so_and_past_grace_is_missed(demo: Context, fake: FakeSlack) -> None:
    subscribe(demo, "C1", "08:00")
    subscribe(demo, "C2", "08:00")
    late = make_deliverer(demo, fake, grace="6h")
    fake.add_channel("C2", "desk-2", is_member=True)
    step(late, demo, MORNING_27_OCT, 125)  # 2 h 5 min late
    [message] = briefings_in(fake, "C1")
    assert "late by 2 h 5 min" in text_of(message)
    fake.reset()
    report = step(late, demo, MORNING_27_OCT + timedelta(days=1), 60 * 7)  # past the grace
    assert report.posted == [] and len(report.missed) == 2
    assert briefings_in(fake, "C1") == []


def test_a_long_briefing_is_a_summary_with_thread_replies(
    demo: Context, fake: FakeSlack, clock: FixedClock
) -> None:
    for i in range(60):
        execute(
            demo,
            parse_line(f'/update claim Iran "{i}: ' + "statement text " * 90 + '" about:Zangilan'),
            Actor(ADMIN, console=True),
        )
    subscribe(demo, "C1", "08:00")
    step(make_deliverer(demo, fake), demo, MORNING_27_OCT)
    [main] = briefings_in(fake, "C1")
    replies = replies_in(fake, "C1", main["ts"])
    assert len(replies) >= 3
    for message in [main, *replies]:
        blocks = message.get("blocks", [])
        assert len(blocks) <= 50 and blocks_text_length(blocks) <= 12_000
        assert validate_blocks(blocks, "message") == []
    everything = " ".join(text_of(m) for m in replies)
    assert "59: statement text" in everything  # nothing cut off


@pytest.mark.parametrize(
    ("fault", "kwargs"),
    [
        ("ratelimit", {"retry_after": 1}),
        ("server_error", {}),
        ("drop", {"drop_after_effect": True}),  # posted, but the bot never heard back
        ("drop", {"drop_after_effect": False}),
    ],
)
def test_slack_failures_still_give_one_briefing(
    demo: Context, fake: FakeSlack, fault: str, kwargs: dict[str, Any]
) -> None:
    subscribe(demo, "C1", "08:00")
    deliverer = make_deliverer(demo, fake)
    fake.fail_next("chat.postMessage", fault, **kwargs)  # type: ignore[arg-type]
    for minutes in range(0, 5):
        step(deliverer, demo, MORNING_27_OCT, minutes)
    assert len(briefings_in(fake, "C1")) == 1


def test_a_permanent_error_pauses_and_tells_the_admins(demo: Context, fake: FakeSlack) -> None:
    subscribe(demo, "C404", "08:00")  # the fake knows no such channel
    deliverer = make_deliverer(demo, fake)
    report = step(deliverer, demo, MORNING_27_OCT)
    assert report.paused == ["C404"]
    told = [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == ADMIN]
    assert told and "paused" in told[0].args["text"]
    with demo.uow.read() as tx:
        [sub] = tx.briefings.subscriptions()
        assert sub.paused and sub.paused_reason == "channel_not_found"
    assert step(deliverer, demo, MORNING_27_OCT + timedelta(days=1)).posted == []
    assert [c.response.get("error") for c in fake.refusals()] == ["channel_not_found"]
    fake.reset()  # the one refusal was the point


def test_a_dead_token_stops_posting_until_it_works_again(demo: Context, fake: FakeSlack) -> None:
    subscribe(demo, "C1", "08:00")
    deliverer = make_deliverer(demo, fake)
    fake.revoke_token(TOKEN)
    report = step(deliverer, demo, MORNING_27_OCT)
    assert report.token_dead and report.posted == []
    assert step(deliverer, demo, MORNING_27_OCT, 1).token_dead
    fake.add_token(TOKEN)
    report = step(deliverer, demo, MORNING_27_OCT, 30)
    assert len(report.posted) == 1
    told = [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == ADMIN]
    assert told and "works again" in told[-1].args["text"]
    assert {c.response.get("error") for c in fake.refusals()} == {"token_revoked"}
    fake.reset()  # those refusals were the point


def test_a_manual_post_does_not_replace_the_scheduled_one(demo: Context, fake: FakeSlack) -> None:
    subscribe(demo, "C1", "08:00")
    deliverer = make_deliverer(demo, fake)
    demo.clock.current = MORNING_27_OCT - timedelta(hours=2)  # type: ignore[attr-defined]
    assert len(deliverer.post_now("C1", 1).posted) == 1
    step(deliverer, demo, MORNING_27_OCT)
    messages = briefings_in(fake, "C1")
    assert len(messages) == 2
    assert "covers what was recorded since 27 Oct 2020 06:00" in text_of(messages[-1])


def _env(database: str, fake: FakeSlack) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SITREP_"))}
    env.update(
        DATABASE_URL=database,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake.api_url,
        SITREP_TIMEZONE="Asia/Baku",
        PYTHONPATH=str(ROOT),
    )
    return env


def test_a_change_through_one_process_is_seen_by_another(
    sqlite_demo: Context, sqlite_engine: Engine, fake: FakeSlack
) -> None:
    database = str(sqlite_engine.url)
    subscribe(sqlite_demo, "C1", "08:00")
    subscribe(sqlite_demo, "C1", "09:00")  # changed here, in this process
    run = [sys.executable, str(ROOT / "run_bot.py"), "briefing", "run-due", "--at"]
    first = subprocess.run(
        [*run, "2020-10-27T08:00"],
        env=_env(database, fake),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    assert "0 posted" in first.stdout
    second = subprocess.run(
        [*run, "2020-10-27T09:00"],
        env=_env(database, fake),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 0, second.stderr
    assert "1 posted" in second.stdout
    assert len(briefings_in(fake, "C1")) == 1


def test_killed_while_posting_the_briefing_appears_once(
    sqlite_demo: Context, sqlite_engine: Engine, fake: FakeSlack
) -> None:
    subscribe(sqlite_demo, "C1", "08:00")
    fake.fail_next("chat.postMessage", "slow", delay=30)  # Slack takes the post, then hangs
    run = [sys.executable, str(ROOT / "run_bot.py"), "briefing", "run-due", "--at"]
    env = _env(str(sqlite_engine.url), fake)
    process = subprocess.Popen(
        [*run, "2020-10-27T08:00"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while not fake.calls_to("chat.postMessage") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.calls_to("chat.postMessage"), "the post never reached Slack"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # After the lease (2 minutes) another run takes the claim over, finds the post, posts nothing.
    again = subprocess.run(
        [*run, "2020-10-27T08:03"], env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0, again.stderr
    assert "1 recovered" in again.stdout
    assert len(briefings_in(fake, "C1")) == 1


@pytest.mark.skipif(not PG_URL, reason="two processes racing need PostgreSQL (TEST_DATABASE_URL)")
def test_two_processes_thirty_days_twenty_channels(
    engine: Engine, demo: Context, fake: FakeSlack
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("this race runs on PostgreSQL")
    for i in range(20):
        fake.add_channel(f"CR{i:02d}", f"race-{i}")
        subscribe(demo, f"CR{i:02d}", "08:00")
    assert PG_URL is not None
    command = [
        sys.executable,
        "-m",
        "tests.due_driver",
        "--database",
        PG_URL,
        "--api",
        fake.api_url,
        "--start",
        MORNING_27_OCT.isoformat(),
        "--days",
        "30",
        "--offsets",
        "0,1",
    ]
    env = _env(PG_URL, fake)
    runs = [
        subprocess.Popen(
            [*command, "--me", f"p{n}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    outputs = [p.communicate(timeout=600) for p in runs]
    for process, (_out, err) in zip(runs, outputs, strict=True):
        assert process.returncode == 0, err
    posted = sum(json.loads(out.strip().splitlines()[-1])["posted"] for out, _ in outputs)
    mains = sum(len(briefings_in(fake, f"CR{i:02d}")) for i in range(20))
    assert mains == 600
    assert posted == 600
    with demo.uow.read() as tx:
        assert tx.briefings.count_posted() == 600
