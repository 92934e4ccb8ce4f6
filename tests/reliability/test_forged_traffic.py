"""Forged traffic against the bot's real HTTP server: requests with bad, missing or
stale signatures, wrong content types and malformed bodies. None may reach a
listener: nothing is written, no Slack API is called, every answer is a 4xx.
And a request Slack really sent, delivered twice, writes once."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.services.context import Context
from bot.store.schema import updates
from tests.fakeslack import FakeSlack
from tests.reliability.kit import (
    ADMIN,
    CHANNEL,
    RECORDED,
    bot_settings,
    command_body,
    demo_ledger,
    new_fake,
    reply_text,
    table_counts,
)
from tests.slackbot import SECRET, BotServer, Reply, fixture

SEED = 20201026
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Forged:
    kind: str  # what is wrong with its signature
    body: bytes
    headers: dict[str, str]


@dataclass
class Desk:
    fake: FakeSlack
    engine: Engine
    url: str


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    path = tmp_path_factory.mktemp("forged") / "sitrep.db"
    engine, ctx = demo_ledger(path)
    fake = new_fake()
    with BotServer(bot_settings(fake, f"sqlite:///{path.parent / 'unused.db'}"), ctx) as server:
        yield Desk(fake, engine, server.url)
    fake.stop()
    engine.dispose()


@pytest.fixture
def fake(desk: Desk) -> FakeSlack:
    desk.fake.reset()  # every test starts with no recorded call
    return desk.fake


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def send(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.read().decode(errors="replace"))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode(errors="replace"))


# ---- what a forger sends ------------------------------------------------------


def genuine_bodies(fake: FakeSlack, rng: random.Random) -> list[tuple[str, bytes, str]]:
    """(what, body, its content type): requests Slack could send, each of which
    would write, post or open something if it reached a listener."""

    def response_url() -> str:
        return fake.issue_response_url(channel=CHANNEL, user=ADMIN)

    def trigger() -> str:
        return f"{int(time.time())}.111.{rng.getrandbits(48):012x}"

    note = command_body("/update", 'note "forged note"', ADMIN, trigger(), response_url())
    control = command_body("/update", "control Lachin contested", ADMIN, trigger(), response_url())
    form = command_body("/update", "", ADMIN, trigger(), response_url())
    status = command_body("/status", "Lachin", ADMIN, trigger(), response_url())
    post = command_body("/briefing", "post", ADMIN, trigger(), response_url())
    share = {
        **fixture("block_actions"),
        "response_url": response_url(),
        "actions": [
            {
                "action_id": "share_answer",
                "block_id": "b",
                "type": "button",
                "value": json.dumps({"c": "/status", "t": "Hadrut"}),
                "action_ts": "1.2",
            }
        ],
        "user": {"id": ADMIN, "username": "a", "name": "a", "team_id": "T111"},
    }
    submission = {
        **fixture("view_submission"),
        "user": {"id": ADMIN, "username": "a", "name": "a", "team_id": "T111"},
    }
    submission["view"] = {
        **submission["view"],
        "callback_id": "update_form",
        "private_metadata": json.dumps({"kind": "note", "conflict": None}),
        "state": {"values": {"text": {"text": {"type": "plain_text_input", "value": "forged"}}}},
    }
    home = {**fixture("app_home_opened_event"), "team_id": "T111"}
    home["event"] = {**home["event"], "user": ADMIN}
    return [
        ("/update note", note.encode(), FORM),
        ("/update control", control.encode(), FORM),
        ("/update (form)", form.encode(), FORM),
        ("/status", status.encode(), FORM),
        ("/briefing post", post.encode(), FORM),
        ("share button", urllib.parse.urlencode({"payload": json.dumps(share)}).encode(), FORM),
        (
            "form submission",
            urllib.parse.urlencode({"payload": json.dumps(submission)}).encode(),
            FORM,
        ),
        ("app_home_opened", json.dumps(home).encode(), JSON),
        ("url_verification", json.dumps(fixture("url_verification")).encode(), JSON),
        ("empty", b"", FORM),
        ("large form", urllib.parse.urlencode({"text": "x" * 200_000}).encode(), FORM),
    ]


def parseable_content_types(content_type: str, body: bytes) -> list[str]:
    """Content types (right and wrong) under which this body still parses."""
    others = ["text/plain", "application/xml", "multipart/form-data; boundary=x", "", FORM]
    if content_type == JSON:
        return [JSON, "application/json; charset=utf-8", *others]
    return [content_type, f"{FORM}; charset=utf-8", *others]


SIGNATURE_FAULTS: dict[str, Callable[[random.Random, bytes, int], dict[str, str]]] = {
    "random signature": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": f"v0={r.getrandbits(256):064x}",
    },
    "wrong secret": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(f"{r.getrandbits(128):032x}", str(now), b),
    },
    "signature of another body": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(SECRET, str(now), b + b"&text=tampered"),
    },
    "signature for another time": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(SECRET, str(now - r.randint(1, 200)), b),
    },
    "other scheme": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": "v1=" + sign(SECRET, str(now), b)[3:],
    },
    "truncated": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(SECRET, str(now), b)[: r.randint(0, 60)],
    },
    "upper case": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": "v0=" + sign(SECRET, str(now), b)[3:].upper(),
    },
    "no signature": lambda r, b, now: {"X-Slack-Request-Timestamp": str(now)},
    "no timestamp": lambda r, b, now: {"X-Slack-Signature": sign(SECRET, str(now), b)},
    "neither": lambda r, b, now: {},
    "stale": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now - (t := r.randint(301, 86_400))),
        "X-Slack-Signature": sign(SECRET, str(now - t), b),
    },
    "from the future": lambda r, b, now: {
        "X-Slack-Request-Timestamp": str(now + (t := r.randint(301, 86_400))),
        "X-Slack-Signature": sign(SECRET, str(now + t), b),
    },
}


def forge(
    rng: random.Random, bodies: list[tuple[str, bytes, str]], count: int, now: int
) -> list[Forged]:
    forged = []
    faults = sorted(SIGNATURE_FAULTS)
    for i in range(count):
        kind = faults[i % len(faults)]
        _what, body, content_type = bodies[rng.randrange(len(bodies))]
        headers = SIGNATURE_FAULTS[kind](rng, body, now)
        chosen = rng.choice(parseable_content_types(content_type, body))
        if chosen:
            headers["Content-Type"] = chosen
        forged.append(Forged(kind, body, headers))
    return forged


def blast(url: str, requests: list[Forged]) -> list[Reply]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda f: send(url, f.body, f.headers), requests))


# ---- the tests ------------------------------------------------------------------


def test_a_thousand_forged_requests_are_refused(desk: Desk, fake: FakeSlack) -> None:
    rng = random.Random(SEED)
    before = table_counts(desk.engine)
    started = time.monotonic()
    requests = forge(rng, genuine_bodies(fake, rng), 1000, int(time.time()))
    replies = blast(desk.url, requests)
    elapsed = time.monotonic() - started
    statuses = Counter(r.status for r in replies)
    by_kind = Counter(f.kind for f in requests)
    print(
        f"\nforged requests: {len(requests)} in {elapsed:.1f}s; statuses {dict(statuses)}; "
        f"kinds {dict(by_kind)}; Slack API calls {len(fake.calls)}"
    )
    bad = [
        (f.kind, f.headers.get("Content-Type"), r.status)
        for f, r in zip(requests, replies, strict=True)
        if not 400 <= r.status < 500
    ]
    assert bad == []
    assert fake.calls == []  # no listener ran: not even users.info
    assert table_counts(desk.engine) == before


def malformed_bodies(rng: random.Random) -> list[tuple[bytes, str]]:
    form = command_body("/update", 'note "x"', ADMIN, "1.1.1", "http://127.0.0.1:9/r")
    return [
        (b"{", JSON),
        (b'{"type": "event_callback", ', JSON),
        (b"[1, 2, 3]", JSON),
        (b'"just a string"', JSON),
        (form.encode(), JSON),  # a form body declared as JSON
        (b"payload=%7Bnot+json", FORM),
        (b"payload=" + urllib.parse.quote("[1]").encode(), FORM),
        (b"payload=%22string%22", FORM),
        (b"{not json at all", "text/plain"),
        (bytes(rng.getrandbits(8) for _ in range(64)), FORM),  # not UTF-8
    ]


def forged_malformed(count: int) -> list[Forged]:
    rng = random.Random(SEED + 1)
    bodies = malformed_bodies(rng)
    now = int(time.time())
    faults = sorted(SIGNATURE_FAULTS)
    out = []
    for i in range(count):
        body, content_type = bodies[i % len(bodies)]
        kind = faults[rng.randrange(len(faults))]
        headers = {**SIGNATURE_FAULTS[kind](rng, body, now), "Content-Type": content_type}
        out.append(Forged(kind, body, headers))
    return out


def test_forged_malformed_bodies_reach_no_listener(desk: Desk, fake: FakeSlack) -> None:
    before = table_counts(desk.engine)
    requests = forged_malformed(200)
    replies = blast(desk.url, requests)
    statuses = Counter(r.status for r in replies)
    print(f"\nforged malformed bodies: {len(requests)}; statuses {dict(statuses)}")
    assert not any(200 <= r.status < 300 for r in replies)
    assert fake.calls == []
    assert table_counts(desk.engine) == before


def test_forged_malformed_bodies_are_answered_4xx(desk: Desk, fake: FakeSlack) -> None:
    requests = forged_malformed(200)
    replies = blast(desk.url, requests)
    statuses = Counter(r.status for r in replies)
    print(f"\nforged malformed bodies: {len(requests)}; statuses {dict(statuses)}")
    assert all(400 <= r.status < 500 for r in replies), dict(statuses)


def test_a_forged_timestamp_that_is_not_a_number_is_refused(desk: Desk, fake: FakeSlack) -> None:
    outcomes = []
    for timestamp in ("abc", "1e9", "12.5", "0x10", "-"):
        target = fake.issue_response_url(channel=CHANNEL, user=ADMIN)
        body = command_body("/update", 'note "x"', ADMIN, "1.1.1", target).encode()
        headers = {
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0=" + "0" * 64,
        }
        reply = send(desk.url, body, headers)
        outcomes.append((timestamp, reply.status, len(fake.response_messages(target))))
    print(f"\nnon-numeric timestamps (timestamp, status, posts to the body's URL): {outcomes}")
    assert all(status == 401 and posted == 0 for _, status, posted in outcomes), outcomes
    assert fake.calls == []


# ---- a genuine request delivered twice ---------------------------------------------


def count_updates(ctx: Context) -> int:
    with ctx.uow.read() as tx:
        return len(tx.conn.execute(select(updates.c.id)).all())


def test_the_same_signed_update_twice_writes_once(
    demo: Context, fake: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake, f"sqlite:///{tmp_path / 'unused.db'}")
    with BotServer(settings, demo) as server:
        before = count_updates(demo)

        def exact(text: str, trigger: str, at: int) -> tuple[bytes, dict[str, str]]:
            url = fake.issue_response_url(channel=CHANNEL, user=ADMIN)
            body = command_body("/update", text, ADMIN, trigger, url).encode()
            headers = {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": str(at),
                "X-Slack-Signature": sign(SECRET, str(at), body),
            }
            return body, headers

        now = int(time.time())
        # 1. The very same bytes twice, in sequence.
        body, headers = exact('note "delivered twice"', f"{now}.1.aaa", now)
        first, second = send(server.url, body, headers), send(server.url, body, headers)
        # 2. Eight copies at once.
        body, headers = exact('note "eight at once"', f"{now}.1.bbb", now)
        copies: list[Reply] = []
        lock = threading.Lock()

        def one() -> None:
            reply = send(server.url, body, headers)
            with lock:
                copies.append(reply)

        threads = [threading.Thread(target=one) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        # 3. Re-sent near the end of the five-minute window, signed afresh, as a retry.
        body, headers = exact('note "delivered twice"', f"{now}.1.aaa", now - 290)
        late = send(server.url, body, {**headers, "X-Slack-Retry-Num": "1"})
        # 4. Past the window the same bytes are refused.
        body, headers = exact('note "delivered twice"', f"{now}.1.aaa", now - 310)
        stale = send(server.url, body, headers)
        after = count_updates(demo)

    ids = {
        int(m.group(1))
        for r in (first, second, late, *copies)
        if (m := RECORDED.search(reply_text(r)))
    }
    answers = [reply_text(r).split("\n")[0] for r in (first, second, late)]
    print(
        f"\n{demo.uow.engine.dialect.name}: requests 12 (2 + 8 copies + 1 retry + 1 stale); "
        f"writes {after - before}; ids {sorted(ids)}; answers {answers}; stale {stale.status}"
    )
    assert [r.status for r in (first, second, late, *copies)] == [200] * 11
    assert "Recorded u" in reply_text(first) and "Already recorded" in reply_text(second)
    assert "Already recorded" in reply_text(late)
    assert all(RECORDED.search(reply_text(r)) for r in copies)
    assert after - before == 2 and len(ids) == 2
    assert stale.status == 401
