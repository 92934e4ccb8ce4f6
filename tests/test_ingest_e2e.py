"""From report to ledger, end to end: the report form submitted with the seed
article as a file, the proposal, approving three candidates, and cancelling."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import load_settings
from bot.services.context import Context, FixedClock
from bot.store.schema import entries, updates
from tests.fakeslack import FakeSlack, validate_view
from tests.slackbot import SECRET, TOKEN, BotServer, SlackSender, fixture

SEED = Path(__file__).resolve().parent / "ingest" / "seed.txt"
ADMIN = "UADMIN"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as slack:
        slack.add_user(ADMIN, tz="Asia/Baku")
        slack.add_user("UREADER", tz="Asia/Baku")
        yield slack
        slack.assert_all_accepted()


@pytest.fixture
def slack(fake: FakeSlack, sqlite_demo: Context, tmp_path: Path) -> Iterator[SlackSender]:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "SITREP_ADMINS": ADMIN,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
        }
    )
    with BotServer(settings, sqlite_demo) as server:
        yield SlackSender(server.url)


def count(ctx: Context, table: Any = updates) -> int:
    with ctx.uow.read() as tx:
        return int(tx.conn.execute(select(func.count()).select_from(table)).scalar_one())


def submit(view: dict[str, Any], values: dict[str, Any], user: str = ADMIN) -> dict[str, Any]:
    payload = copy.deepcopy(fixture("view_submission"))
    payload["user"] = {"id": user, "username": user, "name": user, "team_id": "T111"}
    payload["view"] = {**view, "state": {"values": values}}
    return payload


def wait_for(predicate: Any, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def open_report_form(slack: SlackSender, fake: FakeSlack) -> dict[str, Any]:
    trigger = fake.issue_trigger_id(ADMIN)
    reply = slack.command(
        "/update",
        "ingest",
        user_id=ADMIN,
        trigger_id=trigger,
        response_url=fake.issue_response_url(user=ADMIN),
    )
    assert reply.status == 200
    call = fake.calls_to("views.open")[-1]
    assert call.ok and validate_view(call.args["view"], "modal") == []
    return fake.opened_views()[-1]


def propose_seed(slack: SlackSender, fake: FakeSlack) -> dict[str, Any]:
    form = open_report_form(slack, fake)
    file = fake.add_file(SEED.read_bytes(), "southfront-26oct.txt", "text/plain")
    values = {
        "file": {"file": {"type": "file_input", "files": [file]}},
        "source": {"source": {"type": "plain_text_input", "value": "South Front, 26 Oct 2020"}},
    }
    ack = slack.interaction(submit(form, values)).json()
    assert ack["response_action"] == "update"
    update = wait_for(
        lambda: [
            c
            for c in fake.calls_to("views.update")
            if c.args["view"].get("callback_id") == "ingest_proposal"
        ]
    )
    assert update[-1].ok and validate_view(update[-1].args["view"], "modal") == []
    return update[-1].response["view"]  # type: ignore[no-any-return]


def test_a_non_admin_cannot_open_the_report_form(slack: SlackSender, fake: FakeSlack) -> None:
    reply = slack.command("/update", "ingest", user_id="UREADER")
    assert "Only Sitrep admins" in reply.body
    assert fake.calls_to("views.open") == []


def test_the_report_form_refuses_no_report(slack: SlackSender, fake: FakeSlack) -> None:
    form = open_report_form(slack, fake)
    errors = slack.interaction(submit(form, {})).json()
    assert errors["response_action"] == "errors" and "text" in errors["errors"]


def test_seed_as_a_file_proposes_and_approving_three_writes_exactly_those(
    slack: SlackSender, fake: FakeSlack, sqlite_demo: Context, clock: FixedClock
) -> None:
    clock.current = datetime(2020, 10, 28, 8, 0, tzinfo=UTC)  # the day after the report
    before = count(sqlite_demo)
    proposal = propose_seed(slack, fake)
    assert count(sqlite_demo) == before  # nothing written by proposing
    checkboxes = next(b for b in proposal["blocks"] if b.get("block_id") == "accept")
    options = checkboxes["element"]["options"]
    assert len(options) >= 3
    chosen = options[:3]
    numbers = [int(o["value"]) for o in chosen]
    lines = {
        n: next(b for b in proposal["blocks"] if b.get("block_id") == f"line_{n}")["element"][
            "initial_value"
        ]
        for n in numbers
    }
    state = {"accept": {"accept": {"type": "checkboxes", "selected_options": chosen}}}
    for n, line in lines.items():
        state[f"line_{n}"] = {"line": {"type": "plain_text_input", "value": line}}
    reply = slack.interaction(submit(proposal, state)).json()
    assert reply["response_action"] == "update", reply
    assert "Recorded 3 update(s)" in json.dumps(reply["view"]) or count(sqlite_demo) - before >= 3
    written = count(sqlite_demo) - before
    new_places = sum(1 for line in lines.values() if line.startswith("/update place"))
    assert written == 3
    with sqlite_demo.uow.read() as tx:
        rows = (
            tx.conn.execute(
                select(entries).order_by(entries.c.update_id.desc()).limit(3 - new_places)
            )
            .mappings()
            .all()
        )
    for row in rows:
        assert "South Front, 26 Oct 2020" in row["sources"]
        assert row["recorded_by"] == ADMIN


def test_cancelling_writes_nothing(
    slack: SlackSender, fake: FakeSlack, sqlite_demo: Context
) -> None:
    before = count(sqlite_demo)
    proposal = propose_seed(slack, fake)
    closed = {
        "type": "view_closed",
        "team": {"id": "T111"},
        "user": {"id": ADMIN},
        "api_app_id": "A111",
        "view": proposal,
        "is_cleared": False,
    }
    assert slack.interaction(closed).status == 200
    assert count(sqlite_demo) == before
    # The closed proposal can no longer be approved.
    options = next(b for b in proposal["blocks"] if b.get("block_id") == "accept")["element"][
        "options"
    ][:1]
    late = slack.interaction(
        submit(
            proposal, {"accept": {"accept": {"type": "checkboxes", "selected_options": options}}}
        )
    ).json()
    assert late["response_action"] == "errors"
    assert count(sqlite_demo) == before
