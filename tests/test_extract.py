"""The report extractor, measured against hand-made keys: the seed report
(tests/ingest/seed_key.yaml) and three short reports of other genres written for
these tests (tests/ingest/other_reports/). Run with `-s` to see the figures.

A key claim is found when a candidate claim has the same claimant party and one
of the key's keywords; details (speaker, stance, holder, places, date, which
earlier claim a denial answers) are then checked on the claims found."""

from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import (
    CeasefireUpdate,
    ClaimUpdate,
    ControlUpdate,
    NoteUpdate,
    PlaceUpdate,
)
from bot.domain.model import CeasefireState, Stance
from bot.domain.names import normalize
from bot.domain.parser import parse_line
from bot.domain.unparse import unparse
from bot.ingest.cleanup import report_paragraphs
from bot.ingest.extract import (
    Candidate,
    Gazetteer,
    KnownParty,
    KnownPlace,
    Proposal,
    extract,
)
from bot.ingest.gazetteer import gazetteer_from_ledger
from bot.ingest.lexicon import lexicon_for

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "ingest"


@functools.cache
def nk2020() -> Gazetteer:
    data = yaml.safe_load((ROOT / "data" / "nk2020.yaml").read_text(encoding="utf-8"))
    return gazetteer_from_ledger(data["conflicts"][0])


@functools.cache
def seed_key() -> dict[str, Any]:
    key: dict[str, Any] = yaml.safe_load((HERE / "seed_key.yaml").read_text(encoding="utf-8"))
    return key


def seed_proposal() -> Proposal:
    key = seed_key()
    return extract(key["report"], nk2020(), key["published"])


# ---- scoring ---------------------------------------------------------------


def _n(text: str | None) -> str:
    return normalize(text or "")


def _one_of(expected: str, actual: str | None) -> bool:
    """`expected` may list alternatives: "Agdam|Agdam District"."""
    return any(_n(option) == _n(actual) for option in expected.split("|"))


def _places_match(expected: list[str], actual: tuple[str, ...]) -> bool:
    return len(expected) == len(actual) and all(
        any(_one_of(e, a) for a in actual) for e in expected
    )


def _speaker_matches(expected: str | None, actual: str | None) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    e, a = _n(expected), _n(actual)
    return e in a or a in e


def _has_keyword(keywords: list[str], text: str) -> bool:
    folded = _n(text)
    return any(_n(k) in folded for k in keywords)


@dataclass
class Figures:
    name: str
    lines: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)
    counts: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    def add(self, what: str, found: int, relevant: int, right: int, extracted: int) -> None:
        """`found` of `relevant` key items were found; `right` of `extracted` were right."""
        self.counts[what] = (found, relevant, right, extracted)
        recall = found / relevant if relevant else 1.0
        precision = right / extracted if extracted else 1.0
        self.values[f"{what} recall"] = recall
        self.values[f"{what} precision"] = precision
        self.lines.append(
            f"  {what:<11} recall {recall:4.2f} ({found}/{relevant})"
            f"  precision {precision:4.2f} ({right}/{extracted})"
        )

    def show(self) -> None:
        print(f"\n{self.name}")
        for line in self.lines:
            print(line)


def _claims(proposal: Proposal) -> list[Candidate]:
    return [c for c in proposal.candidates if isinstance(c.command, ClaimUpdate)]


def match_claims(
    key: dict[str, Any], proposal: Proposal
) -> tuple[dict[str, Candidate], list[Candidate]]:
    """Key claim id → the candidate found for it; and the candidates that match nothing."""
    candidates = _claims(proposal)
    matched: dict[str, Candidate] = {}
    used: set[int] = set()
    for item in key.get("claims", []):
        for c in candidates:
            assert isinstance(c.command, ClaimUpdate)
            if c.number in used or c.command.parties != (item["party"],):
                continue
            if _has_keyword(item["keywords"], c.command.text):
                matched[item["id"]] = c
                used.add(c.number)
                break
    unmatched = []
    for c in candidates:
        if c.number in used:
            continue
        assert isinstance(c.command, ClaimUpdate)
        optional = any(
            c.command.parties == (o["party"],) and _has_keyword(o["keywords"], c.command.text)
            for o in key.get("optional_claims", [])
        )
        if not optional:
            unmatched.append(c)
    return matched, unmatched


def _ceasefire_matches(item: dict[str, Any], command: CeasefireUpdate) -> bool:
    if command.state != CeasefireState(item["state"]):
        return False
    if not any(_n(name) in _n(command.name) for name in item["names"]):
        return False
    if any(_n(name) == _n(command.name) for name in item.get("not_names", [])):
        return False
    for attr in ("parties", "mediators", "accused"):
        if attr in item and sorted(getattr(command, attr)) != sorted(item[attr]):
            return False
    return "accuser" not in item or command.accuser == item["accuser"]


