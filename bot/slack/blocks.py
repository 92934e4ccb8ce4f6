"""Block Kit built in code, inside Slack's limits: long answers are split into
sections and paged with a "More" button, never cut off silently."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
SECTION_TEXT = 3000
HEADER_TEXT = 150
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
# Undocumented: chat.postMessage answers msg_blocks_too_long past about 12,000
# characters of text across all blocks. Keep a margin.
MESSAGE_TEXT_BUDGET = 11_000
# Sections are filled to this, leaving room for a line that cannot be split.
SECTION_FILL = 2_800

SHARE = "share_answer"
MORE = "more_answer"


def split_text(text: str, limit: int = SECTION_FILL) -> list[str]:
    """Chunks of at most `limit` characters, broken at blank lines, then lines,
    then spaces; never inside an `&amp;`-style escape."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for line in paragraph.split("\n"):
            for piece in _split_long(line, limit):
                candidate = f"{current}\n{piece}" if current else piece
                if len(candidate) > limit:
                    chunks.append(current)
                    current = piece
                else:
                    current = candidate
        current += "\n"
    if current.strip():
        chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()]


def _split_long(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
            amp = line.rfind("&", cut - 6, cut)  # do not split an escape like &amp;
            if amp != -1 and ";" not in line[amp:cut]:
                cut = amp
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


@dataclass(frozen=True)
class Page:
    blocks: list[dict[str, Any]]
    text: str  # the notification / fallback text
    number: int
    pages: int


def paginate(text: str, block_budget: int = MESSAGE_BLOCKS - 2) -> list[list[str]]:
    """Sections grouped into pages that each fit one message."""
    pages: list[list[str]] = [[]]
    size = 0
    for section in split_text(text):
        if pages[-1] and (
            len(pages[-1]) >= block_budget or size + len(section) > MESSAGE_TEXT_BUDGET
        ):
            pages.append([])
            size = 0
        pages[-1].append(section)
        size += len(section)
    return pages


def answer_page(text: str, page: int = 1, action_value: dict[str, Any] | None = None) -> Page:
    """One page of an answer, with "Share in channel" and, if there is more, "More"."""
    pages = paginate(text)
    number = min(max(page, 1), len(pages))
    sections = pages[number - 1]
    blocks: list[dict[str, Any]] = [
        SectionBlock(text=MarkdownTextObject(text=s)).to_dict() for s in sections
    ]
    buttons: list[ButtonElement] = []
    if action_value is not None:
        if number < len(pages):
            more = json.dumps({**action_value, "p": number + 1}, ensure_ascii=False)
            if len(more) <= BUTTON_VALUE:
                buttons.append(
                    ButtonElement(
                        text=f"More ({number + 1} of {len(pages)})", action_id=MORE, value=more
                    )
                )
        share = json.dumps({**action_value, "p": number}, ensure_ascii=False)
        if len(share) <= BUTTON_VALUE:
            buttons.append(ButtonElement(text="Share in channel", action_id=SHARE, value=share))
    elif number < len(pages):
        blocks.append(context(f"Page {number} of {len(pages)}."))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons).to_dict())
    fallback = sections[0][:300] if sections else ""
    return Page(blocks, fallback, number, len(pages))


def header(text: str) -> dict[str, Any]:
    plain = text if len(text) <= HEADER_TEXT else text[: HEADER_TEXT - 1] + "…"
    return HeaderBlock(text=PlainTextObject(text=plain)).to_dict()


def context(mrkdwn: str) -> dict[str, Any]:
    return ContextBlock(elements=[MarkdownTextObject(text=mrkdwn[:SECTION_TEXT])]).to_dict()


def sections(text: str) -> list[dict[str, Any]]:
    return [SectionBlock(text=MarkdownTextObject(text=s)).to_dict() for s in split_text(text)]
