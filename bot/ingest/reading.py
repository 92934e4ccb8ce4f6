"""The text of a report, from what the user gave: pasted text, a file (text,
HTML or PDF) or a fetched page. Main text is extracted by trafilatura and
pypdf, not by hand-written scraping."""

from __future__ import annotations

import io

MAX_TEXT = 200_000  # characters of report text kept


class Unreadable(Exception):
    """The file or page holds no text we can read; the message says why."""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("The file is not text.")


def html_text(html: str) -> str:
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_recall=True
    )
    if not text:
        raise Unreadable("No article text was found on that page.")
    return str(text)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages[:50])
    except (PdfReadError, ValueError, KeyError) as exc:
        raise Unreadable("The PDF could not be read.") from exc
    if not text.strip():
        raise Unreadable("The PDF holds no text (a scan needs OCR first).")
    return text


def report_text(data: bytes, name: str = "", content_type: str = "") -> str:
    """Text from a file's bytes, by its type (content type, else name, else a look)."""
    kind = content_type.lower()
    lower = name.lower()
    if "pdf" in kind or lower.endswith(".pdf") or data[:5] == b"%PDF-":
        text = pdf_text(data)
    elif (
        "html" in kind
        or lower.endswith((".html", ".htm"))
        or data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
    ):
        text = html_text(_decode(data))
    else:
        if b"\x00" in data[:1024]:
            raise Unreadable("That is not a text, HTML or PDF file.")
        text = _decode(data)
    text = text.strip()
    if not text:
        raise Unreadable("The report is empty.")
    return text[:MAX_TEXT]