def score(name: str, key: dict[str, Any], proposal: Proposal) -> Figures:
    figures = Figures(name)
    # places
    expected = key["places"]
    optional = key.get("optional_places", [])
    named = proposal.places_named
    found = sum(any(_one_of(e, p) for p in named) for e in expected)
    wrong = sum(not any(_one_of(e, p) for e in [*expected, *optional]) for p in named)
    figures.add("places", found, len(expected), len(named) - wrong, len(named))
    # claims
    matched, unmatched = match_claims(key, proposal)
    extracted = len(_claims(proposal))
    figures.add(
        "claims", len(matched), len(key.get("claims", [])), extracted - len(unmatched), extracted
    )
    details = 0
    for item in key.get("claims", []):
        c = matched.get(item["id"])
        if c is None:
            continue
        assert isinstance(c.command, ClaimUpdate)
        right = (
            ("speaker" not in item or _speaker_matches(item["speaker"], c.command.speaker))
            and _places_match(item.get("about", []), c.command.common.about)
            and (c.command.stance.value if c.command.stance else None) == item.get("stance")
            and c.command.holder == item.get("holder")
        )
        details += right
    figures.values["claim details"] = details / len(matched) if matched else 1.0
    figures.lines.append(
        f"  claim details right (speaker, places, stance, holder): {details}/{len(matched)}"
    )
    # ceasefire events
    events = [c.command for c in proposal.candidates if isinstance(c.command, CeasefireUpdate)]
    required = key.get("ceasefires", [])
    found = sum(any(_ceasefire_matches(i, e) for e in events) for i in required)
    allowed_events = [*required, *key.get("optional_ceasefires", [])]
    wrong = sum(not any(_ceasefire_matches(i, e) for i in allowed_events) for e in events)
    figures.add("ceasefires", found, len(required), len(events) - wrong, len(events))
    # control
    controls = [c.command for c in proposal.candidates if isinstance(c.command, ControlUpdate)]
    wanted = key.get("control", [])
    ok = [any(c.place == w["place"] and c.holder == w["holder"] for c in controls) for w in wanted]
    allowed = [*wanted, *key.get("optional_control", [])]
    wrong = sum(
        not any(c.place == w["place"] and c.holder == w["holder"] for w in allowed)
        for c in controls
    )
    figures.add("control", sum(ok), len(wanted), len(controls) - wrong, len(controls))
    # new places
    offered = [c.command.name for c in proposal.candidates if isinstance(c.command, PlaceUpdate)]
    new = {_n(n) for n in key.get("new_places", [])}
    wrong = sum(_n(o) not in new for o in offered)
    found = len(new & {_n(o) for o in offered})
    figures.add("new places", found, len(new), len(offered) - wrong, len(offered))
    return figures


# ---- the seed report ---------------------------------------------------------


def test_seed_figures() -> None:
    proposal = seed_proposal()
    figures = score("Seed report (South Front, 26 Oct 2020)", seed_key(), proposal)
    figures.show()
    assert figures.values["places recall"] >= 0.9
    assert figures.values["claims recall"] >= 0.8
    assert figures.values["claims precision"] >= 0.8
    assert figures.values["claim details"] >= 0.8
    assert figures.values["ceasefires recall"] >= 0.6
    assert figures.values["control recall"] == 1.0


def test_seed_places_in_order_of_first_mention() -> None:
    assert seed_proposal().places_named == tuple(seed_key()["places"])


def test_seed_claims_carry_speaker_stance_places_and_date() -> None:
    matched, _ = match_claims(seed_key(), seed_proposal())
    for item in seed_key()["claims"]:
        if item["id"] not in matched:
            continue
        command = matched[item["id"]].command
        assert isinstance(command, ClaimUpdate)
        assert _speaker_matches(item["speaker"], command.speaker), item["id"]
        if item.get("stance"):
            assert command.stance == Stance(item["stance"]), item["id"]
            assert command.holder == item["holder"], item["id"]
            assert _places_match(item["about"], command.common.about), item["id"]
        if item.get("when"):
            assert command.common.when is not None
            assert str(command.common.when) == str(item["when"]), item["id"]


def test_seed_denial_answers_the_claim_it_denies() -> None:
    proposal = seed_proposal()
    matched, _ = match_claims(seed_key(), proposal)
    for item in seed_key()["claims"]:
        if "answers" in item and item["id"] in matched:
            targets = {matched[t].number for t in item["answers"] if t in matched}
            assert matched[item["id"]].answers in targets, item["id"]


def test_seed_refutation_is_a_note_answering_the_denial() -> None:
    proposal = seed_proposal()
    matched, _ = match_claims(seed_key(), proposal)
    for item in seed_key()["refutations"]:
        target = matched[item["answers"]].number
        answering = [c for c in proposal.candidates if c.answers == target]
        notes = [c for c in answering if isinstance(c.command, NoteUpdate)]
        assert notes, "the contradiction should answer the claim it contradicts"
        assert set(item["about"]) <= set(notes[0].command.common.about)
        assert "note, not an assessment" in notes[0].label


def test_seed_ceasefire_events() -> None:
    events = [
        c.command for c in seed_proposal().candidates if isinstance(c.command, CeasefireUpdate)
    ]
    for item in seed_key()["ceasefires"]:
        assert any(_ceasefire_matches(item, e) for e in events), item["id"]
    third = next(e for e in events if e.state is CeasefireState.ANNOUNCED)
    assert third.common.when is None  # "since the start of the war on September 27" is not when


def test_seed_new_places_and_not() -> None:
    offered = {
        _n(c.command.name) for c in seed_proposal().candidates if isinstance(c.command, PlaceUpdate)
    }
    assert {_n(n) for n in seed_key()["new_places"]} <= offered
    assert not offered & {_n(n) for n in seed_key()["not_new_places"]}


def test_seed_labels_are_plain_lines() -> None:
    proposal = seed_proposal()
    labels = [c.label for c in proposal.candidates]
    assert (
        "Claim by Armenia (Armenian Defense Ministry) about Fuzuli, Hadrut: denies Azerbaijan holds them"
        in labels
    )
    assert [c.number for c in proposal.candidates] == list(range(1, len(labels) + 1))
    for c in proposal.candidates:
        assert "\n" not in c.label and c.label.strip() == c.label
        assert c.sentence and "\n" not in c.sentence


def test_seed_skips_page_furniture() -> None:
    sentences = " ".join(c.sentence for c in seed_proposal().candidates)
    for furniture in (
        "Note to readers",
        "PayPal",
        "Copyright",
        "Disclaimer",
        "fair use",
        "globalresearch",
    ):
        assert furniture not in sentences


def test_seed_is_fast_once_the_pipeline_is_built() -> None:
    seed_proposal()  # builds and caches the pipeline
    start = time.perf_counter()
    for _ in range(5):
        seed_proposal()
    per_report = (time.perf_counter() - start) / 5
    print(f"\nSeed report extracted in {per_report * 1000:.0f} ms")
    assert per_report < 0.5


def test_pipeline_is_built_once_per_gazetteer() -> None:
    assert lexicon_for(nk2020()) is lexicon_for(nk2020())


