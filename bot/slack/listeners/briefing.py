"""/briefing: the preview, subscriptions, and posting now (after the acknowledgement)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import commands as cmd
from bot.domain.errors import SitrepError
from bot.domain.parser import parse
from bot.render.text import render
from bot.services import subscriptions, writes
from bot.services.dispatch import error_view
from bot.slack.answers import answer, slack_text
from bot.slack.deps import SlackDeps


def register(app: App, deps: SlackDeps) -> None:
    def acknowledge(ack: Ack, command: dict[str, Any]) -> None:
        actor, refusal = deps.actor(command["user_id"])
        if refusal:
            ack(response_type="ephemeral", text=refusal)
            return
        text = slack_text(command.get("text", ""))
        actor = deps.with_channel(actor, command.get("channel_id"))
        try:
            parsed = parse("/briefing", text)
        except SitrepError as exc:
            ack(response_type="ephemeral", text=render(error_view(exc), "mrkdwn"))
            return
        if isinstance(parsed, cmd.BriefingPost):
            try:
                _, _, name = subscriptions.authorize_post(deps.ctx, parsed, actor)
            except SitrepError as exc:
                ack(response_type="ephemeral", text=render(error_view(exc), "mrkdwn"))
                return
            ack(response_type="ephemeral", text=f"Posting the briefing of {name} here now…")
            return  # the lazy listener below posts it
        result = answer(
            deps.ctx,
            "/briefing",
            text,
            actor,
            shareable=not isinstance(parsed, cmd.BriefingPreview),
        )
        ack(response_type="ephemeral", text=result.page.text, blocks=result.page.blocks)

    def post_later(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        try:
            parsed = parse("/briefing", slack_text(command.get("text", "")))
        except SitrepError:
            return
        if isinstance(parsed, cmd.BriefingSubscribe):
            actor, _ = deps.actor(command["user_id"])
            if writes.can_write(deps.ctx, actor):
                join(client, command, respond)
            return
        if not isinstance(parsed, cmd.BriefingPost) or deps.deliverer is None:
            return
        actor, refusal = deps.actor(command["user_id"])
        if refusal:
            return
        try:
            channel, conflict_id, _ = subscriptions.authorize_post(
                deps.ctx, parsed, deps.with_channel(actor, command.get("channel_id"))
            )
        except SitrepError:
            return
        report = deps.deliverer.post_now(channel, conflict_id)
        if not report.posted:
            respond(
                response_type="ephemeral",
                text=f"The briefing could not be posted: {report.summary()}.",
            )

    def join(client: WebClient, command: dict[str, Any], respond: Respond) -> None:
        """After a subscription: join a public channel; a private one needs /invite."""
        try:
            client.conversations_join(channel=command["channel_id"])
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error in (
                "method_not_supported_for_channel_type",
                "channel_not_found",
                "is_private",
            ):
                respond(
                    response_type="ephemeral",
                    text="This is a private channel: invite the bot with `/invite @sitrep`, "
                    "or briefings cannot be posted here.",
                )
            elif error != "already_in_channel":
                respond(
                    response_type="ephemeral",
                    text=f"The bot could not join this channel (`{error}`); invite it with `/invite @sitrep`.",
                )

    app.command("/briefing")(ack=acknowledge, lazy=[post_later])
