"""Buttons on answers: "More" pages an answer, "Share in channel" posts it for everyone."""

from __future__ import annotations

import json
import time
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.render.text import escape_mrkdwn
from bot.scheduling.ports import PermanentError, PostError
from bot.services import subscriptions
from bot.services.context import Actor
from bot.slack.answers import answer, is_read_only
from bot.slack.blocks import MORE, SHARE, context
from bot.slack.deps import SlackDeps


def register(app: App, deps: SlackDeps) -> None:
    def replay(body: dict[str, Any]) -> tuple[str, str, int] | None:
        try:
            value = json.loads(body["actions"][0]["value"])
            command, text, page = str(value["c"]), str(value["t"]), int(value.get("p", 1))
        except (KeyError, ValueError, TypeError):
            return None
        # Buttons only ever replay reads; a forged value cannot write.
        return (command, text, page) if is_read_only(command, text) else None

    @app.action(MORE)
    def more(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor, refusal = deps.actor(body["user"]["id"])
        wanted = replay(body)
        if refusal or wanted is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=refusal or "That button is out of date.",
            )
            return
        command, text, page = wanted
        result = answer(deps.ctx, command, text, actor, page=page)
        respond(
            response_type="ephemeral",
            replace_original=True,
            text=result.page.text,
            blocks=result.page.blocks,
        )

    @app.action(SHARE)
    def share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor, refusal = deps.actor(body["user"]["id"])
        wanted = replay(body)
        if refusal or wanted is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=refusal or "That button is out of date.",
            )
            return
        command, text, page = wanted
        # Posted for everyone: times in the channel's briefing zone, else the conflict's;
        # never the sharer's own.
        channel = (body.get("channel") or {}).get("id")
        zone = subscriptions.channel_zone(deps.ctx, channel)
        reader = Actor(actor.user_id, zone=zone, channel_id=channel)
        result = answer(deps.ctx, command, text, reader, page=page, shareable=False)
        typed = escape_mrkdwn(f"{command} {text}"[:500])
        blocks = [*result.page.blocks, context(f"Shared by <@{actor.user_id}> · `{typed}`")]
        outcome = post_shared(deps, body, channel, result.page.text, blocks)
        if outcome is not None:
            respond(response_type="ephemeral", replace_original=False, text=outcome)


def post_shared(
    deps: SlackDeps,
    body: dict[str, Any],
    channel: str | None,
    text: str,
    blocks: list[dict[str, Any]],
) -> str | None:
    """Share in the channel, once; None when done, else what to tell the sharer.
    As the bot when it is in the channel (a post it can look for after a lost
    answer), else through the click's response URL (which has no such check, so
    a lost answer is reported rather than posted again)."""
    share_id = str(body.get("actions", [{}])[0].get("action_ts") or body.get("trigger_id") or "")
    oldest = time.time() - 600
    if channel and deps.poster is not None:
        try:
            deps.poster.share(channel, text, blocks, share_id, oldest)
            return None
        except PermanentError:
            pass  # not in the channel: the response URL can still post there
        except PostError:
            return (
                "The answer could not be shared just now; it may appear in a moment. "
                "Please check before sharing again."
            )
    url = body.get("response_url")
    if not url:
        return "The answer could not be shared here."
    webhook = WebhookClient(
        url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    try:
        response = webhook.send(
            response_type="in_channel", replace_original=False, text=text, blocks=blocks
        )
    except OSError:
        return (
            "The answer may not have been shared (Slack did not answer). "
            "Please check the channel before sharing again."
        )
    if response.status_code != 200:
        return f"Slack refused to share the answer ({response.status_code}). Please try again."
    return None