# ---- other reports, other genres --------------------------------------------
# The first three were written with their keys before the extractor existed. The
# other nine were written later, keys first, in three batches; each batch was
# scored once as unseen text (claims recall 8/15, then 9/10, then 11/12) and the
# general failures it showed were fixed before the next. They now guard against
# regressions; they no longer measure how the extractor does on unseen reports.

OTHER_KEYS: dict[str, dict[str, Any]] = {
    "wire_moscow_truce.txt": {
        "published": date(2020, 10, 10),
        "places": [
            "Nagorno-Karabakh",
            "Yerevan",
            "Baku",
            "Hadrut",
            "Kapan",
            "Tartar",
            "Agdam|Agdam District",
            "Stepanakert",
        ],
        "new_places": [],
        "claims": [
            {
                "id": "armenia-attack",
                "party": "Armenia",
                "speaker": "Defence Ministry",
                "keywords": ["attack"],
                "about": ["Hadrut"],
            },
            {
                "id": "stepanyan-kapan",
                "party": "Armenia",
                "speaker": "Shushan Stepanyan",
                "keywords": ["artillery", "kapan"],
                "about": ["Kapan"],
            },
            {
                "id": "azerbaijan-denies-kapan",
                "party": "Azerbaijan",
                "speaker": "Defence Ministry",
                "keywords": ["shelled"],
                "about": ["Kapan"],
                "answers": ["stepanyan-kapan"],
            },
            {
                "id": "azerbaijan-firing",
                "party": "Azerbaijan",
                "speaker": "Defence Ministry",
                "keywords": ["firing"],
                "about": ["Tartar", "Agdam|Agdam District"],
            },
            {
                "id": "aliyev-hadrut",
                "party": "Azerbaijan",
                "speaker": "Ilham Aliyev",
                "keywords": ["hadrut"],
                "about": ["Hadrut"],
                "stance": "asserts",
                "holder": "Azerbaijan",
                "when": "2020-10-09",
            },
            {
                "id": "artsakh-hadrut",
                "party": "Artsakh",
                "keywords": ["hadrut"],
                "about": ["Hadrut"],
                "stance": "asserts",
                "holder": "Artsakh",
                "answers": ["aliyev-hadrut"],
            },
        ],
        "ceasefires": [
            {
                "names": ["Moscow humanitarian ceasefire", "first"],
                "state": "violated",
                "accused": ["Azerbaijan"],
                "accuser": "Armenia",
            },
            {
                "names": ["Moscow humanitarian ceasefire", "first"],
                "state": "violated",
                "accused": ["Armenia"],
                "accuser": "Azerbaijan",
            },
            {
                "names": ["Moscow humanitarian ceasefire", "first"],
                "state": "announced",
                "parties": ["Armenia", "Azerbaijan"],
                "mediators": ["Russia"],
            },
            {"names": ["Moscow humanitarian ceasefire", "first"], "state": "in effect"},
        ],
        "optional_control": [{"place": "Hadrut", "holder": "unknown"}],
    },
    "ministry_shusha.txt": {
        "published": date(2020, 11, 8),
        "places": ["Shusha", "Stepanakert"],
        "optional_places": ["Nagorno-Karabakh"],
        "new_places": ["Karin Tak", "Mkhitarashen"],
        "claims": [
            {
                "id": "fighting",
                "party": "Armenia",
                "speaker": "Ministry of Defence",
                "keywords": ["fighting"],
                "about": ["Shusha"],
            },
            {
                "id": "denies-capture",
                "party": "Armenia",
                "keywords": ["captured"],
                "about": ["Shusha"],
                "stance": "denies",
                "holder": "Azerbaijan",
            },
            {
                "id": "held",
                "party": "Armenia",
                "keywords": ["remains under"],
                "about": ["Shusha"],
                "stance": "asserts",
                "holder": "Artsakh",
            },
            {
                "id": "shelled",
                "party": "Armenia",
                "keywords": ["shelled"],
                "about": ["Stepanakert"],
            },
        ],
        "optional_claims": [
            {"party": "Armenia", "keywords": ["repelling", "casualties"]},
            {"party": "Azerbaijan", "keywords": ["captured"]},
        ],
        "ceasefires": [
            {
                "names": ["Washington humanitarian ceasefire", "third"],
                "state": "violated",
                "accused": ["Azerbaijan"],
                "accuser": "Armenia",
            },
        ],
    },
    "ocha_flash_update.txt": {
        "published": date(2020, 11, 9),
        "places": [
            "Nagorno-Karabakh",
            "Shusha",
            "Stepanakert",
            "Martakert",
            "Martuni",
            "Barda",
            "Tartar",
            "Goris",
            "Syunik",
            "Lachin",
        ],
        "optional_places": ["Khojavend District"],
        "new_places": ["Shurnukh"],
        "claims": [
            {
                "id": "azerbaijan-shusha",
                "party": "Azerbaijan",
                "keywords": ["shusha"],
                "about": ["Shusha"],
                "stance": "asserts",
                "holder": "Azerbaijan",
                "when": "2020-11-08",
            },
            {"id": "artsakh-fighting", "party": "Artsakh", "keywords": ["fighting"]},
            {"id": "displaced", "party": "Armenia", "keywords": ["displaced"], "about": []},
            {
                "id": "barda",
                "party": "Azerbaijan",
                "speaker": "Prosecutor General's Office",
                "keywords": ["rockets", "barda"],
                "about": ["Barda", "Tartar"],
            },
            {
                "id": "harutyunyan",
                "party": "Artsakh",
                "speaker": "Arayik Harutyunyan",
                "keywords": ["shushi"],
                "about": ["Shusha"],
                "stance": "denies",
                "holder": "Artsakh",
                "when": "2020-11-09",
            },
        ],
        "ceasefires": [
            {
                "names": ["Washington humanitarian ceasefire", "third", "25 October"],
                "state": "collapsed",
            },
        ],
    },
}


