"""The rules that turn entries into a picture: a claim's standing, when a place is
disputed, what became of a ceasefire, ceasefire order words, and how events of
different precision are ordered in the ledger (DESIGN: "Words we use", "Two clocks")."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.bootstrap import DEMO_FILE
from bot.domain.entries import Entry
from bot.domain.model import (
    CONTESTED,
    OBSERVER,
    UNKNOWN,
    CeasefireState,
    EventTime,
    Party,
    Precision,
    Stance,
    Standing,
    UpdateKind,
)
from bot.domain.parser import parse_line
from bot.domain.picture import (
    Contradiction,
    Dispute,
    Duration,
    LinkFrom,
    StandingInfo,
    claim_standing,
    find_dispute,
    held_between,
    ordinal_word,
    parse_ordinal,
    summarize_ceasefire,
)
from bot.services.context import Context, FixedClock
from bot.services.dispatch import execute
from bot.services.ledger_file import import_file
from bot.services.views import CeasefiresView, CeasefireView, DoneView, StatusView
from bot.store import migrate
from bot.store.db import create_db_engine
from bot.store.uow import UnitOfWork
from tests.conftest import CONSOLE, DEMO_NOW

BAKU = ZoneInfo("Asia/Baku")
ZONE = "Asia/Baku"
MINUTE = timedelta(minutes=1)


def baku(day: int, hour: int = 0, mins: int = 0) -> datetime:
    """A moment of October 2020, read on a clock in Baku."""
    return datetime(2020, 10, day, hour, mins, tzinfo=BAKU).astimezone(UTC)


def minute(day: int, hour: int, mins: int = 0) -> EventTime:
    """A time known to the minute."""
    return EventTime(baku(day, hour, mins), baku(day, hour, mins) + MINUTE, Precision.MINUTE, ZONE)


def whole_day(day: int) -> EventTime:
    """A time known only to the (Baku) day."""
    return EventTime(baku(day), baku(day + 1), Precision.DAY, ZONE)


# ---- parties of the demo conflict --------------------------------------------

ARMENIA, AZERBAIJAN, ARTSAKH, TURKEY, RUSSIA, FRANCE = 1, 2, 3, 4, 5, 6
PARTIES: dict[int, Party] = {
    ARMENIA: Party(ARMENIA, 1, "Armenia", "Armenia"),
    AZERBAIJAN: Party(AZERBAIJAN, 1, "Azerbaijan", "Azerbaijan"),
    ARTSAKH: Party(ARTSAKH, 1, "Artsakh", "Armenia"),
    TURKEY: Party(TURKEY, 1, "Turkey", "Azerbaijan"),
    RUSSIA: Party(RUSSIA, 1, "Russia", OBSERVER),
    FRANCE: Party(FRANCE, 1, "France", OBSERVER),
}
HADRUT = 40


def entry(update_id: int, kind: UpdateKind, event: EventTime, **fields: Any) -> Entry:
    recorded: dict[str, Any] = {"recorded_at": baku(26, 12), "recorded_by": "UADMIN"}
    return Entry(update_id, 1, kind, event, sort_at=event.start, **recorded, **fields)


def assessment(update_id: int, holder: int | str) -> Entry:
    """The desk's view of Hadrut: held by a party (its ID), contested or unknown."""
    said: dict[str, Any] = {"holder": holder}
    if isinstance(holder, int):
        said = {"holder": "party", "holder_party_id": holder}
    return entry(update_id, UpdateKind.CONTROL, minute(20, 9), place_id=HADRUT, **said)


def claim(update_id: int, *party_ids: int, holder: int | None = None, **fields: Any) -> Entry:
    """A claim about Hadrut: `party_ids` say that `holder` (default: the first of
    them) does (stance asserts, the default) or does not (denies) control it."""
    fields = {"stance": Stance.ASSERTS, "party_ids": party_ids, "holder_party_id": holder, **fields}
    return entry(update_id, UpdateKind.CLAIM, minute(21, 10), about_ids=(HADRUT,), **fields)


