"""APScheduler wiring: one job, the due step, every minute and once at start, in
every instance. No job store in the database: the subscriptions table is the
schedule (a change made through any instance is seen within a minute), and the
delivery table makes each post happen once however many instances run."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduling.delivery import Deliverer

log = logging.getLogger("sitrep.scheduler")


def start_scheduler(deliverer: Deliverer) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)

    def due_step() -> None:
        try:
            report = deliverer.run_due()
        except Exception:
            # The next minute tries again; the delivery table keeps what was done.
            log.exception("the briefing due step failed")
            return
        if report.posted or report.missed or report.failed or report.recovered:
            log.info("briefings: %s", report.summary())

    scheduler.add_job(
        due_step,
        IntervalTrigger(minutes=1, timezone=UTC),
        id="briefing-due-step",
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=50,
    )
    scheduler.start()
    return scheduler