LATER_KEYS: dict[str, dict[str, Any]] = {
    "isw_update_30oct.txt": {
        "published": date(2020, 10, 30),
        "places": [
            "Nagorno-Karabakh",
            "Lachin corridor",
            "Shusha",
            "Khojavend District",
            "Martakert",
            "Stepanakert",
        ],
        "new_places": ["Mets Tagher"],
        "claims": [
            {
                "id": "arm-denies-withdrawal",
                "party": "Armenia",
                "speaker": "Armenian Ministry of Defense",
                "keywords": ["withdr"],
                "about": ["Shusha"],
            },
            {
                "id": "pashinyan",
                "party": "Armenia",
                "speaker": "Nikol Pashinyan",
                "keywords": ["holding"],
                "about": ["Shusha"],
                "when": "2020-10-29",
            },
            {
                "id": "az-s300",
                "party": "Azerbaijan",
                "speaker": "Defense Ministry",
                "keywords": ["s-300"],
                "about": ["Martakert"],
                "when": "2020-10-30",
            },
            {
                "id": "artsakh-strikes",
                "party": "Artsakh",
                "speaker": "Artsakh State Emergency Service",
                "keywords": ["rocket", "stepanakert"],
                "about": ["Stepanakert"],
            },
        ],
        "ceasefires": [
            {"names": ["Washington humanitarian ceasefire", "third"], "state": "collapsed"}
        ],
    },
    "wire_trilateral_10nov.txt": {
        "published": date(2020, 11, 10),
        "places": [
            "Yerevan",
            "Baku",
            "Nagorno-Karabakh",
            "Lachin corridor",
            "Agdam District|Agdam",
            "Kalbajar District|Kalbajar",
            "Lachin District|Lachin",
            "Khojavend District",
            "Fuzuli District|Fuzuli",
            "Martuni",
        ],
        "new_places": [],
        "claims": [
            {
                "id": "putin",
                "party": "Russia",
                "speaker": "Vladimir Putin",
                "keywords": ["peacekeepers"],
                "about": ["Lachin corridor"],
            },
            {
                "id": "pashinyan-painful",
                "party": "Armenia",
                "speaker": "Nikol Pashinyan",
                "keywords": ["painful"],
            },
            {
                "id": "pashinyan-withdraw",
                "party": "Armenia",
                "speaker": "Nikol Pashinyan",
                "keywords": ["withdraw"],
                "about": [
                    "Agdam District|Agdam",
                    "Kalbajar District|Kalbajar",
                    "Lachin District|Lachin",
                ],
            },
            {
                "id": "aliyev-capitulation",
                "party": "Azerbaijan",
                "speaker": "Ilham Aliyev",
                "keywords": ["capitulation"],
            },
            {
                "id": "aliyev-villages",
                "party": "Azerbaijan",
                "speaker": "Ilham Aliyev",
                "keywords": ["villages"],
                "about": ["Khojavend District", "Fuzuli District|Fuzuli"],
                "when": "2020-11-09",
            },
            {"id": "nk-martuni", "party": "Artsakh", "keywords": ["quiet"], "about": ["Martuni"]},
        ],
        "ceasefires": [
            {
                "names": ["ceasefire", "agreement", "deal"],
                "not_names": [
                    "Moscow humanitarian ceasefire",
                    "18 October humanitarian ceasefire",
                    "Washington humanitarian ceasefire",
                ],
                "state": "announced",
            },
            {
                "names": ["ceasefire", "agreement", "deal"],
                "not_names": [
                    "Moscow humanitarian ceasefire",
                    "18 October humanitarian ceasefire",
                    "Washington humanitarian ceasefire",
                ],
                "state": "in effect",
            },
        ],
    },
    "ngo_security_advisory.txt": {
        "published": date(2020, 10, 28),
        "places": ["Tartar", "Barda", "Martakert"],
        "new_places": ["Shykharkh"],
        "claims": [
            {
                "id": "az-shelling",
                "party": "Azerbaijan",
                "speaker": "defence ministry",
                "keywords": ["shelling"],
                "about": ["Tartar", "Barda"],
                "when": "2020-10-27",
            },
            {
                "id": "arm-denies",
                "party": "Armenia",
                "speaker": "defence ministry",
                "keywords": ["not", "accusation", "shell"],
                "answers": ["az-shelling"],
            },
            {
                "id": "arm-drones",
                "party": "Armenia",
                "speaker": "defence ministry",
                "keywords": ["drones"],
                "about": ["Martakert"],
            },
            {
                "id": "az-barda",
                "party": "Azerbaijan",
                "keywords": ["missile", "barda"],
                "about": ["Barda"],
                "when": "2020-10-28",
            },
            {
                "id": "arm-responsibility",
                "party": "Armenia",
                "keywords": ["responsib", "not true"],
                "answers": ["az-barda"],
            },
        ],
        "ceasefires": [
            {
                "names": ["Washington humanitarian ceasefire", "third", "US-brokered"],
                "state": "violated",
            },
            {
                "names": ["Washington humanitarian ceasefire", "third", "US-brokered"],
                "state": "collapsed",
            },
        ],
    },
    "mod_az_statement_22oct.txt": {
        "published": date(2020, 10, 22),
        "places": ["Tartar", "Agdam District|Agdam", "Qubadli"],
        "optional_places": ["Khojavend District", "Martuni"],
        "new_places": ["Aghjabadi"],
        "claims": [
            {
                "id": "enemy-shelled",
                "party": "Azerbaijan",
                "speaker": "Ministry of Defense",
                "keywords": ["shelled"],
                "about": ["Tartar", "Agdam District|Agdam"],
            },
            {
                "id": "cleared",
                "party": "Azerbaijan",
                "speaker": "Ministry of Defense",
                "keywords": ["cleared"],
                "about": ["Qubadli"],
                "stance": "asserts",
                "holder": "Azerbaijan",
            },
            {
                "id": "false-aircraft",
                "party": "Azerbaijan",
                "speaker": "Ministry of Defense",
                "keywords": ["aircraft"],
            },
        ],
        "optional_claims": [{"party": "Azerbaijan", "keywords": ["retaliatory", "losses"]}],
        "ceasefires": [
            {
                "names": ["18 October humanitarian ceasefire", "second"],
                "state": "violated",
                "accused": ["Armenia"],
                "accuser": "Azerbaijan",
            }
        ],
    },
    "wire_jabrayil_4oct.txt": {
        "published": date(2020, 10, 4),
        "places": ["Baku", "Yerevan", "Jabrayil", "Nagorno-Karabakh", "Stepanakert"],
        "new_places": [],
        "claims": [
            {
                "id": "aliyev-jabrayil",
                "party": "Azerbaijan",
                "speaker": "Ilham Aliyev",
                "keywords": ["captured"],
                "about": ["Jabrayil"],
                "stance": "asserts",
                "holder": "Azerbaijan",
                "when": "2020-10-04",
            },
            {
                "id": "aliyev-tweet",
                "party": "Azerbaijan",
                "speaker": "Ilham Aliyev",
                "keywords": ["liberated"],
                "about": ["Jabrayil"],
                "stance": "asserts",
                "holder": "Azerbaijan",
            },
            {
                "id": "stepanyan-lie",
                "party": "Armenia",
                "speaker": "Shushan Stepanyan",
                "keywords": ["lie", "not true"],
                "about": ["Jabrayil"],
                "stance": "denies",
                "holder": "Azerbaijan",
                "answers": ["aliyev-tweet", "aliyev-jabrayil"],
            },
            {
                "id": "harutyunyan",
                "party": "Artsakh",
                "speaker": "Arayik Harutyunyan",
                "keywords": ["shelled"],
                "about": ["Stepanakert"],
            },
            {
                "id": "iran",
                "party": "Iran",
                "speaker": "Saeed Khatibzadeh",
                "keywords": ["shells"],
                "about": [],
            },
        ],
        "optional_claims": [{"party": "Armenia", "keywords": ["fighting"]}],
        "ceasefires": [],
    },
    "icrc_news_release.txt": {
        "published": date(2020, 10, 28),
        "places": ["Nagorno-Karabakh", "Stepanakert", "Ganja", "Barda"],
        "new_places": [],
        "claims": [
            {"id": "az-civilians", "party": "Azerbaijan", "keywords": ["91"], "about": []},
            {"id": "nk-civilians", "party": "Artsakh", "keywords": ["50"], "about": []},
        ],
        "ceasefires": [],
    },
    "live_blog_day40.txt": {
        "published": date(2020, 11, 5),
        "places": ["Nagorno-Karabakh", "Kalbajar District|Kalbajar", "Shusha", "Stepanakert"],
        "optional_places": ["Yerevan"],
        "new_places": [],
        "claims": [
            {
                "id": "az-su25",
                "party": "Azerbaijan",
                "speaker": "defence ministry",
                "keywords": ["su-25", "shot down"],
                "about": ["Kalbajar District|Kalbajar"],
            },
            {
                "id": "pashinyan-battle",
                "party": "Armenia",
                "speaker": "Nikol Pashinyan",
                "keywords": ["battle"],
                "about": ["Shusha"],
                "stance": None,
                "holder": None,
            },
            {
                "id": "pashinyan-ours",
                "party": "Armenia",
                "speaker": "Nikol Pashinyan",
                "keywords": ["ours"],
                "about": ["Shusha"],
                "stance": "asserts",
                "holder": "Armenia",
            },
            {
                "id": "erdogan",
                "party": "Turkey",
                "speaker": "Recep Tayyip Erdogan",
                "keywords": ["liberating", "occupied"],
                "about": ["Nagorno-Karabakh"],
            },
            {
                "id": "beglaryan",
                "party": "Artsakh",
                "speaker": "Artak Beglaryan",
                "keywords": ["drones", "hospital"],
                "about": ["Stepanakert"],
            },
        ],
        "ceasefires": [],
    },
    "mod_ru_statement.txt": {
        "published": date(2020, 11, 11),
        "places": ["Stepanakert", "Lachin corridor", "Goris"],
        "new_places": [],
        "claims": [
            {
                "id": "arrived",
                "party": "Russia",
                "speaker": "Ministry of Defence",
                "keywords": ["arrived", "peacekeeping"],
                "about": ["Stepanakert"],
            },
            {
                "id": "posts",
                "party": "Russia",
                "speaker": "Ministry of Defence",
                "keywords": ["observation posts"],
                "about": ["Lachin corridor"],
            },
            {
                "id": "patrolling",
                "party": "Russia",
                "speaker": "Ministry of Defence",
                "keywords": ["patrolling"],
                "about": ["Goris", "Stepanakert"],
            },
        ],
        "ceasefires": [
            {
                "names": ["ceasefire"],
                "not_names": [
                    "Moscow humanitarian ceasefire",
                    "18 October humanitarian ceasefire",
                    "Washington humanitarian ceasefire",
                ],
                "state": "holding",
            }
        ],
    },
    "armenpress_martuni.txt": {
        "published": date(2020, 10, 14),
        "places": ["Martuni", "Stepanakert", "Hadrut"],
        "new_places": ["Karmir Shuka"],
        "claims": [
            {"id": "nk-shelled", "party": "Artsakh", "keywords": ["shelled"], "about": ["Martuni"]},
            {
                "id": "nk-wounded",
                "party": "Artsakh",
                "speaker": "Artsakh Emergency Service",
                "keywords": ["wounded"],
                "about": ["Martuni"],
            },
            {
                "id": "harutyunyan",
                "party": "Artsakh",
                "speaker": "Arayik Harutyunyan",
                "keywords": ["positions"],
                "about": ["Hadrut"],
                "stance": None,
                "holder": None,
            },
            {
                "id": "az-hadrut",
                "party": "Azerbaijan",
                "speaker": "Azerbaijani Defense Ministry",
                "keywords": ["control"],
                "about": ["Hadrut"],
                "stance": "asserts",
                "holder": "Azerbaijan",
            },
        ],
        "ceasefires": [],
    },
}