def denial(update_id: int, *party_ids: int, of: int, retracted: bool = False) -> Entry:
    """`party_ids` say that `of` does not control Hadrut."""
    return claim(update_id, *party_ids, stance=Stance.DENIES, holder=of, retracted=retracted)


# ---- 1. a claim's standing ---------------------------------------------------


def backs(entry_id: int, *sides: str, kind: UpdateKind = UpdateKind.CLAIM) -> LinkFrom:
    return LinkFrom("corroborates", entry_id, kind, sides)


def contradicts(entry_id: int, *sides: str, kind: UpdateKind = UpdateKind.CLAIM) -> LinkFrom:
    return LinkFrom("refutes", entry_id, kind, sides)


def test_a_claim_nothing_links_to_is_new() -> None:
    assert claim_standing(["Azerbaijan"], []) == StandingInfo(Standing.NEW, (), ())


def test_a_claim_only_backed_is_corroborated_and_names_its_backers() -> None:
    links = [backs(7, "Azerbaijan"), backs(9, kind=UpdateKind.NOTE)]
    assert claim_standing(["Azerbaijan"], links) == StandingInfo(Standing.CORROBORATED, (7, 9))


@pytest.mark.parametrize(
    ("kind", "sides"),
    [
        (UpdateKind.NOTE, ()),  # the desk's own: geolocated video, a reporter on site
        (UpdateKind.CONTROL, ()),
        (UpdateKind.CLAIM, (OBSERVER,)),
        (UpdateKind.CLAIM, ("Armenia",)),  # an admission: Armenia contradicts Artsakh
        (UpdateKind.CLAIM, ("Azerbaijan", OBSERVER)),  # joined by an observer
    ],
)
def test_the_desk_an_observer_or_the_claimants_own_side_refutes(
    kind: UpdateKind, sides: tuple[str, ...]
) -> None:
    info = claim_standing(["Armenia"], [contradicts(12, *sides, kind=kind)])
    assert info == StandingInfo(Standing.REFUTED, (), (12,))


def test_an_opposing_party_alone_only_disputes() -> None:
    links = [contradicts(12, "Azerbaijan"), contradicts(14, "Azerbaijan")]
    assert claim_standing(["Armenia"], links) == StandingInfo(Standing.DISPUTED, (), (12, 14))


def test_backed_and_contradicted_by_the_other_side_is_disputed() -> None:
    links = [backs(7, OBSERVER), contradicts(12, "Azerbaijan")]
    assert claim_standing(["Armenia"], links) == StandingInfo(Standing.DISPUTED, (7,), (12,))


def test_backing_does_not_save_a_claim_the_desk_refutes() -> None:
    links = [
        backs(7, "Azerbaijan"),
        contradicts(12, "Armenia"),
        contradicts(15, kind=UpdateKind.NOTE),
    ]
    assert claim_standing(["Azerbaijan"], links) == StandingInfo(Standing.REFUTED, (7,), (12, 15))


def test_one_decisive_refutation_among_weak_ones_refutes() -> None:
    links = [contradicts(12, "Azerbaijan"), contradicts(13, OBSERVER)]
    assert claim_standing(["Armenia"], links).standing == Standing.REFUTED


def test_a_joint_claim_is_refuted_by_any_of_its_claimants_sides() -> None:
    joint = ["Armenia", "Azerbaijan"]
    assert claim_standing(joint, [contradicts(12, "Azerbaijan")]).standing == Standing.REFUTED


# ---- 2. disputed places ------------------------------------------------------


def test_a_contested_assessment_alone_is_a_dispute() -> None:
    assert find_dispute(None, [], PARTIES) is None
    assert find_dispute(assessment(1, CONTESTED), [], PARTIES) == Dispute(True, ())


