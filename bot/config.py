"""Settings: read once from the environment (and a `.env` file if present),
validated, failing fast with the name of the variable that is wrong."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SQLITE_PATH = Path("data") / "sitrep.db"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    port: int = 3000
    admins: tuple[str, ...] = ()
    timezone: str = "UTC"
    briefing_grace: timedelta = timedelta(hours=6)
    delivery_lease: timedelta = timedelta(minutes=2)
    allow_guests: bool = False
    fetch_allow_private: bool = False

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)


_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def parse_duration(name: str, raw: str) -> timedelta:
    match = _DURATION.match(raw)
    if not match:
        raise SettingsError(f"{name}={raw!r} is not a duration; write it like 90s, 2m, 6h or 1d")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(**{_UNITS[unit]: amount})


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name}={raw!r} is not true or false")


def parse_zone(name: str, raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"{name}={raw!r} is not an IANA time zone such as Asia/Baku") from exc
    return raw.strip()


def parse_admins(name: str, raw: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in raw.split(",") if part.strip())
    for user_id in ids:
        if not _USER_ID.match(user_id):
            raise SettingsError(f"{name}: {user_id!r} is not a Slack user ID such as U012ABCDEF")
    return ids


def default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH.as_posix()}"


def read_dotenv(path: Path) -> dict[str, str]:
    """The few lines of a `.env` file: KEY=value, # comments, optional quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def load_settings(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """Settings from `environ` (default: os.environ over ./.env)."""
    if environ is None:
        env = read_dotenv(dotenv or Path(".env"))
        env.update(os.environ)
    else:
        env = dict(environ)

    def get(name: str) -> str | None:
        value = env.get(name)
        return value if value not in (None, "") else None

    port_raw = get("PORT") or "3000"
    if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
        raise SettingsError(f"PORT={port_raw!r} is not a port number (1-65535)")
    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    api_url = get("SLACK_API_URL")
    if api_url and not re.match(r"^https?://", api_url):
        raise SettingsError(f"SLACK_API_URL={api_url!r} must start with http:// or https://")
    if api_url and not api_url.endswith("/"):
        api_url += "/"

    return Settings(
        database_url=get("DATABASE_URL") or default_database_url(),
        slack_bot_token=bot_token,
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=app_token,
        slack_api_url=api_url,
        port=int(port_raw),
        admins=parse_admins("SITREP_ADMINS", get("SITREP_ADMINS") or ""),
        timezone=parse_zone("SITREP_TIMEZONE", get("SITREP_TIMEZONE") or "UTC"),
        briefing_grace=parse_duration(
            "SITREP_BRIEFING_GRACE", get("SITREP_BRIEFING_GRACE") or "6h"
        ),
        delivery_lease=parse_duration(
            "SITREP_DELIVERY_LEASE", get("SITREP_DELIVERY_LEASE") or "2m"
        ),
        allow_guests=parse_bool("SITREP_ALLOW_GUESTS", get("SITREP_ALLOW_GUESTS") or ""),
        fetch_allow_private=parse_bool(
            "SITREP_FETCH_ALLOW_PRIVATE", get("SITREP_FETCH_ALLOW_PRIVATE") or ""
        ),
    )
