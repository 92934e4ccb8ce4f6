"""Splitting a command's text into words, quoted strings and `key:value` options,
and reading those as the arguments of one command form (`Args`).

Slack and the console send the same text; the quirks of both are absorbed here:
typographic quotes, Slack's `<…>` escapes of links and mentions, and invisible
characters pasted along with names.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.domain.errors import ParseError
from bot.domain.times import TimeSpec, load_zone, parse_time_spec

# Every quote character, by the quote it stands for. An opening quote is closed by
# any quote of its kind (Slack clients and keyboards pair them inconsistently),
# preferring one of its own style: straight or typographic.
_QUOTES = {
    '"': '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "«": '"',
    "»": '"',
    "'": "'",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‹": "'",
    "›": "'",
}

_STRAIGHT = frozenset("\"'")

# Zero-width characters and bidi controls: invisible, but they would make two
# spellings of a name differ.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_STRIP = dict.fromkeys(map(ord, INVISIBLE))

# `key:` starts an option when the key is letters only (so `14:00` is not one) and
# the colon does not start `//` (so a URL is not one either).
_KEY = re.compile(r"([A-Za-z]{2,}):(?!//)")
_SLACK_ESCAPE = re.compile(r"<([^<>|]+)(?:\|[^<>]*)?>")

SHOWN_MAX = 40


@dataclass(frozen=True)
class Word:
    """Unquoted text up to the next space, invisible characters removed."""

    text: str


@dataclass(frozen=True)
class Quoted:
    """Text between quotes, exactly as typed."""

    text: str


@dataclass(frozen=True)
class Piece:
    """One comma-separated item of an option's value."""

    text: str
    quoted: bool


@dataclass(frozen=True)
class Option:
    """`key:value`, where the value may be quoted or a comma list."""

    key: str  # lowercased
    pieces: tuple[Piece, ...]
    raw: str  # the value as typed after the colon, invisible characters removed


Token = Word | Quoted | Option


def strip_invisible(text: str) -> str:
    return text.translate(_STRIP)


def clean(text: str) -> str:
    """Invisible characters removed and whitespace collapsed: how a name is kept."""
    return " ".join(strip_invisible(text).split())


def shown(text: str) -> str:
    """A token quoted for an error message, cut short so the message stays one line."""
    text = clean(text)  # a bidi control would scramble the message around it
    if len(text) > SHOWN_MAX:
        text = text[: SHOWN_MAX - 1] + "…"
    return f"'{text}'"


def unwrap_slack(text: str) -> str:
    """`<https://x.y|label>` and `<https://x.y>` → `https://x.y`; `<@U1|n>` → `@U1`."""
    match = _SLACK_ESCAPE.fullmatch(text.strip())
    return match.group(1) if match else text


def tokenize(text: str, usage: str) -> list[Token]:
    """The tokens of `text`; ParseError (with `usage`) if a quote is left open."""
    return _Scanner(text, usage).tokens()


