"""Event times as typed, resolved and shown, with their precision.

A typed time is parsed into a `TimeSpec` when the command is read, so bad syntax
is reported at once; it becomes an `EventTime` only in `TimeSpec.resolve`, once
the conflict's zone and the clock are known.

Wall-clock times without an offset are read in the zone by one rule (`_from_local`):
a time that happens twice (clocks going back) is its first occurrence (fold=0); a
time that never happens (clocks going forward) moves to the first minute after the
gap. So `2021-03-14T02:30` in America/New_York is 03:00 EDT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import ParseError
from bot.domain.model import EventTime, Precision

TIME_FORMS = (
    "2020-10-18 (the day), 2020-10-18T08 (the hour), 2020-10-18T08:00, "
    "2020-10-18T08:00+04:00, 25 Oct 2020 14:00, 25 Oct, today, yesterday, now, "
    "3h ago, 2d ago, ~2020-10-18 (approximate), 2020-10-14..2020-10-15 (a range)"
)

_MAX_LENGTH = 100  # far longer than any time; longer input is refused before any regex runs
_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Unit(StrEnum):
    """The grain of one typed time."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"


_PRECISION = {Unit.MINUTE: Precision.MINUTE, Unit.HOUR: Precision.HOUR, Unit.DAY: Precision.DAY}

_AGO_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), (Unit.MINUTE, 1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), (Unit.HOUR, 1)),
    **dict.fromkeys(("d", "day", "days"), (Unit.DAY, 1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), (Unit.DAY, 7)),
}


@dataclass(frozen=True)
class CalendarPoint:
    """A date as typed, with the time of day and the UTC offset when they were given."""

    year: int | None  # None (`25 Oct`): the latest such day not in the future
    month: int
    day: int
    hour: int | None = None
    minute: int | None = None  # None with an hour: known to the hour
    offset_seconds: int | None = None  # east of UTC; None: in the zone given to resolve

    @property
    def unit(self) -> Unit:
        if self.hour is None:
            return Unit.DAY
        return Unit.HOUR if self.minute is None else Unit.MINUTE


@dataclass(frozen=True)
class RelativePoint:
    """`now`, `today`, `yesterday`, `3h ago`: a time counted back from now.

    MINUTE and HOUR count that long back and are known to the minute; DAY counts
    local calendar days back (`yesterday` is 1) and is known to that day.
    """

    amount: int
    unit: Unit

    @property
    def grain(self) -> Unit:
        return Unit.DAY if self.unit is Unit.DAY else Unit.MINUTE


Point = CalendarPoint | RelativePoint


@dataclass(frozen=True)
class TimeSpec:
    """A time as typed, before the conflict's zone and the clock give it meaning.

    Build one with `parse_time_spec`. `first` alone is one time; with `last` it is a
    range; `approximate` is the `~` prefix. Two specs that mean the same are equal
    (`yesterday` and `1d ago`) whatever their text.
    """

    text: str = field(compare=False)
    first: Point
    last: Point | None = None
    approximate: bool = False

    def __str__(self) -> str:
        return self.text

    @property
    def precision(self) -> Precision:
        if self.approximate:
            return Precision.APPROXIMATE
        if self.last is not None:
            return Precision.RANGE
        return _PRECISION[_grain(self.first)]

    def resolve(self, zone: str, now: datetime) -> EventTime:
        """The interval this time denotes in `zone` (an IANA name) when the clock reads `now`.

        Times without an offset are wall-clock times in `zone`: an ambiguous one is its
        first occurrence, one skipped by a clock change is the first minute after the
        gap. Times known to the minute cover that minute (seconds are dropped), to the
        hour that hour, to the day the local day; `~` widens to whole local days; a
        range runs from the start of its first time to the end of its last.
        """
        tz = load_zone(zone)
        if now.utcoffset() is None:
            raise ValueError("now must be an aware datetime")
        try:
            start, end = self._interval(tz, now)
        except (OverflowError, ValueError) as exc:  # beyond what datetime can hold
            raise ParseError(f"{_quote(self.text)} is too far from today to handle.") from exc
        if end <= start and self.last is not None:
            raise ParseError(f"{_quote(self.text)} ends before it starts.")
        if end <= start:  # a whole day skipped, as Samoa skipped 30 Dec 2011
            raise ParseError(
                f"{_quote(self.text)} never happened in {zone}: its clocks skipped it."
            )
        return EventTime(start, end, self.precision, zone)

    def _interval(self, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
        if self.last is not None:
            return _range_interval(self.first, self.last, tz, now)
        start, end = _point_interval(self.first, tz, now)
        return _whole_days(start, end, tz) if self.approximate else (start, end)


# ---- parsing ---------------------------------------------------------------

_RANGE_SEPARATOR = re.compile(r"\.\.|–|—| to ")
_ISO = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?:[t ](?P<h>[0-9]{1,2})"
    r"(?::(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,][0-9]{1,9})?)?)?"
    r" ?(?P<off>z|utc|[+-][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2})?)?)?)?"
)
_CLOCK = r"(?:,? (?:at )?(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2}))?"
_DAY_MONTH = re.compile(
    r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)? (?P<mon>[a-z]+)\.?(?:,? (?P<y>[0-9]{4}))?" + _CLOCK
)
_MONTH_DAY = re.compile(
    r"(?P<mon>[a-z]+)\.? (?P<d>[0-9]{1,2})(?:st|nd|rd|th)?(?:,? (?P<y>[0-9]{4}))?" + _CLOCK
)
_AGO = re.compile(r"(?P<n>[0-9]{1,6}) ?(?P<u>[a-z]+) ago")
_WORDS: dict[str, Point] = {
    "now": RelativePoint(0, Unit.MINUTE),
    "today": RelativePoint(0, Unit.DAY),
    "yesterday": RelativePoint(1, Unit.DAY),
}


