"""Hostile text in every command and every field of the update form: random
unicode, bidi and zero-width marks, Slack mentions and links, very long strings,
broken quotes. Never an unhandled exception; every reply is Block Kit that Slack
accepts; nothing a user typed pings anyone or becomes a link; nothing is half
written. Examples are derandomized so that CI runs the same ones every time."""

from __future__ import annotations

import copy
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from bot.services.context import Actor, Context
from bot.services.views import DoneView, ErrorView
from bot.slack import form
from bot.slack.answers import answer
from bot.store.schema import updates
from tests.fakeslack import FakeSlack, blocks_text_length, validate_blocks, validate_view
from tests.reliability.kit import (
    ADMIN,
    CHANNEL,
    bot_settings,
    demo_ledger,
    markup_problems,
    new_fake,
    table_counts,
    text_objects,
)
from tests.slackbot import BotServer, SlackSender, fixture

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0123|team>",
    "<@U0123ABCD>",
    "<@UADMIN|admin>",
    "<#C0123ABC|general>",
    "<https://x.example|y>",
    "<http://evil.example/a?b=1&c=2>",
    "<mailto:a@b.example|mail>",
    "&lt;!channel&gt;",
    "&amp;lt;!here&amp;gt;",
    "\u200f",  # right-to-left mark
    "\u200e",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u200b",  # zero-width space
    "\u200d",
    "\u2060",
    "\ufeff",
    '"',
    "“",
    "”",
    "‘",
    "’",
    "'",
    '\\"',
    "&",
    "<",
    ">",
    "|",
    "*bold*",
    "_it_",
    "`code`",
    "```",
    "~s~",
    "\n",
    "\t",
    " ",
    ":",
    "about:",
    "source:",
    "when:",
    "on",
    "since",
    "u1",
    "u999999999999",
    "Hadrut",
    "Şuşa",
    "Шуша",
    "Armenia",
    "https://example.org/a",
    "🇦🇲",
    "👩🏽‍🚀",
    "\x00",
    "\x1b[31m",
]
fragment = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
)
hostile = st.lists(fragment, max_size=10).map("".join)
very_long = st.builds(
    lambda piece, size: (piece * size)[:size],
    st.sampled_from(["<!channel> ", "a", "&", "<", "ب\u200f", "“", "x" * 80 + " "]),
    st.sampled_from([3_990, 4_001, 10_000]),
)
typed = st.one_of(hostile, hostile, hostile, very_long)

# Every command, its text built around what a user typed ({}).
TEMPLATES = [
    ("/status", "{}"),
    ("/status", "Hadrut on {}"),
    ("/status", "{} on 2020-10-01"),
    ("/claims", "{}"),
    ("/claims", "{} since {}"),
    ("/claims", "place:{}"),
    ("/ceasefire", "{}"),
    ("/update", "{}"),
    ("/update", 'note "{}" about:Lachin'),
    ("/update", "note {}"),
    ("/update", 'note "{}" source:{} when:{}'),
    ("/update", 'claim Armenia "{}" speaker:"{}" about:Hadrut stance:denies holder:Azerbaijan'),
    ("/update", 'claim {} "{}"'),
    ("/update", "control {} {}"),
    ("/update", 'control Lachin Azerbaijan confidence:high note:"{}" source:{}'),
    ("/update", 'ceasefire "{}" announced parties:{}'),
    ("/update", 'ceasefire third violated by:Azerbaijan accuser:Armenia note:"{}"'),
    ("/update", 'place "{}" aliases:"{}" kind:town'),
    ("/update", 'party "{}" side:{}'),
    ("/update", "show {}"),
    ("/update", "correct u3 {}"),
    ("/update", 'retract u1 reason:"{}"'),
    ("/update", "admins {} {}"),
    ("/briefing", "{}"),
    ("/briefing", 'bottomline "{}" trend:unchanged'),
    ("/briefing", "subscribe {}"),
    ("/ceasefire", "{} help"),
]


@st.composite
def commands(draw: st.DrawFn) -> tuple[str, str]:
    command, template = draw(st.sampled_from(TEMPLATES))
    values = [draw(typed) for _ in range(template.count("{}"))]
    return command, template.format(*values)


# ---- one ledger for the whole module -------------------------------------------------


@dataclass
class Desk:
    engine: Engine
    ctx: Context
    fake: FakeSlack
    sender: SlackSender
    keys: Iterator[int]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "sitrep.db"
    engine, ctx = demo_ledger(path)
    fake = new_fake()
    settings_ = bot_settings(fake, f"sqlite:///{path.parent / 'unused.db'}")
    with BotServer(settings_, ctx) as server:
        yield Desk(engine, ctx, fake, SlackSender(server.url), itertools.count(1))
    fake.stop()
    engine.dispose()


