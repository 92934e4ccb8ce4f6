"""The picture from the demo ledger, on SQLite and PostgreSQL: status, disputes,
the past, ceasefires."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import commands as cmd
from bot.domain.model import CeasefireState, Standing
from bot.domain.parser import parse
from bot.render.text import render
from bot.services import reads
from bot.services.context import Context
from bot.services.dispatch import execute
from bot.services.views import CeasefiresView, OverviewView, StatusView
from tests.conftest import CONSOLE


def status(ctx: Context, text: str) -> StatusView:
    view = execute(ctx, parse("/status", text), CONSOLE)
    assert isinstance(view, StatusView)
    return view


def test_hadrut_is_disputed_with_claim_and_assessment_side_by_side(demo: Context) -> None:
    view = status(demo, "Hadrut")
    assert view.assessment is not None and view.assessment.holder == "Azerbaijan"
    assert view.dispute is not None and not view.dispute.contested
    armenian = [c for c in view.claims if c.parties == ("Armenia",) and c.stance]
    assert armenian and armenian[0].stance_holder == "Azerbaijan"
    assert armenian[0].standing == Standing.REFUTED  # video from the ground
    assert any("against the assessment" in r for r in view.dispute.reasons)
    text = render(view, "plain")
    assert "DISPUTED" in text and "Armenian Defense Ministry" in text and "Azerbaijan" in text


def test_hadrut_before_the_war_turned(demo: Context) -> None:
    view = status(demo, "Hadrut on 2020-10-01")
    assert view.as_of is not None
    assert view.assessment is not None and view.assessment.holder == "Artsakh"
    assert view.dispute is None
    assert view.claims == ()
    assert view.ceasefires_in_force == ()


def test_every_spelling_gives_the_same_status(demo: Context) -> None:
    texts = {
        render(status(demo, name), "plain").split("\n", 1)[1]
        for name in ("Shushi", "Shusha", "Şuşa", "SHUSHA")
    }
    assert len(texts) == 1
    assert status(demo, "Stepankert").place == "Stepanakert (Khankendi)"


def test_disputed_places_of_26_october(demo: Context) -> None:
    view = reads.overview(demo, None, CONSOLE)
    assert isinstance(view, OverviewView)
    disputed = {d.place for d in view.disputed}
    assert {"Fuzuli (Varanda)", "Hadrut", "Qubadli (Kashunik)"} <= disputed
    qubadli = next(d for d in view.disputed if d.place.startswith("Qubadli"))
    assert qubadli.dispute.contested
    assert "Stepanakert (Khankendi)" not in disputed
    # The claims new in the last 24 hours are the demo's (recorded at load time).
    assert view.new_claims_total >= 10


def test_three_ceasefires_two_collapsed(demo: Context) -> None:
    view = execute(demo, cmd.CeasefireQuery(), CONSOLE)
    assert isinstance(view, CeasefiresView)
    states = [c.state for c in view.ceasefires]
    assert states == [CeasefireState.COLLAPSED, CeasefireState.COLLAPSED, CeasefireState.IN_EFFECT]
    first, second, third = view.ceasefires
    assert first.held is not None and first.held.longest <= timedelta(hours=12)
    assert second.held is not None and second.held.longest <= timedelta(hours=24)
    assert third.held is not None and third.held.ongoing
    assert "United States" in third.mediators
    detail = execute(demo, parse("/ceasefire", "third"), CONSOLE)
    assert isinstance(detail, CeasefiresView) and detail.ceasefires[0].id == third.id
    assert "Washington" in render(detail, "plain")


def test_ceasefire_in_force_depends_on_the_moment(demo: Context) -> None:
    before_third = status(demo, "Lachin on 2020-10-25")
    assert before_third.ceasefires_in_force == ()
    now = status(demo, "Lachin")
    assert [c.state for c in now.ceasefires_in_force] == [CeasefireState.IN_EFFECT]


def test_claim_standing_follows_links(demo: Context) -> None:
    view = execute(demo, parse("/claims", "Azerbaijan"), CONSOLE)
    text = render(view, "plain")
    assert "Claims by Azerbaijan" in text
    prosecutor = execute(demo, parse("/claims", "General Prosecutor's Office of Armenia"), CONSOLE)
    rendered = render(prosecutor, "plain")
    assert "disputed by" in rendered  # Aliyev's denial refutes it; an opposing party alone disputes


def test_claims_name_both_party_and_place_means_the_party(demo: Context) -> None:
    party_view = execute(demo, parse("/claims", "Artsakh"), CONSOLE)
    place_view = execute(demo, parse("/claims", "place:Artsakh"), CONSOLE)
    assert "Claims by Artsakh" in render(party_view, "plain")
    assert "Claims about Nagorno-Karabakh" in render(place_view, "plain")
