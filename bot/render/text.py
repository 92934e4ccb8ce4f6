"""Text of every answer, from the Jinja2 templates in `templates/`, in two
dialects: Slack mrkdwn and plain text (console). The same template serves both;
only the filters differ. Never HTML autoescape: Slack would show `&#39;`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.domain.model import EventTime, Precision, short_id
from bot.domain.picture import Duration
from bot.domain.times import format_event_time
from bot.services import views as v

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

TEMPLATE_FOR: dict[type, str] = {
    v.BriefingView: "briefing.j2",
    v.ProposalView: "proposal.j2",
    v.StatusView: "status.j2",
    v.OverviewView: "overview.j2",
    v.ClaimsView: "claims.j2",
    v.CeasefiresView: "ceasefires.j2",
    v.ShowView: "show.j2",
    v.DoneView: "done.j2",
    v.TextView: "text.j2",
    v.ErrorView: "error.j2",
}


def escape_mrkdwn(text: object) -> str:
    """The three characters Slack's mrkdwn treats as markup: `<!channel>` typed
    into a note becomes harmless text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def at(moment: datetime, zone: str) -> str:
    start = moment.replace(second=0, microsecond=0)
    return format_event_time(
        EventTime(start, start + timedelta(minutes=1), Precision.MINUTE, zone), zone
    )


def span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h" + (f" {minutes % 60} min" if hours < 6 and minutes % 60 else "")
    return f"{hours // 24} days"


def held(duration: Duration) -> str:
    """`held 25 min`, `held under a day`, `holding for 3 h so far`."""
    if duration.ongoing:
        return (
            f"holding for {span(duration.shortest)} so far"
            if duration.shortest == duration.longest
            or duration.longest - duration.shortest < timedelta(hours=1)
            else f"holding for {span(duration.shortest)}–{span(duration.longest)} so far"
        )
    if duration.longest - duration.shortest < timedelta(minutes=30):
        return f"held {span(duration.longest)}"
    if duration.shortest == timedelta(0):
        return f"held under {span(duration.longest)}"
    return f"held {span(duration.shortest)} to {span(duration.longest)}"


def _source_mrkdwn(source: str) -> str:
    if source.startswith(("http://", "https://")) and not any(c in source for c in "<>| "):
        host = urlparse(source).netloc.removeprefix("www.") or source
        return f"<{escape_mrkdwn(source)}|{escape_mrkdwn(host)}>"
    return escape_mrkdwn(source)


def _join(items: Iterable[Any], sep: str = ", ") -> str:
    return sep.join(str(i) for i in items)


def _environment(dialect: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
    )
    mrkdwn = dialect == "mrkdwn"
    identity: Callable[[object], str] = str
    env.filters.update(
        esc=escape_mrkdwn if mrkdwn else identity,
        b=(lambda s: f"*{s}*") if mrkdwn else identity,
        i=(lambda s: f"_{s}_") if mrkdwn else identity,
        code=(lambda s: f"`{s}`") if mrkdwn else identity,
        when=format_event_time,
        at=at,
        held=held,
        span=span,
        uid=short_id,
        source=_source_mrkdwn if mrkdwn else identity,
        join_all=_join,
        cap=lambda s: str(s)[:1].upper() + str(s)[1:],
    )
    env.globals["mrkdwn"] = mrkdwn
    return env


@cache
def environment(dialect: str) -> Environment:
    if dialect not in ("mrkdwn", "plain"):
        raise ValueError(f"unknown dialect {dialect}")
    return _environment(dialect)


def render(view: v.View, dialect: str = "plain", template: str | None = None, **extra: Any) -> str:
    """`view` through its template (or `template`), tidied of empty lines."""
    template_ = environment(dialect).get_template(template or TEMPLATE_FOR[type(view)])
    text = template_.render(view=view, **extra)
    lines = [line.rstrip() for line in text.splitlines()]
    # Collapse runs of blank lines the templates' optional sections leave.
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