@pytest.mark.parametrize(
    ("said", "assessed"),
    [
        # "Armenia says Azerbaijan does not hold Hadrut"; the desk assesses Azerbaijan.
        (denial(5, ARMENIA, of=AZERBAIJAN), AZERBAIJAN),
        (claim(5, AZERBAIJAN), ARTSAKH),  # "we hold it"; the desk says Artsakh
    ],
)
def test_a_party_contradicting_the_assessment_disputes_the_place(
    said: Entry, assessed: int
) -> None:
    dispute = find_dispute(assessment(1, assessed), [said], PARTIES)
    assert dispute == Dispute(False, (Contradiction(5, 1, True),))


@pytest.mark.parametrize(
    "said",
    [
        claim(5, ARMENIA),  # Armenia says Armenia holds it; the desk says Artsakh
        claim(5, ARMENIA, holder=ARTSAKH),
        claim(5, AZERBAIJAN, holder=ARMENIA),
        denial(5, ARMENIA, of=AZERBAIJAN),
        denial(5, AZERBAIJAN, of=TURKEY),
    ],
)
def test_claims_consistent_with_the_assessed_side_are_no_dispute(said: Entry) -> None:
    assert find_dispute(assessment(1, ARTSAKH), [said], PARTIES) is None


def test_opposing_parties_assertions_clash() -> None:
    armenia, azerbaijan = claim(5, ARMENIA), claim(6, AZERBAIJAN)
    dispute = find_dispute(assessment(1, UNKNOWN), [armenia, azerbaijan], PARTIES)
    assert dispute == Dispute(False, (Contradiction(6, 5, False),))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (claim(5, AZERBAIJAN), denial(6, ARMENIA, of=AZERBAIJAN)),
        # Same side, different party: Artsakh holds it / Armenia's side does not.
        (claim(5, ARTSAKH), denial(6, AZERBAIJAN, of=ARMENIA)),
    ],
)
def test_an_assertion_and_a_denial_about_the_same_side_clash(first: Entry, second: Entry) -> None:
    dispute = find_dispute(None, [first, second], PARTIES)
    assert dispute == Dispute(False, (Contradiction(6, 5, False),))


def test_an_assertion_and_a_denial_about_different_sides_do_not_clash() -> None:
    said = [claim(5, AZERBAIJAN), denial(6, ARMENIA, of=ARMENIA)]
    assert find_dispute(None, said, PARTIES) is None


def test_two_denials_never_clash() -> None:
    said = [denial(5, ARMENIA, of=AZERBAIJAN), denial(6, AZERBAIJAN, of=ARMENIA)]
    assert find_dispute(assessment(1, UNKNOWN), said, PARTIES) is None


def test_claims_of_one_side_never_dispute_each_other() -> None:
    said = [claim(5, ARMENIA), denial(6, ARTSAKH, of=ARMENIA), claim(7, ARTSAKH, holder=AZERBAIJAN)]
    assert find_dispute(None, said, PARTIES) is None


def test_an_observers_claim_never_disputes_by_itself() -> None:
    russia = claim(5, RUSSIA, holder=AZERBAIJAN)
    assert find_dispute(assessment(1, ARTSAKH), [russia], PARTIES) is None
    france = claim(5, FRANCE, holder=ARMENIA)
    assert find_dispute(None, [france, claim(6, AZERBAIJAN)], PARTIES) is None


def test_a_party_joined_by_an_observer_still_counts() -> None:
    said = claim(5, RUSSIA, AZERBAIJAN, holder=AZERBAIJAN)
    dispute = find_dispute(assessment(1, ARTSAKH), [said], PARTIES)
    assert dispute == Dispute(False, (Contradiction(5, 1, True),))


def test_retracted_claims_and_claims_without_a_stance_are_ignored() -> None:
    gone = denial(5, ARMENIA, of=AZERBAIJAN, retracted=True)
    strike = claim(6, ARMENIA, stance=None)  # "they shelled the town"
    said = [gone, strike, claim(7, AZERBAIJAN)]
    assert find_dispute(assessment(1, AZERBAIJAN), said, PARTIES) is None