class _Scanner:
    def __init__(self, text: str, usage: str) -> None:
        self.text = text
        self.pos = 0
        self.usage = usage

    def tokens(self) -> list[Token]:
        found: list[Token] = []
        while self._skip_blank():
            found.append(self._token())
        return found

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _skip_blank(self) -> bool:
        """Move past spaces and invisible characters; False at the end."""
        while self.pos < len(self.text) and _is_blank(self.text[self.pos]):
            self.pos += 1
        return self.pos < len(self.text)

    def _token(self) -> Token:
        char = self.text[self.pos]
        if char in _QUOTES:
            return Quoted(self._quoted())
        if char == ",":  # between quoted parties: `"NKR","Armenia"`
            self.pos += 1
            return Word(",")
        key = _KEY.match(self.text, self.pos)
        if key is not None:
            self.pos = key.end()
            return self._option(key.group(1).lower())
        return Word(self._bare(stop=""))

    def _option(self, key: str) -> Option:
        # `note: "…"`: a space after the colon is forgiven if a value follows.
        at_blank = not self._peek() or _is_blank(self._peek())
        if at_blank and (not self._skip_blank() or _KEY.match(self.text, self.pos)):
            raise ParseError(f"The option {key}: has no value.", self.usage)
        start = self.pos
        pieces = self._pieces()
        raw = strip_invisible(self.text[start : self.pos]).strip().rstrip(",").strip()
        return Option(key, tuple(pieces), raw)

    def _pieces(self) -> list[Piece]:
        pieces: list[Piece] = []
        while True:
            if self._peek() in _QUOTES:
                pieces.append(Piece(self._quoted(), quoted=True))
            else:
                text = self._bare(stop=",")
                if text:
                    pieces.append(Piece(text, quoted=False))
            if self._peek() != ",":
                return pieces
            self.pos += 1
            if self._peek() and not _is_blank(self._peek()):
                continue
            # `about:Fuzuli, Hadrut`: a list goes on after a comma and a space,
            # unless what follows is the next option or the end.
            mark = self.pos
            if not self._skip_blank() or _KEY.match(self.text, self.pos):
                self.pos = mark
                return pieces

    def _bare(self, stop: str) -> str:
        """Unquoted text up to a space (or a `stop` character); `<…>` is kept whole."""
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char.isspace() or char in stop:
                break
            if char == "<":
                end = self.text.find(">", self.pos)
                if end != -1:
                    out.append(strip_invisible(self.text[self.pos : end + 1]))
                    self.pos = end + 1
                    continue
            if char not in INVISIBLE:
                out.append(char)
            self.pos += 1
        return "".join(out)

    def _quoted(self) -> str:
        """The text up to the closing quote, which must end a token.

        Requiring the closing quote to be followed by a space, a comma or the end
        keeps apostrophes inside the text (`'Azerbaijan's army'`) from closing it.
        """
        opener = self.text[self.pos]
        kind = _QUOTES[opener]
        closers = {char for char, of in _QUOTES.items() if of == kind}
        # “…"no"…”: a typographic quote is closed by a typographic one if there is one.
        same_style = {char for char in closers if (char in _STRAIGHT) == (opener in _STRAIGHT)}
        start = self.pos + 1
        for candidates in (same_style, closers):
            for end in range(start, len(self.text)):
                if self.text[end] in candidates and self._ends_token(end + 1):
                    self.pos = end + 1
                    return self.text[start:end]
        raise ParseError(f"A quote is not closed: {shown(self.text[self.pos :])}.", self.usage)

    def _ends_token(self, index: int) -> bool:
        return index >= len(self.text) or _is_blank(self.text[index]) or self.text[index] == ","


def _is_blank(char: str) -> bool:
    return char.isspace() or char in INVISIBLE


# ---- arguments: the tokens of one command form, read against its options ----

Positional = Word | Quoted
T = TypeVar("T")

COMMON_OPTIONS = ("about", "note", "corroborates", "refutes", "when", "source", "conflict")
TIME_OPTIONS = frozenset({"when", "effective"})
MAX_NAME = 100
MAX_TEXT = 2000
MAX_SOURCE = 1000
_MAX_TIME_WORDS = 8  # `25 Oct 2020 14:00 .. 26 Oct 2020 08:00` is the longest a time gets
_UPDATE_ID = re.compile(r"[uU]?0*([1-9]\d{0,8})")
_NUMBER = re.compile(r"[+-]?\d{1,3}(?:\.\d+)?")


