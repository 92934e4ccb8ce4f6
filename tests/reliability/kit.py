"""What the reliability tests share: settings for a bot that talks to the fake
Slack, signed commands whose response URLs the fake answers, counts of every
table, a reading of what a reply says, and a TCP proxy that can cut connections."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from bot.bootstrap import DEMO_FILE
from bot.config import Settings, load_settings
from bot.services.context import Context, FixedClock
from bot.services.ledger_file import import_file
from bot.slack.app import SORRY as SORRY  # what the bot says when a listener fails
from bot.store import migrate
from bot.store.db import create_db_engine
from bot.store.schema import metadata
from bot.store.uow import UnitOfWork
from tests.conftest import DEMO_NOW
from tests.fakeslack import FakeSlack
from tests.slackbot import SECRET, TOKEN, Reply, SlackSender, fixture

ADMIN = "UADMIN"
READER = "UREADER"
CHANNEL = "C111"
RECORDED = re.compile(r"(?:Recorded|Already recorded as) u(\d+)")


def bot_settings(fake: FakeSlack, database_url: str, **extra: str) -> Settings:
    return load_settings(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "SITREP_ADMINS": ADMIN,
            "DATABASE_URL": database_url,
            **extra,
        }
    )


def new_fake() -> FakeSlack:
    fake = FakeSlack(token=TOKEN, team_id="T111", bot_user_id="UBOT")
    fake.start()
    fake.add_user(ADMIN, tz="Asia/Baku")
    fake.add_user(READER, tz="America/New_York")
    fake.add_channel(CHANNEL, "sitrep-desk")
    return fake


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in metadata.sorted_tables
        }


def signed_command(
    sender: SlackSender,
    fake: FakeSlack,
    command: str,
    text: str,
    *,
    user: str = ADMIN,
    trigger: str | None = None,
) -> tuple[Reply, str]:
    """A slash command as Slack sends it, with a response URL the fake answers.
    Returns the reply and the response URL."""
    url = fake.issue_response_url(channel=CHANNEL, user=user)
    fields = {"user_id": user, "channel_id": CHANNEL, "response_url": url}
    if trigger is not None:
        fields["trigger_id"] = trigger
    return sender.command(command, text, **fields), url


def command_body(command: str, text: str, user: str, trigger: str, response_url: str) -> str:
    payload = {
        **fixture("slash_command"),
        "command": command,
        "text": text,
        "user_id": user,
        "channel_id": CHANNEL,
        "trigger_id": trigger,
        "response_url": response_url,
    }
    return urllib.parse.urlencode(payload)


def text_objects(blocks: object) -> list[str]:
    """The text of every text object (mrkdwn or plain) in a blocks array or view."""
    found: list[str] = []
    stack: list[object] = [blocks]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") in ("mrkdwn", "plain_text") and isinstance(item.get("text"), str):
                found.append(item["text"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def reply_text(reply: Reply) -> str:
    """What the acknowledgement shows the user ('' when it carries nothing)."""
    if reply.status != 200 or not reply.body.strip():
        return ""
    data = reply.json()
    return "\n".join([str(data.get("text", "")), *text_objects(data.get("blocks", []))])


MARKUP = re.compile(r"<([^<>]*)>")


def markup_problems(texts: Iterable[str], allowed_links: set[str]) -> list[str]:
    """Mentions and links in rendered mrkdwn that the bot did not make itself. Every
    `<…>` must link to a source the ledger holds (sources are linked on purpose);
    no `<!…>`, `<@…>` or `<#…>` at all."""
    problems = []
    for text in texts:
        for marker in ("<!", "<@", "<#"):
            if marker in text:
                at = text.index(marker)
                problems.append(f"{marker!r} at {at}: {text[max(0, at - 40) : at + 60]!r}")
        for match in MARKUP.finditer(text):
            url = match.group(1).split("|", 1)[0].replace("&amp;", "&")
            if not url.startswith(("http://", "https://")) or url not in allowed_links:
                problems.append(f"markup {match.group(0)[:120]!r}")
    return problems


def wait_until(predicate: Any, timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---- a TCP proxy that breaks connections on purpose ------------------------------


@dataclass
class _Pair:
    client: socket.socket
    upstream: socket.socket
    swallow_reply: bool = False


class TcpProxy:
    """Forwards 127.0.0.1:<port> to an upstream address, one thread per direction.

    `cut()` closes every live connection at once (both sides), as a failed network
    or a restarted database would; `down()` refuses new connections until `up()`.
    `lose_next_commit_answer()`: the next COMMIT a client sends reaches the server,
    which commits; its answer is thrown away and the connection is cut, so the
    client cannot know whether the commit happened."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._lock = threading.Lock()
        self._pairs: list[_Pair] = []
        self._accepting = True
        self._closed = False
        self._trap_commit = False
        self.cuts = 0
        self.connections = 0
        self.refused = 0
        self.commits_lost = 0
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="tcp-proxy")

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self.listener.close()
        self._cut_all()
        self._thread.join(timeout=5)

    def cut(self) -> int:
        """Close every live proxied connection; returns how many were cut."""
        self.cuts += 1
        return self._cut_all()

    def down(self) -> None:
        self._accepting = False

    def up(self) -> None:
        self._accepting = True

    def lose_next_commit_answer(self) -> None:
        self._trap_commit = True

    def _cut_all(self) -> int:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            _kill(pair.client)
            _kill(pair.upstream)
        return len(pairs)

    def _accept_loop(self) -> None:
        self.listener.settimeout(0.1)  # so that close() is noticed promptly
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            if not self._accepting:
                self.refused += 1
                _kill(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _kill(client)
                continue
            pair = _Pair(client, upstream)
            with self._lock:
                self._pairs.append(pair)
                self.connections += 1
            for source, target, outbound in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(
                    target=self._pump, args=(pair, source, target, outbound), daemon=True
                ).start()

    def _pump(self, pair: _Pair, source: socket.socket, target: socket.socket, out: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if out and self._trap_commit and b"COMMIT\x00" in data:
                    self._trap_commit = False
                    pair.swallow_reply = True
                elif not out and pair.swallow_reply:
                    # The server has committed and answered; the client never hears it.
                    self.commits_lost += 1
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                if pair in self._pairs:
                    self._pairs.remove(pair)
            _kill(pair.client)
            _kill(pair.upstream)


def _kill(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv
    with contextlib.suppress(OSError):
        sock.close()


def demo_ledger(path: Path) -> tuple[Engine, Context]:
    """A SQLite ledger at `path` holding the demo data, loaded at noon in Baku on 26 Oct 2020."""
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    ctx = Context(UnitOfWork(engine), FixedClock(DEMO_NOW), (ADMIN,), "Asia/Baku")
    import_file(ctx, DEMO_FILE)
    return engine, ctx
