"""The App Home: the overview, current whenever it is opened; for admins, a way in
to the update form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.errors import SitrepError
from bot.render.text import render
from bot.services import reads, writes
from bot.services.dispatch import error_view
from bot.slack import blocks as kit
from bot.slack.deps import SlackDeps
from bot.slack.form import form_view

OPEN_FORM = "home_open_form"


def home_view(deps: SlackDeps, user_id: str) -> dict[str, Any]:
    actor, refusal = deps.actor(user_id)
    if refusal:
        return {"type": "home", "blocks": kit.sections(refusal)}
    try:
        text = render(reads.overview(deps.ctx, None, actor), "mrkdwn")
    except SitrepError as exc:
        text = render(error_view(exc), "mrkdwn")
    blocks: list[dict[str, Any]] = [kit.header("Sitrep")]
    if writes.can_write(deps.ctx, actor):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Add update"},
                        "action_id": OPEN_FORM,
                        "style": "primary",
                    }
                ],
            }
        )
    body = kit.sections(text)
    room = kit.VIEW_BLOCKS - len(blocks) - 1
    if len(body) > room:
        # Say so rather than cut silently: the rest is one command away.
        body = [
            *body[: room - 1],
            kit.context(f"{len(body) - room + 1} more parts of the overview: type `/status`."),
        ]
    blocks += body
    blocks.append(
        kit.context("Type `/status <place>` for one place, `/claims` and `/ceasefire` for more.")
    )
    return {"type": "home", "blocks": blocks}


def register(app: App, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(user_id=event["user"], view=home_view(deps, event["user"]))

    @app.action(OPEN_FORM)
    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=form_view())
