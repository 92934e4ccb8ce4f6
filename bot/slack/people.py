"""Who is asking, from Slack's users.info: their time zone, and whether they are
a guest or an external (Slack Connect) user. Cached: a profile rarely changes,
and a slash command must answer in well under Slack's 3 seconds."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

CACHE_SECONDS = 3600.0


@dataclass(frozen=True)
class Person:
    user_id: str
    zone: str | None
    guest: bool
    external: bool
    known: bool = True  # False: Slack could not be asked; nothing is cached


class People:
    def __init__(
        self, client: WebClient, team_id: str | None = None, ttl: float = CACHE_SECONDS
    ) -> None:
        self.client = client
        self.team_id = team_id
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Person]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str, team_id: str | None = None) -> Person:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        person = self._fetch(user_id, team_id)
        if person.known:
            with self._lock:
                self._cache[user_id] = (now, person)
        return person

    def _fetch(self, user_id: str, team_id: str | None) -> Person:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            if exc.response.get("error") == "user_not_found":
                # Not a member of this workspace (e.g. from another organisation).
                return Person(user_id, None, guest=False, external=True)
            # Slack could not say just now: ask again next time, assume nothing.
            return Person(user_id, None, guest=False, external=False, known=False)
        except OSError:
            return Person(user_id, None, guest=False, external=False, known=False)
        home_team = user.get("team_id")
        external = bool(user.get("is_stranger")) or (
            bool(self.team_id) and bool(home_team) and home_team != self.team_id
        )
        guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted"))
        return Person(user_id, user.get("tz"), guest=guest, external=external)

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._cache.pop(user_id, None)
