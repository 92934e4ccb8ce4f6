"""From pasted report text to the paragraphs worth reading: markup and links
removed, and the furniture of news pages skipped (bylines, section tags, share
and donation appeals, copyright notices, disclaimers, contact blocks)."""

from __future__ import annotations

import re

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ANGLE_URL = re.compile(r"<(?:https?|mailto):[^>]*>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_BULLET = re.compile(r"^\s*(?:[•●▪◦‣*·-]|\d{1,2}[.)])\s+")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

# Words that mark page furniture rather than reporting.
_MARKERS = re.compile(
    r"copyright|©|all rights reserved|disclaimer|note to readers|share buttons|crosspost"
    r"|forward this article|subscribe|newsletter|donat(?:e|ion)|paypal|patreon|bitcoin"
    r"|support (?:us|our|south\s*front)|become a (?:member|patron|subscriber)|comment on"
    r"|follow us|click here|sign up|fair use|media inquiries|for further information"
    r"|please contact|to learn more|please visit|original source of this article"
    r"|articles by|related (?:articles|posts|stories|content)|read more|our standards"
    r"|trust principles|reporting by|editing by|writing by|cookies?\b|privacy policy"
    r"|terms of (?:use|service)|sole responsibility of the author|permission to (?:re)?post"
    r"|educational purposes|advertisement|sponsored content",
    re.IGNORECASE,
)
# A paragraph that opens like this ends the article: what follows is furniture.
_TAIL = re.compile(
    r"^\W*(?:note to readers|disclaimer|the original source|copyright|for further information"
    r"|\(?reporting by|our standards|support\b|related\b|read more|share this)",
    re.IGNORECASE,
)
# Metadata lines: "Region: …", "Tags: …", "Video: …", "Photo: …"; bylines ("By X").
_METADATA = re.compile(
    r"^\W*(?:region|theme|tags?|topics?|categor(?:y|ies)|photo|image|video|watch|source"
    r"|filed under|posted|published|updated|share|print|email|listen|credit|caption"
    r"|file photo)\s*[:|]",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\W*by\s+[A-Z]", re.IGNORECASE)


def clean_line(line: str) -> str:
    line = _INVISIBLE.sub("", line)
    line = _MARKDOWN_LINK.sub(r"\1", line)
    line = _ANGLE_URL.sub("", line)
    line = _URL.sub("", line)
    line = _EMAIL.sub("", line)
    return " ".join(line.split())


def _paragraph_blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(raw)
    return [b for b in blocks if b]


def _split_block(lines: list[str]) -> list[str]:
    """Lines of one block: bullets and headings stand alone; wrapped prose is joined."""
    out: list[str] = []
    current: list[str] = []
    for raw in lines:
        line = clean_line(_BULLET.sub("", raw))
        starts_item = bool(_BULLET.match(raw))
        ends_sentence = bool(current) and current[-1].rstrip()[-1:] in '.!?:"”'
        headingish = bool(current) and (len(current[-1]) < 60 and not ends_sentence)
        if current and (starts_item or ends_sentence or headingish):
            out.append(" ".join(current))
            current = []
        if line:
            current.append(line)
    if current:
        out.append(" ".join(current))
    return out


def is_furniture(paragraph: str) -> bool:
    words = re.findall(r"[^\W\d_]+", paragraph)
    if not words:
        return True
    markers = _MARKERS.findall(paragraph[:2000])
    if len(markers) >= 2:
        return True
    if markers and (len(paragraph) < 400 or _MARKERS.search(paragraph[:60])):
        return True
    if _BYLINE.match(paragraph) and len(words) <= 8:
        return True
    return bool(_METADATA.match(paragraph)) and len(words) <= 25


def report_paragraphs(text: str) -> list[str]:
    """The paragraphs of the report proper, in order."""
    paragraphs = [p for block in _paragraph_blocks(text) for p in _split_block(block)]
    total = sum(len(p) for p in paragraphs) or 1
    kept: list[str] = []
    seen = 0
    for paragraph in paragraphs:
        if seen > total / 2 and _TAIL.match(paragraph):
            break
        seen += len(paragraph)
        if not is_furniture(paragraph):
            kept.append(paragraph)
    return kept