ALL_KEYS = {**OTHER_KEYS, **LATER_KEYS}


def other(name: str) -> tuple[dict[str, Any], Proposal]:
    key = ALL_KEYS[name]
    text = (HERE / "other_reports" / name).read_text(encoding="utf-8")
    return key, extract(text, nk2020(), key["published"])


@pytest.mark.parametrize("name", sorted(ALL_KEYS))
def test_other_report_figures(name: str) -> None:
    key, proposal = other(name)
    figures = score(f"Other report: {name}", key, proposal)
    figures.show()
    assert figures.values["places recall"] >= 0.8
    assert figures.values["claims recall"] >= 0.6
    assert figures.values["claims precision"] >= 0.6


def test_other_reports_together() -> None:
    totals: dict[str, list[int]] = {}
    for name in sorted(ALL_KEYS):
        key, proposal = other(name)
        for what, counts in score(name, key, proposal).counts.items():
            total = totals.setdefault(what, [0, 0, 0, 0])
            for n, value in enumerate(counts):
                total[n] += value
    print(f"\nAll {len(ALL_KEYS)} other reports together")
    for what, (found, relevant, right, extracted) in totals.items():
        print(
            f"  {what:<11} recall {found / max(relevant, 1):4.2f} ({found}/{relevant})"
            f"  precision {right / max(extracted, 1):4.2f} ({right}/{extracted})"
        )
    found, relevant, right, extracted = totals["claims"]
    assert found / relevant >= 0.85 and right / extracted >= 0.85
    found, relevant, right, extracted = totals["ceasefires"]
    assert found / relevant >= 0.75 and right / extracted >= 0.75
    found, relevant, right, extracted = totals["places"]
    assert found / relevant >= 0.9 and right / extracted >= 0.9