def test_an_unknown_assessment_is_neither_contested_nor_contradicted() -> None:
    assert find_dispute(assessment(1, UNKNOWN), [claim(5, ARMENIA)], PARTIES) is None
    said = [claim(5, ARMENIA), denial(6, AZERBAIJAN, of=ARMENIA)]
    dispute = find_dispute(assessment(1, UNKNOWN), said, PARTIES)
    assert dispute == Dispute(False, (Contradiction(6, 5, False),))


def test_contradictions_with_the_assessment_and_between_claims_are_all_reported() -> None:
    said = [claim(5, ARMENIA), claim(6, AZERBAIJAN)]
    dispute = find_dispute(assessment(1, CONTESTED), said, PARTIES)
    assert dispute == Dispute(True, (Contradiction(6, 5, False),))
    dispute = find_dispute(assessment(1, ARTSAKH), said, PARTIES)
    assert dispute == Dispute(False, (Contradiction(6, 1, True), Contradiction(6, 5, False)))


@pytest.mark.parametrize(
    ("said", "found"),
    [
        ([claim(5, ARMENIA, holder=RUSSIA), claim(6, AZERBAIJAN, holder=RUSSIA)], None),
        ([claim(5, AZERBAIJAN)], (Contradiction(5, 1, True),)),
        ([claim(5, ARMENIA, holder=FRANCE)], (Contradiction(5, 1, True),)),  # another side
        (
            [claim(5, ARMENIA, holder=RUSSIA), denial(6, AZERBAIJAN, of=RUSSIA)],
            (Contradiction(6, 1, True), Contradiction(6, 5, False)),
        ),
    ],
)
def test_an_observer_holding_a_place_is_a_side_of_its_own(
    said: list[Entry], found: tuple[Contradiction, ...] | None
) -> None:
    """Russia's peacekeepers hold the Lachin corridor."""
    dispute = find_dispute(assessment(1, RUSSIA), said, PARTIES)
    assert (dispute.contradictions if dispute else None) == found


def test_the_stance_holder_defaults_to_the_first_claimant() -> None:
    assert claim(5, TURKEY, AZERBAIJAN).stance_holder_id == TURKEY
    assert claim(5, TURKEY, AZERBAIJAN, holder=ARMENIA).stance_holder_id == ARMENIA
    assert claim(5, ARMENIA, stance=None).stance_holder_id is None
    assert assessment(1, ARMENIA).stance_holder_id is None
    # Turkey says "we hold it": Turkey is on Azerbaijan's side, as assessed.
    assert find_dispute(assessment(1, AZERBAIJAN), [claim(5, TURKEY)], PARTIES) is None
    dispute = find_dispute(assessment(1, ARTSAKH), [claim(5, TURKEY)], PARTIES)
    assert dispute == Dispute(False, (Contradiction(5, 1, True),))


# ---- 3. ceasefires -----------------------------------------------------------

THIRD = 3


def cf(
    update_id: int,
    state: CeasefireState,
    event: EventTime,
    accuser: int | None = None,
    by: tuple[int, ...] = (),
    **fields: Any,
) -> Entry:
    """An event of the third ceasefire; a violation says who accuses whom (`by`)."""
    fields |= {"ceasefire_id": THIRD, "ceasefire_state": state}
    fields |= {"accuser_party_id": accuser, "accused_ids": by}
    return entry(update_id, UpdateKind.CEASEFIRE, event, **fields)


ANNOUNCED = cf(10, CeasefireState.ANNOUNCED, whole_day(25), effective=minute(26, 8))
IN_EFFECT = cf(11, CeasefireState.IN_EFFECT, minute(26, 8))
VIOLATED = cf(12, CeasefireState.VIOLATED, minute(26, 8, 5), accuser=ARMENIA, by=(AZERBAIJAN,))


def test_a_truce_that_collapsed_within_minutes() -> None:
    collapsed = cf(13, CeasefireState.COLLAPSED, minute(26, 8, 10))
    events = [ANNOUNCED, IN_EFFECT, VIOLATED, collapsed]
    summary = summarize_ceasefire(THIRD, events, baku(27, 12))
    assert summary.state == CeasefireState.COLLAPSED
    assert summary.since == collapsed.event
    assert summary.announced == whole_day(25)
    assert summary.effective == minute(26, 8)
    assert summary.ended == collapsed.event
    # From somewhere in 08:00 to somewhere in 08:10: between 9 and 11 minutes.
    assert summary.held == Duration(timedelta(minutes=9), timedelta(minutes=11), ongoing=False)
    assert summary.violations == (VIOLATED,)
    assert summary.events == tuple(events)


