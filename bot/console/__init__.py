"""The console: try Sitrep without Slack. The person at the console is an admin."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.bootstrap import DEMO_FILE, Runtime, describe_database
from bot.domain.errors import SitrepError
from bot.domain.parser import parse_line
from bot.render.text import render
from bot.services.context import Actor
from bot.services.dispatch import error_view, execute
from bot.services.ledger_file import import_file
from bot.services.views import ErrorView

BANNER = """\
Sitrep console — {database}
{ledger}
Type a command as you would in Slack (`/status Lachin`, `/claims Azerbaijan`,
`/ceasefire third`, `/update note "…"`), `help`, or `quit`. You act as an admin here.
To connect Slack, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN
for Socket Mode) and run `python run_bot.py serve`; the README explains the app manifest.
"""


def ensure_demo(runtime: Runtime, out: TextIO) -> None:
    """A ledger with no conflict gets the demo set (the seed report's 26 Oct 2020)."""
    with runtime.ctx.uow.read() as tx:
        if tx.catalog.conflicts():
            return
    counts = import_file(runtime.ctx, DEMO_FILE)
    out.write(
        f"Loaded the demo ledger: {counts['conflicts']} conflict, {counts['places']} places, "
        f"{counts['parties']} parties, {counts['updates']} updates.\n"
    )


def answer(runtime: Runtime, line: str) -> tuple[str, bool]:
    """The text of the answer to one console line, and whether it succeeded."""
    try:
        view = execute(runtime.ctx, parse_line(line), Actor.console_user())
    except SitrepError as exc:
        return render(error_view(exc), "plain"), False
    return render(view, "plain"), not isinstance(view, ErrorView)


def run(
    runtime: Runtime, command: str | None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    try:
        ensure_demo(runtime, out)
    except SitrepError as exc:
        out.write(f"The demo ledger could not be loaded: {exc.message}\n")
        return 1
    if command is not None:
        text, ok = answer(runtime, command)
        out.write(text + "\n")
        return 0 if ok else 1
    interactive = stdin.isatty()
    if interactive:
        with runtime.ctx.uow.read() as tx:
            names = ", ".join(c.name for c in tx.catalog.conflicts())
        out.write(
            BANNER.format(
                database=describe_database(runtime.settings.database_url),
                ledger=f"Conflicts: {names}",
            )
        )
    failures = 0
    while True:
        if interactive:
            out.write("sitrep> ")
            out.flush()
        line = stdin.readline()
        if not line:
            break
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line in ("quit", "exit", r"\q"):
            break
        text, ok = answer(runtime, line)
        failures += 0 if ok else 1
        out.write(text + "\n\n")
        out.flush()
    return 0 if failures == 0 or interactive else 1
