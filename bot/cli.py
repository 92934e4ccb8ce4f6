"""The subcommands of run_bot.py."""

from __future__ import annotations

import argparse
import sys

from bot.bootstrap import bootstrap, describe_database
from bot.config import Settings
from bot.domain.errors import SitrepError
from bot.services.ledger_file import dump_yaml, export_data, import_file
from bot.store import migrate


def run(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command or ("serve" if settings.slack_enabled else "console")
    if command == "db":
        runtime = bootstrap(settings, upgrade=False)
        migrate.upgrade(runtime.engine)
        print(f"Database is up to date ({describe_database(settings.database_url)}).")
        return 0
    runtime = bootstrap(settings)
    if command == "console":
        from bot import console

        return console.run(runtime, getattr(args, "line", None))
    if command == "import":
        try:
            counts = import_file(runtime.ctx, args.file)
        except SitrepError as exc:
            print(f"Nothing was imported. {exc.message}", file=sys.stderr)
            return 1
        print("Imported " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
        return 0
    if command == "export":
        text = dump_yaml(export_data(runtime.ctx))
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    print(f"`{command}` is not available yet in this version of Sitrep.", file=sys.stderr)
    return 2
