"""Buttons on answers: "More" pages an answer, "Share in channel" posts it for everyone."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.render.text import escape_mrkdwn
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
        shared_by = context(f"Shared by <@{actor.user_id}> · `{typed}`")
        respond(
            response_type="in_channel",
            replace_original=False,
            text=result.page.text,
            blocks=[*result.page.blocks, shared_by],
        )
