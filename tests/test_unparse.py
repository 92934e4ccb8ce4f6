"""A command written back as its one-line form parses to the same command: what
a report proposes can be shown, edited as text, and parsed again."""

from __future__ import annotations

import pytest

from bot.domain import commands as cmd
from bot.domain.model import CeasefireState, Confidence, PlaceKind, Stance
from bot.domain.parser import parse_line
from bot.domain.times import parse_time_spec
from bot.domain.unparse import unparse

COMMANDS = [
    cmd.ClaimUpdate(
        ("Armenia",),
        'The towns of Fuzuli and Hadrut are "still" not controlled by Azerbaijan.',
        "Armenian Defense Ministry",
        Stance.DENIES,
        "Azerbaijan",
        cmd.Common(
            about=("Fuzuli", "Hadrut"),
            when=parse_time_spec("2020-10-26"),
            sources=("South Front, 26 Oct 2020",),
        ),
    ),
    cmd.ClaimUpdate(
        ("Azerbaijan", "Turkey"), "We took it", common=cmd.Common(refutes=(3, 4), corroborates=(2,))
    ),
    cmd.ControlUpdate(
        "Lachin corridor",
        "contested",
        Confidence.HIGH,
        cmd.Common(note="Video: both sides' vehicles"),
    ),
    cmd.ControlUpdate(
        "Qubadli", "United States", None, cmd.Common(when=parse_time_spec("~2020-10-25"))
    ),
    cmd.CeasefireUpdate(
        "third",
        CeasefireState.ANNOUNCED,
        parties=("Armenia", "Azerbaijan"),
        mediators=("United States",),
        effective=parse_time_spec("2020-10-26T08:00"),
        common=cmd.Common(when=parse_time_spec("2020-10-25"), sources=("https://www.state.gov/x",)),
    ),
    cmd.CeasefireUpdate(
        "Moscow humanitarian ceasefire",
        CeasefireState.VIOLATED,
        accused=("Azerbaijan",),
        accuser="Armenia",
    ),
    cmd.NoteUpdate(
        "Iran deployed forces; drills “large-scale”", cmd.Common(about=("Zangilan", "Jabrayil"))
    ),
    cmd.PlaceUpdate(
        "Ganja airbase",
        aliases=("Ganja air base",),
        kind=PlaceKind.SITE,
        parent="Ganja",
        lat=40.7,
        lon=46.3,
    ),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_round_trip(command: cmd.Command) -> None:
    line = unparse(command)
    assert line.startswith("/update ")
    assert parse_line(line) == command


def test_reads_have_no_one_line_update() -> None:
    with pytest.raises(ValueError):
        unparse(cmd.Status("Lachin"))
