"""The console: try Sitrep without Slack. The person at the console is an admin."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot.bootstrap import DEMO_FILE, Runtime, describe_database
from bot.domain.errors import SitrepError
from bot.domain.parser import parse_line
from bot.render.text import render
from bot.services.context import Actor
from bot.services.dispatch import error_view, execute
from bot.services.ledger_file import import_file
from bot.services.views import ErrorView, ProposalView

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


def answer(
    runtime: Runtime, line: str, ask: Callable[[str], str] | None = None
) -> tuple[str, bool]:
    """The text of the answer to one console line, and whether it succeeded.
    `ask` (interactive consoles) is how a report's proposal asks what to approve."""
    try:
        view = execute(runtime.ctx, parse_line(line), Actor.console_user())
        if isinstance(view, ProposalView) and ask is not None and view.candidates:
            text = render(view, "plain")
            reply = ask(text + "\n\nApprove which? (numbers like 1,3; all; or Enter for none) ")
            return approve_from_console(runtime, view, reply)
    except SitrepError as exc:
        return render(error_view(exc), "plain"), False
    return render(view, "plain"), not isinstance(view, ErrorView)


def approve_from_console(runtime: Runtime, view: ProposalView, reply: str) -> tuple[str, bool]:
    from bot.ingest import service as ingest

    wanted = reply.strip().lower()
    if not wanted:
        ingest.cancel(runtime.ctx, view.proposal_id)
        return "Nothing was written.", True
    lines = {c.number: c.line for c in view.candidates}
    if wanted == "all":
        numbers = list(lines)
    else:
        try:
            numbers = [int(part) for part in wanted.replace(" ", ",").split(",") if part]
        except ValueError:
            ingest.cancel(runtime.ctx, view.proposal_id)
            return "That is not a list of numbers; nothing was written.", False
    if any(n not in lines for n in numbers):
        ingest.cancel(runtime.ctx, view.proposal_id)
        return f"There are candidates 1 to {len(lines)} only; nothing was written.", False
    done = ingest.approve(
        runtime.ctx, view.proposal_id, {n: lines[n] for n in numbers}, Actor.console_user()
    )
    return render(done, "plain"), True


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

    def ask(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        return stdin.readline()

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
        text, ok = answer(runtime, line, ask if interactive else None)
        failures += 0 if ok else 1
        out.write(text + "\n\n")
        out.flush()
    return 0 if failures == 0 or interactive else 1