def parse_time_spec(text: str) -> TimeSpec:
    """Read a typed time (see `TIME_FORMS`), checking its syntax and its dates now.

    Case and surrounding whitespace do not matter. Raises `ParseError`.
    """
    raw = text.strip()
    if not raw:
        raise ParseError(f"No time was given. Write one like: {TIME_FORMS}.")
    if len(raw) > _MAX_LENGTH:
        raise ParseError(f"{_quote(raw)} is too long to be a time. Write one like: {TIME_FORMS}.")
    s = " ".join(raw.lower().split())
    approximate = s.startswith("~")
    if approximate:
        s = s[1:].lstrip()
    parts = _RANGE_SEPARATOR.split(s)
    if len(parts) == 1:
        return TimeSpec(raw, _parse_point(s, raw), approximate=approximate)
    if len(parts) > 2:
        raise ParseError(
            f"{_quote(raw)}: a range has one start and one end, like 2020-10-14..2020-10-15."
        )
    if approximate or "~" in s:
        raise ParseError(
            f"{_quote(raw)}: a range cannot be approximate (~); give its first and last day, "
            "like 2020-10-14..2020-10-15."
        )
    first, last = (p.strip() for p in parts)
    if not first or not last:
        raise ParseError(
            f"{_quote(raw)}: a range needs a start and an end, like 2020-10-14..2020-10-15."
        )
    spec = TimeSpec(raw, _parse_point(first, raw), _parse_point(last, raw))
    _check_order(spec)
    return spec


def _parse_point(s: str, raw: str) -> Point:
    word = _WORDS.get(s)
    if word is not None:
        return word
    if m := _AGO.fullmatch(s):
        unit_and_factor = _AGO_UNITS.get(m["u"])
        if unit_and_factor is None:
            raise ParseError(
                f'{_quote(raw)}: "{m["u"]}" is not a unit of time; '
                "use m, h, d or w (3h ago, 2 days ago)."
            )
        unit, factor = unit_and_factor
        return RelativePoint(int(m["n"]) * factor, unit)
    if m := _ISO.fullmatch(s):
        return _iso_point(m, raw)
    if m := _DAY_MONTH.fullmatch(s) or _MONTH_DAY.fullmatch(s):
        month = _MONTHS.get(m["mon"])
        if month is None:
            raise ParseError(
                f'{_quote(raw)}: "{m["mon"]}" is not a month. Write one like: {TIME_FORMS}.'
            )
        return _calendar_point(raw, _int(m["y"]), month, int(m["d"]), _int(m["h"]), _int(m["mi"]))
    raise ParseError(f"{_quote(raw)} is not a time I can read. Write one like: {TIME_FORMS}.")


def _iso_point(m: re.Match[str], raw: str) -> CalendarPoint:
    hour, minute, offset = _int(m["h"]), _int(m["mi"]), m["off"]
    if offset is not None and minute is None:
        raise ParseError(
            f"{_quote(raw)}: an hour alone takes no offset; give the minutes too, "
            "like 2020-10-18T08:00+04:00."
        )
    second = _int(m["s"])
    if second is not None and second > 59:
        raise ParseError(f"{_quote(raw)}: {second} is not a second of a minute.")
    point = _calendar_point(raw, int(m["y"]), int(m["mo"]), int(m["d"]), hour, minute)
    return replace(point, offset_seconds=None if offset is None else _offset_seconds(offset, raw))


