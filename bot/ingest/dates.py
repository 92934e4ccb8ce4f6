"""Dates and clock times in report sentences, as the ledger's `TimeSpec`.

A date becomes an event time only when a whole day can be formed: `On October 25`
takes its year from the publication date; `since August` and `on Sunday` without
a publication date stay unknown. A date inside a `since …` or `until …` clause
bounds a period and is not when the thing reported happened."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.errors import ParseError
from bot.domain.times import TimeSpec, parse_time_spec

_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b(?:(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:and\s+[0-3]?\d\s+)?(?P<mon>{_MONTH_NAMES})\.?"
    r"(?:,?\s+(?P<y>(?:19|20)\d\d))?"
    rf"|(?P<mon2>{_MONTH_NAMES})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"
    r"(?:,?\s+(?P<y2>(?:19|20)\d\d))?"
    r"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)"
    r"|(?:on\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|(?P<rel>yesterday|today|last night|overnight))\b"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_BOUNDING = re.compile(r"\b(?:since|until|till|before|by the end of)\b[^,;.]*$", re.IGNORECASE)
_CLOCK = re.compile(
    r"\b(?:at|from|as of)\s+(?:(?P<noon>noon|midday|midnight)"
    r"|(?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)(?:\s*(?P<ap>a\.?m\.?|p\.?m\.?))?"
    r"(?:\s*(?:hours|hrs|h))?(?:\s*\(?(?P<gmt>GMT|UTC|Z)\)?)?"
    r"|(?P<h2>[0-2]\d)(?P<mi2>[0-5]\d)\s*(?P<gmt2>GMT|UTC))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundDate:
    day: date
    offset: int  # character offset in the sentence


def _full_date(m: re.Match[str], published: date | None) -> date | None:
    if m["iso"]:
        try:
            return date.fromisoformat(m["iso"])
        except ValueError:
            return None
    if m["wd"] or m["rel"]:
        if published is None:
            return None
        if m["rel"]:
            back = 1 if m["rel"].lower() in ("yesterday", "last night") else 0
            return published - timedelta(days=back)
        back = (published.weekday() - _WEEKDAYS.index(m["wd"].lower())) % 7
        return published - timedelta(days=back)
    day = int(m["d"] or m["d2"])
    month = _MONTH_NUMBERS[(m["mon"] or m["mon2"] or "").lower()]
    year_text = m["y"] or m["y2"]
    if year_text:
        year = int(year_text)
    elif published is not None:
        year = published.year
    else:
        return None
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if not year_text and published is not None and found > published + timedelta(days=1):
        found = found.replace(year=year - 1)  # "December 30" in a January report
    return found


def dates_in(sentence: str, published: date | None) -> list[FoundDate]:
    """Full dates in a sentence, in order, leaving out those that bound a period."""
    found: list[FoundDate] = []
    for m in _DATE.finditer(sentence):
        if _BOUNDING.search(sentence[: m.start()]):
            continue
        day = _full_date(m, published)
        if day is not None:
            found.append(FoundDate(day, m.start()))
    return found


def first_full_date(text: str) -> date | None:
    """The first date with a year: the dateline of a page that gives no other."""
    for m in _DATE.finditer(text):
        if m["iso"] or m["y"] or m["y2"]:
            return _full_date(m, None)
    return None


def spec_for_day(day: date) -> TimeSpec | None:
    try:
        return parse_time_spec(day.isoformat())
    except ParseError:
        return None


def clock_spec(sentence: str, day: date | None) -> TimeSpec | None:
    """`took effect at noon (0800 GMT)` on `day` → the ledger's time, in the
    conflict's zone unless the sentence gives GMT/UTC."""
    if day is None:
        return None
    m = _CLOCK.search(sentence)
    if m is None:
        return None
    zone = re.match(r"\s*\(?([A-Z][a-z]+) time\b", sentence[m.end() :])
    if zone and zone[1].lower() != "local":
        return None  # "01:00 Moscow time": a zone we cannot place
    utc = bool(m["gmt"] or m["gmt2"])
    if m["noon"]:
        hour, minute = (0, 0) if m["noon"].lower() == "midnight" else (12, 0)
    elif m["h2"]:
        hour, minute = int(m["h2"]), int(m["mi2"])
    else:
        hour, minute = int(m["h"]), int(m["mi"])
        ap = (m["ap"] or "").lower()
        if ap.startswith("p") and hour < 12:
            hour += 12
        elif ap.startswith("a") and hour == 12:
            hour = 0
    if hour > 23:
        return None
    text = f"{day.isoformat()}T{hour:02d}:{minute:02d}" + ("+00:00" if utc else "")
    try:
        return parse_time_spec(text)
    except ParseError:
        return None
