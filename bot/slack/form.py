"""The update form: a modal that asks for the kind of update, then the fields
that kind needs, and turns a submission into the same command the one-line
`/update` would have made."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.domain import commands as cmd
from bot.domain.errors import ParseError
from bot.domain.model import CeasefireState, Confidence, Stance
from bot.domain.times import TimeSpec, parse_time_spec

CALLBACK = "update_form"
KIND_ACTION = "form_kind"
CONFLICT_ACTION = "form_conflict"
KINDS = {
    "claim": "A claim by a party",
    "control": "Who controls a place",
    "ceasefire": "A ceasefire event",
    "note": "A note",
}
DEFAULT_KIND = "claim"
PICK_PLACE = "pick_place"
PICK_PARTY = "pick_party"
PICK_HOLDER = "pick_holder"
TEXT_MAX = 2000
NAME_MAX = 100


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label[:75]), "value": value[:150]}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text(
    block_id: str,
    label: str,
    optional: bool = False,
    multiline: bool = False,
    max_length: int = NAME_MAX,
    placeholder: str | None = None,
    hint: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return _input(block_id, label, element, optional, hint)


def _static(
    block_id: str, label: str, options: list[tuple[str, str]], optional: bool = False
) -> dict[str, Any]:
    return _input(
        block_id,
        label,
        {"type": "static_select", "options": [_option(value, label) for value, label in options]},
        optional,
    )


def _external(
    block_id: str, label: str, source: str, multi: bool = False, optional: bool = False
) -> dict[str, Any]:
    # The options come from the ledger as the user types (`app.options`), so a
    # ledger with hundreds of places stays usable. The action_id names the source.
    element = {
        "type": "multi_external_select" if multi else "external_select",
        "min_query_length": 1,
    }
    block = _input(block_id, label, element, optional)
    block["element"]["action_id"] = f"{source}:{block_id}"
    return block


def _common(with_note: bool) -> list[dict[str, Any]]:
    blocks = [
        _text(
            "when",
            "When it happened",
            optional=True,
            placeholder="2020-10-26T08:00, 26 Oct 2020, yesterday, 3h ago",
            hint="Empty means now. A date alone is known to the day; ~ marks an approximate time.",
        ),
        _text("source", "Source (URL or name)", optional=True, max_length=1000),
    ]
    if with_note:
        blocks.append(_text("note", "Note", optional=True, multiline=True, max_length=TEXT_MAX))
    return blocks


def fields(kind: str) -> list[dict[str, Any]]:
    if kind == "control":
        return [
            _external("place", "Place", PICK_PLACE),
            _external("holder", "Held by", PICK_HOLDER),
            _static(
                "confidence", "Confidence", [(c.value, c.value) for c in Confidence], optional=True
            ),
            *_common(with_note=True),
        ]
    if kind == "claim":
        return [
            _external("parties", "Party making the claim", PICK_PARTY, multi=True),
            _text("speaker", "Speaker (who said it for the party)", optional=True),
            _text("text", "What they claim", multiline=True, max_length=TEXT_MAX),
            _external("about", "Places it is about", PICK_PLACE, multi=True, optional=True),
            _static(
                "stance",
                "Stance on control",
                [
                    ("asserts", "asserts: holds these places"),
                    ("denies", "denies: does not hold them"),
                ],
                optional=True,
            ),
            _external(
                "holder",
                "Whose control the stance is about (default: the claimant)",
                PICK_PARTY,
                optional=True,
            ),
            *_common(with_note=False),
        ]
    if kind == "ceasefire":
        return [
            _text(
                "ceasefire",
                "Ceasefire (name, or order: third)",
                hint="A new name starts a new ceasefire (announced or in effect).",
            ),
            _static("state", "New state", [(s.value, s.value) for s in CeasefireState]),
            _external("accused", "Accused of violating it", PICK_PARTY, multi=True, optional=True),
            _external("accuser", "Accused by", PICK_PARTY, optional=True),
            *_common(with_note=True),
        ]
    return [
        _text("text", "Note", multiline=True, max_length=TEXT_MAX),
        _external("about", "Places it is about", PICK_PLACE, multi=True, optional=True),
        *_common(with_note=False),
    ]


def form_view(
    kind: str = DEFAULT_KIND, conflict: str | None = None, conflicts: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The form for one kind of update. With several conflicts in the ledger it
    also asks which one (places and parties belong to a conflict)."""
    kind = kind if kind in KINDS else DEFAULT_KIND
    elements: list[dict[str, Any]] = [
        {
            "type": "static_select",
            "action_id": KIND_ACTION,
            "initial_option": _option(kind, KINDS[kind]),
            "options": [_option(k, label) for k, label in KINDS.items()],
        }
    ]
    if len(conflicts) > 1:
        chooser: dict[str, Any] = {
            "type": "static_select",
            "action_id": CONFLICT_ACTION,
            "placeholder": _plain("Which conflict?"),
            "options": [_option(name, name) for name in conflicts[:100]],
        }
        if conflict in conflicts:
            chooser["initial_option"] = _option(conflict, conflict)
        elements.append(chooser)
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": _plain("Add an update"),
        "submit": _plain("Record"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(
            {"kind": kind, "conflict": conflict, "conflicts": list(conflicts[:20])}
        ),
        "blocks": [
            {"type": "actions", "block_id": "kind_block", "elements": elements},
            *fields(kind),
        ],
    }