def known_links(engine: Engine) -> set[str]:
    """Every source the ledger holds: the bot links sources on purpose."""
    with engine.connect() as conn:
        rows = conn.execute(select(updates.c.sources)).scalars().all()
    return {s for sources in rows for s in (sources or []) if isinstance(s, str)}


def check_message(blocks: list[dict[str, Any]], fallback: str, engine: Engine) -> None:
    assert validate_blocks(blocks, "message") == []
    assert blocks_text_length(blocks) <= 12_000
    assert len(fallback) <= 40_000
    assert markup_problems([fallback, *text_objects(blocks)], known_links(engine)) == []


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


def test_every_command_answers_hostile_text(desk: Desk) -> None:
    figures = Counter[str]()

    @fuzz(400)
    @given(command=commands())
    def run(command: tuple[str, str]) -> None:
        name, text = command
        actor = Actor(ADMIN, zone="Asia/Baku", channel_id=CHANNEL)
        before = table_counts(desk.engine)
        result = answer(desk.ctx, name, text, actor, request_key=f"fuzz:{next(desk.keys)}")
        after = table_counts(desk.engine)
        check_message(result.page.blocks, result.page.text, desk.engine)
        figures["examples"] += 1
        figures["longer than 3,000"] += len(text) > 3_000
        if isinstance(result.view, ErrorView):
            figures["refused"] += 1
            assert after == before  # refused: nothing half-written
        elif isinstance(result.view, DoneView) and result.view.update_id is not None:
            figures["written"] += 1
            assert after["updates"] == before["updates"] + 1
            assert f"u{result.view.update_id}" in "\n".join(text_objects(result.page.blocks))

    run()
    print(f"\nfuzzed commands through the service: {dict(figures)}")
    assert figures["examples"] >= 380 and figures["refused"] > 0 and figures["written"] > 0


def test_hostile_commands_over_http(desk: Desk) -> None:
    figures = Counter[str]()

    @fuzz(80)
    @given(command=commands())
    def run(command: tuple[str, str]) -> None:
        name, text = command
        before = table_counts(desk.engine)
        opened = len(desk.fake.calls_to("views.open"))
        url = desk.fake.issue_response_url(channel=CHANNEL, user=ADMIN)
        reply = desk.sender.command(
            name,
            text,
            user_id=ADMIN,
            channel_id=CHANNEL,
            response_url=url,
            trigger_id=desk.fake.issue_trigger_id(ADMIN),
        )
        figures["requests"] += 1
        assert reply.status == 200, reply.body[:300]
        figures["answered 200"] += 1
        assert desk.fake.response_messages(url) == []  # the error handler never ran
        if name == "/update" and not text.strip():
            assert len(desk.fake.calls_to("views.open")) == opened + 1  # the form opened
            figures["forms opened"] += 1
            return
        data = reply.json()
        assert data.get("response_type") == "ephemeral"
        check_message(data.get("blocks", []), str(data.get("text", "")), desk.engine)
        figures["changed the database"] += table_counts(desk.engine) != before

    run()
    print(f"\nfuzzed commands over HTTP: {dict(figures)}")
    assert figures["requests"] >= 75 and figures["answered 200"] == figures["requests"]


# ---- the update form ----------------------------------------------------------------


def input_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view["blocks"] if b["type"] == "input"]


# What a careful user would pick in each field: so that some submissions record.
SENSIBLE = {
    "place": ["Lachin", "Hadrut"],
    "about": ["Lachin", "Hadrut", "Shusha"],
    "parties": ["Armenia", "Azerbaijan"],
    "holder": ["Armenia", "Azerbaijan", "contested"],
    "accused": ["Azerbaijan"],
    "accuser": ["Armenia"],
    "ceasefire": ["third", "Washington humanitarian ceasefire"],
    "when": ["2020-10-25", "~2020-10-24", "3h ago"],
    "source": ["https://example.org/report", "Reuters"],
}


