"""Commands back to the one-line language, so that a proposed update can be shown,
edited as text, and parsed again by the one parser."""

from __future__ import annotations

from bot.domain import commands as cmd


def quote(text: str) -> str:
    """A quoted value the tokenizer reads back as it was."""
    text = " ".join(text.split())
    if '"' not in text:
        return f'"{text}"'
    return "“" + text.replace("”", '"') + "”"


def _name(text: str) -> str:
    return text if text and " " not in text and "," not in text and '"' not in text else quote(text)


def _names(items: tuple[str, ...]) -> str:
    return ",".join(_name(i) for i in items)


def _common(c: cmd.Common) -> list[str]:
    parts = []
    if c.about:
        parts.append(f"about:{_names(c.about)}")
    if c.note:
        parts.append(f"note:{quote(c.note)}")
    if c.corroborates:
        parts.append("corroborates:" + ",".join(f"u{i}" for i in c.corroborates))
    if c.refutes:
        parts.append("refutes:" + ",".join(f"u{i}" for i in c.refutes))
    if c.when is not None:
        parts.append(f"when:{quote(str(c.when))}")
    parts += [f"source:{quote(s)}" for s in c.sources]
    if c.conflict:
        parts.append(f"conflict:{quote(c.conflict)}")
    return parts


def unparse(command: cmd.Command) -> str:
    """The `/update …` line that parses back to `command`."""
    parts: list[str]
    match command:
        case cmd.ControlUpdate():
            parts = ["control", quote(command.place), _name(command.holder)]
            if command.confidence:
                parts.append(f"confidence:{command.confidence}")
            parts += _common(command.common)
        case cmd.ClaimUpdate():
            parts = ["claim", ",".join(_name(p) for p in command.parties), quote(command.text)]
            if command.speaker:
                parts.append(f"speaker:{quote(command.speaker)}")
            if command.stance:
                parts.append(f"stance:{command.stance}")
            if command.holder:
                parts.append(f"holder:{_name(command.holder)}")
            parts += _common(command.common)
        case cmd.CeasefireUpdate():
            parts = ["ceasefire", quote(command.name), str(command.state)]
            if command.parties:
                parts.append(f"parties:{_names(command.parties)}")
            if command.mediators:
                parts.append(f"mediator:{_names(command.mediators)}")
            if command.effective is not None:
                parts.append(f"effective:{quote(str(command.effective))}")
            if command.accused:
                parts.append(f"by:{_names(command.accused)}")
            if command.accuser:
                parts.append(f"accuser:{_name(command.accuser)}")
            parts += _common(command.common)
        case cmd.NoteUpdate():
            parts = ["note", quote(command.text), *_common(command.common)]
        case cmd.PlaceUpdate():
            parts = ["place", quote(command.name)]
            if command.aliases:
                parts.append("aliases:" + ",".join(quote(a) for a in command.aliases))
            if command.kind:
                parts.append(f"kind:{command.kind}")
            if command.parent:
                parts.append(f"in:{_name(command.parent)}")
            if command.lat is not None and command.lon is not None:
                parts.append(f"at:{command.lat},{command.lon}")
            parts += [f"source:{quote(s)}" for s in command.common.sources]
        case _:
            raise ValueError(f"{type(command).__name__} has no one-line form")
    return "/update " + " ".join(parts)