class Args:
    """The positional items and options given to one command form.

    Options are checked against those the form takes as they are read; the typed
    accessors then turn each value into what the command needs.
    """

    def __init__(
        self,
        tokens: Sequence[Token],
        allowed: Sequence[str] | None,
        usage: str,
        form: str,
        repeatable: Collection[str] = ("source",),
    ) -> None:
        self.usage = usage
        self.form = form  # `/update claim`, for messages
        self.positional: list[Positional] = []
        self.given: list[Option] = []  # in the order typed
        self._times: dict[str, TimeSpec] = {}
        self._read(tokens, allowed, repeatable)

    def _read(
        self, tokens: Sequence[Token], allowed: Sequence[str] | None, repeatable: Collection[str]
    ) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            index += 1
            if not isinstance(token, Option):
                self.positional.append(token)
                continue
            self._check_allowed(token, allowed)
            if token.key not in repeatable and any(o.key == token.key for o in self.given):
                raise self.error(f"The option {token.key}: is given twice; give it once.")
            if token.key in TIME_OPTIONS:
                token, index = self._read_time(token, tokens, index)
            self.given.append(token)

    def _check_allowed(self, option: Option, allowed: Sequence[str] | None) -> None:
        if allowed is None or option.key in allowed:
            return
        typed = shown(f"{option.key}:{option.raw}")
        if not allowed:
            raise self.error(f"{self.form} takes no options, so {typed} is not understood.")
        listed = ", ".join(allowed[:-1]) + " and " if len(allowed) > 1 else ""
        raise self.error(f"Unknown option {typed} for {self.form}; it takes {listed}{allowed[-1]}.")

    def _read_time(self, option: Option, tokens: Sequence[Token], index: int) -> tuple[Option, int]:
        """Parse a time option; an unquoted one may go on over the next plain words
        (`when:25 Oct 2020 14:00`): the longest run that still reads as a time."""
        words: list[str] = []
        if len(option.pieces) == 1 and not option.pieces[0].quoted:
            for token in tokens[index : index + _MAX_TIME_WORDS]:
                if not isinstance(token, Word):
                    break
                words.append(token.text)
        first = self._one(option)
        for count in range(len(words), -1, -1):
            text = " ".join([first, *words[:count]])
            try:
                self._times[option.key] = parse_time_spec(text)
            except ParseError as exc:
                if count == 0:
                    raise self.error(exc.message) from None
                continue
            return Option(option.key, (Piece(text, quoted=False),), text), index + count
        raise AssertionError("unreachable: count 0 either returns or raises")

    def error(self, message: str) -> ParseError:
        return ParseError(message, self.usage)

    # ---- typed values ------------------------------------------------------

    def _find(self, key: str) -> Option | None:
        return next((option for option in self.given if option.key == key), None)

    def _one(self, option: Option) -> str:
        """A value that must be one item: a quoted string as typed, else the raw text
        (so a URL keeps its commas)."""
        if len(option.pieces) == 1:
            return option.pieces[0].text
        if any(piece.quoted for piece in option.pieces):
            raise self.error(f"The option {option.key}: takes one value: {shown(option.raw)}.")
        return option.raw

    def raw(self, key: str) -> str | None:
        option = self._find(key)
        return None if option is None else self._one(option)

    def name(self, key: str, what: str) -> str | None:
        value = self.raw(key)
        return None if value is None else check_name(value, what, self.usage)

    def names(self, key: str, what: str) -> tuple[str, ...]:
        option = self._find(key)
        if option is None:
            return ()
        pieces = [piece.text for piece in option.pieces if clean(piece.text)]
        if not pieces:
            raise self.error(f"The option {key}: has no value.")
        return tuple(check_name(piece, what, self.usage) for piece in pieces)

    def text(self, key: str, what: str) -> str | None:
        value = self.raw(key)
        return None if value is None else check_text(value, what, self.usage)

    def time(self, key: str) -> TimeSpec | None:
        return self._times.get(key)

    def ids(self, key: str) -> tuple[int, ...]:
        option = self._find(key)
        if option is None:
            return ()
        return tuple(read_update_id(piece.text, self.usage) for piece in option.pieces)

    def choice(self, key: str, choices: Mapping[str, T]) -> T | None:
        value = self.raw(key)
        if value is None:
            return None
        found = choices.get(clean(value).lower())
        if found is None:
            listed = ", ".join(choices)
            raise self.error(f"Unknown {key} {shown(value)}; use one of {listed}.")
        return found

    def number(self, key: str) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        if not re.fullmatch(r"\d{1,6}", value) or int(value) < 1:
            raise self.error(f"{key}: must be a whole number from 1, not {shown(value)}.")
        return int(value)

    def sources(self) -> tuple[str, ...]:
        found: list[str] = []
        for option in self.given:
            if option.key == "source":
                value = clean(unwrap_slack(self._one(option)))
                found.append(_checked_length(value, "source", 1, MAX_SOURCE, self.usage))
        return tuple(found)

    def coordinates(self, key: str) -> tuple[float | None, float | None]:
        value = self.raw(key)
        if value is None:
            return None, None
        parts = [part.strip() for part in clean(value).split(",")]
        if len(parts) != 2 or not all(_NUMBER.fullmatch(part) for part in parts):
            raise self.error(
                f"Give {key}: as latitude,longitude in degrees, like {key}:39.76,46.75; "
                f"not {shown(value)}."
            )
        lat, lon = float(parts[0]), float(parts[1])
        if not -90 <= lat <= 90:
            raise self.error(f"Latitude {shown(parts[0])} is out of range; it must be -90 to 90.")
        if not -180 <= lon <= 180:
            raise self.error(
                f"Longitude {shown(parts[1])} is out of range; it must be -180 to 180."
            )
        return lat, lon

    def approvals(self, key: str) -> tuple[bool, tuple[int, ...] | None]:
        """`approve:all` → (True, None); `approve:1,3` → (False, (1, 3))."""
        option = self._find(key)
        if option is None:
            return False, None
        items = [clean(piece.text) for piece in option.pieces if clean(piece.text)]
        if [item.lower() for item in items] == ["all"]:
            return True, None
        if not items or not all(re.fullmatch(r"\d{1,6}", item) and int(item) for item in items):
            raise self.error(
                f"{key}: takes all or candidate numbers like 1,3; not {shown(option.raw)}."
            )
        return False, tuple(dict.fromkeys(int(item) for item in items))

    def changes(self) -> tuple[tuple[str, str], ...]:
        """Every option as (field, value as typed), for a correction: a quoted value
        without its quotes, a list (`aliases:"a","b"`) as typed, for the service to read
        against the field's kind."""
        return tuple((option.key, unwrap_slack(_as_typed(option))) for option in self.given)