def done_view(message_mrkdwn: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": _plain("Recorded"),
        "close": _plain("Close"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": message_mrkdwn[:3000]}}],
    }


# ---- reading a submission ------------------------------------------------------


@dataclass
class FormErrors(Exception):
    errors: dict[str, str]


def _value(state: dict[str, Any], block_id: str) -> Any:
    actions = state.get(block_id) or {}
    for element in actions.values():
        kind = element.get("type")
        if kind == "plain_text_input":
            value = element.get("value")
            return value.strip() if isinstance(value, str) and value.strip() else None
        if kind in ("static_select", "external_select"):
            option = element.get("selected_option")
            return option.get("value") if option else None
        if kind in ("multi_external_select", "multi_static_select"):
            return tuple(o["value"] for o in element.get("selected_options") or [])
    return None


def command_from(view: dict[str, Any]) -> cmd.LedgerWrite:
    """The command a submitted form stands for; FormErrors names the fields that are wrong."""
    meta = json.loads(view.get("private_metadata") or "{}")
    kind = meta.get("kind", DEFAULT_KIND)
    conflict = meta.get("conflict")
    state = view.get("state", {}).get("values", {})
    get: Callable[[str], Any] = lambda block_id: _value(state, block_id)  # noqa: E731
    errors: dict[str, str] = {}

    when: TimeSpec | None = None
    if get("when"):
        try:
            when = parse_time_spec(get("when"))
        except ParseError as exc:
            errors["when"] = exc.message[:150]
    common = cmd.Common(
        about=tuple(get("about") or ()),
        note=get("note"),
        when=when,
        sources=(get("source"),) if get("source") else (),
        conflict=conflict,
    )
    command: cmd.LedgerWrite | None = None
    if kind == "control":
        if not get("place"):
            errors["place"] = "Choose a place."
        if not get("holder"):
            errors["holder"] = "Choose who holds it, or contested / unknown."
        confidence = Confidence(get("confidence")) if get("confidence") else None
        command = cmd.ControlUpdate(get("place") or "", get("holder") or "", confidence, common)
    elif kind == "claim":
        if not get("parties"):
            errors["parties"] = "Choose the party that makes the claim."
        if not get("text"):
            errors["text"] = "Write what they claim."
        stance = Stance(get("stance")) if get("stance") else None
        if stance and not get("about"):
            errors["about"] = "A stance on control needs the places it is about."
        if get("holder") and not stance:
            errors["stance"] = "Choose asserts or denies, or leave the holder empty."
        command = cmd.ClaimUpdate(
            tuple(get("parties") or ()),
            get("text") or "",
            get("speaker"),
            stance,
            get("holder"),
            common,
        )
    elif kind == "ceasefire":
        if not get("ceasefire"):
            errors["ceasefire"] = "Name the ceasefire."
        state_value = get("state")
        if not state_value:
            errors["state"] = "Choose its new state."
        accused = tuple(get("accused") or ())
        if (accused or get("accuser")) and state_value != CeasefireState.VIOLATED.value:
            errors["state"] = "Accused and accuser go with a violated event."
        command = cmd.CeasefireUpdate(
            get("ceasefire") or "",
            CeasefireState(state_value or "announced"),
            accused=accused,
            accuser=get("accuser"),
            common=common,
        )
    else:
        if not get("text"):
            errors["text"] = "Write the note."
        command = cmd.NoteUpdate(get("text") or "", common)
    if errors:
        raise FormErrors(errors)
    return command


# Which block shows an error the service raised about a field.
FIELD_BLOCKS = {
    "when": "when",
    "about": "about",
    "holder": "holder",
    "stance": "stance",
    "by": "accused",
    "effective": "when",
    "ceasefire": "ceasefire",
    "name": "ceasefire",
}
FIRST_BLOCK = {"control": "place", "claim": "parties", "ceasefire": "ceasefire", "note": "text"}


def error_block(view: dict[str, Any], field: str | None) -> str:
    kind = json.loads(view.get("private_metadata") or "{}").get("kind", DEFAULT_KIND)
    present = {b.get("block_id") for b in view.get("blocks", [])}
    block = FIELD_BLOCKS.get(field or "", "")
    return block if block in present else FIRST_BLOCK.get(kind, "text")
