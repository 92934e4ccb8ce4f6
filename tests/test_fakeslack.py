"""The fake Slack Web API, exercised through the real slack_sdk clients."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from tests.fakeslack import FakeSlack, blocks_text_length, validate_blocks, validate_view

TOKEN = "xoxb-test"
TS = re.compile(r"^\d{10}\.\d{6}$")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        server.add_user("U1", name="aysel", tz="Asia/Baku")
        server.add_user("U2", name="guest", tz="Europe/Berlin", is_restricted=True)
        server.add_channel("C1", "general")
        server.add_channel("C2", "outside", is_member=False)
        server.add_channel("C3", "old", is_archived=True)
        server.add_channel("G1", "secret", is_private=True, is_member=False)
        server.add_channel("C4", "small", members=["U1"])
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.api_url, timeout=5)


def body(response: SlackResponse) -> dict[str, Any]:
    assert isinstance(response.data, dict)
    return response.data


def error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        call(**kwargs)
    data = caught.value.response.data
    assert isinstance(data, dict)
    return data


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Report"},
        "blocks": blocks if blocks is not None else [section("hello")],
    }
    view.update(extra)
    return view


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# --------------------------------------------------------------------------------------
# auth
# --------------------------------------------------------------------------------------


def test_auth_test_describes_the_bot(fake: FakeSlack, client: WebClient) -> None:
    data = body(client.auth_test())
    assert data["ok"] is True
    assert data["user_id"] == "UBOT"
    assert data["team_id"] == "T111"
    assert data["bot_id"] == "B111"
    assert data["url"].startswith("https://") and data["url"].endswith(".slack.com/")
    assert fake.api_url.endswith("/api/") and fake.api_url.startswith(fake.base_url)


def test_a_wrong_token_is_invalid_auth(fake: FakeSlack) -> None:
    other = WebClient(token="xoxb-wrong", base_url=fake.api_url)
    assert error_of(other.auth_test)["error"] == "invalid_auth"


def test_no_token_is_not_authed(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.api_url)
    assert error_of(anonymous.auth_test)["error"] == "not_authed"


def test_a_revoked_token_is_token_revoked(fake: FakeSlack, client: WebClient) -> None:
    fake.revoke_token()
    assert error_of(client.chat_postMessage, channel="C1", text="x")["error"] == "token_revoked"
    assert fake.messages("C1") == []


def test_token_as_a_form_argument_is_accepted(fake: FakeSlack) -> None:
    status, data = raw_post(
        fake.api_url + "auth.test",
        f"token={TOKEN}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, data["ok"]) == (200, True)


def test_token_inside_a_json_body_is_ignored(fake: FakeSlack) -> None:
    body = json.dumps({"token": TOKEN, "channel": "C1", "text": "x"}).encode()
    status, data = raw_post(
        fake.api_url + "chat.postMessage",
        body,
        {"Content-Type": "application/json; charset=utf-8"},
    )
    assert (status, data["error"]) == (200, "not_authed")


def test_json_body_to_a_read_method_is_not_read(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.api_call("users.info", json={"user": "U1"})
    assert caught.value.response["error"] == "user_not_found"
    assert client.api_call("users.info", params={"user": "U1"})["ok"] is True


def test_unknown_method_is_404(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.api_call("chat.postMessages", json={"channel": "C1", "text": "x"})
    assert caught.value.response.status_code == 404
    assert caught.value.response["error"] == "unknown_method"


# --------------------------------------------------------------------------------------
# chat.postMessage
# --------------------------------------------------------------------------------------


def test_post_message_answers_like_slack(fake: FakeSlack, client: WebClient) -> None:
    first = body(client.chat_postMessage(channel="C1", text="one"))
    second = body(client.chat_postMessage(channel="#general", text="two"))
    assert first["channel"] == second["channel"] == "C1"
    assert TS.match(first["ts"]) and TS.match(second["ts"])
    assert float(second["ts"]) > float(first["ts"])
    message = first["message"]
    assert message["text"] == "one"
    assert message["ts"] == first["ts"]
    assert message["user"] == "UBOT" and message["bot_id"] == "B111"
    assert [m["text"] for m in fake.messages("C1")] == ["one", "two"]


def test_blocks_sent_as_form_json_strings_are_parsed(fake: FakeSlack, client: WebClient) -> None:
    blocks = [section("*bold*")]
    response = client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "fallback", "blocks": json.dumps(blocks)},
    )
    assert response["ok"] is True
    stored = fake.messages("C1")[0]["blocks"]
    assert stored[0]["text"] == blocks[0]["text"]
    assert stored[0]["block_id"]  # Slack fills in a block_id
    assert fake.calls_to("chat.postMessage")[0].args["blocks"][0]["type"] == "section"


def test_thread_replies_are_visible_with_thread_ts(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    shown = fake.messages("C1")
    assert [m["text"] for m in shown] == ["parent", "reply"]
    assert shown[0]["reply_count"] == 1 and shown[0]["thread_ts"] == parent
    assert shown[1]["thread_ts"] == parent
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["parent"]  # replies stay in the thread
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]


def test_metadata_round_trips_through_history(fake: FakeSlack, client: WebClient) -> None:
    metadata = {"event_type": "briefing_posted", "event_payload": {"id": 7}}
    posted = client.chat_postMessage(channel="C1", text="x", metadata=metadata)
    assert posted["message"]["metadata"] == metadata
    plain = client.conversations_history(channel="C1")["messages"][0]
    assert "metadata" not in plain
    full = client.conversations_history(channel="C1", include_all_metadata=True)["messages"][0]
    assert full["metadata"] == metadata


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ({"event_type": "x"}, "invalid_metadata_schema"),
        ({"event_payload": {}}, "invalid_metadata_schema"),
        ("{not json", "invalid_metadata_format"),
    ],
)
def test_bad_metadata_is_refused(client: WebClient, metadata: Any, error: str) -> None:
    data = error_of(client.chat_postMessage, channel="C1", text="x", metadata=metadata)
    assert data["error"] == error


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C999", "channel_not_found"),
        ("nowhere", "channel_not_found"),
        ("C2", "not_in_channel"),
        ("C3", "is_archived"),
        ("G1", "channel_not_found"),  # a private channel the bot is not in is invisible
        ("U404", "channel_not_found"),
    ],
)
def test_posting_where_the_bot_cannot(
    fake: FakeSlack, client: WebClient, channel: str, error: str
) -> None:
    assert error_of(client.chat_postMessage, channel=channel, text="x")["error"] == error
    assert fake.refusals()[-1].response["error"] == error


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_missing_channel_and_missing_text(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.api_call("chat.postMessage", json={"text": "x"})
    assert caught.value.response["error"] == "channel_not_found"
    assert error_of(client.chat_postMessage, channel="C1")["error"] == "no_text"
    assert error_of(client.chat_postMessage, channel="C1", text="")["error"] == "no_text"
    assert error_of(client.chat_postMessage, channel="C1", blocks=[])["error"] == "no_text"


def test_message_size_limits(client: WebClient) -> None:
    assert client.chat_postMessage(channel="C1", text="x" * 40_000)["ok"]
    too_long = error_of(client.chat_postMessage, channel="C1", text="x" * 40_001)
    assert too_long["error"] == "msg_too_long"

    many = [section(f"{i}") for i in range(51)]
    data = error_of(client.chat_postMessage, channel="C1", text="x", blocks=many)
    assert data["error"] == "invalid_blocks"
    assert data["errors"] == [
        "must provide an array of no more than 50 items [json-pointer:/blocks]"
    ]
    assert client.chat_postMessage(channel="C1", text="x", blocks=many[:50])["ok"]

    heavy = [section("y" * 3000) for _ in range(5)]
    data = error_of(client.chat_postMessage, channel="C1", text="x", blocks=heavy)
    assert data["error"] == "msg_blocks_too_long"


def test_direct_messages_by_user_or_im_id(fake: FakeSlack, client: WebClient) -> None:
    by_user = client.chat_postMessage(channel="U1", text="hi")
    assert by_user["channel"].startswith("D")
    again = client.chat_postMessage(channel=by_user["channel"], text="again")
    assert again["channel"] == by_user["channel"]
    assert [m["text"] for m in fake.messages("U1")] == ["hi", "again"]
    assert client.chat_postMessage(channel="D0NEW", text="x")["ok"]
    # chat.update wants the conversation id, not the user id
    data = error_of(client.chat_update, channel="U1", ts=by_user["ts"], text="edited")
    assert data["error"] == "channel_not_found"


# --------------------------------------------------------------------------------------
# ephemeral, update, delete, permalink
# --------------------------------------------------------------------------------------


def test_post_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    data = body(client.chat_postEphemeral(channel="C1", user="U1", text="only you"))
    assert TS.match(data["message_ts"])
    shown = fake.ephemeral("U1")
    assert [(m["channel"], m["text"]) for m in shown] == [("C1", "only you")]
    assert fake.messages("C1") == []
    refused = error_of(client.chat_postEphemeral, channel="C4", user="U2", text="x")
    assert refused["error"] == "user_not_in_channel"
    refused = error_of(client.chat_postEphemeral, channel="C2", user="U1", text="x")
    assert refused["error"] == "not_in_channel"


def test_update_delete_and_permalink(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="draft", blocks=[section("draft")])["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="final", blocks=[section("final")])
    assert updated["ts"] == ts and updated["text"] == "final"
    assert fake.messages("C1")[0]["blocks"][0]["text"]["text"] == "final"

    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/C1/p{ts.replace('.', '')}")

    assert client.chat_delete(channel="C1", ts=ts)["ts"] == ts
    assert fake.messages("C1") == []
    assert error_of(client.chat_delete, channel="C1", ts=ts)["error"] == "message_not_found"
    assert (
        error_of(client.chat_update, channel="C1", ts=ts, text="x")["error"] == "message_not_found"
    )


def test_cannot_edit_someone_elses_message(fake: FakeSlack, client: WebClient) -> None:
    ts = fake.add_message("C1", "human words", user="U1")
    assert (
        error_of(client.chat_update, channel="C1", ts=ts, text="x")["error"]
        == "cant_update_message"
    )
    assert error_of(client.chat_delete, channel="C1", ts=ts)["error"] == "cant_delete_message"


def test_update_is_validated_like_a_post(client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    bad = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    data = error_of(client.chat_update, channel="C1", ts=ts, text="x", blocks=bad)
    assert data["error"] == "invalid_blocks"
    assert "[json-pointer:/blocks/0/text/text]" in data["errors"][0]


# --------------------------------------------------------------------------------------
# views
# --------------------------------------------------------------------------------------


def test_views_open_needs_a_fresh_trigger(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.issue_trigger_id("U1")
    view = client.views_open(trigger_id=trigger, view=modal())["view"]
    assert view["id"].startswith("V") and view["type"] == "modal"
    assert fake.opened_views()[0]["id"] == view["id"]
    again = error_of(client.views_open, trigger_id=trigger, view=modal())
    assert again["error"] == "exchanged_trigger_id"
    unknown = error_of(client.views_open, trigger_id="123.456.abc", view=modal())
    assert unknown["error"] == "invalid_trigger_id"
    stale = fake.issue_trigger_id("U1")
    fake.advance(3.1)
    assert (
        error_of(client.views_open, trigger_id=stale, view=modal())["error"] == "expired_trigger_id"
    )


def test_view_refusal_does_not_spend_the_trigger(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.issue_trigger_id("U1")
    long_title = modal(title={"type": "plain_text", "text": "t" * 25})
    data = error_of(client.views_open, trigger_id=trigger, view=long_title)
    assert data["error"] == "invalid_arguments"
    assert data["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal([section(str(i)) for i in range(101)]), "/view/blocks"),
        (modal(submit={"type": "plain_text", "text": "s" * 25}), "/view/submit/text"),
        (modal(close={"type": "plain_text", "text": "c" * 25}), "/view/close/text"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (modal(callback_id="c" * 256), "/view/callback_id"),
        (
            modal(
                [{"type": "input", "element": {"type": "plain_text_input"}}],
                submit={"type": "plain_text", "text": "Save"},
            ),
            "/view/blocks/0",
        ),
        (
            modal(
                [
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "Where"},
                        "element": {"type": "plain_text_input"},
                    }
                ]
            ),
            "/view",
        ),
        ({"type": "home", "blocks": []}, "/view/type"),
    ],
)
def test_invalid_modals_are_invalid_arguments(
    fake: FakeSlack, client: WebClient, view: dict[str, Any], pointer: str
) -> None:
    data = error_of(client.views_open, trigger_id=fake.issue_trigger_id("U1"), view=view)
    assert data["error"] == "invalid_arguments"
    assert any(f"[json-pointer:{pointer}]" in m for m in data["response_metadata"]["messages"])


def test_views_push_update_and_stack_limit(fake: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=fake.issue_trigger_id("U1"), view=modal())["view"]
    pushed = client.views_push(trigger_id=fake.issue_trigger_id("U1"), view=modal())["view"]
    assert pushed["root_view_id"] == root["id"] and pushed["previous_view_id"] == root["id"]
    client.views_push(trigger_id=fake.issue_trigger_id("U1"), view=modal())
    over = error_of(client.views_push, trigger_id=fake.issue_trigger_id("U1"), view=modal())
    assert over["error"] == "push_limit_reached"

    newer = modal([section("updated")])
    updated = client.views_update(view_id=root["id"], hash=root["hash"], view=newer)["view"]
    assert updated["id"] == root["id"] and updated["hash"] != root["hash"]
    assert fake.open_views("U1")[0]["blocks"][0]["text"]["text"] == "updated"
    stale = error_of(client.views_update, view_id=root["id"], hash=root["hash"], view=newer)
    assert stale["error"] == "hash_conflict"
    assert error_of(client.views_update, view_id="VNOPE", view=newer)["error"] == "not_found"


def test_views_publish_home(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("Welcome")]}
    view = client.views_publish(user_id="U1", view=home)["view"]
    assert view["type"] == "home"
    published = fake.published_home("U1")
    assert published is not None
    assert published["blocks"][0]["text"]["text"] == "Welcome"
    assert fake.published_home("U2") is None
    assert (
        error_of(client.views_publish, user_id="U1", view=modal())["error"] == "invalid_arguments"
    )
    assert error_of(client.views_publish, user_id="U404", view=home)["error"] == "user_not_found"
    big = {"type": "home", "blocks": [section(str(i)) for i in range(101)]}
    assert error_of(client.views_publish, user_id="U1", view=big)["error"] == "invalid_arguments"
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": big["blocks"][:100]})


# --------------------------------------------------------------------------------------
# users and conversations
# --------------------------------------------------------------------------------------


def test_users_info(fake: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert user["tz"] == "Asia/Baku" and user["tz_offset"] == 4 * 3600
    assert isinstance(user["tz_label"], str) and user["tz_label"]
    assert user["is_restricted"] is False and user["is_ultra_restricted"] is False
    assert user["profile"]["display_name"] == "aysel"
    assert client.users_info(user="U2")["user"]["is_restricted"] is True
    fake.add_user("W9", is_stranger=True, tz=None)
    stranger = client.users_info(user="W9")["user"]
    assert stranger["is_stranger"] is True and "tz" not in stranger
    assert error_of(client.users_info, user="U404")["error"] == "user_not_found"


def test_conversations_info_and_members(client: WebClient) -> None:
    info = client.conversations_info(channel="C1")["channel"]
    assert (info["id"], info["name"], info["is_member"], info["is_private"]) == (
        "C1",
        "general",
        True,
        False,
    )
    assert client.conversations_info(channel="C3")["channel"]["is_archived"] is True
    assert error_of(client.conversations_info, channel="C999")["error"] == "channel_not_found"
    assert error_of(client.conversations_info, channel="G1")["error"] == "channel_not_found"
    assert set(client.conversations_members(channel="C4")["members"]) == {"U1", "UBOT"}


def test_conversations_join(fake: FakeSlack, client: WebClient) -> None:
    assert error_of(client.chat_postMessage, channel="C2", text="x")["error"] == "not_in_channel"
    joined = client.conversations_join(channel="C2")
    assert joined["channel"]["is_member"] is True and "warning" not in joined
    assert client.chat_postMessage(channel="C2", text="x")["ok"]
    assert client.conversations_join(channel="C2")["warning"] == "already_in_channel"
    fake.add_channel("G2", "closed", is_private=True, is_member=True)
    private = error_of(client.conversations_join, channel="G2")
    assert private["error"] == "method_not_supported_for_channel_type"
    assert error_of(client.conversations_join, channel="C3")["error"] == "is_archived"
    assert error_of(client.conversations_join, channel="C999")["error"] == "channel_not_found"


def test_history_order_limit_window_and_pages(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(5)]
    newest_first = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in newest_first] == ["4", "3", "2", "1", "0"]

    page = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in page["messages"]] == ["4", "3"] and page["has_more"] is True
    cursor = page["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C1", limit=2, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["2", "1"]

    window = client.conversations_history(channel="C1", oldest=stamps[1], latest=stamps[3])
    assert [m["text"] for m in window["messages"]] == ["2"]
    inclusive = client.conversations_history(
        channel="C1", oldest=stamps[1], latest=stamps[3], inclusive=True
    )
    assert [m["text"] for m in inclusive["messages"]] == ["3", "2", "1"]
    assert error_of(client.conversations_history, channel="C2")["error"] == "not_in_channel"
    assert error_of(client.conversations_history, channel="C1", oldest="soon")["error"] == (
        "invalid_ts_oldest"
    )


# --------------------------------------------------------------------------------------
# response URLs
# --------------------------------------------------------------------------------------


def test_response_url_takes_five_posts(fake: FakeSlack) -> None:
    url = fake.issue_response_url(channel="C1", user="U1")
    webhook = WebhookClient(url)
    for i in range(5):
        response = webhook.send(text=f"step {i}")
        assert response.status_code == 200, response.body
    sixth = webhook.send(text="one too many")
    assert sixth.status_code == 404
    assert json.loads(sixth.body)["error"] == "expired_url"
    assert len(fake.response_messages(url)) == 5
    assert [c.status for c in fake.calls_to("response_url")] == [200] * 5 + [404]
    assert [m["text"] for m in fake.ephemeral("U1")] == [f"step {i}" for i in range(5)]


def test_response_url_expires_after_thirty_minutes(fake: FakeSlack) -> None:
    url = fake.issue_response_url(channel="C1", user="U1")
    fake.advance(30 * 60 + 1)
    assert WebhookClient(url).send(text="late").status_code == 404
    unknown = WebhookClient(fake.base_url + "response/nope").send(text="x")
    assert unknown.status_code == 404


def test_response_url_in_channel_and_replace_original(fake: FakeSlack) -> None:
    original = fake.add_message("C1", "pick one", user="UBOT")
    webhook = WebhookClient(fake.issue_response_url(channel="C1", user="U1", message_ts=original))
    assert webhook.send(text="done", replace_original=True).status_code == 200
    assert [m["text"] for m in fake.messages("C1")] == ["done"]
    assert webhook.send(text="for everyone", response_type="in_channel").status_code == 200
    assert [m["text"] for m in fake.messages("C1")] == ["done", "for everyone"]
    assert webhook.send(delete_original=True).status_code == 200
    assert [m["text"] for m in fake.messages("C1")] == ["for everyone"]


def test_response_url_enforces_block_limits(fake: FakeSlack) -> None:
    webhook = WebhookClient(fake.issue_response_url(channel="C1", user="U1"))
    response = webhook.send(text="x", blocks=[section("z" * 3001)])
    assert response.status_code == 400
    assert json.loads(response.body)["error"] == "invalid_blocks"
    assert fake.response_messages(webhook.url) == []


# --------------------------------------------------------------------------------------
# faults, latency, rate limits
# --------------------------------------------------------------------------------------


def fast_retries() -> list[Any]:
    quick = FixedValueRetryIntervalCalculator(0.01)
    return [
        RateLimitErrorRetryHandler(max_retry_count=1),
        ServerErrorRetryHandler(max_retry_count=1, interval_calculator=quick),
        ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=quick),
    ]


def test_a_429_then_success_posts_once(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=fast_retries())
    fake.fail_next("chat.postMessage", "ratelimit", retry_after=1)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="once")["ok"]
    assert time.monotonic() - started >= 1.0  # the client honoured Retry-After
    assert [m["text"] for m in fake.messages("C1")] == ["once"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert fake.refusals() == []


def test_ratelimit_without_retry_surfaces_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", "ratelimit", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.response["error"] == "ratelimited"


def test_server_error_is_retried(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=fast_retries())
    fake.fail_next("chat.postMessage", "server_error")
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [500, 200]
    assert len(fake.messages("C1")) == 1


def test_dropped_connection_is_retried(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=fast_retries())
    fake.fail_next("chat.postMessage", "drop")
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [0, 200]
    assert len(fake.messages("C1")) == 1


def test_drop_after_effect_leaves_the_outcome_unknown(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=fast_retries())
    fake.fail_next("chat.postMessage", "drop", drop_after_effect=True)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    # a blind retry duplicates the message: what an idempotency test should catch
    assert len(fake.messages("C1")) == 2
    plain = WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[])
    fake.fail_next("chat.postMessage", "drop", drop_after_effect=True)
    with pytest.raises(ConnectionError):  # http.client.RemoteDisconnected
        plain.chat_postMessage(channel="C1", text="y")
    assert [m["text"] for m in fake.messages("C1")][-1] == "y"


def test_slow_answer_can_outlive_the_client(fake: FakeSlack) -> None:
    impatient = WebClient(token=TOKEN, base_url=fake.api_url, timeout=0.2, retry_handlers=[])  # type: ignore[arg-type]
    fake.fail_next("chat.postMessage", "slow", delay=0.6)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        impatient.chat_postMessage(channel="C1", text="late")
    assert [m["text"] for m in fake.messages("C1")] == ["late"]


def test_latency_applies_to_every_call(fake: FakeSlack, client: WebClient) -> None:
    fake.set_latency("auth.test", 0.15)
    started = time.monotonic()
    client.auth_test()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    fake.set_latency("auth.test", 0)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.15


def test_fail_next_counts_down(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("auth.test", "server_error", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.auth_test()
    assert client.auth_test()["ok"]


def test_per_channel_rate_limit(fake: FakeSlack, client: WebClient) -> None:
    fake.limit("chat.postMessage", per_channel_per_second=1.0)
    assert client.chat_postMessage(channel="C1", text="a")["ok"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="b")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "1"
    assert client.chat_postMessage(channel="U1", text="elsewhere")["ok"]
    fake.advance(1.0)
    assert client.chat_postMessage(channel="C1", text="c")["ok"]
    assert [m["text"] for m in fake.messages("C1")] == ["a", "c"]


def test_workspace_rate_limit(fake: FakeSlack, client: WebClient) -> None:
    fake.limit("users.info", per_channel_per_second=None, workspace_per_minute=2)
    client.users_info(user="U1")
    client.users_info(user="U1")
    with pytest.raises(SlackApiError) as caught:
        client.users_info(user="U1")
    assert caught.value.response.status_code == 429
    assert 1 <= int(caught.value.response.headers["Retry-After"]) <= 60
    fake.advance(61)
    assert client.users_info(user="U1")["ok"]


# --------------------------------------------------------------------------------------
# concurrency and bookkeeping
# --------------------------------------------------------------------------------------


def test_twenty_threads_get_twenty_distinct_ts(fake: FakeSlack) -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def post(i: int) -> None:
        try:
            client = WebClient(token=TOKEN, base_url=fake.api_url, timeout=5)
            barrier.wait()
            results.append(client.chat_postMessage(channel="C1", text=str(i))["ts"])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 20
    assert sorted(m["ts"] for m in fake.messages("C1")) == sorted(results)


def test_calls_are_recorded_and_reset(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    call = fake.calls[-1]
    assert call.method == "chat.postMessage" and call.status == 200
    assert call.args == {"channel": "C1", "text": "x"}
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.response["ok"] is True and call.at > 0
    fake.assert_all_accepted()
    fake.reset()
    assert fake.calls == [] and fake.messages("C1") == []
    assert client.chat_postMessage(channel="C1", text="after")["ok"]  # channels survive reset


def test_assert_all_accepted_names_the_refusal(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C2", text="x")
    with pytest.raises(AssertionError, match="not_in_channel"):
        fake.assert_all_accepted()


# --------------------------------------------------------------------------------------
# validate_blocks directly
# --------------------------------------------------------------------------------------


def button(text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, **extra}


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([section("s" * 3001)], "/blocks/0/text/text"),
        ([section("")], "/blocks/0/text/text"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "/blocks/0/text/text",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "/blocks/0/text/type"),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "/blocks/0/fields",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            "/blocks/0/fields/0/text",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "/blocks/0/elements",
        ),
        ([{"type": "actions", "elements": [button("b" * 76)]}], "/blocks/0/elements/0/text/text"),
        (
            [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
            "/blocks/0/elements/0/action_id",
        ),
        ([{**section("x"), "block_id": "b" * 256}], "/blocks/0/block_id"),
        (
            [{**section("x"), "block_id": "same"}, {"type": "divider", "block_id": "same"}],
            "/blocks/1/block_id",
        ),
        ([{"type": "carousel"}], "/blocks/0/type"),
        (
            [{"type": "actions", "elements": [{"type": "fancy_picker"}]}],
            "/blocks/0/elements/0/type",
        ),
        (
            [{"type": "actions", "elements": [{"type": "plain_text_input"}]}],
            "/blocks/0/elements/0/type",
        ),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "x", "emoji": True}}],
            "/blocks/0/text/emoji",
        ),
        ([{"type": "divider", "colour": "red"}], "/blocks/0/colour"),
        ([{"type": "section"}], "/blocks/0"),
        (
            [{"type": "actions", "elements": [button(action_id="a"), button(action_id="a")]}],
            "/blocks/0/elements/1/action_id",
        ),
        (
            [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "pick"},
                    "accessory": {
                        "type": "static_select",
                        "options": [
                            {"text": {"type": "plain_text", "text": "o"}, "value": "v" * 151}
                        ],
                    },
                }
            ],
            "/blocks/0/accessory/options/0/value",
        ),
        ([{"type": "image", "image_url": "https://x/y.png"}], "/blocks/0"),
    ],
)
def test_validate_blocks_finds(blocks: list[dict[str, Any]], pointer: str) -> None:
    problems = validate_blocks(blocks, "message")
    assert any(p.endswith(f"[json-pointer:{pointer}]") for p in problems), problems


def test_validate_blocks_accepts_a_rich_message() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Sitrep", "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Summary*"},
            "fields": [{"type": "mrkdwn", "text": f"f{i}"} for i in range(10)],
            "accessory": button(action_id="more", value="1", style="primary"),
        },
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                {"type": "image", "image_url": "https://x/y.png", "alt_text": "flag"},
                {"type": "plain_text", "text": "as of today"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                button(action_id="a"),
                {
                    "type": "overflow",
                    "action_id": "o",
                    "options": [
                        {"text": {"type": "plain_text", "text": str(i)}, "value": str(i)}
                        for i in range(3)
                    ],
                },
                {"type": "datepicker", "action_id": "d", "initial_date": "2024-02-29"},
            ],
        },
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "a"}]}
                    ],
                }
            ],
        },
        {"type": "markdown", "text": "**bold**"},
    ]
    assert validate_blocks(blocks, "message") == []
    assert blocks_text_length(blocks) > 0


def test_surfaces_have_their_own_limits() -> None:
    hundred = [section(str(i)) for i in range(100)]
    assert validate_blocks(hundred, "modal") == []
    assert validate_blocks(hundred, "home") == []
    assert validate_blocks(hundred, "message") == [
        "must provide an array of no more than 50 items [json-pointer:/blocks]"
    ]
    assert validate_blocks([*hundred, section("x")], "modal") == [
        "must provide an array of no more than 100 items [json-pointer:/view/blocks]"
    ]
    markdown_in_modal = validate_blocks([{"type": "markdown", "text": "x"}], "modal")
    assert markdown_in_modal and markdown_in_modal[0].endswith("[json-pointer:/view/blocks/0/type]")
    assert validate_view(modal()) == []
    with pytest.raises(ValueError):
        validate_blocks([], "dialog")
