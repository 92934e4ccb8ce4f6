"""The update form: switching kinds, type-ahead options, and submission."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.errors import SitrepError
from bot.render.text import render
from bot.services import lookup, writes
from bot.services.dispatch import error_view
from bot.slack import form
from bot.slack.deps import SlackDeps


def register(app: App, deps: SlackDeps) -> None:
    @app.action(form.KIND_ACTION)
    def switch_kind(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body["view"]
        meta = json.loads(view.get("private_metadata") or "{}")
        kind = body["actions"][0]["selected_option"]["value"]
        client.views_update(
            view_id=view["id"], hash=view["hash"], view=form.form_view(kind, meta.get("conflict"))
        )

    def conflict_of(body: dict[str, Any]) -> str | None:
        meta = json.loads(body.get("view", {}).get("private_metadata") or "{}")
        conflict = meta.get("conflict")
        return str(conflict) if conflict else None

    def options(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
        return [
            {"text": {"type": "plain_text", "text": label[:75]}, "value": value[:150]}
            for value, label in pairs
        ]

    @app.options(re.compile(f"^{form.PICK_PLACE}:"))
    def place_options(ack: Ack, body: dict[str, Any]) -> None:
        try:
            ack(
                options=options(
                    lookup.place_options(deps.ctx, conflict_of(body), body.get("value", ""))
                )
            )
        except SitrepError:
            ack(options=[])

    @app.options(re.compile(f"^({form.PICK_PARTY}|{form.PICK_HOLDER}):"))
    def party_options(ack: Ack, body: dict[str, Any]) -> None:
        holders = body.get("action_id", "").startswith(form.PICK_HOLDER)
        try:
            ack(
                options=options(
                    lookup.party_options(
                        deps.ctx, conflict_of(body), body.get("value", ""), holders
                    )
                )
            )
        except SitrepError:
            ack(options=[])

    @app.view(form.CALLBACK)
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, refusal = deps.actor(body["user"]["id"])
        if refusal:
            ack(response_action="errors", errors={form.error_block(view, None): refusal[:150]})
            return
        try:
            command = form.command_from(view)
        except form.FormErrors as bad:
            ack(response_action="errors", errors=bad.errors)
            return
        try:
            # The view's ID is the request's key: a submission retried by Slack writes once.
            done = writes.record(
                deps.ctx, command, actor, request_key=f"view:{view['id']}", names_first=True
            )
        except SitrepError as exc:
            message = render(error_view(exc), "plain").split("\n")[0]
            ack(
                response_action="errors",
                errors={form.error_block(view, getattr(exc, "field", None)): message[:150]},
            )
            return
        ack(response_action="update", view=form.done_view(render(done, "mrkdwn")))
