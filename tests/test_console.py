"""The console as a newcomer runs it: `python run_bot.py console -c …`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SITREP_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_status_of_a_misspelled_place_loads_the_demo_and_answers(tmp_path: Path) -> None:
    result = run(tmp_path, "console", "-c", "/status Stepankert")
    assert result.returncode == 0, result.stderr
    assert "Loaded the demo ledger" in result.stdout
    assert "Stepanakert (Khankendi)" in result.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/status Atlantis", "No place called"),
        ("/status Martuni", "Which one"),
        ("/frobnicate", "Unknown command"),
        ('/update note "unclosed', "quote"),
    ],
)
def test_what_cannot_be_done_exits_non_zero(tmp_path: Path, line: str, message: str) -> None:
    result = run(tmp_path, "console", "-c", line)
    assert result.returncode == 1
    assert message.lower() in result.stdout.lower()
    assert "Traceback" not in result.stdout + result.stderr


def test_stdin_runs_one_command_a_line(tmp_path: Path) -> None:
    result = run(tmp_path, "console", stdin="/ceasefire\n/status Hadrut on 2020-10-01\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("collapsed") >= 2
    assert "as of 1 Oct 2020" in result.stdout


def test_no_token_means_the_console(tmp_path: Path) -> None:
    result = run(tmp_path, stdin="/status Shushi\n")
    assert result.returncode == 0, result.stderr
    assert "Shusha (Shushi)" in result.stdout


def test_a_malformed_setting_stops_with_its_name(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SITREP_TIMEZONE=Mars/Olympus\n", encoding="utf-8")
    result = run(tmp_path, "console", "-c", "/status")
    assert result.returncode == 2
    assert "SITREP_TIMEZONE" in result.stderr
