"""The subcommands of run_bot.py."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.bootstrap import Runtime, bootstrap, describe_database
from bot.config import Settings
from bot.domain.errors import ParseError, SitrepError
from bot.domain.times import parse_time_spec
from bot.services.ledger_file import dump_yaml, export_data, import_file
from bot.store import migrate

if TYPE_CHECKING:
    from bot.scheduling.delivery import Deliverer


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
    if command == "serve":
        return serve(runtime, settings)
    if command == "briefing":
        return run_due(runtime, settings, args.at)
    print(f"`{command}` is not available yet in this version of Sitrep.", file=sys.stderr)
    return 2


def deliverer(runtime: Runtime, settings: Settings) -> Deliverer:
    from bot.scheduling.delivery import Deliverer
    from bot.slack.poster import SlackPoster, poster_client

    poster = SlackPoster(poster_client(settings))
    return Deliverer(runtime.ctx, poster, settings.briefing_grace, settings.delivery_lease)


def run_due(runtime: Runtime, settings: Settings, at_text: str | None) -> int:
    """`briefing run-due [--at TIME]`: the due step once, for cron and for tests."""
    if not settings.slack_bot_token:
        print("Sitrep cannot post briefings: SLACK_BOT_TOKEN is not set.", file=sys.stderr)
        return 2
    with runtime.ctx.uow.read() as tx:
        if not tx.catalog.conflicts():
            print("The ledger is empty: there is nothing to brief on.")
            return 0
    now = None
    if at_text:
        try:
            now = parse_time_spec(at_text).resolve(settings.timezone, datetime.now(UTC)).start
        except ParseError as exc:
            print(f"--at: {exc.message}", file=sys.stderr)
            return 2
    report = deliverer(runtime, settings).run_due(now)
    print(f"Briefings due at {(now or datetime.now(UTC)):%Y-%m-%d %H:%M} UTC: {report.summary()}.")
    return 3 if report.token_dead else 0


def startup_line(runtime: Runtime, mode: str) -> str:
    settings = runtime.settings
    with runtime.ctx.uow.read() as tx:
        names = [c.name for c in tx.catalog.conflicts()]
    ledger = f"conflicts: {', '.join(names)}" if names else "ledger is empty"
    admins = ", ".join(settings.admins) if settings.admins else "none in SITREP_ADMINS"
    database = describe_database(settings.database_url)
    return f"Sitrep serving Slack ({mode}); database: {database}; admins: {admins}; {ledger}."


def serve(runtime: Runtime, settings: Settings) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not settings.slack_bot_token:
        print("Sitrep cannot serve Slack: SLACK_BOT_TOKEN is not set.", file=sys.stderr)
        return 2
    if not settings.socket_mode and not settings.slack_signing_secret:
        print(
            "Sitrep cannot serve Slack over HTTP: SLACK_SIGNING_SECRET is not set "
            "(or set SLACK_APP_TOKEN for Socket Mode).",
            file=sys.stderr,
        )
        return 2
    from bot.scheduling.scheduler import start_scheduler
    from bot.slack.app import build_app
    from bot.slack.server import http_server, serve_socket_mode

    posting = deliverer(runtime, settings)
    app = build_app(settings, runtime.ctx, deliverer=posting)
    scheduler = start_scheduler(posting)
    if settings.socket_mode:
        assert settings.slack_app_token
        print(startup_line(runtime, "Socket Mode"), flush=True)
        serve_socket_mode(app, settings.slack_app_token)
        return 0
    server = http_server(
        app, "0.0.0.0", settings.port, signing_secret=settings.slack_signing_secret
    )
    print(startup_line(runtime, f"HTTP on port {settings.port}, POST /slack/events"), flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        scheduler.shutdown(wait=False)
    return 0
