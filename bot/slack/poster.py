"""Posting briefings to Slack. Its client retries only rate limits: a retried
post after a timeout could post twice, so an unknown outcome goes back to the
due step, which looks in the channel's history before posting again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.scheduling.ports import OutcomeUnknown, PermanentError, PostError, RateLimited, TokenDead

EVENT_TYPE = "sitrep_briefing"
SHARE_TYPE = "sitrep_share"
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "channel_is_archived",
    "restricted_action",
}
DEAD_TOKEN = {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"}


def poster_client(settings: Settings, timeout: int = 15) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        timeout=timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5)],
    )


class SlackPoster:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = (
                self.client.api_call(method, json=kwargs)
                if method == "chat.postMessage"
                else self.client.api_call(method, params=kwargs)
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            status = exc.response.status_code
            if status == 429:
                retry_after = float(
                    exc.response.headers.get(
                        "Retry-After", exc.response.headers.get("retry-after", 1)
                    )
                )
                raise RateLimited(error, retry_after) from exc
            if status >= 500:
                raise OutcomeUnknown(f"HTTP {status}: {error}") from exc
            if error in DEAD_TOKEN:
                raise TokenDead(error) from exc
            if error in PERMANENT:
                raise PermanentError(error) from exc
            raise PostError(error) from exc
        except (OSError, TimeoutError) as exc:  # dropped connection, timeout
            raise OutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    def post(
        self,
        channel: str,
        text: str,
        blocks: Sequence[dict[str, Any]],
        delivery_id: int,
        thread_ts: str | None = None,
        part: int | None = None,
    ) -> str:
        payload: dict[str, Any] = {"delivery_id": delivery_id}
        if part is not None:
            payload["part"] = part
        kwargs: dict[str, Any] = {
            "channel": channel,
            "text": text,
            "blocks": list(blocks),
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {"event_type": EVENT_TYPE, "event_payload": payload},
        }
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        return str(self._call("chat.postMessage", **kwargs)["ts"])

    def find(self, channel: str, delivery_id: int, oldest: float) -> str | None:
        cursor: str | None = None
        for _ in range(10):  # at most 1,000 recent messages
            kwargs: dict[str, Any] = {
                "channel": channel,
                "oldest": f"{oldest:.6f}",
                "limit": 100,
                "include_all_metadata": True,
            }
            if cursor:
                kwargs["cursor"] = cursor
            data = self._call("conversations.history", **kwargs)
            for message in data.get("messages", []):
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if (
                    meta.get("event_type") == EVENT_TYPE
                    and payload.get("delivery_id") == delivery_id
                    and message.get("thread_ts") in (None, message.get("ts"))
                ):
                    return str(message["ts"])
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def parts_posted(self, channel: str, thread_ts: str, delivery_id: int) -> set[int]:
        """The parts of a briefing already in its thread."""
        found: set[int] = set()
        cursor: str | None = None
        for _ in range(10):
            kwargs: dict[str, Any] = {
                "channel": channel,
                "ts": thread_ts,
                "limit": 200,
                "include_all_metadata": True,
            }
            if cursor:
                kwargs["cursor"] = cursor
            data = self._call("conversations.replies", **kwargs)
            for message in data.get("messages", []):
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if (
                    meta.get("event_type") == EVENT_TYPE
                    and payload.get("delivery_id") == delivery_id
                    and "part" in payload
                ):
                    found.add(int(payload["part"]))
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return found

    def share(
        self,
        channel: str,
        text: str,
        blocks: Sequence[dict[str, Any]],
        share_id: str,
        oldest: float,
    ) -> str:
        """Post an answer shared in a channel once: when the outcome of the post is
        unknown, look for its share ID in the channel before posting again."""
        metadata = {"event_type": SHARE_TYPE, "event_payload": {"share_id": share_id}}
        for attempt in range(2):
            try:
                data = self._call(
                    "chat.postMessage",
                    channel=channel,
                    text=text,
                    blocks=list(blocks),
                    metadata=metadata,
                    unfurl_links=False,
                    unfurl_media=False,
                )
                return str(data["ts"])
            except OutcomeUnknown:
                found = self._find_metadata(channel, SHARE_TYPE, "share_id", share_id, oldest)
                if found:
                    return found
                if attempt == 1:
                    raise
        raise OutcomeUnknown("share not confirmed")

    def _find_metadata(
        self, channel: str, event_type: str, key: str, value: object, oldest: float
    ) -> str | None:
        data = self._call(
            "conversations.history",
            channel=channel,
            oldest=f"{oldest:.6f}",
            limit=100,
            include_all_metadata=True,
        )
        for message in data.get("messages", []):
            meta = message.get("metadata") or {}
            if (
                meta.get("event_type") == event_type
                and (meta.get("event_payload") or {}).get(key) == value
            ):
                return str(message["ts"])
        return None

    def direct_message(self, user_id: str, text: str) -> None:
        self._call("chat.postMessage", channel=user_id, text=text)

    def token_works(self) -> bool:
        try:
            self._call("auth.test")
        except PostError:
            return False
        return True

    def join(self, channel: str) -> None:
        self._call("conversations.join", channel=channel)
