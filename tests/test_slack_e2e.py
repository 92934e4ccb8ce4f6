"""End to end: the bot's real HTTP server on a loopback port, requests signed as
Slack signs them, and a fake Slack Web API that records every call and refuses
what Slack refuses. A test passes only if Slack would accept every call made."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import Settings, load_settings
from bot.services.context import Context
from bot.store.schema import updates
from tests.fakeslack import FakeSlack, validate_blocks, validate_view
from tests.slackbot import SECRET, TOKEN, BotServer, SlackSender, fixture

ADMIN, READER, GUEST, STRANGER = "UADMIN", "UREADER", "UGUEST", "UEXTERNAL"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN, team_id="T111", bot_user_id="UBOT") as slack:
        slack.add_user(ADMIN, tz="Asia/Baku")
        slack.add_user(READER, tz="America/New_York")
        slack.add_user(GUEST, tz="Europe/Paris", is_restricted=True)
        slack.add_user(STRANGER, tz="Europe/Paris", is_stranger=True)
        slack.add_channel("C111", "sitrep-desk")
        yield slack
        slack.assert_all_accepted()


def make_settings(fake: FakeSlack, tmp_path: Path, **extra: str) -> Settings:
    return load_settings(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "SITREP_ADMINS": ADMIN,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
            **extra,
        }
    )


@pytest.fixture
def slack(fake: FakeSlack, sqlite_demo: Context, tmp_path: Path) -> Iterator[SlackSender]:
    with BotServer(make_settings(fake, tmp_path), sqlite_demo) as server:
        yield SlackSender(server.url)


def count_updates(ctx: Context) -> int:
    with ctx.uow.read() as tx:
        return int(tx.conn.execute(select(func.count()).select_from(updates)).scalar_one())


def ephemeral_text(reply: Any) -> str:
    assert reply.status == 200, reply.body
    data = reply.json()
    assert data.get("response_type") == "ephemeral"
    blocks = data.get("blocks", [])
    assert validate_blocks(blocks, "message") == []
    return "\n".join(b.get("text", {}).get("text", "") for b in blocks) or data.get("text", "")


@pytest.mark.parametrize("spelling", ["Shusha", "Shushi", "Şuşa", "SHUSHA", "Шуша", "Susa"])
def test_status_for_each_spelling(slack: SlackSender, fake: FakeSlack, spelling: str) -> None:
    text = ephemeral_text(slack.command("/status", spelling, user_id=ADMIN))
    assert "Shusha (Shushi)" in text
    assert "UTC+4" in text  # the reader's zone: Baku


def test_times_in_the_readers_zone(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/status", "Stepankert", user_id=READER))
    assert "Stepanakert (Khankendi)" in text
    assert "EDT" in text  # 08:00 in Baku on 26 Oct 2020 was 00:00 in New York


def test_forged_and_stale_signatures_are_refused(slack: SlackSender, sqlite_demo: Context) -> None:
    before = count_updates(sqlite_demo)
    body = "command=%2Fupdate&text=note+%22forged%22&user_id=UADMIN&trigger_id=1"
    forged = slack.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    stale = slack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 600)
    unsigned = slack.post(body, "application/x-www-form-urlencoded", sign=False)
    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)
    assert count_updates(sqlite_demo) == before


def test_a_non_admin_update_is_refused(slack: SlackSender, sqlite_demo: Context) -> None:
    before = count_updates(sqlite_demo)
    text = ephemeral_text(slack.command("/update", 'note "I should not"', user_id=READER))
    assert "Only Sitrep admins" in text
    assert count_updates(sqlite_demo) == before


def test_an_admin_one_line_update_is_written_and_confirmed(
    slack: SlackSender, sqlite_demo: Context
) -> None:
    before = count_updates(sqlite_demo)
    reply = slack.command(
        "/update",
        "control Qubadli Azerbaijan confidence:high source:&lt;https://example.org/geo&gt;",
        user_id=ADMIN,
        trigger_id="111.222.first",
    )
    text = ephemeral_text(reply)
    assert count_updates(sqlite_demo) == before + 1
    assert f"Recorded u{before + 1}" in text
    # Slack retries a request it thinks timed out: the same trigger writes once.
    again = ephemeral_text(
        slack.command(
            "/update",
            "control Qubadli Azerbaijan confidence:high",
            user_id=ADMIN,
            trigger_id="111.222.first",
        )
    )
    assert "Already recorded" in again
    assert count_updates(sqlite_demo) == before + 1


def test_a_note_with_mentions_pings_nobody(slack: SlackSender, fake: FakeSlack) -> None:
    typed = 'note "<!channel> <!here> <@U123> &lt;b&gt; & co" about:Lachin'
    text = ephemeral_text(slack.command("/update", typed, user_id=ADMIN))
    assert "<!channel>" not in text and "<!here>" not in text and "<@U123>" not in text
    status = ephemeral_text(slack.command("/status", "Lachin", user_id=ADMIN))
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;b&gt; &amp; co" in status


def test_guests_and_external_users_are_refused(slack: SlackSender) -> None:
    for user in (GUEST, STRANGER):
        text = ephemeral_text(slack.command("/status", "Lachin", user_id=user))
        assert "not open to" in text


def test_guests_allowed_when_configured(
    fake: FakeSlack, sqlite_demo: Context, tmp_path: Path
) -> None:
    settings = make_settings(fake, tmp_path, SITREP_ALLOW_GUESTS="true")
    with BotServer(settings, sqlite_demo) as server:
        text = ephemeral_text(SlackSender(server.url).command("/status", "Lachin", user_id=GUEST))
    assert "Lachin (Berdzor)" in text


def test_unknown_place_gets_did_you_mean(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/status", "Shushaa Lachinn", user_id=ADMIN))
    assert "No place called" in text


def actions_payload(fake: FakeSlack, user: str, action_id: str, value: str) -> dict[str, Any]:
    payload = copy.deepcopy(fixture("block_actions"))
    payload["user"] = {"id": user, "username": user, "name": user, "team_id": "T111"}
    payload["team"] = {"id": "T111", "domain": "desk"}
    payload["response_url"] = fake.issue_response_url(channel="C111", user=user)
    payload["trigger_id"] = fake.issue_trigger_id(user)
    payload["actions"] = [
        {
            "action_id": action_id,
            "block_id": "b",
            "type": "button",
            "value": value,
            "action_ts": "1.2",
        }
    ]
    return payload


def button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                found: dict[str, Any] = element
                return found
    raise AssertionError(f"no {action_id} button")


def test_a_long_answer_is_paged_and_more_shows_the_rest(
    slack: SlackSender, fake: FakeSlack
) -> None:
    for i in range(10):
        ephemeral_text(
            slack.command(
                "/update", f'claim Iran "{i} ' + "lorem ipsum " * 160 + '"', user_id=ADMIN
            )
        )
    first = slack.command("/claims", "Iran", user_id=ADMIN)
    ephemeral_text(first)
    blocks = first.json()["blocks"]
    more = button(blocks, "more_answer")
    reply = slack.interaction(actions_payload(fake, ADMIN, "more_answer", more["value"]))
    assert reply.status == 200
    posted = fake.calls_to("response_url")
    assert posted and posted[-1].status == 200
    page_two = posted[-1].args
    assert validate_blocks(page_two.get("blocks", []), "message") == []
    assert page_two.get("replace_original") is True


def test_share_posts_the_answer_for_everyone(slack: SlackSender, fake: FakeSlack) -> None:
    first = slack.command("/status", "Hadrut", user_id=READER)
    share = button(first.json()["blocks"], "share_answer")
    reply = slack.interaction(actions_payload(fake, READER, "share_answer", share["value"]))
    assert reply.status == 200
    # Posted as the bot, in the channel, for everyone.
    [posted] = [m for m in fake.messages("C111") if "Shared by" in json.dumps(m.get("blocks", []))]
    text = json.dumps(posted["blocks"])
    assert "Hadrut" in text and "UTC+4" in text  # the conflict's zone, not the reader's


def test_share_falls_back_to_the_response_url_outside_the_bots_channels(
    slack: SlackSender, fake: FakeSlack
) -> None:
    fake.add_channel("COUT", "elsewhere", is_member=False)
    first = slack.command("/status", "Hadrut", user_id=READER)
    share = button(first.json()["blocks"], "share_answer")
    payload = actions_payload(fake, READER, "share_answer", share["value"])
    payload["channel"] = {"id": "COUT", "name": "elsewhere"}
    payload["response_url"] = fake.issue_response_url(channel="COUT", user=READER)
    assert slack.interaction(payload).status == 200
    posted = fake.calls_to("response_url")[-1].args
    assert posted["response_type"] == "in_channel" and "Hadrut" in json.dumps(posted["blocks"])
    fake.reset()  # the refused post in a channel the bot is not in was the point


def test_a_forged_share_value_cannot_write(
    slack: SlackSender, fake: FakeSlack, sqlite_demo: Context
) -> None:
    before = count_updates(sqlite_demo)
    value = json.dumps({"c": "/update", "t": 'note "sneaky"'})
    slack.interaction(actions_payload(fake, ADMIN, "share_answer", value))
    assert count_updates(sqlite_demo) == before


def submission(view: dict[str, Any], user: str, values: dict[str, Any]) -> dict[str, Any]:
    payload = copy.deepcopy(fixture("view_submission"))
    payload["user"] = {"id": user, "username": user, "name": user, "team_id": "T111"}
    payload["view"] = {**view, "state": {"values": values}}
    return payload


def text_value(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def test_the_form_opens_refuses_bad_fields_then_records(
    slack: SlackSender, fake: FakeSlack, sqlite_demo: Context
) -> None:
    trigger = fake.issue_trigger_id(ADMIN)
    reply = slack.command("/update", "", user_id=ADMIN, trigger_id=trigger)
    assert reply.status == 200
    sent = fake.calls_to("views.open")
    assert sent and sent[-1].ok and validate_view(sent[-1].args["view"], "modal") == []
    view = fake.opened_views()[-1]
    # Switch to a note.
    kind = actions_payload(fake, ADMIN, "form_kind", "")
    kind["actions"] = [
        {
            "action_id": "form_kind",
            "block_id": "kind_block",
            "type": "static_select",
            "selected_option": {"value": "note", "text": {"type": "plain_text", "text": "A note"}},
        }
    ]
    kind["view"] = view
    kind["container"] = {"type": "view", "view_id": view["id"]}
    assert slack.interaction(kind).status == 200
    view = fake.calls_to("views.update")[-1].response["view"]
    assert any(b.get("block_id") == "text" for b in view["blocks"])
    before = count_updates(sqlite_demo)
    bad = slack.interaction(
        submission(
            view,
            ADMIN,
            {
                "text": {"text": text_value(None)},
                "when": {"when": text_value("the 32nd of Octember")},
            },
        )
    )
    errors = bad.json()
    assert errors["response_action"] == "errors"
    assert set(errors["errors"]) == {"text", "when"}
    assert count_updates(sqlite_demo) == before
    good = slack.interaction(
        submission(
            view,
            ADMIN,
            {
                "text": {"text": text_value("Shelling reported near Martakert")},
                "about": {
                    "pick_place:about": {
                        "type": "multi_external_select",
                        "selected_options": [{"value": "Martakert"}],
                    }
                },
                "when": {"when": text_value("2020-10-26T09:30")},
            },
        )
    )
    answer = good.json()
    assert answer["response_action"] == "update"
    assert validate_view(answer["view"], "modal") == []
    assert count_updates(sqlite_demo) == before + 1
    assert f"u{before + 1}" in json.dumps(answer["view"])


def test_type_ahead_offers_places_from_the_ledger(slack: SlackSender) -> None:
    payload = {
        "type": "block_suggestion",
        "action_id": "pick_place:place",
        "block_id": "place",
        "value": "shu",
        "user": {"id": ADMIN},
        "team": {"id": "T111"},
        "view": {"private_metadata": "{}"},
    }
    reply = slack.interaction(payload)
    labels = [o["text"]["text"] for o in reply.json()["options"]]
    assert any(label.startswith("Shusha (Shushi)") for label in labels)


def test_app_home_is_published_with_the_overview(slack: SlackSender, fake: FakeSlack) -> None:
    for user, admin in ((ADMIN, True), (READER, False)):
        envelope = copy.deepcopy(fixture("app_home_opened_event"))
        envelope["event"]["user"] = user
        envelope["team_id"] = "T111"
        assert slack.event(envelope).status == 200
        home = fake.published_home(user)
        sent = fake.calls_to("views.publish")[-1]
        assert sent.ok and validate_view(sent.args["view"], "home") == []
        assert home is not None
        text = json.dumps(home)
        assert "Disputed places" in text and "Hadrut" in text
        assert ("home_open_form" in text) is admin


def test_url_verification_is_answered(slack: SlackSender) -> None:
    reply = slack.event(fixture("url_verification"))
    assert reply.status == 200 and fixture("url_verification")["challenge"] in reply.body


def test_briefing_subscribe_joins_a_public_channel_and_asks_for_an_invite_to_a_private_one(
    slack: SlackSender, fake: FakeSlack, sqlite_demo: Context
) -> None:
    fake.add_channel("CPUB", "public-desk", is_member=False)
    fake.add_channel("CPRIV", "private-desk", is_private=True, is_member=False)
    public = slack.command(
        "/briefing",
        "subscribe 08:00 Asia/Baku",
        user_id=ADMIN,
        channel_id="CPUB",
        response_url=fake.issue_response_url(channel="CPUB", user=ADMIN),
    )
    assert "Subscribed" in ephemeral_text(public)
    wait = time.monotonic() + 10
    while not fake.calls_to("conversations.join") and time.monotonic() < wait:
        time.sleep(0.05)
    assert [c.args.get("channel") for c in fake.calls_to("conversations.join")] == ["CPUB"]
    private_url = fake.issue_response_url(channel="CPRIV", user=ADMIN)
    private = slack.command(
        "/briefing", "subscribe 09:00", user_id=ADMIN, channel_id="CPRIV", response_url=private_url
    )
    assert "Subscribed" in ephemeral_text(private)
    wait = time.monotonic() + 10
    while not fake.response_messages(private_url) and time.monotonic() < wait:
        time.sleep(0.05)
    assert "/invite" in json.dumps(fake.response_messages(private_url))
    listing = ephemeral_text(slack.command("/briefing", "list", user_id=READER))
    assert "CPUB" in listing and "CPRIV" in listing and "09:00" in listing
    refused = ephemeral_text(
        slack.command("/briefing", "subscribe 07:00", user_id=READER, channel_id="CPUB")
    )
    assert "Only Sitrep admins" in refused
    # The join refused for the private channel was expected.
    fake.reset()


def test_briefing_preview_is_for_the_reader_alone(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/briefing", "", user_id=READER, channel_id="C111"))
    assert "Briefing: Nagorno-Karabakh war (2020)" in text
    assert "Bottom line" in text


def test_briefing_post_now_posts_in_the_channel(
    fake: FakeSlack, sqlite_demo: Context, tmp_path: Path
) -> None:
    from tests.briefing_harness import briefings_in, make_deliverer

    with BotServer(
        make_settings(fake, tmp_path), sqlite_demo, make_deliverer(sqlite_demo, fake)
    ) as server:
        sender = SlackSender(server.url)
        reply = ephemeral_text(
            sender.command(
                "/briefing",
                "post",
                user_id=ADMIN,
                channel_id="C111",
                response_url=fake.issue_response_url(channel="C111", user=ADMIN),
            )
        )
        assert "Posting the briefing" in reply
        deadline = time.monotonic() + 15
        while not briefings_in(fake, "C111") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(briefings_in(fake, "C111")) == 1
        refused = ephemeral_text(
            sender.command("/briefing", "post", user_id=READER, channel_id="C111")
        )
        assert "Only Sitrep admins" in refused
    assert len(briefings_in(fake, "C111")) == 1