def test_a_collapse_known_only_to_the_day_gives_a_range() -> None:
    collapsed = cf(13, CeasefireState.COLLAPSED, whole_day(26))
    summary = summarize_ceasefire(THIRD, [ANNOUNCED, IN_EFFECT, collapsed], baku(28, 12))
    assert summary.state == CeasefireState.COLLAPSED
    assert summary.held is not None and not summary.held.ongoing
    assert summary.held.shortest == timedelta(0)
    # In effect at 08:00; the day ends at midnight.
    assert summary.held.longest == timedelta(hours=16)
    assert summary.held.longest < timedelta(hours=24)


def test_a_truce_still_in_effect_holds_on_as_time_passes() -> None:
    at_noon = summarize_ceasefire(THIRD, [ANNOUNCED, IN_EFFECT], baku(26, 12))
    assert at_noon.state == CeasefireState.IN_EFFECT and at_noon.ended is None
    assert at_noon.held == Duration(timedelta(hours=4) - MINUTE, timedelta(hours=4), ongoing=True)
    next_day = summarize_ceasefire(THIRD, [ANNOUNCED, IN_EFFECT], baku(27, 12))
    assert next_day.held is not None and next_day.held.longest == timedelta(hours=28)


def test_a_truce_announced_for_later_has_not_held_yet() -> None:
    summary = summarize_ceasefire(THIRD, [ANNOUNCED], baku(25, 20))
    assert summary.state == CeasefireState.ANNOUNCED
    assert summary.effective == minute(26, 8)
    assert summary.held is None and summary.ended is None


def test_the_effective_time_falls_back_to_the_in_effect_event() -> None:
    announced = cf(10, CeasefireState.ANNOUNCED, whole_day(25))
    summary = summarize_ceasefire(THIRD, [announced, IN_EFFECT], baku(26, 9))
    assert summary.effective == IN_EFFECT.event
    assert summary.held is not None and summary.held.longest == timedelta(hours=1)


def test_violations_are_listed_in_order_and_the_truce_stays_in_force() -> None:
    second = cf(14, CeasefireState.VIOLATED, minute(26, 9), accuser=AZERBAIJAN, by=(ARMENIA,))
    withdrawn = cf(15, CeasefireState.VIOLATED, minute(26, 9, 30), retracted=True)
    events = [ANNOUNCED, IN_EFFECT, VIOLATED, second, withdrawn]
    summary = summarize_ceasefire(THIRD, events, baku(26, 12))
    assert summary.violations == (VIOLATED, second)
    assert summary.state == CeasefireState.VIOLATED and summary.since == second.event
    assert withdrawn not in summary.events
    assert summary.held is not None and summary.held.ongoing


def test_the_state_is_the_last_event_before_the_moment() -> None:
    holding = cf(14, CeasefireState.HOLDING, minute(26, 11))
    collapsed = cf(15, CeasefireState.COLLAPSED, minute(26, 15))
    events = [ANNOUNCED, IN_EFFECT, VIOLATED, holding, collapsed]
    # At 12:00 the caller passes only what sorts before it.
    at_noon = summarize_ceasefire(THIRD, events[:4], baku(26, 12))
    assert at_noon.state == CeasefireState.HOLDING and at_noon.since == holding.event
    assert at_noon.ended is None
    assert at_noon.held is not None and at_noon.held.ongoing
    later = summarize_ceasefire(THIRD, events, baku(26, 18))
    assert later.state == CeasefireState.COLLAPSED
    assert later.held == Duration(timedelta(hours=7) - MINUTE, timedelta(hours=7) + MINUTE)


