"""A separate process that runs the briefing due step over simulated days, for
the tests that need two processes racing (python -m tests.due_driver …)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta

from bot.bootstrap import bootstrap
from bot.config import load_settings
from bot.scheduling.delivery import Deliverer
from bot.services.context import FixedClock
from bot.slack.poster import SlackPoster, poster_client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--start", required=True, help="ISO time of the first step")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--offsets", default="0,1", help="minutes after the start of each day")
    parser.add_argument("--me", default=None)
    args = parser.parse_args()
    settings = load_settings(
        {"DATABASE_URL": args.database, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": args.api}
    )
    start = datetime.fromisoformat(args.start)
    clock = FixedClock(start)
    runtime = bootstrap(settings, clock=clock)
    deliverer = Deliverer(
        runtime.ctx,
        SlackPoster(poster_client(settings)),
        settings.briefing_grace,
        settings.delivery_lease,
        me=args.me,
    )
    posted = recovered = 0
    for day in range(args.days):
        for offset in (int(o) for o in args.offsets.split(",")):
            clock.current = start + timedelta(days=day, minutes=offset)
            report = deliverer.run_due(clock.current)
            posted += len(report.posted)
            recovered += len(report.recovered)
    print(json.dumps({"posted": posted, "recovered": recovered}), flush=True)


if __name__ == "__main__":
    main()
