"""The Bolt app, built in one place. Building it calls no Slack API."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.config import Settings
from bot.scheduling.delivery import Deliverer
from bot.services.context import Context
from bot.slack.client import make_client
from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, briefing, commands, form, home, ingest
from bot.slack.people import People
from bot.slack.poster import SlackPoster, poster_client

log = logging.getLogger("sitrep.slack")
SORRY = (
    "Sorry, that failed on our side. Please try again in a moment: sending the same "
    "update again never records it twice."
)


def build_app(
    settings: Settings,
    ctx: Context,
    client: WebClient | None = None,
    deliverer: Deliverer | None = None,
) -> App:
    client = client or make_client(settings)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        # No auth.test at construction: nothing talks to Slack before a request arrives.
        token_verification_enabled=False,
        # Listeners run in the request thread and answer in the acknowledgement:
        # the fast path of Bolt (no thread hand-off, no 10 ms ack polling).
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )
    poster = SlackPoster(poster_client(settings))
    deps = SlackDeps(settings, ctx, People(client), deliverer, poster)
    for module in (commands, actions, form, home, briefing, ingest):
        module.register(app, deps)

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse:
        log.exception("unhandled error in a listener", exc_info=error)
        if body.get("response_url"):
            try:
                respond(response_type="ephemeral", replace_original=False, text=SORRY)
            except Exception:  # the user will see Slack's own timeout notice instead
                log.warning("could not tell the user about the error", exc_info=True)
        return BoltResponse(status=200, body="")

    return app
