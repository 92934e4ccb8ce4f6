"""The app manifest declares every command the app answers, escaped, with the
events and interactivity it needs."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.listeners.commands import COMMANDS

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"


def test_manifest_matches_the_app() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    declared = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(declared) == {*COMMANDS, "/briefing"}
    assert all(c["should_escape"] is True for c in declared.values())
    assert all(c["url"].endswith("/slack/events") for c in declared.values())
    settings = manifest["settings"]
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["message_menu_options_url"].endswith("/slack/events")
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "users:read", "channels:join", "channels:history"} <= scopes
    assert not scopes & {"admin", "users:read.email", "chat:write.customize"}
