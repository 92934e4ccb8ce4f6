"""What the listeners need, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.services.context import Actor, Context
from bot.slack.people import People

if TYPE_CHECKING:
    from bot.scheduling.delivery import Deliverer
    from bot.slack.poster import SlackPoster


@dataclass
class SlackDeps:
    settings: Settings
    ctx: Context
    people: People
    deliverer: Deliverer | None = None
    poster: SlackPoster | None = None  # shares, posted as the bot where it can

    @staticmethod
    def with_channel(actor: Actor, channel_id: str | None) -> Actor:
        return replace(actor, channel_id=channel_id)

    def actor(self, user_id: str) -> tuple[Actor, str | None]:
        """The actor, and why they may not use Sitrep (None if they may)."""
        person = self.people.get(user_id)
        if not person.known and not self.settings.allow_guests:
            # Guests may not read, and whether this is a guest is unknown for now.
            return Actor(user_id), (
                "Sorry, Sitrep could not check your Slack account just now. Please try again in a moment."
            )
        if not self.settings.allow_guests and (person.guest or person.external):
            who = "guest" if person.guest else "external (Slack Connect)"
            return Actor(user_id, zone=person.zone), (
                f"Sorry, Sitrep is not open to {who} accounts in this workspace. "
                "An admin can allow them with SITREP_ALLOW_GUESTS."
            )
        return Actor(user_id, zone=person.zone), None
