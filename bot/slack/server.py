"""Serving Slack: Bolt's WSGI adapter under waitress (HTTP), or Socket Mode.

Why waitress: Bolt's `App` is synchronous, and a WSGI server with a thread pool
runs each request on its own thread, so one slow query never stalls the others
(Bolt's built-in server is for development; its ASGI adapters would run a sync
app on the event loop). Waitress is pure Python, production-grade, and runs the
same on every platform."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

log = logging.getLogger("sitrep.server")
EVENTS_PATH = "/slack/events"
THREADS = 16


def wsgi_app(app: App) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def http_server(app: App, host: str, port: int, threads: int = THREADS) -> Any:
    """A waitress server, not yet running: `.run()` serves, `.close()` stops.
    `.effective_port` tells the port when 0 was asked for."""
    return create_server(
        wsgi_app(app),
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
