"""/briefing: subscriptions, the preview, the bottom line and the list."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain import commands as cmd
from bot.domain.errors import Invalid
from bot.domain.schedule import next_moment
from bot.render.text import at
from bot.services.briefing import build_briefing
from bot.services.context import Actor, Context
from bot.services.resolve import pick_conflict
from bot.services.views import BriefingView, DoneView, TextView
from bot.services.writes import require_admin

PREVIEW_WINDOW = timedelta(hours=24)


def _channel(actor: Actor) -> str:
    if not actor.channel_id:
        raise Invalid("Briefings are subscribed and posted in a Slack channel: type this there.")
    return actor.channel_id


def preview(ctx: Context, command: cmd.BriefingPreview, actor: Actor) -> BriefingView:
    """What this channel's next briefing would say now, for the reader alone."""
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        conflict = pick_conflict(tx, command.conflict)
        sub = tx.briefings.subscription(actor.channel_id, conflict.id) if actor.channel_id else None
        last = tx.briefings.last_posted(actor.channel_id, conflict.id) if actor.channel_id else None
        start = (
            last.window_end if last else min(sub.created_at if sub else now, now - PREVIEW_WINDOW)
        )
        zone = actor.zone or (sub.zone if sub else conflict.timezone)
        upcoming = next_moment(now, sub.time_of_day, sub.zone) if sub else None
        return build_briefing(tx, conflict, start, now, zone, now, upcoming)


def subscribe(ctx: Context, command: cmd.BriefingSubscribe, actor: Actor) -> DoneView:
    channel = _channel(actor)
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        conflict = pick_conflict(tx, command.conflict)
        zone = command.zone or conflict.timezone
        ZoneInfo(zone)
        sub, new = tx.briefings.subscribe(
            channel, conflict.id, command.time_of_day, zone, actor.user_id, now
        )
        first = next_moment(now, sub.time_of_day, sub.zone)
        verb = "Subscribed" if new else "Changed: the briefing now comes"
        return DoneView(
            headline=f"{verb} — {conflict.name}, daily at {sub.time_of_day} {zone}.",
            details=(f"The next briefing: {at(first, zone)}.",),
        )


def unsubscribe(ctx: Context, command: cmd.BriefingUnsubscribe, actor: Actor) -> DoneView:
    channel = _channel(actor)
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        conflict = pick_conflict(tx, command.conflict)
        if not tx.briefings.unsubscribe(channel, conflict.id):
            raise Invalid(f"This channel has no briefing subscription for {conflict.name}.")
        return DoneView(headline=f"Unsubscribed: no more daily briefings of {conflict.name} here.")


def listing(ctx: Context, actor: Actor) -> TextView:
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        names = {c.id: c.name for c in tx.catalog.conflicts()}
        lines = []
        for sub in tx.briefings.subscriptions():
            last = tx.briefings.last_posted(sub.channel_id, sub.conflict_id)
            state = (
                f"paused ({sub.paused_reason})"
                if sub.paused
                else f"next {at(next_moment(now, sub.time_of_day, sub.zone), sub.zone)}"
            )
            last_text = (
                f"last {at(last.posted_at, sub.zone)}"
                if last and last.posted_at
                else "none posted yet"
            )
            lines.append(
                f"#{sub.channel_id} — {names.get(sub.conflict_id, '?')}: "
                f"daily at {sub.time_of_day} {sub.zone}; {state}; {last_text}"
            )
    return TextView(
        "Briefing subscriptions",
        tuple(lines)
        or ("No channel is subscribed yet: `/briefing subscribe 08:00` in a channel.",),
    )


def bottom_line(ctx: Context, command: cmd.BriefingBottomLine, actor: Actor) -> DoneView:
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        require_admin(tx, ctx, actor)
        conflict = pick_conflict(tx, command.conflict)
        tx.briefings.set_bottom_line(conflict.id, command.text, command.trend, actor.user_id, now)
        return DoneView(
            headline=f"The next briefing of {conflict.name} will open with this bottom line."
        )


def authorize_post(ctx: Context, command: cmd.BriefingPost, actor: Actor) -> tuple[str, int, str]:
    """Who may post a briefing now, where, and of which conflict: (channel, conflict id, name)."""
    channel = _channel(actor)
    with ctx.uow.read() as tx:
        require_admin(tx, ctx, actor)
        conflict = pick_conflict(tx, command.conflict)
        return channel, conflict.id, conflict.name


def channel_zone(ctx: Context, channel_id: str | None) -> str | None:
    """The time zone posts to a channel use: its subscription's (None: the conflict's)."""
    if not channel_id:
        return None
    with ctx.uow.read() as tx:
        subs = [s for s in tx.briefings.subscriptions() if s.channel_id == channel_id]
    return subs[0].zone if subs else None
