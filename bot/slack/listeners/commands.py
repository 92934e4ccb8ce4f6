"""Slash commands: parse, authorize, call a service, render — in the acknowledgement."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.answers import answer, slack_text
from bot.slack.deps import SlackDeps
from bot.slack.form import form_view

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
            client.views_open(trigger_id=command["trigger_id"], view=form_view())
            ack()
            return
        result = answer(deps.ctx, name, text, actor, request_key=command.get("trigger_id"))
        ack(response_type="ephemeral", text=result.page.text, blocks=result.page.blocks)

    for name in COMMANDS:
        app.command(name)(on_command)