def _as_typed(option: Option) -> str:
    return option.pieces[0].text if len(option.pieces) == 1 else option.raw


def check_name(text: str, what: str, usage: str) -> str:
    """A name as kept: invisible characters gone, spaces collapsed, 1–100 characters."""
    name = unicodedata.normalize("NFC", clean(text))
    return _checked_length(name, what, 1, MAX_NAME, usage)


def check_text(text: str, what: str, usage: str) -> str:
    """Free text (a claim, a note) exactly as typed, if not blank and not too long."""
    if not clean(text):
        raise ParseError(f"The {what} is blank: {shown(text)}.", usage)
    return _checked_length(text, what, 1, MAX_TEXT, usage)


def _checked_length(text: str, what: str, least: int, most: int, usage: str) -> str:
    if len(text) < least:
        raise ParseError(f"The {what} is empty.", usage)
    if len(text) > most:
        raise ParseError(
            f"The {what} is too long: {len(text):,} characters (at most {most:,}): {shown(text)}.",
            usage,
        )
    return text


def read_update_id(text: str, usage: str) -> int:
    """`u42` or `42` → 42."""
    match = _UPDATE_ID.fullmatch(clean(text))
    if match is None:
        raise ParseError(f"{shown(text)} is not an update ID; IDs look like u42.", usage)
    return int(match.group(1))


@functools.cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in zoneinfo.available_timezones()}


def check_zone(text: str, usage: str) -> str:
    """An IANA zone name, spelled as the database spells it (`asia/baku` → `Asia/Baku`)."""
    zone = _zones().get(clean(text).lower())
    if zone is None:
        try:
            return load_zone(clean(text)).key
        except ParseError:
            raise ParseError(
                f"Unknown time zone {shown(text)}; use an IANA name like Asia/Baku or UTC.",
                usage,
            ) from None
    return zone
