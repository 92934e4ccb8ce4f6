"""When a daily briefing is due, in its channel's time zone, across daylight-saving
changes: a local time that does not exist (spring forward) fires at the first
minute after the gap; one that happens twice (fall back) fires at the first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(text: str) -> tuple[int, int]:
    hours, minutes = text.split(":")
    return int(hours), int(minutes)


def _exists(naive: datetime, zone: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def local_moment(day: date, time_of_day: str, zone: str) -> datetime:
    """The UTC instant of `time_of_day` on local `day` in `zone`."""
    tz = ZoneInfo(zone)
    hours, minutes = parse_hhmm(time_of_day)
    naive = datetime(day.year, day.month, day.day, hours, minutes)
    for _ in range(24 * 60):  # gaps are at most a few hours; a whole skipped day is absurd
        if _exists(naive, tz):
            return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
        naive += timedelta(minutes=1)
    raise ValueError(f"{time_of_day} never happens near {day} in {zone}")


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def candidate_days(now: datetime, zone: str) -> list[date]:
    """The local days whose briefing could be due now: yesterday's (late, within
    the grace) and today's."""
    today = local_date(now, zone)
    return [today - timedelta(days=1), today]


def next_moment(now: datetime, time_of_day: str, zone: str) -> datetime:
    """The next time the briefing comes, after `now`."""
    day = local_date(now, zone)
    for offset in range(3):
        moment = local_moment(day + timedelta(days=offset), time_of_day, zone)
        if moment > now:
            return moment
    return local_moment(day + timedelta(days=3), time_of_day, zone)
