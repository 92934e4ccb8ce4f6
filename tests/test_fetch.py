"""Fetching a report by URL: a loopback server stands in for the web."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.ingest.fetch import FetchRefused, fetch
from bot.ingest.reading import Unreadable, report_text

ARTICLE = b"""<!doctype html><html><head><title>Report</title></head><body>
<nav>Home | World | Donate</nav>
<article><h1>Fighting near Hadrut</h1>
<p>The Armenian Defense Ministry said on Monday that the towns of Fuzuli and Hadrut are still not
controlled by Azerbaijan. Azerbaijani President Ilham Aliyev said his forces had taken Qubadli.</p>
<p>Both sides accused each other of violating the humanitarian ceasefire that took effect at 08:00.</p>
</article><footer>Copyright 2020</footer></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        routes = {
            "/article": (200, "text/html; charset=utf-8", ARTICLE),
            "/plain": (200, "text/plain", b"Shelling reported near Martakert overnight."),
            "/image": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
            "/huge": (200, "text/plain", b"x" * 3_000_000),
            "/gone": (404, "text/plain", b"no"),
        }
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, kind, body = routes.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_loopback_address_is_refused_unless_allowed(site: str) -> None:
    with pytest.raises(FetchRefused, match="private or local address"):
        fetch(f"{site}/article")
    page = fetch(f"{site}/article", allow_private=True)
    text = report_text(page.body, content_type=page.content_type)
    assert "Fuzuli and Hadrut are still not" in text
    assert "Donate" not in text  # the main text, not the page's furniture


@pytest.mark.parametrize(
    "address",
    [
        "http://10.1.2.3/x",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
    ],
)
def test_private_ranges_are_refused(address: str) -> None:
    with pytest.raises(FetchRefused, match="private or local"):
        fetch(address)


def test_redirects_are_followed_and_checked(site: str) -> None:
    page = fetch(f"{site}/moved", allow_private=True)
    assert page.url.endswith("/article")


def test_oversized_non_text_and_errors_are_refused(site: str) -> None:
    with pytest.raises(FetchRefused, match="larger than"):
        fetch(f"{site}/huge", allow_private=True)
    with pytest.raises(FetchRefused, match="image/png"):
        fetch(f"{site}/image", allow_private=True)
    with pytest.raises(FetchRefused, match="404"):
        fetch(f"{site}/gone", allow_private=True)
    with pytest.raises(FetchRefused, match="http"):
        fetch("file:///etc/passwd")


def test_files_by_type() -> None:
    assert "Martakert" in report_text(b"Shelling near Martakert", "a.txt")
    assert "Hadrut" in report_text(ARTICLE, "report.html")
    with pytest.raises(Unreadable):
        report_text(b"\x00\x01\x02binary", "blob.bin")
    with pytest.raises(Unreadable):
        report_text(b"%PDF-1.4 not really a pdf", "x.pdf")
    with pytest.raises(Unreadable):
        report_text(b"   ", "empty.txt")