def test_no_events_summarize_to_nothing() -> None:
    summary = summarize_ceasefire(THIRD, [], baku(26, 12))
    assert (summary.state, summary.since, summary.effective, summary.held) == (None,) * 4
    assert summary.violations == () and summary.events == ()


def test_held_between_bounds() -> None:
    start = minute(26, 8)
    assert held_between(start, minute(26, 8), baku(27, 0)) == Duration(timedelta(0), MINUTE)
    # Bad data (an end before the start) never gives a negative duration.
    assert held_between(start, minute(25, 8), baku(27, 0)) == Duration(timedelta(0), timedelta(0))
    # Asked about a moment before it took effect: nothing yet.
    assert held_between(start, None, baku(26, 7)) == Duration(timedelta(0), timedelta(0), True)
    ranged = held_between(whole_day(25), whole_day(27), baku(28, 0))
    assert ranged == Duration(timedelta(days=1), timedelta(days=3))


# ---- 4. ordinals -------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (12, "twelfth"),
        (13, "13th"), (20, "20th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (24, "24th"),
        (101, "101st"), (111, "111th"), (112, "112th"), (113, "113th"), (122, "122nd"),
    ],
)  # fmt: skip
def test_ordinal_word(n: int, word: str) -> None:
    assert ordinal_word(n) == word


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("third", 3), ("Third", 3), ("  THIRD ", 3), ("twelfth", 12), ("3rd", 3), ("3", 3),
        ("03", 3), ("1st", 1), ("2nd", 2), ("11th", 11), ("21st", 21), ("4TH", 4),
    ],
)  # fmt: skip
def test_parse_ordinal_reads_words_suffixes_and_digits(text: str, n: int) -> None:
    assert parse_ordinal(text) == n


@pytest.mark.parametrize(
    "text",
    ["", "   ", "thirteenth", "third ceasefire", "3 rd", "-3", "3.0", "rd", "th", "3x", "3h", "x3rd"],
)  # fmt: skip
def test_parse_ordinal_refuses_anything_else(text: str) -> None:
    assert parse_ordinal(text) is None


def test_every_ordinal_word_reads_back() -> None:
    assert all(parse_ordinal(ordinal_word(n)) == n for n in range(1, 250))


def test_parse_ordinal_never_raises_on_odd_digits() -> None:
    assert parse_ordinal("²") is None
    assert parse_ordinal("3²") is None


def test_parse_ordinal_refuses_stacked_suffixes() -> None:
    assert [parse_ordinal(t) for t in ("3rdth", "3thst", "3ssth", "1stnd")] == [None] * 4


# ---- 5. ordering in the ledger -------------------------------------------------


def desk(engine: Engine, clock: FixedClock) -> Context:
    return Context(UnitOfWork(engine), clock, admins=("UADMIN",), default_zone=ZONE)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo ledger as loaded at noon (Baku) on 26 Oct 2020, imported once."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    import_file(desk(engine, FixedClock(DEMO_NOW)), DEMO_FILE)
    engine.dispose()
    return path


@pytest.fixture
def demo_copy(sqlite_engine: Engine, clock: FixedClock, demo_db: Path) -> Context:
    """A fresh copy of the demo ledger in this test's own SQLite database."""
    raw = sqlite_engine.raw_connection()
    try:
        target = raw.driver_connection
        assert isinstance(target, sqlite3.Connection)
        with sqlite3.connect(demo_db) as source:
            source.backup(target)
    finally:
        raw.close()
    return desk(sqlite_engine, clock)


def done(ctx: Context, line: str) -> int:
    view = execute(ctx, parse_line(line), CONSOLE)
    assert isinstance(view, DoneView) and view.update_id is not None, view
    return view.update_id


def ceasefire(ctx: Context, name: str) -> CeasefireView:
    view = execute(ctx, parse_line(f'/ceasefire "{name}"'), CONSOLE)
    assert isinstance(view, CeasefiresView) and len(view.ceasefires) == 1
    return view.ceasefires[0]


def status(ctx: Context, place: str) -> StatusView:
    view = execute(ctx, parse_line(f"/status {place}"), CONSOLE)
    assert isinstance(view, StatusView)
    return view


