"""The bot's own HTTP server on a loopback port, and a client that signs
requests exactly as Slack does. Used by the end-to-end tests and benchmarks."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from bot.scheduling.delivery import Deliverer
from bot.services.context import Context
from bot.slack.app import build_app
from bot.slack.server import http_server

FIXTURES = Path(__file__).parent / "fixtures" / "slack"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body) if self.body else {}
        return data


class BotServer:
    """The real Bolt app behind the real WSGI server (waitress)."""

    def __init__(
        self, settings: Settings, ctx: Context, deliverer: Deliverer | None = None
    ) -> None:
        self.app = build_app(settings, ctx, deliverer=deliverer)
        self.server = http_server(
            self.app, "127.0.0.1", 0, threads=8, signing_secret=settings.slack_signing_secret
        )
        self.port = int(self.server.effective_port)
        self.url = f"http://127.0.0.1:{self.port}/slack/events"
        self.thread = threading.Thread(target=self._run, daemon=True, name="bot-http")

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # closed under its select loop: the end of the test
            self.server.run()

    def __enter__(self) -> BotServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self.thread.join(timeout=5)


class SlackSender:
    """Sends what Slack sends: form-encoded or JSON bodies, signed with the secret."""

    def __init__(self, url: str, secret: str = SECRET) -> None:
        self.url = url
        self.verifier = SignatureVerifier(secret)
        self._triggers = itertools.count(1)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        sign: bool = True,
    ) -> Reply:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"Content-Type": content_type}
        if sign:
            headers["X-Slack-Request-Timestamp"] = ts
            headers["X-Slack-Signature"] = signature or str(
                self.verifier.generate_signature(timestamp=ts, body=body)
            )
        request = urllib.request.Request(
            self.url, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), dict(error.headers))

    def command(self, command: str, text: str, **fields: str) -> Reply:
        # Every slash command carries its own trigger_id, as Slack's do.
        trigger = f"{int(time.time())}.111.{next(self._triggers):012x}"
        payload = {
            **fixture("slash_command"),
            "command": command,
            "text": text,
            "trigger_id": trigger,
            **fields,
        }
        return self.post(urllib.parse.urlencode(payload), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def event(self, envelope: dict[str, Any]) -> Reply:
        return self.post(json.dumps(envelope), "application/json")
