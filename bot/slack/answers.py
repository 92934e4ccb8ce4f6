"""From a command's text to the blocks that answer it: parse, call the service,
render. Shared by slash commands and the More / Share buttons."""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.domain.errors import SitrepError
from bot.domain.parser import parse
from bot.render.text import render
from bot.services.context import Actor, Context
from bot.services.dispatch import error_view, execute
from bot.services.views import DoneView, ErrorView, View
from bot.slack.blocks import Page, answer_page

READ_COMMANDS = ("/status", "/claims", "/ceasefire")


def slack_text(text: str) -> str:
    """Slack sends `&`, `<` and `>` typed by users as HTML entities; the parser
    wants what the user typed (the renderer escapes again on the way out)."""
    return html.unescape(text or "")


@dataclass(frozen=True)
class Answer:
    view: View
    page: Page


def answer(
    ctx: Context,
    command: str,
    text: str,
    actor: Actor,
    page: int = 1,
    request_key: str | None = None,
    shareable: bool = True,
) -> Answer:
    try:
        view = execute(ctx, parse(command, text), actor, request_key)
    except SitrepError as exc:
        view = error_view(exc)
    action_value: dict[str, object] | None = None
    if shareable and not isinstance(view, ErrorView):
        action_value = share_value(command, text, view)
    return Answer(view, answer_page(render(view, "mrkdwn"), page, action_value))


def share_value(command: str, text: str, view: View) -> dict[str, object] | None:
    """What re-creates this answer for "Share" and "More": the read command itself,
    or for a write, `/update show` of what it wrote (never the write again)."""
    if command in READ_COMMANDS:
        return {"c": command, "t": text}
    if isinstance(view, DoneView) and view.update_id is not None:
        return {"c": "/update", "t": f"show u{view.update_id}"}
    return None


def is_read_only(command: str, text: str) -> bool:
    return command in READ_COMMANDS or (
        command == "/update" and text.strip().lower().startswith("show")
    )
