"""Slack misbehaving on every Web API method the bot uses: 429 with Retry-After,
500, a dropped connection (before or after Slack acted) and a slow answer.
Answers, forms, the App Home, shared answers and briefings still arrive, once."""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.services.context import Context
from tests.briefing_harness import briefings_in, make_deliverer, replies_in, step, subscribe
from tests.fakeslack import FakeSlack, FaultKind
from tests.reliability.kit import (
    ADMIN,
    CHANNEL,
    bot_settings,
    demo_ledger,
    new_fake,
    reply_text,
    signed_command,
)
from tests.slackbot import BotServer, SlackSender, fixture

MORNING_27_OCT = datetime(2020, 10, 27, 4, 0, tzinfo=UTC)  # 08:00 in Baku
FAULTS: list[tuple[FaultKind, dict[str, Any]]] = [
    ("ratelimit", {"retry_after": 1}),
    ("server_error", {}),
    ("drop", {}),
    ("drop", {"drop_after_effect": True}),
    ("slow", {"delay": 0.5}),
]
SLACK_ACK_LIMIT = 3.0


def label(kind: FaultKind, kwargs: dict[str, Any]) -> str:
    return kind + (" after effect" if kwargs.get("drop_after_effect") else "")


@dataclass
class Desk:
    fake: FakeSlack
    ctx: Context
    bot: SlackSender
    channels: Iterator[int]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One ledger, one fake Slack and one bot for the module (starting them is the slow part)."""
    path = tmp_path_factory.mktemp("slackfaults") / "sitrep.db"
    engine, ctx = demo_ledger(path)
    fake = new_fake()
    with BotServer(bot_settings(fake, f"sqlite:///{path.parent / 'unused.db'}"), ctx) as server:
        yield Desk(fake, ctx, SlackSender(server.url), itertools.count(1))
    fake.stop()
    engine.dispose()


@pytest.fixture
def fake(desk: Desk) -> Iterator[FakeSlack]:
    desk.fake.reset()  # no fault, call or message left over from another test
    yield desk.fake


@pytest.fixture
def bot(desk: Desk, fake: FakeSlack) -> SlackSender:
    return desk.bot


def timed_status(bot: SlackSender, fake: FakeSlack, user: str) -> tuple[str, float, list[str]]:
    started = time.monotonic()
    reply, url = signed_command(bot, fake, "/status", "Lachin", user=user)
    took = time.monotonic() - started
    told = [m.get("text", "") for m in fake.response_messages(url)]
    return (reply_text(reply) if reply.status == 200 else f"HTTP {reply.status}"), took, told


# ---- users.info: who is asking --------------------------------------------------------


def test_users_info_faults_still_answer_once(bot: SlackSender, fake: FakeSlack) -> None:
    seen = []
    for n, (kind, kwargs) in enumerate(FAULTS):
        user = f"UFAULT{n}"
        fake.add_user(user, tz="Asia/Baku")
        fake.fail_next("users.info", kind, **kwargs)
        said, took, told = timed_status(bot, fake, user)
        seen.append((label(kind, kwargs), "Lachin (Berdzor)" in said, round(took, 2), len(told)))
    print(f"\nusers.info faults (fault, answered, seconds, later messages): {seen}")
    print(f"answers expected {len(FAULTS)}, seen {sum(1 for s in seen if s[1])}")
    assert all(answered and told == 0 for _, answered, _, told in seen)
    assert all(took < SLACK_ACK_LIMIT for _, _, took, _ in seen)


def test_a_users_info_outage_does_not_lock_a_member_out(bot: SlackSender, fake: FakeSlack) -> None:
    fake.add_user("UOUTAGE", tz="Asia/Baku")
    fake.fail_next("users.info", "server_error", times=3)  # the call and both retries
    during, _, told = timed_status(bot, fake, "UOUTAGE")
    after, _, _ = timed_status(bot, fake, "UOUTAGE")  # Slack is fine again
    print(f"\nduring the outage: {during[:70]!r} {told}; after it: {after[:70]!r}")
    assert "not open to external" not in during
    assert "Lachin (Berdzor)" in after


# ---- views.open: the update form -------------------------------------------------------


def test_views_open_faults_open_the_form_once(bot: SlackSender, fake: FakeSlack) -> None:
    seen = []
    for kind, kwargs in FAULTS:
        opened = len(fake.opened_views())
        fake.fail_next("views.open", kind, **kwargs)
        started = time.monotonic()
        reply, url = signed_command(bot, fake, "/update", "", trigger=fake.issue_trigger_id(ADMIN))
        took = time.monotonic() - started
        notices = len(fake.response_messages(url))
        opened_now = len(fake.opened_views()) - opened
        seen.append((label(kind, kwargs), reply.status, opened_now, round(took, 2), notices))
    print(f"\nviews.open faults (fault, status, forms opened, seconds, error notices): {seen}")
    print(f"forms expected {len(FAULTS)}, opened {sum(s[2] for s in seen)}")
    assert all(status == 200 and opened == 1 for _, status, opened, _, _ in seen)
    assert all(s[3] < SLACK_ACK_LIMIT for s in seen)


# ---- views.publish: the App Home ---------------------------------------------------------


def test_views_publish_faults_still_publish_the_home(bot: SlackSender, fake: FakeSlack) -> None:
    seen = []
    for kind, kwargs in FAULTS:
        before = len(fake.calls_to("views.publish"))
        fake.fail_next("views.publish", kind, **kwargs)
        envelope = copy.deepcopy(fixture("app_home_opened_event"))
        envelope["event"]["user"] = ADMIN
        envelope["team_id"] = "T111"
        status = bot.event(envelope).status
        # A call took effect when Slack applied it, whether or not its answer arrived.
        took_effect = [c for c in fake.calls_to("views.publish")[before:] if c.response.get("ok")]
        home = fake.published_home(ADMIN)
        seen.append((label(kind, kwargs), status, len(took_effect), home is not None))
    print(f"\nviews.publish faults (fault, status, publishes that took effect, home): {seen}")
    assert all(status == 200 and published >= 1 and home for _, status, published, home in seen)
    # Publishing the same home twice (after a drop) is idempotent: one home, current.
    assert "Disputed places" in str(fake.published_home(ADMIN))


# ---- response_url: "Share in channel" -----------------------------------------------------


def share(bot: SlackSender, fake: FakeSlack) -> int:
    """Click "Share in channel" under a /status answer; returns messages posted."""
    first, _ = signed_command(bot, fake, "/status", "Hadrut")
    [button] = [
        e
        for b in first.json()["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "share_answer"
    ]
    payload = copy.deepcopy(fixture("block_actions"))
    payload["user"] = {"id": ADMIN, "username": "a", "name": "a", "team_id": "T111"}
    payload["team"] = {"id": "T111", "domain": "desk"}
    payload["response_url"] = fake.issue_response_url(channel=CHANNEL, user=ADMIN)
    payload["trigger_id"] = fake.issue_trigger_id(ADMIN)
    payload["actions"] = [
        {
            "action_id": "share_answer",
            "block_id": "b",
            "type": "button",
            "value": button["value"],
            "action_ts": "1.2",
        }
    ]
    before = len(fake.messages(CHANNEL))
    status = bot.interaction(payload).status
    if status != 200:
        pytest.fail(f"the click was answered {status}")
    return len(fake.messages(CHANNEL)) - before


def test_a_share_survives_a_dropped_or_slow_response_url(bot: SlackSender, fake: FakeSlack) -> None:
    seen = []
    faults: list[tuple[FaultKind, dict[str, Any]]] = [("drop", {}), ("slow", {"delay": 0.5})]
    for kind, kwargs in faults:
        fake.fail_next("response_url", kind, **kwargs)
        seen.append((label(kind, kwargs), share(bot, fake)))
    print(f"\nresponse_url faults (fault, shared messages): {seen}; expected 1 each")
    assert [posted for _, posted in seen] == [1, 1]


@pytest.mark.parametrize("kind", ["ratelimit", "server_error"])
def test_a_share_survives_a_refusing_response_url(
    bot: SlackSender, fake: FakeSlack, kind: FaultKind
) -> None:
    fake.fail_next("response_url", kind)
    posted = share(bot, fake)
    print(f"\nresponse_url {kind}: shared messages {posted}, expected 1")
    assert posted == 1


def test_a_share_is_posted_once_when_the_answer_to_it_is_lost(
    bot: SlackSender, fake: FakeSlack
) -> None:
    fake.fail_next("response_url", "drop", drop_after_effect=True)
    posted = share(bot, fake)
    print(f"\nresponse_url dropped after effect: shared messages {posted}, expected 1")
    assert posted == 1


# ---- chat.postMessage and conversations.history: briefings ---------------------------------


def briefing_under_fault(
    desk: Desk, faults: list[tuple[str, FaultKind, dict[str, Any]]]
) -> tuple[int, int, list[str]]:
    """Subscribe a new channel, inject the faults, run the due step minute by minute;
    returns (main messages, thread replies, step summaries)."""
    ctx, fake = desk.ctx, desk.fake
    channel = f"CB{next(desk.channels):04d}"
    fake.add_channel(channel, channel.lower())
    # Subscribed the day before, after that day's 08:00: the 27th is its first briefing.
    ctx.clock.current = MORNING_27_OCT - timedelta(hours=20)  # type: ignore[attr-defined]
    subscribe(ctx, channel, "08:00")
    deliverer = make_deliverer(ctx, fake)
    for method, kind, kwargs in faults:
        fake.fail_next(method, kind, **kwargs)
    summaries = [step(deliverer, ctx, MORNING_27_OCT, m).summary() for m in range(6)]
    mains = briefings_in(fake, channel)
    replies = len(replies_in(fake, channel, mains[0]["ts"])) if mains else 0
    with ctx.uow.write() as tx:  # leave the next case alone
        for sub in tx.briefings.subscriptions():
            tx.briefings.unsubscribe(sub.channel_id, sub.conflict_id)
    return len(mains), replies, summaries


def test_briefings_arrive_once_through_slack_faults(desk: Desk, fake: FakeSlack) -> None:
    _, expected_replies, _ = briefing_under_fault(desk, [])
    cases: list[tuple[str, list[tuple[str, FaultKind, dict[str, Any]]]]] = [
        (f"chat.postMessage {label(k, kw)}", [("chat.postMessage", k, kw)]) for k, kw in FAULTS
    ]
    cases += [
        (
            f"conversations.history {label(k, kw)} (after a post's answer was lost)",
            [
                ("chat.postMessage", "drop", {"drop_after_effect": True}),
                ("conversations.history", k, kw),
            ],
        )
        for k, kw in FAULTS
    ]
    seen = []
    for name, faults in cases:
        mains, replies, _ = briefing_under_fault(desk, faults)
        seen.append((name, mains, replies))
    print(f"\nbriefing under faults (fault, main messages, detail replies of {expected_replies}):")
    for row in seen:
        print(f"  {row}")
    print(f"briefings expected {len(cases)}, seen {sum(m for _, m, _ in seen)}")
    assert expected_replies > 0
    assert [mains for _, mains, _ in seen] == [1] * len(cases)


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param(
            [
                ("chat.postMessage", "slow", {"delay": 0.0}),
                ("chat.postMessage", "server_error", {}),
            ],
            id="a detail reply answered 500",
        ),
        pytest.param(
            [("chat.postMessage", "drop", {"drop_after_effect": True})],
            id="the main post's answer lost",
        ),
    ],
)
def test_a_briefings_details_arrive_through_slack_faults(
    desk: Desk, fake: FakeSlack, faults: list[tuple[str, FaultKind, dict[str, Any]]]
) -> None:
    _, expected, _ = briefing_under_fault(desk, [])
    mains, replies, summaries = briefing_under_fault(desk, faults)
    print(f"\nmain messages {mains}; detail replies {replies} of {expected}; steps {summaries}")
    if not (expected > 0 and mains == 1):
        pytest.fail("the briefing itself did not go out once")
    assert replies == expected