@st.composite
def submissions(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A form of one kind, each field left empty, filled sensibly, or filled with
    hostile text (free-text fields always take hostile text)."""
    kind = draw(st.sampled_from(sorted(form.KINDS)))
    view = form.form_view(kind)
    values: dict[str, Any] = {}
    for block in input_blocks(view):
        block_id, element = block["block_id"], block["element"]
        action, kind_of = element["action_id"], element["type"]
        choice = draw(st.sampled_from(["empty", "sensible", "hostile", "hostile"]))
        if choice == "empty" and block.get("optional"):
            continue

        sensible = SENSIBLE.get(block_id) if choice == "sensible" else None
        pick = st.sampled_from(sensible) if sensible else typed

        def value(pick: st.SearchStrategy[str] = pick) -> str:
            return draw(pick)

        state: dict[str, Any]
        if kind_of == "plain_text_input":
            state = {"type": kind_of, "value": value()}
        elif kind_of == "static_select":
            option = draw(st.sampled_from(element["options"]))
            state = {"type": kind_of, "selected_option": option}
        elif kind_of == "external_select":
            state = {"type": kind_of, "selected_option": {"value": value()}}
        else:
            picked = [value() for _ in range(draw(st.integers(1, 3)))]
            state = {"type": kind_of, "selected_options": [{"value": v} for v in picked]}
        values[block_id] = {action: state}
    return kind, {**view, "state": {"values": values}}


def test_every_form_field_takes_hostile_text(desk: Desk) -> None:
    figures = Counter[str]()

    @fuzz(80)
    @given(submitted=submissions())
    def run(submitted: tuple[str, Any]) -> None:
        kind, view = submitted
        number = next(desk.keys)
        view = {**view, "id": f"VFUZZ{number:06d}", "hash": f"{number}.fuzz"}
        payload = copy.deepcopy(fixture("view_submission"))
        payload["user"] = {"id": ADMIN, "username": "admin", "name": "admin", "team_id": "T111"}
        payload["view"] = view
        before = table_counts(desk.engine)
        reply = desk.sender.interaction(payload)
        after = table_counts(desk.engine)
        figures["submissions"] += 1
        assert reply.status == 200 and reply.body.strip(), (kind, reply.status, reply.body[:300])
        data = reply.json()
        if data["response_action"] == "errors":
            figures["refused with field errors"] += 1
            present = {b["block_id"] for b in input_blocks(view)}
            assert data["errors"] and set(data["errors"]) <= present, data["errors"]
            assert all(isinstance(m, str) and 0 < len(m) <= 300 for m in data["errors"].values())
            assert after == before
        else:
            figures["recorded"] += 1
            assert data["response_action"] == "update"
            done = data["view"]
            assert validate_view(done, "modal") == []
            assert after["updates"] == before["updates"] + 1
            assert f"u{after['updates']}" in json.dumps(done)
            assert markup_problems(text_objects(done["blocks"]), known_links(desk.engine)) == []

    run()
    print(f"\nfuzzed form submissions over HTTP: {dict(figures)}")
    assert figures["submissions"] >= 75 and figures["recorded"] > 0
    assert figures["refused with field errors"] > 0


# ---- PostgreSQL refuses some characters SQLite takes ---------------------------------


# The `engine` fixture, on PostgreSQL only (it skips itself without TEST_DATABASE_URL).
on_postgresql = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


@on_postgresql
def test_control_characters_are_answered_on_postgresql(demo: Context) -> None:
    actor = Actor(ADMIN, zone="Asia/Baku", channel_id=CHANNEL)
    before = table_counts(demo.uow.engine)
    texts = ['note "bell \x07 escape \x1b[31m"', 'note "tab\tvertical\x0bform\x0c"']
    outcomes = [type(answer(demo, "/update", text, actor).view).__name__ for text in texts]
    print(f"\ncontrol characters on PostgreSQL: {outcomes}")
    assert outcomes == ["DoneView", "DoneView"]
    assert table_counts(demo.uow.engine)["updates"] == before["updates"] + 2


@on_postgresql
def test_a_nul_character_is_answered_on_postgresql(demo: Context) -> None:
    actor = Actor(ADMIN, zone="Asia/Baku", channel_id=CHANNEL)
    before = table_counts(demo.uow.engine)
    outcomes = []
    for command, text in (
        ("/status", "Hadrut\x00"),
        ("/update", 'note "before\x00after"'),
        ("/update", 'claim Armenia "x" speaker:"a\x00b"'),
        ("/update", 'place "Nul\x00town"'),
    ):
        try:
            outcomes.append(type(answer(demo, command, text, actor).view).__name__)
        except Exception as error:
            outcomes.append(f"raised {type(error).__name__}")
    print(f"\nU+0000 on PostgreSQL: {outcomes}")
    assert not any(o.startswith("raised") for o in outcomes), outcomes
    # NUL is dropped, so the note, the claim and the place are each written whole.
    assert table_counts(demo.uow.engine)["updates"] == before["updates"] + 3