def _calendar_point(
    raw: str, year: int | None, month: int, day: int, hour: int | None, minute: int | None
) -> CalendarPoint:
    if not 1 <= month <= 12:
        raise ParseError(f"{_quote(raw)} is not a date: there is no month {month}.")
    try:
        date(2000 if year is None else year, month, day)  # 2000: 29 Feb exists without a year
    except ValueError:
        raise ParseError(f"{_quote(raw)} is not a date: there is no such day.") from None
    if hour is not None and (hour > 23 or (minute is not None and minute > 59)):
        raise ParseError(f"{_quote(raw)}: the time of day must be from 00:00 to 23:59.")
    return CalendarPoint(year, month, day, hour, minute)


def _offset_seconds(text: str, raw: str) -> int:
    if text in ("z", "utc"):
        return 0
    digits = text[1:].replace(":", "")
    hours, minutes, seconds = int(digits[:2]), int(digits[2:4] or 0), int(digits[4:] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ParseError(f"{_quote(raw)}: {text} is not a UTC offset; write one like +04:00.")
    return (hours * 3600 + minutes * 60 + seconds) * (-1 if text[0] == "-" else 1)


def _check_order(spec: TimeSpec) -> None:
    """Refuse a range that visibly ends before it starts (the rest is caught on resolving)."""
    first, last = spec.first, spec.last
    backwards = False
    if isinstance(first, RelativePoint) and isinstance(last, RelativePoint):
        backwards = first.grain is last.grain and _minutes_back(last) > _minutes_back(first)
    elif isinstance(first, CalendarPoint) and isinstance(last, CalendarPoint):
        both_have_years = first.year is not None and last.year is not None
        if both_have_years and (first.offset_seconds is None) == (last.offset_seconds is None):
            try:
                backwards = _naive_bounds(last)[1] <= _naive_bounds(first)[0]
            except OverflowError:
                backwards = False
    if backwards:
        raise ParseError(f"{_quote(spec.text)} ends before it starts.")


def _minutes_back(p: RelativePoint) -> int:
    return p.amount * {Unit.MINUTE: 1, Unit.HOUR: 60, Unit.DAY: 1440}[p.unit]


def _naive_bounds(p: CalendarPoint) -> tuple[datetime, datetime]:
    """Start and end as wall-clock times (in UTC when the point has an offset)."""
    assert p.year is not None
    start = datetime(p.year, p.month, p.day, p.hour or 0, p.minute or 0)
    start -= timedelta(seconds=p.offset_seconds or 0)
    length = {Unit.DAY: timedelta(days=1), Unit.HOUR: _HOUR, Unit.MINUTE: _MINUTE}[p.unit]
    return start, start + length


def parse_clock_time(text: str) -> tuple[int, int]:
    """`HH:MM` (or `H:MM`), 00:00 to 23:59, as (hour, minute). Raises `ParseError`."""
    s = text.strip()
    m = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", s) if len(s) <= 5 else None
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        raise ParseError(
            f"{_quote(s)} is not a time of day; use HH:MM from 00:00 to 23:59, like 08:00."
        )
    return int(m[1]), int(m[2])


def load_zone(zone: str) -> ZoneInfo:
    """The IANA zone named `zone`; `ParseError` if there is none."""
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ParseError(
            f"{_quote(zone)} is not a time zone I know; use an IANA name like Asia/Baku or UTC."
        ) from None


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _quote(text: str) -> str:
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


# ---- resolving -------------------------------------------------------------


def _grain(p: Point) -> Unit:
    return p.unit if isinstance(p, CalendarPoint) else p.grain


def _from_local(naive: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `tz`.

    A time that happens twice (clocks going back) is its first occurrence (fold=0).
    A time that never happens (clocks going forward) is the first whole minute
    after the gap: 02:30 on the night New York skips 02:00-03:00 is 03:00 EDT.
    """
    earlier = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if earlier.astimezone(tz).replace(tzinfo=None) == naive:
        return earlier
    # In a gap fold=0 and fold=1 apply the offsets before and after the change, so
    # the change lies between the two readings; find its second.
    lo, hi = sorted((earlier, naive.replace(tzinfo=tz, fold=1).astimezone(UTC)))
    after = hi.astimezone(tz).utcoffset()
    lo_s, hi_s = int((lo - _EPOCH).total_seconds()), int((hi - _EPOCH).total_seconds())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if (_EPOCH + timedelta(seconds=mid)).astimezone(tz).utcoffset() == after:
            hi_s = mid
        else:
            lo_s = mid
    change = _EPOCH + timedelta(seconds=hi_s)
    seconds = change.astimezone(tz).second
    return change + timedelta(seconds=60 - seconds) if seconds else change


def _day(d: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return _from_local(datetime.combine(d, time()), tz), _from_local(
        datetime.combine(d + timedelta(days=1), time()), tz
    )


def _whole_days(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return _day(first, tz)[0], _day(last, tz)[1]


def _calendar_interval(p: CalendarPoint, year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    d = date(year, p.month, p.day)
    if p.hour is None:
        return _day(d, tz)
    naive = datetime.combine(d, time(p.hour, p.minute or 0))
    if p.offset_seconds is not None:
        start = naive.replace(tzinfo=timezone(timedelta(seconds=p.offset_seconds))).astimezone(UTC)
    else:
        start = _from_local(naive, tz)
    return start, start + (_HOUR if p.minute is None else _MINUTE)


def _occurrences(
    p: CalendarPoint, years: Iterable[int], tz: ZoneInfo
) -> Iterable[tuple[datetime, datetime]]:
    """The point in each of `years`, skipping years without its day (29 Feb)."""
    for year in years:
        if p.month == 2 and p.day == 29 and not _is_leap(year):
            continue
        yield _calendar_interval(p, year, tz)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _latest(
    p: CalendarPoint, tz: ZoneInfo, before: datetime, inclusive: bool
) -> tuple[datetime, datetime]:
    """A year-less point's latest occurrence starting before `before` (or at it)."""
    year = before.astimezone(tz).year
    for start, end in _occurrences(p, range(year + 1, year - 12, -1), tz):
        if start < before or (inclusive and start == before):
            return start, end
    raise ValueError("no occurrence")  # unreachable: every day recurs within 8 years


def _earliest(p: CalendarPoint, tz: ZoneInfo, after: datetime) -> tuple[datetime, datetime]:
    """A year-less point's earliest occurrence ending after `after`."""
    year = after.astimezone(tz).year
    for start, end in _occurrences(p, range(year - 1, year + 12), tz):
        if end > after:
            return start, end
    raise ValueError("no occurrence")  # unreachable: every day recurs within 8 years


def _point_interval(p: Point, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    if isinstance(p, RelativePoint):
        if p.unit is Unit.DAY:
            return _day(now.astimezone(tz).date() - timedelta(days=p.amount), tz)
        back = timedelta(minutes=p.amount) if p.unit is Unit.MINUTE else timedelta(hours=p.amount)
        start = (now.astimezone(UTC) - back).replace(second=0, microsecond=0)
        return start, start + _MINUTE
    if p.year is None:
        return _latest(p, tz, now, inclusive=True)
    return _calendar_interval(p, p.year, tz)


def _range_interval(
    first: Point, last: Point, tz: ZoneInfo, now: datetime
) -> tuple[datetime, datetime]:
    """A year-less end of a range takes its year from the other end (`30 Dec..2 Jan`)."""
    if isinstance(first, CalendarPoint) and first.year is None and not _yearless(last):
        end = _point_interval(last, tz, now)[1]
        return _latest(first, tz, end, inclusive=False)[0], end
    start = _point_interval(first, tz, now)[0]
    if isinstance(last, CalendarPoint) and last.year is None:
        return start, _earliest(last, tz, start)[1]
    return start, _point_interval(last, tz, now)[1]


def _yearless(p: Point) -> bool:
    return isinstance(p, CalendarPoint) and p.year is None


# ---- showing ---------------------------------------------------------------


def format_event_time(t: EventTime, zone: str | None = None) -> str:
    """An event time for people, e.g. `26 Oct 2020 08:00 UTC+4`, `~26 Oct 2020`, `14–15 Oct 2020`.

    Times of day are shown in `zone` (default: the event's own zone). Days are
    always the days of the event's zone: a day known in Baku is that day in Baku.
    An hour shows as `08:00–09:00`; a range not made of whole days shows its
    first and last minute.
    """
    own = load_zone(t.zone)
    shown = own if zone is None else load_zone(zone)
    if t.precision in (Precision.DAY, Precision.APPROXIMATE):
        first, last = _dates(t, own)
        text = _days_text(first, last)
        return "~" + text if t.precision is Precision.APPROXIMATE else text
    if t.precision is Precision.RANGE:
        if _whole_days_in(t, own):
            return _days_text(*_dates(t, own))
        return _span_text(
            t.start.astimezone(shown), (t.end - _MINUTE).astimezone(shown), one_day=False
        )
    start = t.start.astimezone(shown)
    if t.precision is Precision.HOUR:
        return _span_text(start, t.end.astimezone(shown), one_day=True)
    return f"{_date_text(start.date())} {start:%H:%M} {_zone_label(start)}"


def format_spec(t: EventTime) -> str:
    """Text that `parse_time_spec(...).resolve(t.zone, now)` turns back into `t`, for export.

    `2020-10-26T08:00+04:00` (minute), `2020-10-26T08` (hour, local in t.zone),
    `2020-10-26`, `~2020-10-26`, `2020-10-14..2020-10-15`. Holds for every EventTime
    that `resolve` makes; others get the nearest time that can be written (minutes
    drop their seconds; an hour is written as its local hour).
    """
    tz = load_zone(t.zone)
    if t.precision is Precision.MINUTE:
        return _minute_spec(t.start, tz)
    if t.precision is Precision.HOUR:
        local = t.start.astimezone(tz)
        return f"{_iso_date(local.date())}T{local.hour:02d}"
    first, last = _dates(t, tz)
    if t.precision is Precision.DAY:
        return _iso_date(first)
    if t.precision is Precision.APPROXIMATE:
        return "~" + _iso_date(first)
    if _whole_days_in(t, tz):
        return f"{_iso_date(first)}..{_iso_date(last)}"
    return f"{_minute_spec(t.start, tz)}..{_minute_spec(t.end - _MINUTE, tz)}"


def _dates(t: EventTime, tz: ZoneInfo) -> tuple[date, date]:
    """The local days of the first and last instant of `t`."""
    return t.start.astimezone(tz).date(), (t.end - timedelta(microseconds=1)).astimezone(tz).date()


def _whole_days_in(t: EventTime, tz: ZoneInfo) -> bool:
    first, last = _dates(t, tz)
    return _day(first, tz)[0] == t.start and _day(last, tz)[1] == t.end


def _minute_spec(instant: datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    if local.second or local.microsecond:  # an old local mean time, offset by seconds
        local = instant.astimezone(UTC)
    offset = int((local.utcoffset() or timedelta()).total_seconds())
    sign = "-" if offset < 0 else "+"
    hours, rest = divmod(abs(offset), 3600)
    minutes, seconds = divmod(rest, 60)
    written = f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")
    return f"{_iso_date(local.date())}T{local:%H:%M}{written}"


def _iso_date(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _date_text(d: date) -> str:
    return f"{d.day} {_MONTH_ABBR[d.month - 1]} {d.year}"


def _days_text(first: date, last: date) -> str:
    if first == last:
        return _date_text(first)
    if first.year != last.year:
        return f"{_date_text(first)} – {_date_text(last)}"
    if first.month != last.month:
        return f"{first.day} {_MONTH_ABBR[first.month - 1]} – {_date_text(last)}"
    return f"{first.day}–{last.day} {_MONTH_ABBR[last.month - 1]} {last.year}"


def _span_text(start: datetime, end: datetime, *, one_day: bool) -> str:
    """Two local times, naming the zone once if they share it (`08:00–09:00 UTC+4`)."""
    first, last = _zone_label(start), _zone_label(end)
    a = f"{start:%H:%M}" if first == last else f"{start:%H:%M} {first}"
    b = f"{end:%H:%M} {last}"
    if one_day or start.date() == end.date():
        return f"{_date_text(start.date())} {a}–{b}"
    return f"{_date_text(start.date())} {a} – {_date_text(end.date())} {b}"


def _zone_label(local: datetime) -> str:
    """`EST`, `CET` where the zone has a name for the time; else `UTC+4`, `UTC+5:30`, `UTC`."""
    name = local.tzname() or ""
    if name.isascii() and name.isalpha():
        return name
    seconds = int((local.utcoffset() or timedelta()).total_seconds())
    if seconds == 0:
        return "UTC"
    sign = "-" if seconds < 0 else "+"
    hours, mins = divmod(abs(seconds) // 60, 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")