@pytest.mark.parametrize("name", sorted(ALL_KEYS))
def test_other_report_details(name: str) -> None:
    key, proposal = other(name)
    matched, _ = match_claims(key, proposal)
    for item in key["claims"]:
        c = matched.get(item["id"])
        if c is None:
            continue
        assert isinstance(c.command, ClaimUpdate)
        if "speaker" in item:
            assert _speaker_matches(item["speaker"], c.command.speaker), item["id"]
        if "stance" in item:
            stance = Stance(item["stance"]) if item["stance"] else None
            assert (c.command.stance, c.command.holder) == (stance, item.get("holder")), item["id"]
        if "when" in item:
            assert str(c.command.common.when) == item["when"], item["id"]
        if "answers" in item:
            assert c.answers in {matched[t].number for t in item["answers"] if t in matched}, item[
                "id"
            ]


def test_wire_truce_takes_effect_at_local_noon() -> None:
    _, proposal = other("wire_moscow_truce.txt")
    in_effect = [
        c.command
        for c in proposal.candidates
        if isinstance(c.command, CeasefireUpdate) and c.command.state is CeasefireState.IN_EFFECT
    ]
    assert in_effect and str(in_effect[0].effective) == "2020-10-10T12:00"


def test_statement_speaks_in_the_issuers_voice() -> None:
    _, proposal = other("ministry_shusha.txt")
    claims = [c.command for c in proposal.candidates if isinstance(c.command, ClaimUpdate)]
    assert claims and all(c.parties == ("Armenia",) for c in claims)
    assert all("Ministry of Defence" in (c.speaker or "") for c in claims)


def test_candidates_are_ready_to_record() -> None:
    """Every candidate reads back through the command language unchanged, and
    answers only an earlier candidate."""
    reports = [(seed_key()["report"], seed_key()["published"])] + [
        ((HERE / "other_reports" / name).read_text(encoding="utf-8"), key["published"])
        for name, key in ALL_KEYS.items()
    ]
    for text, published in reports:
        for c in extract(text, nk2020(), published).candidates:
            assert parse_line(unparse(c.command)) == c.command, c.label
            assert c.answers is None or 1 <= c.answers < c.number


# ---- speakers and parties ----------------------------------------------------


def only_claim(text: str, gazetteer: Gazetteer | None = None) -> ClaimUpdate:
    claims = [
        c.command
        for c in extract(text, gazetteer or nk2020(), date(2020, 10, 27)).candidates
        if isinstance(c.command, ClaimUpdate)
    ]
    assert len(claims) == 1, claims
    return claims[-1]


@pytest.mark.parametrize(
    ("text", "party", "speaker"),
    [
        (
            "Turkish Defence Minister Hulusi Akar said that Armenian forces must withdraw from Azerbaijani lands.",
            "Turkey",
            "Hulusi Akar",
        ),
        (
            "The Russian Foreign Ministry said it was deeply concerned by reports of fighting near Stepanakert.",
            "Russia",
            "Russian Foreign Ministry",
        ),
        (
            "Iranian officials said several shells landed in villages near the border with Jabrayil.",
            "Iran",
            None,
        ),
        (
            "French President Emmanuel Macron said on Thursday that Syrian fighters were travelling to Nagorno-Karabakh.",
            "France",
            "Emmanuel Macron",
        ),
        (
            "A US State Department spokesperson said Washington was working with both sides.",
            "United States",
            "US State Department spokesperson",
        ),
        ("Baku said its forces had taken control of the Lachin corridor.", "Azerbaijan", None),
        (
            "The Armenian side insists that Turkish F-16s shot down an Armenian aircraft.",
            "Armenia",
            None,
        ),
        (
            "On October 25, the General Prosecutor's Office of Armenia announced that Turkish special forces took part in clashes.",
            "Armenia",
            "General Prosecutor's Office of Armenia",
        ),
        (
            "In Azerbaijan, the Prosecutor General's Office reported that rockets hit the city of Barda.",
            "Azerbaijan",
            "Prosecutor General's Office",
        ),
        (
            "Nagorno-Karabakh's defence army said Hadrut remained under its control.",
            "Artsakh",
            None,
        ),
        (
            "Hadrut is still held by Armenian forces, according to the Armenian Defence Ministry.",
            "Armenia",
            "Armenian Defence Ministry",
        ),
        (
            '"We have liberated Shusha," said Azerbaijani President Ilham Aliyev.',
            "Azerbaijan",
            "Ilham Aliyev",
        ),
    ],
)
def test_speaker_to_party(text: str, party: str, speaker: str | None) -> None:
    claim = only_claim(text)
    assert claim.parties == (party,)
    assert claim.speaker == speaker


