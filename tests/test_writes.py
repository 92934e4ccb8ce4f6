"""Every /update form through the services, on SQLite and PostgreSQL: what is
written, what is refused, and that a refusal writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.domain.errors import Invalid, NotFound, NotPermitted, ParseError, SitrepError
from bot.domain.model import CeasefireState, Standing
from bot.domain.parser import parse_line
from bot.render.text import render
from bot.services.context import Actor, Context, FixedClock
from bot.services.dispatch import execute
from bot.services.views import (
    CeasefiresView,
    ClaimsView,
    DoneView,
    ShowView,
    StatusView,
    TextView,
    View,
)
from bot.store.schema import entries, updates
from tests.conftest import CONSOLE

STRANGER = Actor("USTRANGER")
ADMIN = Actor("UADMIN")  # in the context's SITREP_ADMINS


def run(ctx: Context, line: str, actor: Actor = CONSOLE, key: str | None = None) -> View:
    return execute(ctx, parse_line(line), actor, key)


def done(ctx: Context, line: str, actor: Actor = CONSOLE) -> DoneView:
    view = run(ctx, line, actor)
    assert isinstance(view, DoneView), view
    return view


def rows(engine: Engine, table: Any = updates) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def status(ctx: Context, place: str) -> StatusView:
    view = run(ctx, f"/status {place}")
    assert isinstance(view, StatusView)
    return view


def test_control_changes_the_assessment_and_the_history_stays(demo: Context) -> None:
    before = status(demo, "Lachin")
    assert before.assessment is not None and before.assessment.holder == "Artsakh"
    written = done(
        demo,
        "/update control Lachin Azerbaijan confidence:medium source:https://example.org/v when:2020-10-26T11:00",
    )
    assert written.update_id is not None and f"u{written.update_id}" in written.headline
    after = status(demo, "Berdzor")
    assert after.assessment is not None and after.assessment.holder == "Azerbaijan"
    assert str(after.assessment.confidence) == "moderate"
    assert after.changed_at is not None
    past = status(demo, "Lachin on 2020-10-20")
    assert past.assessment is not None and past.assessment.holder == "Artsakh"


def test_options_in_any_order_and_smart_quotes_mean_the_same(demo: Context) -> None:
    a = done(
        demo,
        '/update claim Azerbaijan "We hold Jabrayil" about:Jabrayil stance:asserts speaker:"Ilham Aliyev"',
    )
    b = done(
        demo,
        "/update claim speaker:“Ilham Aliyev” stance:asserts Azerbaijan about:Jabrayil “We hold Jabrayil”",
    )
    shown_a = run(demo, f"/update show u{a.update_id}")
    shown_b = run(demo, f"/update show u{b.update_id}")
    assert isinstance(shown_a, ShowView) and isinstance(shown_b, ShowView)
    assert shown_a.current.split(" — ")[0] == shown_b.current.split(" — ")[0]


def test_a_claim_with_every_option(demo: Context) -> None:
    first = done(
        demo,
        '/update claim Armenia "Martakert is under our control" about:Martakert stance:asserts',
    )
    second = done(
        demo,
        f'/update claim Azerbaijan,Turkey "Armenian forces left Martakert" about:Martakert '
        f'stance:denies holder:Armenia refutes:u{first.update_id} speaker:"MoD" source:a source:b',
    )
    view = status(demo, "Martakert")
    assert view.dispute is not None  # opposing parties' stances clash
    refuted = next(c for c in view.claims if c.id == first.update_id)
    assert refuted.standing == Standing.DISPUTED  # an opposing party alone disputes
    claim = next(c for c in view.claims if c.id == second.update_id)
    assert claim.parties == ("Azerbaijan", "Turkey") and claim.speaker == "MoD"
    assert claim.sources == ("a", "b")


def test_corroboration_and_refutation_change_standing(demo: Context) -> None:
    claim = done(demo, '/update claim Azerbaijan "Qubadli is ours" about:Qubadli stance:asserts')
    cid = claim.update_id

    def standing() -> Standing:
        view = run(demo, "/claims Azerbaijan")
        assert isinstance(view, ClaimsView)
        return next(c.standing for c in view.claims if c.id == cid)

    assert standing() == Standing.NEW
    done(demo, f'/update claim Turkey "Azerbaijan took Qubadli" corroborates:u{cid}')
    assert standing() == Standing.CORROBORATED
    note = done(
        demo, f'/update note "Geolocated video shows Armenian forces in Qubadli" refutes:u{cid}'
    )
    assert standing() == Standing.REFUTED
    done(demo, f"/update retract u{note.update_id}")
    assert standing() == Standing.CORROBORATED


def test_ceasefire_lifecycle(demo: Context, clock: FixedClock) -> None:
    clock.current = datetime(2020, 11, 10, 12, 0, tzinfo=UTC)
    with pytest.raises(NotFound, match="starts as"):
        run(demo, '/update ceasefire "Fourth ceasefire" violated')
    done(
        demo,
        '/update ceasefire "Moscow trilateral statement" announced parties:Armenia,Azerbaijan '
        "mediator:Russia effective:2020-11-10T01:00 when:2020-11-09T23:00",
    )
    done(
        demo,
        '/update ceasefire "Washington humanitarian ceasefire" violated by:Azerbaijan '
        "accuser:Armenia when:2020-10-26T08:05",
    )
    # Known only to the day, recorded after the 08:05 violation: it sorts after it.
    done(demo, '/update ceasefire "third" collapsed when:2020-10-26')
    done(demo, '/update ceasefire "Moscow trilateral statement" in-effect when:2020-11-10T01:00')
    view = run(demo, "/ceasefire")
    assert isinstance(view, CeasefiresView)
    assert [c.state for c in view.ceasefires] == [
        CeasefireState.COLLAPSED,
        CeasefireState.COLLAPSED,
        CeasefireState.COLLAPSED,
        CeasefireState.IN_EFFECT,
    ]
    third = view.ceasefires[2]
    assert third.violations and third.violations[0].accuser == "Armenia"
    assert "Russia" in view.ceasefires[3].mediators


def test_ceasefire_by_order_word_is_not_a_new_one(demo: Context) -> None:
    with pytest.raises(NotFound):
        run(demo, '/update ceasefire "tenth" violated')


def test_note_place_party_and_conflict(demo: Context) -> None:
    note = done(demo, '/update note "Iran moved forces to the border" about:Zangilan,Jabrayil')
    assert note.update_id is not None
    place = done(demo, '/update place "Vardenis" kind:town at:40.18,45.73 aliases:"Vardenis town"')
    assert any("Varanda" in n for n in place.notes)
    assert status(demo, "vardenis town").place == "Vardenis"
    again = done(demo, '/update place "Vardenis" in:Syunik aliases:"Basargechar"')
    assert "updated" in again.headline
    assert status(demo, "Basargechar").parent == "Syunik (Zangezur)"
    party = done(demo, '/update party "OSCE Minsk Group" side:observer aliases:"Minsk Group"')
    assert "observer" in party.headline
    done(demo, '/update claim "Minsk Group" "Calls on both sides to respect the ceasefire"')
    started = done(demo, '/update conflict "Ukraine war" zone:Europe/Kyiv')
    assert "Europe/Kyiv" in started.headline
    with pytest.raises(SitrepError, match="several conflicts"):
        run(demo, "/status Lachin")
    assert isinstance(run(demo, '/status Lachin conflict:"NK2020"'), StatusView)


def test_correct_any_field_keeps_history(demo: Context) -> None:
    written = done(demo, "/update control Kalbajar Azerbaijan confidence:low")
    uid = written.update_id
    done(demo, f"/update correct u{uid} holder:contested confidence:high when:2020-10-25")
    view = status(demo, "Kalbajar")
    assert view.assessment is not None and view.assessment.holder == "contested"
    assert view.dispute is not None and view.dispute.contested
    shown = run(demo, f"/update show u{uid}")
    assert isinstance(shown, ShowView)
    assert len(shown.history) == 2 and "corrected" in shown.history[1].summary
    with pytest.raises(Invalid, match="has no field"):
        run(demo, f"/update correct u{uid} speaker:Someone")


def test_retract_removes_from_the_picture_not_the_ledger(demo: Context, engine: Engine) -> None:
    before = status(demo, "Hadrut")
    assert before.dispute is not None
    armenian = next(c for c in before.claims if c.parties == ("Armenia",) and c.stance)
    count = rows(engine)
    done(demo, f'/update retract u{armenian.id} reason:"misattributed"')
    after = status(demo, "Hadrut")
    assert all(c.id != armenian.id for c in after.claims)
    assert rows(engine) == count + 1
    shown = run(demo, f"/update show u{armenian.id}")
    assert isinstance(shown, ShowView) and shown.retracted
    with pytest.raises(Invalid, match="already retracted"):
        run(demo, f"/update retract u{armenian.id}")


@pytest.mark.parametrize(
    "line",
    [
        '/update note "nobody may read this"',
        "/update control Lachin Azerbaijan",
        '/update place "Nowhere"',
        "/update retract u1",
        "/update correct u1 confidence:low",
        "/update admins add <@U999>",
    ],
)
def test_a_stranger_is_refused_and_nothing_changes(
    demo: Context, engine: Engine, line: str
) -> None:
    before = (rows(engine), rows(engine, entries))
    with pytest.raises(NotPermitted, match="Only Sitrep admins"):
        run(demo, line, STRANGER)
    assert (rows(engine), rows(engine, entries)) == before


def test_admins_from_settings_and_added(demo: Context) -> None:
    done(demo, '/update note "from an admin in SITREP_ADMINS"', ADMIN)
    done(demo, "/update admins add <@UNEW|maria>", ADMIN)
    done(demo, '/update note "from an added admin"', Actor("UNEW"))
    listing = run(demo, "/update admins list", STRANGER)
    assert isinstance(listing, TextView) and any("UNEW" in line for line in listing.lines)
    done(demo, "/update admins remove UNEW", ADMIN)
    with pytest.raises(NotPermitted):
        run(demo, '/update note "no longer"', Actor("UNEW"))
    with pytest.raises(Invalid, match="SITREP_ADMINS"):
        run(demo, "/update admins remove UADMIN", ADMIN)


@pytest.mark.parametrize(
    ("line", "error", "words"),
    [
        ('/update claim Armenia "x" stance:denies', Invalid, "about:"),
        ('/update claim Armenia "x" holder:Azerbaijan', Invalid, "stance"),
        ('/update claim Narnia "x"', NotFound, "Narnia"),
        ('/update note "x" about:Atlantis', NotFound, "Atlantis"),
        ('/update note "x" refutes:u9999', NotFound, "u9999"),
        ('/update note "x" when:2031-01-01', Invalid, "future"),
        ("/update control Martuni Azerbaijan", SitrepError, "Which one"),
        ("/update correct u9999 confidence:low", NotFound, "u9999"),
        ('/update ceasefire "third" announced by:Armenia', Invalid, "violated"),
    ],
)
def test_each_error_says_what_was_wrong_and_writes_nothing(
    demo: Context, engine: Engine, line: str, error: type[Exception], words: str
) -> None:
    before = rows(engine)
    with pytest.raises(error) as info:
        run(demo, line)
    assert words in str(info.value)
    assert rows(engine) == before


def test_parse_errors_carry_the_usage_of_the_command() -> None:
    with pytest.raises(ParseError) as info:
        parse_line("/update claim Armenia no quotes here")
    assert "update claim" in info.value.usage or "/update claim" in info.value.usage


def test_the_same_request_twice_writes_once(demo: Context, engine: Engine) -> None:
    before = rows(engine)
    first = run(demo, '/update note "sent twice"', key="trigger-1")
    second = run(demo, '/update note "sent twice"', key="trigger-1")
    assert isinstance(first, DoneView) and isinstance(second, DoneView)
    assert first.update_id == second.update_id
    assert "Already recorded" in second.headline
    assert rows(engine) == before + 1


def test_mentions_typed_into_a_note_are_harmless_in_mrkdwn(demo: Context) -> None:
    written = done(
        demo, '/update note "<!channel> & <@U123> see <https://evil.example|here>" about:Lachin'
    )
    text = render(written, "mrkdwn")
    assert "<!channel>" not in text and "<@U123>" not in text
    assert "&lt;!channel&gt;" in text
    view = render(status(demo, "Lachin"), "mrkdwn")
    assert "<!channel>" not in view and "&lt;!channel&gt; &amp; &lt;@U123&gt;" in view
