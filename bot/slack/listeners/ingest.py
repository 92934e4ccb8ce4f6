"""Reading a report in Slack: the form, the proposal, paging, approval, cancel."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.errors import SitrepError
from bot.ingest import service as ingest
from bot.ingest.reading import Unreadable, report_text
from bot.render.text import render
from bot.services import writes
from bot.services.dispatch import error_view
from bot.slack import ingest_views as views
from bot.slack.deps import SlackDeps

MAX_FILE = 5_000_000


def download(client: WebClient, file: dict[str, Any]) -> str:
    """A file from the form's file input, by its private URL and the bot token."""
    url = file.get("url_private_download") or file.get("url_private")
    if not url:
        raise Unreadable("Slack did not give the file's address.")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(request, timeout=15) as response:
        data = response.read(MAX_FILE + 1)
        content_type = response.headers.get("Content-Type", "")
    if len(data) > MAX_FILE:
        raise Unreadable("The file is larger than 5 MB.")
    return report_text(data, file.get("name", ""), file.get("mimetype") or content_type)


def register(app: App, deps: SlackDeps) -> None:
    def values(view: dict[str, Any]) -> dict[str, Any]:
        state = view.get("state", {}).get("values", {})
        files = state.get("file", {}).get("file", {}).get("files") or []
        return {
            "file": files[0] if files else None,
            "url": (state.get("url", {}).get("url", {}).get("value") or "").strip(),
            "text": (state.get("text", {}).get("text", {}).get("value") or "").strip(),
            "source": (state.get("source", {}).get("source", {}).get("value") or "").strip(),
        }

    def check_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, refusal = deps.actor(body["user"]["id"])
        if refusal or not writes.can_write(deps.ctx, actor):
            ack(response_action="errors", errors={"text": "Only Sitrep admins can add reports."})
            return
        given = values(view)
        count = sum(1 for key in ("file", "url", "text") if given[key])
        if count != 1:
            message = (
                "Give the report one way: a file, an address or text."
                if count
                else "Give the report: a file, an address or text."
            )
            ack(response_action="errors", errors={"text": message})
            return
        ack(
            response_action="update",
            view=views.message_view("Reading…", "Reading the report and proposing updates…"),
        )

    def read_and_propose(body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        actor, refusal = deps.actor(body["user"]["id"])
        if refusal:
            return
        given = values(view)
        try:
            if given["file"]:
                text, source = download(client, given["file"]), given["file"].get("name", "a file")
            elif given["url"]:
                text, source = ingest.read_target(deps.ctx, given["url"])
            else:
                text, source = given["text"], "pasted text"
            proposal = ingest.propose(deps.ctx, text, given["source"] or source, actor)
            modal = views.proposal_modal(proposal, 1, {})
        except (SitrepError, Unreadable, OSError) as exc:
            message = (
                render(error_view(exc), "mrkdwn") if isinstance(exc, SitrepError) else str(exc)
            )
            modal = views.message_view("Could not read it", message)
        client.views_update(view_id=view["id"], view=modal)

    app.view(views.FORM)(ack=check_form, lazy=[read_and_propose])

    def shown_numbers(proposal: Any, page: int) -> list[int]:
        return [
            c.number
            for c in proposal.candidates[(page - 1) * views.PER_PAGE : page * views.PER_PAGE]
        ]

    def merged(view: dict[str, Any]) -> tuple[Any, dict[str, str], int]:
        meta = json.loads(view.get("private_metadata") or "{}")
        proposal, chosen = ingest.load(deps.ctx, int(meta["proposal"]))
        page = int(meta.get("page", 1))
        numbers = shown_numbers(proposal, page)
        ticked, lines = views.page_choices(view.get("state", {}).get("values", {}), numbers)
        original = {c.number: c.line for c in proposal.candidates}
        for number in numbers:
            chosen.pop(str(number), None)
            if number in ticked:
                chosen[str(number)] = lines.get(number, original[number])
        return proposal, chosen, page

    @app.action(re.compile(f"^{views.PAGE_ACTION}_"))
    def turn_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body["view"]
        try:
            proposal, chosen, _ = merged(view)
        except SitrepError as exc:
            client.views_update(
                view_id=view["id"], view=views.message_view("Proposal closed", exc.message)
            )
            return
        ingest.keep_choices(deps.ctx, proposal.proposal_id, chosen)
        page = int(body["actions"][0]["value"])
        client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=views.proposal_modal(proposal, page, chosen),
        )

    @app.view(views.PROPOSAL)
    def approve(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor, refusal = deps.actor(body["user"]["id"])
        if refusal:
            ack(response_action="errors", errors={"accept": refusal[:150]})
            return
        try:
            proposal, chosen, _ = merged(view)
            if not chosen:
                ack(
                    response_action="errors",
                    errors={"accept": "Tick at least one update, or Cancel."},
                )
                return
            done = ingest.approve(
                deps.ctx, proposal.proposal_id, {int(k): v for k, v in chosen.items()}, actor
            )
        except SitrepError as exc:
            message = render(error_view(exc), "plain").split("\n")[0]
            ack(response_action="errors", errors={"accept": message[:150]})
            return
        ack(response_action="update", view=views.message_view("Recorded", render(done, "mrkdwn")))

    @app.view_closed(views.PROPOSAL)
    def closed(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        if meta.get("proposal"):
            ingest.cancel(deps.ctx, int(meta["proposal"]))