def test_people_and_roles_keep_their_party_across_sentences() -> None:
    text = (
        "Azerbaijani President Ilham Aliyev addressed the nation on Sunday. "
        "Aliyev claimed that his forces destroyed 300 Armenian tanks. "
        "The Azerbaijani leader also stated that Armenia received modern weapons every day. "
        "Armenia's Defence Ministry said the figures were invented. "
        "Ministry spokeswoman Shushan Stepanyan said artillery hit villages near Kapan."
    )
    claims = [
        c.command for c in extract(text, nk2020()).candidates if isinstance(c.command, ClaimUpdate)
    ]
    assert [(c.parties, c.speaker) for c in claims] == [
        (("Azerbaijan",), "Ilham Aliyev"),
        (("Azerbaijan",), "Ilham Aliyev"),
        (("Armenia",), "Armenia's Defence Ministry"),
        (("Armenia",), "Shushan Stepanyan"),
    ]
    assert claims[0].text == "Azerbaijani forces destroyed 300 Armenian tanks."


def test_unknown_speakers_make_no_claim() -> None:
    proposal = extract(
        "Human Rights Watch said cluster munitions were used in Stepanakert.", nk2020()
    )
    assert not [c for c in proposal.candidates if isinstance(c.command, ClaimUpdate)]


def test_rules_follow_the_gazetteer_not_one_war() -> None:
    ukraine = Gazetteer(
        parties=(
            KnownParty("Ukraine", "Ukraine", ("Ukrainian side",)),
            KnownParty("Russia", "Russia", ("Russian Federation",)),
        ),
        places=(KnownPlace("Bakhmut", ("Artemivsk", "Artemovsk")), KnownPlace("Soledar", ())),
    )
    claim = only_claim(
        "Ukrainian military spokesman Serhiy Cherevatyi said Russian forces had not captured Bakhmut.",
        ukraine,
    )
    assert claim.parties == ("Ukraine",) and claim.speaker == "Serhiy Cherevatyi"
    assert (claim.stance, claim.holder, claim.common.about) == (
        Stance.DENIES,
        "Russia",
        ("Bakhmut",),
    )
    claim = only_claim("Moscow said its troops had taken Artemovsk.", ukraine)
    assert claim.parties == ("Russia",)
    assert (claim.stance, claim.holder, claim.common.about) == (
        Stance.ASSERTS,
        "Russia",
        ("Bakhmut",),
    )


# ---- stance ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stance", "holder", "about"),
    [
        (
            "Nonetheless, according to the Armenian Defense Ministry, the towns of Fuzuli and Hadrut are still not controlled by Azerbaijan.",
            Stance.DENIES,
            "Azerbaijan",
            ("Fuzuli", "Hadrut"),
        ),
        (
            "The Armenian Defence Ministry denied that Azerbaijani forces had captured Shushi.",
            Stance.DENIES,
            "Azerbaijan",
            ("Shusha",),
        ),
        (
            "Shushi fell to Azerbaijani forces, Azerbaijani President Ilham Aliyev said.",
            Stance.ASSERTS,
            "Azerbaijan",
            ("Shusha",),
        ),
        (
            "Azerbaijani forces liberated the town of Jabrayil, the defence ministry said.",
            Stance.ASSERTS,
            "Azerbaijan",
            ("Jabrayil",),
        ),
        (
            "Armenian troops retreated from Fuzuli, the Armenian Defence Ministry acknowledged.",
            Stance.DENIES,
            "Armenia",
            ("Fuzuli",),
        ),
        (
            "Nagorno-Karabakh leader Arayik Harutyunyan said the town of Shushi was out of the control of the Karabakh forces.",
            Stance.DENIES,
            "Artsakh",
            ("Shusha",),
        ),
        (
            "The Armenian Defence Ministry said Martuni remains under our control.",
            Stance.ASSERTS,
            "Armenia",
            ("Martuni",),
        ),
        (
            "Azerbaijani President Ilham Aliyev claimed that his forces took control of Qubadli.",
            Stance.ASSERTS,
            "Azerbaijan",
            ("Qubadli",),
        ),
        (
            "The Armenian Defense Ministry admitted that it has lost the south of Karabakh.",
            None,
            None,
            ("Nagorno-Karabakh",),
        ),
        (
            "The Armenian Defence Ministry said fighting continues near Shushi.",
            None,
            None,
            ("Shusha",),
        ),
        (
            "The General Prosecutor's Office of Armenia said Turkish special forces took part in clashes in Karabakh.",
            None,
            None,
            ("Nagorno-Karabakh",),
        ),
        ("Azerbaijani President Ilham Aliyev said his army destroyed 300 tanks.", None, None, ()),
    ],
)
def test_stance(
    text: str, stance: Stance | None, holder: str | None, about: tuple[str, ...]
) -> None:
    claim = only_claim(text)
    assert (claim.stance, claim.holder, claim.common.about) == (stance, holder, about)


def test_denying_what_was_said_answers_it() -> None:
    text = (
        'Azerbaijani President Ilham Aliyev said: "We have liberated Shusha." '
        "Armenian officials denied it. "
        "The Armenian Defence Ministry also rejected reports that Shushi had fallen."
    )
    proposal = extract(text, nk2020())
    claims = [c for c in proposal.candidates if isinstance(c.command, ClaimUpdate)]
    assert len(claims) == 3
    first = claims[0]
    assert all(c.answers == first.number for c in claims[1:])
    denial = claims[1].command
    assert isinstance(denial, ClaimUpdate)
    assert (denial.stance, denial.holder) == (Stance.DENIES, "Azerbaijan")


