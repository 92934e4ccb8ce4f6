"""Serving Slack: Bolt's WSGI adapter under waitress (HTTP), or Socket Mode.

Why waitress: Bolt's `App` is synchronous, and a WSGI server with a thread pool
runs each request on its own thread, so one slow query never stalls the others
(Bolt's built-in server is for development; its ASGI adapters would run a sync
app on the event loop). Waitress is pure Python, production-grade, and runs the
same on every platform."""

from __future__ import annotations

import io
import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

log = logging.getLogger("sitrep.server")
EVENTS_PATH = "/slack/events"
THREADS = 16


def wsgi_app(
    app: App, signing_secret: str | None = None
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """Bolt's WSGI adapter behind a gate: a request whose signature or timestamp
    does not verify is answered 401 before anything parses its body, and a
    signed body that cannot be parsed 400 — so nothing forged reaches a listener,
    and nothing unverified makes the bot call out."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def reply(start_response: Callable[..., Any], status: str, text: str) -> Iterable[bytes]:
        body = text.encode()
        start_response(
            status,
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz":
            return reply(start_response, "200 OK", "ok\n")
        if path != EVENTS_PATH or method != "POST":
            return reply(start_response, "404 Not Found", "Not Found\n")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return reply(start_response, "400 Bad Request", "Bad Request\n")
        if length > MAX_BODY:
            return reply(start_response, "413 Payload Too Large", "Too Large\n")
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        if verifier is not None and not _verified(verifier, environ, body):
            return reply(start_response, "401 Unauthorized", "Unauthorized\n")
        if not _parsable(environ.get("CONTENT_TYPE", ""), body):
            return reply(start_response, "400 Bad Request", "Bad Request\n")
        environ["wsgi.input"] = io.BytesIO(body)
        return slack(environ, start_response)

    return application


MAX_BODY = 1_048_576


def _verified(verifier: SignatureVerifier, environ: dict[str, Any], body: bytes) -> bool:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not timestamp.isdigit() or not signature:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(verifier.is_valid(body=text, timestamp=timestamp, signature=signature))


def _parsable(content_type: str, body: bytes) -> bool:
    """The body is what Slack sends: a JSON object, or a form (with a JSON `payload`)."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return isinstance(json.loads(text), dict)
        form = urllib.parse.parse_qs(text, keep_blank_values=True)
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return True
    except (UnicodeDecodeError, ValueError):
        return False


def http_server(
    app: App, host: str, port: int, threads: int = THREADS, signing_secret: str | None = None
) -> Any:
    """A waitress server, not yet running: `.run()` serves, `.close()` stops.
    `.effective_port` tells the port when 0 was asked for."""
    return create_server(
        wsgi_app(app, signing_secret),
        host=host,
        port=port,
        threads=threads,
        ident="sitrep",
        # Slack never sends large bodies; refuse anything that is not a Slack request's size.
        max_request_body_size=1_048_576,
        channel_timeout=30,
    )


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
