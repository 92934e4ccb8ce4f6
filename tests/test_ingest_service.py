"""The console's ingest: propose, approve by number, and the links a report draws."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import commands as cmd
from bot.domain.errors import Invalid
from bot.domain.model import Standing
from bot.domain.parser import parse
from bot.ingest.service import dateline, ingest_command
from bot.services.context import Context, FixedClock
from bot.services.dispatch import execute
from bot.services.views import ClaimsView, DoneView, ProposalView
from tests.conftest import CONSOLE

SEED = Path(__file__).resolve().parent / "ingest" / "seed.txt"


@pytest.fixture
def after_report(sqlite_demo: Context, clock: FixedClock) -> Context:
    clock.current = datetime(2020, 10, 28, 8, 0, tzinfo=UTC)
    return sqlite_demo


def test_the_report_date_is_read_from_its_first_lines() -> None:
    assert dateline(SEED.read_text(encoding="utf-8")).isoformat() == "2020-10-27"  # type: ignore[union-attr]


def test_propose_writes_nothing_and_dates_undated_candidates(after_report: Context) -> None:
    view = ingest_command(after_report, cmd.Ingest(str(SEED)), CONSOLE)
    assert isinstance(view, ProposalView) and len(view.candidates) >= 10
    assert all("when:" in c.line for c in view.candidates if not c.line.startswith("/update place"))


def test_a_denial_approved_with_what_it_answers_refutes_it(after_report: Context) -> None:
    view = ingest_command(after_report, cmd.Ingest(str(SEED)), CONSOLE)
    assert isinstance(view, ProposalView)
    denial = next(c for c in view.candidates if c.answers is not None)
    done = ingest_command(
        after_report,
        cmd.Ingest(
            str(SEED), approve=(denial.answers or 0, denial.number), source_name="South Front"
        ),
        CONSOLE,
    )
    assert isinstance(done, DoneView) and "Recorded 2 update(s)" in done.headline
    claims = execute(after_report, parse("/claims", "since 2020-10-28"), CONSOLE)
    assert isinstance(claims, ClaimsView)
    answered = [c for c in claims.claims if c.refuted_by]
    assert answered and answered[0].standing in (Standing.REFUTED, Standing.DISPUTED)


def test_approving_a_number_that_does_not_exist_writes_nothing(after_report: Context) -> None:
    with pytest.raises(Invalid, match="no candidate 99"):
        ingest_command(after_report, cmd.Ingest(str(SEED), approve=(1, 99)), CONSOLE)