# ---- ceasefires ----------------------------------------------------------------


def ceasefire_events(text: str, published: date | None = None) -> list[CeasefireUpdate]:
    return [
        c.command
        for c in extract(text, nk2020(), published).candidates
        if isinstance(c.command, CeasefireUpdate)
    ]


def test_ceasefire_lifecycle_words() -> None:
    (agreed,) = ceasefire_events(
        "Armenian and Azerbaijani foreign ministers agreed in Moscow on a humanitarian ceasefire, "
        "Russian Foreign Minister Sergei Lavrov said."
    )
    assert (agreed.name, agreed.state) == (
        "Moscow humanitarian ceasefire",
        CeasefireState.ANNOUNCED,
    )
    assert agreed.parties == ("Armenia", "Azerbaijan") and agreed.mediators == ("Russia",)
    (effect,) = ceasefire_events(
        "The truce took effect at midnight on October 18.", date(2020, 10, 18)
    )
    assert effect.state is CeasefireState.IN_EFFECT and str(effect.effective) == "2020-10-18T00:00"
    (violated,) = ceasefire_events("Azerbaijan accused Armenia of violating the ceasefire.")
    assert (violated.accuser, violated.accused) == ("Azerbaijan", ("Armenia",))
    (collapsed,) = ceasefire_events("The second ceasefire collapsed within hours.")
    assert (collapsed.name, collapsed.state) == (
        "18 October humanitarian ceasefire",
        CeasefireState.COLLAPSED,
    )


def test_a_new_ceasefire_gets_a_descriptive_name() -> None:
    gazetteer = Gazetteer(nk2020().parties, nk2020().places, ())
    events = [
        c.command
        for c in extract(
            "Armenia and Azerbaijan agreed on a new humanitarian ceasefire, the fourth since the war began.",
            gazetteer,
        ).candidates
        if isinstance(c.command, CeasefireUpdate)
    ]
    assert [(e.name, e.state) for e in events] == [
        ("fourth humanitarian ceasefire", CeasefireState.ANNOUNCED)
    ]


# ---- control statements, notes, new places ------------------------------------------


def test_report_voice_control() -> None:
    proposal = extract(
        "The Azerbaijani advance on the town of Qubadli faced difficulties and the town remains contested. "
        "Azerbaijani forces have reportedly captured Jabrayil.",
        nk2020(),
    )
    controls = [c.command for c in proposal.candidates if isinstance(c.command, ControlUpdate)]
    assert [(c.place, c.holder, c.confidence and c.confidence.value) for c in controls] == [
        ("Qubadli", "contested", None),
        ("Jabrayil", "Azerbaijan", "low"),
    ]


def test_unknown_place_names_are_offered() -> None:
    proposal = extract(
        "Azerbaijani forces shelled the village of Taghavard and positions near Karmir Shuka, "
        "the Armenian Defence Ministry said. In October, fighting reached the outskirts of "
        "Martakert. Foreign ministers met in Geneva. President Aliyev spoke near Shushi.",
        nk2020(),
    )
    offered = [
        (c.command.name, c.command.kind)
        for c in proposal.candidates
        if isinstance(c.command, PlaceUpdate)
    ]
    assert [name for name, _ in offered] == ["Taghavard", "Karmir Shuka"]
    assert offered[0][1] is not None and offered[0][1].value == "village"
    assert all(
        c.label.startswith("New place? ")
        for c in proposal.candidates
        if isinstance(c.command, PlaceUpdate)
    )


# ---- page furniture ---------------------------------------------------------------


def test_boilerplate_is_skipped() -> None:
    text = (
        "By Jane Doe\n\nRegion: Caucasus\n\n"
        "By Sunday, Azerbaijani forces had captured the town of Hadrut, the Azerbaijani Defence Ministry said.\n\n"
        "Subscribe to our newsletter for daily updates from Stepanakert.\n\n"
        "Note to readers: please click the share buttons. Azerbaijan said it took Shusha.\n\n"
        "Copyright © 2020 Example News. All rights reserved.\n\n"
        "Disclaimer: The contents of this article are of sole responsibility of the author.\n\n"
        "https://example.org/video.mp4\n"
    )
    paragraphs = report_paragraphs(text)
    assert paragraphs == [
        "By Sunday, Azerbaijani forces had captured the town of Hadrut, the Azerbaijani Defence Ministry said."
    ]
    proposal = extract(text, nk2020())
    assert proposal.places_named == ("Hadrut",)
    assert len(proposal.candidates) == 1


# ---- robustness ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t  ",
        "🔥🔥🔥 Шуша 🇦🇲🇦🇿 ✌️ said 💥",
        "قال المتحدث باسم وزارة الدفاع الأذربيجانية إن القوات سيطرت على شوشا.",
        "דובר משרד ההגנה אמר כי הכוחות נסוגו מהעיר. \u202eShusha\u202c",
        "\x00\x01\x02 said that \ufeff\u200b Armenia",
        "said said said according to according to , , ,",
        "the town of the village of near in at from",
        "Ceasefire. Truce! ceasefire? violated collapsed in effect.",
    ],
)
def test_odd_text_is_harmless(text: str) -> None:
    proposal = extract(text, nk2020())
    assert isinstance(proposal, Proposal)


def test_a_long_report_is_handled_quickly() -> None:
    seed_proposal()  # pipeline built
    rng = random.Random(7)
    paragraphs = report_paragraphs(seed_key()["report"])
    text = ""
    while len(text) < 100_000:
        text += rng.choice(paragraphs) + "\n\n"
    text = text[:100_000]
    start = time.perf_counter()
    proposal = extract(text, nk2020(), date(2020, 10, 27))
    elapsed = time.perf_counter() - start
    print(
        f"\n100,000 characters extracted in {elapsed:.2f} s, {len(proposal.candidates)} candidates"
    )
    assert elapsed < 5.0
    assert proposal.candidates


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_harmless(text: str) -> None:
    extract(text, nk2020())
