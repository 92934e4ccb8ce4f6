"""Name resolution over every name of the 2020 war's places."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from bot.domain.errors import Ambiguous, NotFound
from bot.domain.names import NameEntry, entries_for, normalize, resolve
from bot.services.context import Context
from bot.services.resolve import pick_conflict, resolve_place

GAZETTEER = Path(__file__).resolve().parents[2] / "shared" / "data" / "nk2020_gazetteer.json"


def gazetteer() -> list[dict[str, Any]]:
    if not GAZETTEER.exists():
        pytest.skip(f"the shared gazetteer is not beside the project ({GAZETTEER})")
    data: list[dict[str, Any]] = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Şuşa", "susa"),
        ("SHUSHA", "shusha"),
        ("Xankəndi", "xankendi"),
        ("Cəbrayıl", "cebrayil"),
        ("Nagorno-Karabakh", "nagorno karabakh"),
        ("  Lachin\u200b ", "lachin"),
        ("Füzuli", "fuzuli"),
    ],
)
def test_normalize_folds_case_diacritics_and_separators(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def _index(names: dict[int, list[str]]) -> list[NameEntry]:
    return [e for pid, ns in names.items() for e in entries_for(pid, ns)]


def test_exact_beats_fuzzy_and_fuzzy_needs_a_clear_winner() -> None:
    entries = _index(
        {1: ["Lachin"], 2: ["Lachin corridor"], 3: ["Fuzuli", "Varanda"], 4: ["Vardenis"]}
    )
    typo = resolve("Lachn", [], entries)
    assert typo.match is not None and typo.match.entity_id == 1
    assert typo.fuzzy
    unknown = resolve("Zzyzx", [], entries)
    assert unknown.match is None and not unknown.ambiguous


def test_every_gazetteer_name_reaches_its_place(sqlite_demo: Context) -> None:
    places = gazetteer()
    owners: dict[str, set[str]] = defaultdict(set)
    for place in places:
        for name in [place["name"], *place["aliases"], *place.get("names_by_side", {}).values()]:
            owners[normalize(name)].add(place["name"])
    checked = 0
    with sqlite_demo.uow.read() as tx:
        conflict = pick_conflict(tx, None)
        for place in places:
            for name in [*place["aliases"], *place.get("names_by_side", {}).values()]:
                expected = owners[normalize(name)]
                if len(expected) == 1:
                    found, match, _ = resolve_place(tx, conflict, name)
                    assert found.name == place["name"], name
                    assert not match.fuzzy, name
                else:
                    with pytest.raises(Ambiguous) as info:
                        resolve_place(tx, conflict, name)
                    assert len(info.value.options) == len(expected), name
                checked += 1
    assert checked > 200


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("Stepankert", "Stepanakert"),
        ("stepanakert", "Stepanakert"),
        ("Shushi", "Shusha"),
        ("Şuşa", "Shusha"),
        ("SHUSHA", "Shusha"),
        ("Шуша", "Shusha"),
        ("Berdzor", "Lachin"),
        ("Varanda", "Fuzuli"),
        ("Stepanakrt", "Stepanakert"),  # a typo: fuzzy
        ("Hadrutt", "Hadrut"),
        ("kalbajar", "Kalbajar"),
    ],
)
def test_spellings_reach_the_place(sqlite_demo: Context, typed: str, place: str) -> None:
    with sqlite_demo.uow.read() as tx:
        found, _, _ = resolve_place(tx, pick_conflict(tx, None), typed)
    assert found.name == place


def test_true_ambiguity_asks(sqlite_demo: Context) -> None:
    with sqlite_demo.uow.read() as tx:
        conflict = pick_conflict(tx, None)
        with pytest.raises(Ambiguous) as martuni:
            resolve_place(tx, conflict, "Martuni")
        with pytest.raises(Ambiguous) as khojavend:
            resolve_place(tx, conflict, "Khojavend")
    assert any("Martuni (Armenia)" in o for o in martuni.value.options)
    assert len(martuni.value.options) == 2
    assert any("Khojavend District" in o for o in khojavend.value.options)


def test_exact_lachin_is_the_town_and_mentions_district_and_corridor(sqlite_demo: Context) -> None:
    with sqlite_demo.uow.read() as tx:
        place, match, related = resolve_place(tx, pick_conflict(tx, None), "Lachin")
    assert place.name == "Lachin" and place.kind == "town" and not match.fuzzy
    assert {p.name for p in related} == {"Lachin District", "Lachin corridor"}


def test_unknown_name_suggests_the_closest(sqlite_demo: Context) -> None:
    with sqlite_demo.uow.read() as tx:
        conflict = pick_conflict(tx, None)
        with pytest.raises(NotFound) as near:
            resolve_place(tx, conflict, "Shushaa-Lachinn")
        with pytest.raises(NotFound) as far:
            resolve_place(tx, conflict, "Qwertyuiop")
    assert "Shushaa-Lachinn" in near.value.message
    assert "Qwertyuiop" in far.value.message
    assert far.value.suggestions == () or all(isinstance(s, str) for s in far.value.suggestions)


def test_display_names_show_both_sides(sqlite_demo: Context) -> None:
    with sqlite_demo.uow.read() as tx:
        conflict = pick_conflict(tx, None)
        shusha, _, _ = resolve_place(tx, conflict, "Shusha")
        stepanakert, _, _ = resolve_place(tx, conflict, "Khankendi")
        lachin, _, _ = resolve_place(tx, conflict, "Stepankert")
    assert shusha.display_name == "Shusha (Shushi)"
    assert stepanakert.display_name == "Stepanakert (Khankendi)"
    assert "Stepankert" not in lachin.display_name  # misspellings stay aliases
