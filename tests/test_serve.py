"""`python run_bot.py serve` as deployed: its start-up line, its refusal of bad
settings, and a signed request answered by the real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakeslack import FakeSlack
from tests.slackbot import SECRET, TOKEN, SlackSender

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(tmp_path: Path, fake: FakeSlack, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SITREP_", "DATABASE_URL", "PORT"))
    }
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        SITREP_ADMINS="UADMIN",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        **extra,
    )
    return env


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as slack:
        slack.add_user("UADMIN", tz="Asia/Baku")
        yield slack


def test_serve_starts_with_one_line_and_answers(tmp_path: Path, fake: FakeSlack) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "import", str(ROOT / "data" / "nk2020.yaml")],
        env=environment(tmp_path, fake),
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py"), "serve"],
        env=environment(tmp_path, fake, PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "Sitrep serving Slack (HTTP on port" in line
        assert (
            "SQLite" in line and "admins: UADMIN" in line and "Nagorno-Karabakh war (2020)" in line
        )
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events")
        deadline = time.monotonic() + 20
        while True:
            try:
                reply = sender.command("/status", "Shushi", user_id="UADMIN")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert reply.status == 200 and "Shusha (Shushi)" in reply.body
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("SLACK_BOT_TOKEN", "not-a-token", "SLACK_BOT_TOKEN"),
        ("PORT", "http", "PORT"),
        ("SITREP_BRIEFING_GRACE", "soon", "SITREP_BRIEFING_GRACE"),
    ],
)
def test_a_malformed_setting_stops_serve_naming_it(
    tmp_path: Path, fake: FakeSlack, setting: str, value: str, named: str
) -> None:
    env = environment(tmp_path, fake)
    env[setting] = value
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert named in result.stderr


def test_http_mode_without_a_signing_secret_says_so(tmp_path: Path, fake: FakeSlack) -> None:
    env = environment(tmp_path, fake)
    env.pop("SLACK_SIGNING_SECRET")
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "SLACK_SIGNING_SECRET" in result.stderr
