"""The report form and the proposal it produces, as Slack modals. A proposal
pages its candidates ten at a time (a checkbox group holds ten options), each
with its sentence and its one-line update, editable before approval."""

from __future__ import annotations

import json
import math
from typing import Any

from bot.render.text import escape_mrkdwn
from bot.services.views import ProposalView
from bot.slack.blocks import context, sections

FORM = "ingest_form"
PROPOSAL = "ingest_proposal"
PAGE_ACTION = "ingest_page"
PER_PAGE = 10
TEXT_MAX = 3000


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def report_form(url: str | None = None) -> dict[str, Any]:
    url_element: dict[str, Any] = {"type": "url_text_input", "action_id": "url"}
    if url:
        url_element["initial_value"] = url
    return {
        "type": "modal",
        "callback_id": FORM,
        "title": _plain("Read a report"),
        "submit": _plain("Read it"),
        "close": _plain("Cancel"),
        "blocks": [
            context(
                "Give the report one way: a file, an address, or pasted text (Slack takes 3,000 "
                "characters here; use a file for longer reports). Nothing is written until you "
                "approve what it proposes."
            ),
            {
                "type": "input",
                "block_id": "file",
                "optional": True,
                "label": _plain("File (text, HTML or PDF)"),
                "element": {
                    "type": "file_input",
                    "action_id": "file",
                    "filetypes": ["txt", "text", "html", "htm", "pdf"],
                    "max_files": 1,
                },
            },
            {
                "type": "input",
                "block_id": "url",
                "optional": True,
                "label": _plain("Address of the report"),
                "element": url_element,
            },
            {
                "type": "input",
                "block_id": "text",
                "optional": True,
                "label": _plain("Or paste the text"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": TEXT_MAX,
                },
            },
            {
                "type": "input",
                "block_id": "source",
                "optional": True,
                "label": _plain("Source name (e.g. South Front, 26 Oct 2020)"),
                "element": {"type": "plain_text_input", "action_id": "source", "max_length": 200},
            },
        ],
    }


def message_view(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": _plain(title[:24]),
        "close": _plain("Close"),
        "blocks": sections(text)[:90],
    }


def pages(view: ProposalView) -> int:
    return max(1, math.ceil(len(view.candidates) / PER_PAGE))


def proposal_modal(view: ProposalView, page: int, chosen: dict[str, str]) -> dict[str, Any]:
    page = min(max(page, 1), pages(view))
    shown = view.candidates[(page - 1) * PER_PAGE : page * PER_PAGE]
    blocks: list[dict[str, Any]] = [
        context(
            f"From *{escape_mrkdwn(view.source)}*: {len(view.candidates)} candidate update(s), "
            f"page {page} of {pages(view)}. "
            "Tick what is right, edit the line if needed, then approve. Nothing is written before."
        )
    ]
    if view.places_named:
        blocks.append(
            context("Places named: " + escape_mrkdwn(", ".join(view.places_named))[:2900])
        )
    for candidate in shown:
        answers = f" (answers {candidate.answers})" if candidate.answers else ""
        sentence = (
            candidate.sentence if len(candidate.sentence) <= 600 else candidate.sentence[:599] + "…"
        )
        blocks.append(
            {
                "type": "section",
                "block_id": f"about_{candidate.number}",
                "text": {
                    "type": "mrkdwn",
                    "text": (
                        f"*{candidate.number}.* {escape_mrkdwn(candidate.label)}{answers}\n"
                        f"> {escape_mrkdwn(sentence)}"
                    )[:3000],
                },
            }
        )
        blocks.append(
            {
                "type": "input",
                "block_id": f"line_{candidate.number}",
                "optional": True,
                "label": _plain(f"Update {candidate.number}"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "line",
                    "multiline": True,
                    "max_length": TEXT_MAX,
                    "initial_value": chosen.get(str(candidate.number), candidate.line)[:TEXT_MAX],
                },
            }
        )
    if shown:
        options = [
            {"text": _plain(f"{c.number}. {c.label}"[:75]), "value": str(c.number)} for c in shown
        ]
        checkboxes: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": "accept",
            "options": options,
        }
        ticked = [o for o in options if o["value"] in chosen]
        if ticked:
            checkboxes["initial_options"] = ticked
        blocks.append(
            {
                "type": "input",
                "block_id": "accept",
                "optional": True,
                "label": _plain("Write these"),
                "element": checkboxes,
            }
        )
    else:
        blocks.append(context("No candidate updates were found in this report."))
    buttons = []
    if page > 1:
        buttons.append(
            {
                "type": "button",
                "action_id": f"{PAGE_ACTION}_prev",
                "text": _plain("Previous"),
                "value": str(page - 1),
            }
        )
    if page < pages(view):
        buttons.append(
            {
                "type": "button",
                "action_id": f"{PAGE_ACTION}_next",
                "text": _plain("Next"),
                "value": str(page + 1),
            }
        )
    if buttons:
        blocks.append({"type": "actions", "block_id": "pages", "elements": buttons})
    return {
        "type": "modal",
        "callback_id": PROPOSAL,
        "title": _plain("Approve updates"),
        "submit": _plain("Write ticked"),
        "close": _plain("Cancel"),
        "notify_on_close": True,
        "private_metadata": json.dumps({"proposal": view.proposal_id, "page": page}),
        "blocks": blocks,
    }


def page_choices(
    state: dict[str, Any], shown_numbers: list[int]
) -> tuple[set[int], dict[int, str]]:
    """What this page says: the ticked numbers and each candidate's (edited) line."""
    ticked = {
        int(o["value"])
        for o in (state.get("accept", {}).get("accept", {}).get("selected_options") or [])
    }
    lines = {}
    for number in shown_numbers:
        value = state.get(f"line_{number}", {}).get("line", {}).get("value")
        if value:
            lines[number] = value
    return ticked, lines
