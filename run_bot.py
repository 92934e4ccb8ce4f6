"""Sitrep's entry point. `python run_bot.py --help` lists the subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="run_bot.py", description="Sitrep: a conflict ledger for Slack."
    )
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="the interactive console (no Slack needed)")
    console.add_argument("-c", dest="line", help="run one command and exit")
    sub.add_parser("serve", help="serve Slack (HTTP, or Socket Mode with SLACK_APP_TOKEN)")
    briefing = sub.add_parser("briefing", help="briefings")
    briefing_sub = briefing.add_subparsers(dest="briefing_command", required=True)
    run_due = briefing_sub.add_parser("run-due", help="post what is due, then exit")
    run_due.add_argument("--at", help="the moment to act as (default now)")
    db = sub.add_parser("db", help="database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    imp = sub.add_parser("import", help="load a ledger file, all or nothing")
    imp.add_argument("file", type=Path)
    exp = sub.add_parser("export", help="write the ledger in the import format")
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Sitrep cannot start: {exc}", file=sys.stderr)
        return 2

    from bot import cli  # imported late: argument errors should not wait for SQLAlchemy

    return cli.run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
