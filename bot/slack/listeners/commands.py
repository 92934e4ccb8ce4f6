"""Slash commands: parse, authorize, call a service, render — in the acknowledgement."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import writes
from bot.services.reads import conflict_names
from bot.slack.answers import answer, slack_text
from bot.slack.deps import SlackDeps
from bot.slack.form import form_view
from bot.slack.ingest_views import report_form

COMMANDS = ("/status", "/claims", "/ceasefire", "/update")


def register(app: App, deps: SlackDeps) -> None:
    def on_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        name = command["command"]
        text = slack_text(command.get("text", ""))
        actor, refusal = deps.actor(command["user_id"])
        if refusal:
            ack(response_type="ephemeral", text=refusal)
            return
        if name == "/update" and not text.strip():
            client.views_open(
                trigger_id=command["trigger_id"], view=form_view(conflicts=conflict_names(deps.ctx))
            )
            ack()
            return
        if (
            name == "/update"
            and text.strip().lower().startswith("ingest")
            and not text.strip().lower().startswith("ingest help")
        ):
            # In Slack a report is given through its form (a file, an address or text).
            if not writes.can_write(deps.ctx, actor):
                ack(response_type="ephemeral", text="Only Sitrep admins can add reports.")
                return
            url = next((w for w in text.split() if w.startswith(("http://", "https://"))), None)
            client.views_open(trigger_id=command["trigger_id"], view=report_form(url))
            ack()
            return
        result = answer(deps.ctx, name, text, actor, request_key=command.get("trigger_id"))
        ack(response_type="ephemeral", text=result.page.text, blocks=result.page.blocks)

    for name in COMMANDS:
        app.command(name)(on_command)
