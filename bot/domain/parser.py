"""The one parser of the command language, shared by Slack and the console.

`parse("/update", 'claim Armenia "…" about:Hadrut')` returns a dataclass of
`bot.domain.commands`; anything it cannot read raises `ParseError` with one plain
sentence and the usage of the command that was meant. Names stay as typed (minus
invisible characters); resolving them needs the ledger and is not done here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.domain.commands import (
    Admins,
    BriefingBottomLine,
    BriefingList,
    BriefingPost,
    BriefingPreview,
    BriefingSubscribe,
    BriefingUnsubscribe,
    CeasefireQuery,
    CeasefireUpdate,
    Claims,
    ClaimUpdate,
    Command,
    Common,
    ConflictUpdate,
    ControlUpdate,
    CorrectUpdate,
    Help,
    Ingest,
    NoteUpdate,
    OpenForm,
    PartyUpdate,
    PlaceUpdate,
    RetractUpdate,
    ShowUpdate,
    Status,
)
from bot.domain.errors import ParseError
from bot.domain.model import (
    CONTESTED,
    OBSERVER,
    UNKNOWN,
    CeasefireState,
    Confidence,
    PlaceKind,
    Stance,
)
from bot.domain.times import TimeSpec, parse_clock_time, parse_time_spec
from bot.domain.tokens import (
    COMMON_OPTIONS,
    Args,
    Positional,
    Quoted,
    Word,
    check_name,
    check_text,
    check_zone,
    clean,
    read_update_id,
    shown,
    tokenize,
    unwrap_slack,
)
from bot.domain.usage import USAGE, help_text

MAX_INPUT = 4000
COMMANDS = ("status", "claims", "ceasefire", "update", "briefing")

Reader = Callable[[Args], Command]


def parse_line(line: str) -> Command:
    """A console line (`/status Lachin`, `help`, `help update claim`) as a command."""
    _check_length(line, help_text(None))
    head, rest = [*line.split(maxsplit=1), "", ""][:2]
    if not _command_name(head):
        raise ParseError("Type a command, like `/status Lachin`, or `help`.", help_text(None))
    return parse(head, rest)


_CONTROLS = {code: None for code in [*range(0, 9), 11, 12, *range(14, 32), 127]} | {
    9: " ",
    10: " ",
    13: " ",
}


def parse(command: str, text: str) -> Command:
    """`command` (`/status`, `status`, …) with the text that followed it.

    `help` is accepted as a command too: `help update claim` → Help("update claim").
    """
    # Control characters (NUL above all, which PostgreSQL's text refuses) are never
    # meant: a tab or a newline counts as a space, the rest are dropped.
    text = text.translate(_CONTROLS)
    name = _command_name(command)
    if name == "help":
        topic = " ".join(clean(text[:MAX_INPUT]).lower().lstrip("/").split())
        return Help(topic if topic in USAGE else None)
    if name not in COMMANDS:
        raise ParseError(
            f"Unknown command {shown(command)}; use one of "
            + ", ".join(f"/{c}" for c in COMMANDS)
            + ", or help.",
            help_text(None),
        )
    words = clean(text[: MAX_INPUT + 1]).lower().split()
    topic = _topic(name, words)
    usage = USAGE[topic]
    _check_length(text, usage)
    depth = len(topic.split()) - 1  # subcommand words before the arguments
    if len(words) > depth and words[depth] == "help":
        return Help(topic)
    reader, options = _FORMS[topic]
    # An ingest names one report, so its source: is one name, not a list.
    repeatable = () if topic == "update ingest" else ("source",)
    args = Args(tokenize(text, usage)[depth:], options, usage, f"/{topic}", repeatable)
    return reader(args)


def _command_name(command: str) -> str:
    return clean(command).lstrip("/").lower()


def _topic(name: str, words: Sequence[str]) -> str:
    """`update claim` for `/update claim …`; the command alone otherwise."""
    if words and f"{name} {words[0]}" in _FORMS:
        return f"{name} {words[0]}"
    return name


def _check_length(text: str, usage: str) -> None:
    if len(text) > MAX_INPUT:
        raise ParseError(
            f"That command is too long: {len(text):,} characters (at most {MAX_INPUT:,}).", usage
        )


# ---- reading ---------------------------------------------------------------


def _text_of(items: Sequence[Positional]) -> str:
    return " ".join(item.text for item in items)


def _name(items: Sequence[Positional], what: str, args: Args) -> str:
    return check_name(_text_of(items), what, args.usage)


def _no_more(items: Sequence[Positional], args: Args, hint: str) -> None:
    if items:
        raise args.error(f"Unexpected {shown(_text_of(items))}; {hint}")


def _time_clause(items: list[Positional], keyword: str) -> tuple[list[Positional], TimeSpec | None]:
    """Split `Lachin corridor on 12 Oct 2020` at the last `on` whose rest is a time."""
    for index in range(len(items) - 1, -1, -1):
        item, rest = items[index], items[index + 1 :]
        if not (isinstance(item, Word) and item.text.lower() == keyword and rest):
            continue
        if not all(isinstance(word, Word) for word in rest):
            continue
        try:
            return items[:index], parse_time_spec(_text_of(rest))
        except ParseError:
            continue
    return items, None


def _common(args: Args) -> Common:
    return Common(
        about=args.names("about", "place name"),
        note=args.text("note", "note"),
        corroborates=args.ids("corroborates"),
        refutes=args.ids("refutes"),
        when=args.time("when"),
        sources=args.sources(),
        conflict=args.name("conflict", "conflict name"),
    )


def _catalog(args: Args) -> Common:
    """The common options a place or party takes."""
    return Common(sources=args.sources(), conflict=args.name("conflict", "conflict name"))


# ---- read commands ---------------------------------------------------------


def _status(args: Args) -> Command:
    words, on = _time_clause(args.positional, "on")
    place = _name(words, "place name", args) if words else None
    return Status(place, on, args.name("conflict", "conflict name"))


def _claims(args: Args) -> Command:
    words, since = _time_clause(args.positional, "since")
    subject = _name(words, "subject", args) if words else None
    place = args.name("place", "place name")
    if place is not None and subject is not None:
        raise args.error(f"Give either a subject or place:, not both: {shown(subject)}.")
    page = args.number("page")
    return Claims(
        subject=place if place is not None else subject,
        subject_is_place=place is not None,
        since=since,
        page=1 if page is None else page,
        conflict=args.name("conflict", "conflict name"),
    )


_ORDINALS = (
    *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"),
    *("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth"),
    *("seventeenth", "eighteenth", "nineteenth", "twentieth"),
)
_ORDINAL = re.compile(r"#?(\d{1,2})(?:st|nd|rd|th)?", re.IGNORECASE)


def _ceasefire_query(args: Args) -> Command:
    name = _name(args.positional, "ceasefire name", args) if args.positional else None
    match = _ORDINAL.fullmatch(name or "")
    if match and 1 <= int(match.group(1)) <= len(_ORDINALS):
        name = _ORDINALS[int(match.group(1)) - 1]  # `3rd` and `3` mean `third`
    return CeasefireQuery(name, args.name("conflict", "conflict name"))


# ---- ledger updates --------------------------------------------------------

_CONFIDENCE = {
    "low": Confidence.LOW,
    "moderate": Confidence.MODERATE,
    "medium": Confidence.MODERATE,
    "high": Confidence.HIGH,
}
_STANCE = {"asserts": Stance.ASSERTS, "denies": Stance.DENIES}
_STATES = {state.value: state for state in CeasefireState}
_KINDS = {kind.value: kind for kind in PlaceKind}
_TRENDS = {trend: trend for trend in ("deteriorated", "unchanged", "improved")}


def _control(args: Args) -> Command:
    items = args.positional
    if not items:
        raise args.error(
            "Name the place and who holds it, like `/update control Hadrut Azerbaijan`."
        )
    if len(items) == 1:
        raise args.error(f"Say who holds {shown(items[0].text)}: a party, contested or unknown.")
    holder = check_name(items[-1].text, "holder", args.usage)
    if holder.lower() in (CONTESTED, UNKNOWN):
        holder = holder.lower()
    return ControlUpdate(
        place=_name(items[:-1], "place name", args),
        holder=holder,
        confidence=args.choice("confidence", _CONFIDENCE),
        common=_common(args),
    )


def _claim(args: Args) -> Command:
    items = args.positional
    quoted = [index for index, item in enumerate(items) if isinstance(item, Quoted)]
    if not quoted:
        if not items:
            raise args.error("Name the party and give what it claims, in quotes.")
        raise args.error(f"The claim's text must be in quotes: {shown(_text_of(items))}.")
    at = quoted[-1]
    text = check_text(items[at].text, "claim's text", args.usage)
    _no_more(items[at + 1 :], args, "options after the claim's text look like key:value.")
    parties = _party_list(items[:at], args)
    if not parties:
        raise args.error(f"Name the party making the claim before its text: {shown(text)}.")
    return ClaimUpdate(
        parties=parties,
        text=text,
        speaker=args.name("speaker", "speaker"),
        stance=args.choice("stance", _STANCE),
        holder=args.name("holder", "holder"),
        common=_common(args),
    )


def _party_list(items: Sequence[Positional], args: Args) -> tuple[str, ...]:
    """`Armenia, Nagorno-Karabakh Republic` → two parties; a quoted party stays whole."""
    names: list[str] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            names.append(" ".join(words))
            words.clear()

    for item in items:
        if isinstance(item, Quoted):
            flush()
            names.append(item.text)
            continue
        for index, part in enumerate(item.text.split(",")):
            if index:
                flush()
            if part:
                words.append(part)
    flush()
    return tuple(check_name(name, "party name", args.usage) for name in names)


def _ceasefire_update(args: Args) -> Command:
    name, state = _name_and_state(args)
    return CeasefireUpdate(
        name=name,
        state=state,
        parties=args.names("parties", "party name"),
        mediators=args.names("mediator", "mediator"),
        effective=args.time("effective"),
        accused=args.names("by", "party name"),
        accuser=args.name("accuser", "accuser"),
        common=_common(args),
    )


def _name_and_state(args: Args) -> tuple[str, CeasefireState]:
    """`"Humanitarian truce" in effect`; an unquoted name of several words works
    too when the state ends the text."""
    items = args.positional
    if not items:
        raise args.error("Name the ceasefire and give its state, like `third violated`.")
    if isinstance(items[0], Quoted):
        split = 1
    else:
        split = next(
            (n for n in (len(items) - 2, len(items) - 1) if n >= 1 and _state_of(items[n:])),
            1,
        )
    name = _name(items[:split], "ceasefire name", args)
    if not items[split:]:
        raise args.error(f"Give the state of {shown(name)} after its name: {_state_list()}.")
    state = _state_of(items[split:])
    if state is None:
        typed = shown(_text_of(items[split:]))
        raise args.error(f"Unknown ceasefire state {typed}; use one of {_state_list()}.")
    return name, state


def _state_of(items: Sequence[Positional]) -> CeasefireState | None:
    text = " ".join(_text_of(items).lower().replace("-", " ").replace("_", " ").split())
    return _STATES.get(text)


def _state_list() -> str:
    return ", ".join(_STATES)


def _note(args: Args) -> Command:
    items = args.positional
    if not items:
        raise args.error('Give the note\'s text in quotes, like `/update note "…"`.')
    if not isinstance(items[0], Quoted):
        raise args.error(f"The note's text must be in quotes: {shown(_text_of(items))}.")
    _no_more(items[1:], args, "options after the note's text look like key:value.")
    return NoteUpdate(check_text(items[0].text, "note's text", args.usage), _common(args))


def _one_name(args: Args, what: str, example: str) -> str:
    """The name a place, party or conflict form starts with, quoted or not."""
    if not args.positional:
        raise args.error(f"Give the {what}, like `{example}`.")
    return _name(args.positional, what, args)


def _place(args: Args) -> Command:
    lat, lon = args.coordinates("at")
    return PlaceUpdate(
        name=_one_name(args, "place name", '/update place "Lachin corridor"'),
        aliases=args.names("aliases", "alias"),
        kind=args.choice("kind", _KINDS),
        parent=args.name("in", "place name"),
        lat=lat,
        lon=lon,
        common=_catalog(args),
    )


def _party(args: Args) -> Command:
    side = args.name("side", "side")
    if side is not None and side.lower() == OBSERVER:
        side = OBSERVER
    return PartyUpdate(
        name=_one_name(args, "party name", '/update party "Artsakh"'),
        aliases=args.names("aliases", "alias"),
        side=side,
        common=_catalog(args),
    )


def _conflict(args: Args) -> Command:
    zone = args.name("zone", "time zone")
    return ConflictUpdate(
        name=_one_name(args, "conflict name", '/update conflict "Nagorno-Karabakh 2020"'),
        zone=None if zone is None else check_zone(zone, args.usage),
        aliases=args.names("aliases", "alias"),
    )


# ---- revisions and administration ------------------------------------------


def _update_id(args: Args, example: str) -> int:
    if not args.positional:
        raise args.error(f"Give the update's ID, like `{example}`.")
    return read_update_id(args.positional[0].text, args.usage)


def _show(args: Args) -> Command:
    update_id = _update_id(args, "/update show u42")
    _no_more(args.positional[1:], args, "give one update ID, like u42.")
    return ShowUpdate(update_id)


def _correct(args: Args) -> Command:
    update_id = _update_id(args, "/update correct u42 confidence:high")
    _no_more(args.positional[1:], args, "corrections look like field:value, e.g. holder:Armenia.")
    changes = args.changes()
    if not changes:
        raise args.error(
            f"Say what to correct in u{update_id} as field:value, e.g. confidence:high."
        )
    return CorrectUpdate(update_id, changes)


def _retract(args: Args) -> Command:
    update_id = _update_id(args, '/update retract u42 reason:"…"')
    _no_more(args.positional[1:], args, 'give the reason as reason:"…".')
    return RetractUpdate(update_id, args.text("reason", "reason"))


_MENTION = re.compile(r"@?([UW][A-Z0-9]{2,20})")


def _admins(args: Args) -> Command:
    items = args.positional
    action = items[0].text.lower() if items else ""
    if action == "list":
        _no_more(items[1:], args, "`/update admins list` takes nothing more.")
        return Admins("list")
    if action not in ("add", "remove"):
        shown_action = shown(items[0].text) if items else "nothing"
        raise args.error(f"Say add, remove or list after admins, not {shown_action}.")
    if len(items) == 1:
        raise args.error(f"Mention the users to {action}, like @maria.")
    return Admins(action, tuple(_user_id(item, args) for item in items[1:]))


def _user_id(item: Positional, args: Args) -> str:
    """`<@U123ABC|maria>` (how Slack sends a mention) or `U123ABC` (the console)."""
    match = _MENTION.fullmatch(unwrap_slack(item.text))
    if match is None or isinstance(item, Quoted):
        raise args.error(
            f"{shown(item.text)} is not a Slack user; mention them with @ "
            "or give their ID, like U012AB3CD."
        )
    return match.group(1)


def _ingest(args: Args) -> Command:
    items = args.positional
    _no_more(items[1:], args, "give one file or URL; quote a path with spaces.")
    target = unwrap_slack(clean(items[0].text)) if items else None
    approve_all, approve = args.approvals("approve")
    return Ingest(
        target=target or None,
        approve=approve,
        approve_all=approve_all,
        source_name=args.name("source", "source name"),
    )


def _update_menu(args: Args) -> Command:
    """`/update` alone opens the form; anything else names an unknown kind."""
    if not args.positional:
        return OpenForm()
    first = args.positional[0].text
    kinds = ", ".join(topic.split()[1] for topic in _FORMS if topic.startswith("update "))
    raise args.error(f"Unknown kind of update {shown(first)}; use one of {kinds}.")


# ---- briefings -------------------------------------------------------------


def _briefing_preview(args: Args) -> Command:
    if args.positional:
        subcommands = ", ".join(t.split()[1] for t in _FORMS if t.startswith("briefing "))
        raise args.error(
            f"Unknown briefing command {shown(args.positional[0].text)}; use one of {subcommands}."
        )
    return BriefingPreview(args.name("conflict", "conflict name"))


def _subscribe(args: Args) -> Command:
    items = args.positional
    if not items:
        raise args.error("Give the time of day, like `/briefing subscribe 07:30 Asia/Yerevan`.")
    try:
        hour, minute = parse_clock_time(clean(items[0].text))
    except ParseError as exc:
        raise args.error(exc.message) from None
    _no_more(items[2:], args, "give the time of day and, if you like, a zone.")
    zone = check_zone(clean(items[1].text), args.usage) if len(items) > 1 else None
    return BriefingSubscribe(
        f"{hour:02d}:{minute:02d}", zone, args.name("conflict", "conflict name")
    )


def _unsubscribe(args: Args) -> Command:
    _no_more(args.positional, args, "only conflict:<name> may follow unsubscribe.")
    return BriefingUnsubscribe(args.name("conflict", "conflict name"))


def _list(args: Args) -> Command:
    _no_more(args.positional, args, "`/briefing list` takes nothing more.")
    return BriefingList()


def _post(args: Args) -> Command:
    _no_more(args.positional, args, "only conflict:<name> may follow post.")
    return BriefingPost(args.name("conflict", "conflict name"))


def _bottomline(args: Args) -> Command:
    items = args.positional
    if not items:
        raise args.error('Give the bottom line in quotes, like `/briefing bottomline "…"`.')
    if not isinstance(items[0], Quoted):
        raise args.error(f"The bottom line must be in quotes: {shown(_text_of(items))}.")
    _no_more(items[1:], args, "options after the bottom line look like key:value.")
    return BriefingBottomLine(
        text=check_text(items[0].text, "bottom line", args.usage),
        trend=args.choice("trend", _TRENDS),
        conflict=args.name("conflict", "conflict name"),
    )


# ---- the table -------------------------------------------------------------

_LEDGER = COMMON_OPTIONS
_FORMS: dict[str, tuple[Reader, tuple[str, ...] | None]] = {
    # topic: (reader, the options it takes; None: any field, as in a correction)
    "status": (_status, ("conflict",)),
    "claims": (_claims, ("place", "page", "conflict")),
    "ceasefire": (_ceasefire_query, ("conflict",)),
    "update": (_update_menu, ()),
    "update control": (_control, ("confidence", *_LEDGER)),
    "update claim": (_claim, ("speaker", "stance", "holder", *_LEDGER)),
    "update ceasefire": (
        _ceasefire_update,
        ("parties", "mediator", "effective", "by", "accuser", *_LEDGER),
    ),
    "update note": (_note, tuple(key for key in _LEDGER if key != "note")),
    "update place": (_place, ("aliases", "kind", "in", "at", "source", "conflict")),
    "update party": (_party, ("aliases", "side", "source", "conflict")),
    "update conflict": (_conflict, ("zone", "aliases")),
    "update show": (_show, ()),
    "update correct": (_correct, None),
    "update retract": (_retract, ("reason",)),
    "update admins": (_admins, ()),
    "update ingest": (_ingest, ("approve", "source")),
    "briefing": (_briefing_preview, ("conflict",)),
    "briefing subscribe": (_subscribe, ("conflict",)),
    "briefing unsubscribe": (_unsubscribe, ("conflict",)),
    "briefing list": (_list, ()),
    "briefing post": (_post, ("conflict",)),
    "briefing bottomline": (_bottomline, ("trend", "conflict")),
}