def test_a_day_known_collapse_recorded_later_follows_the_0800_in_effect(
    demo_copy: Context, clock: FixedClock
) -> None:
    clock.current = baku(27, 12)
    before = ceasefire(demo_copy, "third")
    assert before.state == CeasefireState.IN_EFFECT
    collapsed = done(demo_copy, '/update ceasefire "third" collapsed when:2020-10-26')
    after = ceasefire(demo_copy, "third")
    assert after.state == CeasefireState.COLLAPSED
    assert after.update_ids == (*before.update_ids, collapsed)
    assert after.since is not None and after.since.precision == Precision.DAY
    assert after.held == Duration(timedelta(0), timedelta(hours=16))


def test_minute_events_sort_by_event_time_not_by_recording(
    demo_copy: Context, clock: FixedClock
) -> None:
    clock.current = baku(26, 18)
    collapsed = done(demo_copy, '/update ceasefire "third" collapsed when:2020-10-26T10:00')
    violated = done(
        demo_copy,
        '/update ceasefire "third" violated by:Azerbaijan accuser:Armenia when:2020-10-26T09:00',
    )
    view = ceasefire(demo_copy, "third")
    assert view.update_ids[-2:] == (violated, collapsed)
    assert view.state == CeasefireState.COLLAPSED
    assert [v.id for v in view.violations] == [violated]
    assert view.held == Duration(timedelta(hours=2) - MINUTE, timedelta(hours=2) + MINUTE)


UNRELATED_NOTE = '/update note "Shelling reported near Martuni" when:2020-11-05T23:00'


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param((), id="alone"),
        # An entry about something else on that day must not move the ceasefire's events.
        pytest.param((UNRELATED_NOTE,), id="unrelated-note"),
    ],
)
def test_a_day_known_event_recorded_first_precedes_a_minute_event_of_that_day(
    demo_copy: Context, clock: FixedClock, earlier: tuple[str, ...]
) -> None:
    clock.current = datetime(2020, 11, 7, 12, tzinfo=UTC)
    for line in (
        '/update ceasefire "Autumn truce" announced parties:Armenia,Azerbaijan when:2020-11-04T10:00',
        *earlier,
        '/update ceasefire "Autumn truce" collapsed when:2020-11-05',
        '/update ceasefire "Autumn truce" in effect when:2020-11-05T22:00',
    ):
        done(demo_copy, line)
    assert ceasefire(demo_copy, "Autumn truce").state == CeasefireState.IN_EFFECT


def test_status_on_a_date_includes_that_days_day_known_events(
    demo_copy: Context, clock: FixedClock
) -> None:
    clock.current = baku(27, 12)
    was = status(demo_copy, "Hadrut on 2020-10-26")
    assert was.assessment is not None and was.assessment.holder == "Azerbaijan"
    assert [c.name for c in was.ceasefires_in_force] == ["Washington humanitarian ceasefire"]
    day_before = status(demo_copy, "Hadrut on 2020-10-25")
    control = done(demo_copy, "/update control Hadrut contested when:2020-10-26")
    done(demo_copy, '/update ceasefire "third" collapsed when:2020-10-26')
    on_the_day = status(demo_copy, "Hadrut on 2020-10-26")
    assert on_the_day.assessment is not None and on_the_day.assessment.id == control
    assert on_the_day.assessment.holder == CONTESTED
    assert on_the_day.dispute is not None and on_the_day.dispute.contested
    assert on_the_day.ceasefires_in_force == ()
    # Nothing of the 26th reaches the 25th.
    assert status(demo_copy, "Hadrut on 2020-10-25") == day_before


def test_status_on_today_does_not_count_hours_that_have_not_passed(
    demo_copy: Context, clock: FixedClock
) -> None:
    clock.current = baku(26, 12)
    (third,) = status(demo_copy, "Hadrut on 2020-10-26").ceasefires_in_force
    assert third.held is not None and third.held.longest == timedelta(hours=4)
