"""What the due step needs from Slack, behind a small interface, and the ways a
post can fail. The Slack implementation lives in `bot.slack.poster`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class PostError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class OutcomeUnknown(PostError):
    """Timeout, dropped connection or server error: the post may or may not exist."""


class RateLimited(PostError):
    def __init__(self, error: str, retry_after: float) -> None:
        super().__init__(error)
        self.retry_after = retry_after


class PermanentError(PostError):
    """The channel cannot take posts (channel_not_found, not_in_channel, is_archived)."""


class TokenDead(PostError):
    """The bot token no longer works (invalid_auth, token_revoked, account_inactive)."""


class Poster(Protocol):
    def post(
        self,
        channel: str,
        text: str,
        blocks: Sequence[dict[str, Any]],
        delivery_id: int,
        thread_ts: str | None = None,
        part: int | None = None,
    ) -> str:
        """Post and return the message's ts; carries the delivery ID (and, for a
        thread reply, its part number) in metadata."""
        ...

    def parts_posted(self, channel: str, thread_ts: str, delivery_id: int) -> set[int]:
        """The part numbers of a delivery already in its thread."""
        ...

    def find(self, channel: str, delivery_id: int, oldest: float) -> str | None:
        """The ts of a main message already posted for this delivery, if any."""
        ...

    def direct_message(self, user_id: str, text: str) -> None: ...

    def token_works(self) -> bool: ...
