"""Running the briefing due step against the fake Slack with a controllable clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.config import load_settings
from bot.domain import commands as cmd
from bot.scheduling.delivery import Deliverer
from bot.services import subscriptions
from bot.services.context import Actor, Context
from bot.slack.poster import EVENT_TYPE, SlackPoster, poster_client
from tests.fakeslack import FakeSlack
from tests.slackbot import TOKEN

ADMIN = "UADMIN"


def make_deliverer(
    ctx: Context, fake: FakeSlack, grace: str = "6h", lease: str = "2m", me: str | None = None
) -> Deliverer:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": fake.api_url,
            "SITREP_BRIEFING_GRACE": grace,
            "SITREP_DELIVERY_LEASE": lease,
        }
    )
    poster = SlackPoster(poster_client(settings, timeout=5))
    return Deliverer(ctx, poster, settings.briefing_grace, settings.delivery_lease, me=me)


def subscribe(ctx: Context, channel: str, time_of_day: str, zone: str | None = None) -> None:
    subscriptions.subscribe(
        ctx, cmd.BriefingSubscribe(time_of_day, zone), Actor(ADMIN, channel_id=channel)
    )


def briefings_in(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    """Main briefing messages (not thread replies) visible in a channel."""
    return [
        m
        for m in fake.messages(channel)
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
        and m.get("thread_ts") in (None, m.get("ts"))
    ]


def replies_in(fake: FakeSlack, channel: str, ts: str) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel) if m.get("thread_ts") == ts and m.get("ts") != ts]


def step(deliverer: Deliverer, ctx: Context, at: Any, minutes: int = 0) -> Any:
    now = at + timedelta(minutes=minutes)
    ctx.clock.current = now  # type: ignore[attr-defined]
    return deliverer.run_due(now)
