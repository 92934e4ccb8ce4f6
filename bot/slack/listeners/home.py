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
from bot.services.reads import conflict_names
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
        client.views_open(
            trigger_id=body["trigger_id"], view=form_view(conflicts=conflict_names(deps.ctx))
        )

    register_posting(app, deps)


POST_BRIEFING = "home_post_briefing"
POST_CALLBACK = "post_briefing"


def post_briefing_view(deps: SlackDeps) -> dict[str, Any]:
    with deps.ctx.uow.read() as tx:
        subs = tx.briefings.subscriptions()
        names = {c.id: c.name for c in tx.catalog.conflicts()}
    blocks: list[dict[str, Any]]
    if not subs:
        blocks = kit.sections(
            "No channel is subscribed yet. In a channel, type `/briefing subscribe 08:00`."
        )
        return {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Post a briefing"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": blocks,
        }
    options = [
        {
            "text": {
                "type": "plain_text",
                "text": f"#{s.channel_id} — {names.get(s.conflict_id, '?')}"[:75],
            },
            "value": f"{s.channel_id}|{s.conflict_id}",
        }
        for s in subs[:100]
    ]
    blocks = [
        {
            "type": "input",
            "block_id": "target",
            "label": {"type": "plain_text", "text": "Channel"},
            "element": {"type": "static_select", "action_id": "target", "options": options},
        },
        kit.context(
            "Posted now; it does not replace the day's scheduled briefing, but the next one starts after it."
        ),
    ]
    return {
        "type": "modal",
        "callback_id": POST_CALLBACK,
        "title": {"type": "plain_text", "text": "Post a briefing"},
        "submit": {"type": "plain_text", "text": "Post now"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def register_posting(app: App, deps: SlackDeps) -> None:
    @app.action(POST_BRIEFING)
    def open_post(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=post_briefing_view(deps))

    def chosen(view: dict[str, Any]) -> tuple[str, int] | None:
        option = view["state"]["values"].get("target", {}).get("target", {}).get("selected_option")
        if not option:
            return None
        channel, conflict = option["value"].split("|", 1)
        return channel, int(conflict)

    def accept(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, refusal = deps.actor(body["user"]["id"])
        if refusal or not writes.can_write(deps.ctx, actor):
            ack(
                response_action="errors",
                errors={"target": "Only Sitrep admins can post briefings."},
            )
            return
        ack()

    def post(body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, refusal = deps.actor(body["user"]["id"])
        target = chosen(view)
        if (
            refusal
            or target is None
            or deps.deliverer is None
            or not writes.can_write(deps.ctx, actor)
        ):
            return
        deps.deliverer.post_now(*target)

    app.view(POST_CALLBACK)(ack=accept, lazy=[post])
