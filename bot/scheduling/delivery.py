"""The due step and the delivery ledger: every briefing that is due is posted
once per channel, conflict and local date — across restarts, several instances
and Slack's failures.

A delivery is claimed in a short transaction (a unique key decides who gets it),
posted outside any transaction, then confirmed with Slack's ts. A claim holds a
lease; a stale claim, or an attempt whose outcome is unknown, is taken over only
after looking for its delivery ID in the channel's history."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.schedule import candidate_days, local_moment, next_moment
from bot.render.text import render
from bot.scheduling.ports import (
    OutcomeUnknown,
    PermanentError,
    Poster,
    PostError,
    RateLimited,
    TokenDead,
)
from bot.services.briefing import build_briefing
from bot.services.context import Context
from bot.services.views import BriefingView
from bot.slack.blocks import answer_page, paginate, sections
from bot.store.briefings import Delivery, Subscription

log = logging.getLogger("sitrep.briefings")
MAX_ATTEMPTS = 6
WORKERS = 8  # channels posted to at once by one due step
LATE_AFTER = timedelta(minutes=10)
DEFAULT_WINDOW = timedelta(hours=24)


def instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class StepReport:
    posted: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)  # found already posted in history
    missed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    paused: list[str] = field(default_factory=list)
    token_dead: bool = False

    def summary(self) -> str:
        parts = [f"{len(self.posted)} posted"]
        for name in ("recovered", "missed", "failed", "paused"):
            items = getattr(self, name)
            if items:
                parts.append(f"{len(items)} {name}")
        if self.token_dead:
            parts.append("the bot token does not work: nothing posted")
        return ", ".join(parts)


class Deliverer:
    def __init__(
        self,
        ctx: Context,
        poster: Poster,
        grace: timedelta,
        lease: timedelta,
        me: str | None = None,
        workers: int = WORKERS,
    ) -> None:
        self.ctx = ctx
        self.workers = workers
        self.poster = poster
        self.grace = grace
        self.lease = lease
        self.me = me or instance_id()

    # ---- the due step ----------------------------------------------------

    def run_due(self, now: datetime | None = None) -> StepReport:
        """Post every briefing due at `now` (default: the context's clock)."""
        now = now or self.ctx.clock.now()
        report = StepReport()
        if not self._token_ok(now, report):
            return report
        with self.ctx.uow.read() as tx:
            subs = tx.briefings.subscriptions(include_paused=False)
        try:
            self.finish_parts(now)
        except TokenDead as exc:
            self._token_died(exc, now)
            report.token_dead = True
            return report
        died: list[TokenDead] = []

        def one(sub: Subscription) -> None:
            for day in candidate_days(now, sub.zone):
                if died:
                    return  # the token died under another worker: post nothing more
                scheduled = local_moment(day, sub.time_of_day, sub.zone)
                try:
                    self._consider(sub, day.isoformat(), scheduled, now, report)
                except TokenDead as exc:
                    died.append(exc)
                    return

        # Channels are posted to side by side: a slow Slack answer for one does not
        # hold up the rest (Slack limits each channel, not each bot, to about one
        # post a second). Each delivery is still claimed, posted and confirmed once.
        with ThreadPoolExecutor(max_workers=min(self.workers, max(1, len(subs)))) as pool:
            list(pool.map(one, subs))
        if died:
            self._token_died(died[0], now)
            report.token_dead = True
        return report

    def _consider(
        self, sub: Subscription, slot: str, scheduled: datetime, now: datetime, report: StepReport
    ) -> None:
        if scheduled > now or scheduled < sub.created_at.replace(second=0, microsecond=0):
            return  # not yet, or before the channel subscribed
        late = now - scheduled
        with self.ctx.uow.write() as tx:
            existing = tx.briefings.delivery_for(sub.channel_id, sub.conflict_id, slot)
            if existing is None:
                window_start = self._window_start(
                    tx, sub.channel_id, sub.conflict_id, sub.created_at, now
                )
                values: dict[str, Any] = {
                    "channel_id": sub.channel_id,
                    "conflict_id": sub.conflict_id,
                    "slot": slot,
                    "kind": "scheduled",
                    "scheduled_for": scheduled,
                    "window_start": window_start,
                    "window_end": now,
                    "claimed_by": self.me,
                    "lease_until": now + self.lease,
                    "attempts": 1,
                    "late": late > LATE_AFTER,
                }
                if late > self.grace:
                    # Too late to be useful: record the miss, post nothing stale.
                    tx.briefings.claim(
                        {
                            **values,
                            "status": "missed",
                            "error": f"due at {scheduled:%Y-%m-%d %H:%M} UTC; missed the grace of {self.grace}",
                        }
                    )
                    report.missed.append(f"{sub.channel_id} {slot}")
                    return
                delivery = tx.briefings.claim({**values, "status": "claimed"})
                takeover = False
            elif (
                existing.status == "claimed" and existing.lease_until < now
            ) or existing.status == "retry":
                if not tx.briefings.take_over(existing.id, self.me, now, now + self.lease):
                    return
                delivery, takeover = tx.briefings.delivery(existing.id), True
            else:
                return  # posted, failed, missed, or someone holds a live lease
        if delivery is None:
            return  # another instance claimed it first
        self.deliver(delivery, sub, now, takeover, report)

    def post_now(self, channel: str, conflict_id: int, now: datetime | None = None) -> StepReport:
        """`/briefing post`: a briefing now. It is not the day's scheduled one, but
        the next window starts after it."""
        now = now or self.ctx.clock.now()
        report = StepReport()
        with self.ctx.uow.write() as tx:
            sub = tx.briefings.subscription(channel, conflict_id)
            start = self._window_start(
                tx, channel, conflict_id, sub.created_at if sub else now, now
            )
            delivery = tx.briefings.claim(
                {
                    "channel_id": channel,
                    "conflict_id": conflict_id,
                    "slot": f"manual:{now.isoformat()}:{uuid.uuid4().hex[:6]}",
                    "kind": "manual",
                    "status": "claimed",
                    "window_start": start,
                    "window_end": now,
                    "claimed_by": self.me,
                    "lease_until": now + self.lease,
                    "attempts": 1,
                    "late": False,
                }
            )
        if delivery is not None:
            try:
                self.deliver(delivery, sub, now, False, report)
            except TokenDead as dead:
                self._token_died(dead, now)
                report.token_dead = True
        return report

    def _window_start(
        self, tx: Any, channel: str, conflict_id: int, created: datetime, now: datetime
    ) -> datetime:
        last = tx.briefings.last_posted(channel, conflict_id)
        if last is not None:
            return last.window_end  # type: ignore[no-any-return]
        return min(created, now - DEFAULT_WINDOW)

    # ---- posting one delivery ---------------------------------------------

    def deliver(
        self,
        delivery: Delivery,
        sub: Subscription | None,
        now: datetime,
        takeover: bool,
        report: StepReport,
    ) -> None:
        try:
            if takeover or delivery.attempts > 1:
                oldest = (delivery.scheduled_for or delivery.window_end) - timedelta(hours=1)
                found = self.poster.find(delivery.channel_id, delivery.id, oldest.timestamp())
                if found:
                    _, replies = briefing_messages(self.briefing(delivery, sub, now))
                    self._confirm(delivery, found, now, len(replies))
                    report.recovered.append(delivery.id)
                    self._post_parts(
                        delivery,
                        found,
                        replies,
                        self.poster.parts_posted(delivery.channel_id, found, delivery.id),
                    )
                    return
            if (
                delivery.kind == "scheduled"
                and delivery.scheduled_for
                and now - delivery.scheduled_for > self.grace
            ):
                self._fail(
                    delivery, "missed: past the grace before it could be posted", retry=False
                )
                report.missed.append(f"{delivery.channel_id} {delivery.slot}")
                return
            view = self.briefing(delivery, sub, now)
            main, replies = briefing_messages(view)
            ts = self.poster.post(delivery.channel_id, main[0], main[1], delivery.id)
            self._confirm(delivery, ts, now, len(replies))
            report.posted.append(delivery.id)
            self._post_parts(delivery, ts, replies, set())
        except TokenDead:
            self._fail(delivery, "token_dead", retry=True)
            raise
        except PermanentError as exc:
            self._fail(delivery, exc.error, retry=False)
            if sub is not None:
                self._pause(sub, exc.error, now)
                report.paused.append(sub.channel_id)
            report.failed.append(f"{delivery.channel_id}: {exc.error}")
        except (OutcomeUnknown, RateLimited, PostError) as exc:
            retry = delivery.attempts < MAX_ATTEMPTS
            self._fail(delivery, exc.error, retry=retry)
            report.failed.append(f"{delivery.channel_id}: {exc.error}")
            log.warning(
                "briefing %s to %s: %s (%s)",
                delivery.id,
                delivery.channel_id,
                exc.error,
                "will retry" if retry else "giving up",
            )

    def _post_parts(
        self,
        delivery: Delivery,
        ts: str,
        replies: list[tuple[str, list[dict[str, Any]]]],
        posted: set[int],
    ) -> None:
        """The details, in the main message's thread, each part once: a part whose
        outcome is unknown is looked for in the thread before it is sent again, and
        what cannot go out now is left for the next step to finish."""
        for part, (text, blocks) in enumerate(replies, start=1):
            if part in posted:
                self._part_done(delivery, part)
                continue
            try:
                self.poster.post(
                    delivery.channel_id, text, blocks, delivery.id, thread_ts=ts, part=part
                )
            except OutcomeUnknown:
                if part not in self.poster.parts_posted(delivery.channel_id, ts, delivery.id):
                    log.warning(
                        "briefing %s: detail part %s not confirmed; the next step finishes it",
                        delivery.id,
                        part,
                    )
                    return
            except TokenDead:
                raise
            except PostError:
                log.warning(
                    "briefing %s: detail part %s failed; the next step finishes it",
                    delivery.id,
                    part,
                )
                return
            self._part_done(delivery, part)

    def _part_done(self, delivery: Delivery, part: int) -> None:
        with self.ctx.uow.write() as tx:
            tx.briefings.part_done(delivery.id, part)

    def finish_parts(self, now: datetime) -> None:
        """Thread replies that a fault or a restart left unposted."""
        with self.ctx.uow.write() as tx:
            pending = tx.briefings.unfinished(now - self.grace, now)
            mine = [d for d in pending if tx.briefings.lease(d.id, self.me, now, now + self.lease)]
        for delivery in mine:
            with self.ctx.uow.read() as tx:
                sub = tx.briefings.subscription(delivery.channel_id, delivery.conflict_id)
            assert delivery.message_ts is not None
            _, replies = briefing_messages(self.briefing(delivery, sub, now))
            posted = self.poster.parts_posted(delivery.channel_id, delivery.message_ts, delivery.id)
            self._post_parts(delivery, delivery.message_ts, replies, posted)

    def briefing(self, delivery: Delivery, sub: Subscription | None, now: datetime) -> BriefingView:
        with self.ctx.uow.read() as tx:
            conflict = tx.catalog.conflict(delivery.conflict_id)
            zone = sub.zone if sub else conflict.timezone
            late = (
                now - delivery.scheduled_for if delivery.late and delivery.scheduled_for else None
            )
            upcoming = next_moment(now, sub.time_of_day, sub.zone) if sub else None
            return build_briefing(
                tx, conflict, delivery.window_start, delivery.window_end, zone, now, upcoming, late
            )

    def _confirm(self, delivery: Delivery, ts: str, now: datetime, parts: int = 0) -> None:
        with self.ctx.uow.write() as tx:
            tx.briefings.confirm(delivery.id, self.me, ts, now, parts)

    def _fail(self, delivery: Delivery, error: str, retry: bool) -> None:
        with self.ctx.uow.write() as tx:
            tx.briefings.fail(delivery.id, self.me, error, retry)

    # ---- telling the admins ----------------------------------------------

    def _pause(self, sub: Subscription, error: str, now: datetime) -> None:
        text = (
            f"Briefings to <#{sub.channel_id}> are paused: Slack answered `{error}`. "
            "Invite the bot back (or unarchive the channel), then subscribe again with `/briefing subscribe`."
        )
        with self.ctx.uow.write() as tx:
            tx.briefings.pause(sub.id, error, now)
            tx.briefings.open_notice("paused", sub.channel_id, text, now)
        self._tell_admins(text)

    def _token_ok(self, now: datetime, report: StepReport) -> bool:
        with self.ctx.uow.read() as tx:
            dead = tx.briefings.open_notices("token_dead")
        if not dead:
            return True
        if not self.poster.token_works():
            report.token_dead = True
            log.error("the Slack bot token does not work: briefings are not being posted")
            return False
        with self.ctx.uow.write() as tx:
            resolved = tx.briefings.resolve_notices("token_dead", now)
        since = resolved[0]["created_at"] if resolved else now
        self._tell_admins(
            f"Sitrep's Slack token works again. Briefings could not be posted from "
            f"{since:%Y-%m-%d %H:%M} UTC to {now:%Y-%m-%d %H:%M} UTC; those due within the grace "
            "period go out now, the others were missed."
        )
        return True

    def _token_died(self, dead: TokenDead, now: datetime) -> None:
        with self.ctx.uow.write() as tx:
            opened = tx.briefings.open_notice(
                "token_dead", "token", f"Slack answered `{dead.error}`", now
            )
        if opened:
            log.critical(
                "Slack says the bot token is dead (%s): no briefing will be posted until it works",
                dead.error,
            )

    def _tell_admins(self, text: str) -> None:
        with self.ctx.uow.read() as tx:
            admins = list(dict.fromkeys([*self.ctx.admins, *tx.admins.list()]))
        for admin in admins:
            try:
                self.poster.direct_message(admin, text)
            except PostError:
                log.warning("could not tell admin %s: %s", admin, text, exc_info=True)


def briefing_messages(
    view: BriefingView,
) -> tuple[tuple[str, list[dict[str, Any]]], list[tuple[str, list[dict[str, Any]]]]]:
    """The main message (the summary) and the thread replies (the details), each
    within Slack's limits for one message."""
    summary = render(view, "mrkdwn", template="briefing_summary.j2")
    first = answer_page(summary)
    fallback = f"Briefing: {view.conflict} — {view.bottom_line}"[:300]
    main = (fallback, first.blocks)
    replies = []
    if first.pages > 1:
        for page in paginate(summary)[1:]:
            replies.append((fallback, [b for s in page for b in sections(s)]))
    details = render(view, "mrkdwn", template="briefing_details.j2")
    for number, page in enumerate(paginate(details) if details.strip() else [], start=1):
        replies.append(
            (f"{view.conflict}: details ({number})", [b for s in page for b in sections(s)])
        )
    return main, replies
