"""From a report to the ledger: read it, propose updates, and write exactly the
ones a person approves, in one transaction, with the report as their source."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from bot.domain import commands as cmd
from bot.domain.errors import Invalid, NotFound, ParseError
from bot.domain.parser import parse_line
from bot.domain.times import parse_time_spec
from bot.domain.unparse import unparse
from bot.ingest.extract import Gazetteer, KnownParty, KnownPlace, extract
from bot.ingest.fetch import FetchRefused, fetch
from bot.ingest.reading import Unreadable, html_text, report_text
from bot.services import catalog_writes, writes
from bot.services.context import Actor, Context
from bot.services.resolve import pick_conflict
from bot.services.views import CandidateView, DoneView, ProposalView
from bot.store.schema import proposals
from bot.store.uow import Tx

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DATELINE = re.compile(
    r"\b(?:(?P<month1>[A-Z][a-z]+)\s+(?P<day1>\d{1,2}),?\s+(?P<year1>(?:19|20)\d\d)"
    r"|(?P<day2>\d{1,2})\s+(?P<month2>[A-Z][a-z]+)\s+(?P<year2>(?:19|20)\d\d))\b"
)


def dateline(text: str) -> date | None:
    """The report's own date, from its first lines ("October 27, 2020", "26 October 2020"):
    what a date without a year in the report refers to."""
    for match in _DATELINE.finditer(text[:1500]):
        month = (match["month1"] or match["month2"] or "").lower()
        day = match["day1"] or match["day2"]
        year = match["year1"] or match["year2"]
        names = [m for m in _MONTHS if m.startswith(month[:3])] if len(month) >= 3 else []
        if names and day and year:
            try:
                return date(int(year), _MONTHS.index(names[0]) + 1, int(day))
            except ValueError:
                continue
    return None


def read_target(ctx: Context, target: str) -> tuple[str, str]:
    """(text, source) of a report given as a URL or a file path (console)."""
    if target.startswith(("http://", "https://")):
        try:
            page = fetch(target, allow_private=ctx.fetch_allow_private)
            text = (
                html_text(page.body.decode("utf-8", "replace"))
                if "html" in page.content_type
                else report_text(page.body, content_type=page.content_type)
            )
        except (FetchRefused, Unreadable) as exc:
            raise Invalid(str(exc)) from exc
        return text, page.url
    path = Path(target).expanduser()
    if not path.is_file():
        raise NotFound(f"There is no file {target}.")
    try:
        return report_text(path.read_bytes(), path.name), path.name
    except Unreadable as exc:
        raise Invalid(str(exc)) from exc


def read_url(ctx: Context, url: str) -> str:
    return read_target(ctx, url)[0]


def gazetteer(tx: Tx, conflict_id: int) -> Gazetteer:
    parties = tuple(KnownParty(p.name, p.side, p.aliases) for p in tx.catalog.parties(conflict_id))
    places = tuple(
        KnownPlace(p.name, tuple(dict.fromkeys([*p.aliases, *p.names_by_side.values()])))
        for p in tx.catalog.places(conflict_id)
    )
    return Gazetteer(parties, places, tuple(c.name for c in tx.catalog.ceasefires(conflict_id)))


def propose(
    ctx: Context,
    text: str,
    source: str,
    actor: Actor,
    conflict: str | None = None,
    published: date | None = None,
) -> ProposalView:
    """Extract candidate updates and keep them as an open proposal. Writes no update."""
    if not text.strip():
        raise Invalid("The report is empty.")
    source = source.strip() or "a report"
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        writes.require_admin(tx, ctx, actor)
        chosen_conflict = pick_conflict(tx, conflict)
        published = published or dateline(text)
        found = extract(text, gazetteer(tx, chosen_conflict.id), published or now.date())
        candidates = [
            {
                "number": c.number,
                "label": c.label,
                "sentence": c.sentence,
                "line": unparse(_dated(c.command, published)),
                "answers": c.answers,
            }
            for c in found.candidates
        ]
        proposal_id = tx.conn.execute(
            insert(proposals).values(
                conflict_id=chosen_conflict.id,
                created_by=actor.user_id,
                created_at=now,
                source=source,
                status="open",
                places_named=list(found.places_named),
                candidates=candidates,
                chosen={},
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        return _view(
            int(proposal_id), chosen_conflict.name, source, list(found.places_named), candidates
        )


def _dated(command: cmd.Command, published: date | None) -> cmd.Command:
    """A candidate the report gives no date for happened, roughly, when it was
    reported: say so (editable) rather than let it default to the moment of approval."""
    common = getattr(command, "common", None)
    if (
        published is None
        or common is None
        or common.when is not None
        or isinstance(command, cmd.PlaceUpdate)
    ):
        return command
    return replace(
        command, common=replace(common, when=parse_time_spec(f"~{published.isoformat()}"))
    )


def _view(
    proposal_id: int,
    conflict: str,
    source: str,
    places: list[str],
    candidates: list[dict[str, Any]],
) -> ProposalView:
    return ProposalView(
        proposal_id,
        conflict,
        source,
        tuple(places),
        tuple(
            CandidateView(c["number"], c["label"], c["sentence"], c["line"], c.get("answers"))
            for c in candidates
        ),
    )


def load(ctx: Context, proposal_id: int) -> tuple[ProposalView, dict[str, str]]:
    """An open proposal, and the lines chosen so far (number → line)."""
    with ctx.uow.read() as tx:
        row = (
            tx.conn.execute(select(proposals).where(proposals.c.id == proposal_id))
            .mappings()
            .first()
        )
        if row is None or row["status"] != "open":
            raise NotFound("That proposal is no longer open; read the report again.")
        conflict = tx.catalog.conflict(row["conflict_id"])
        view = _view(
            row["id"], conflict.name, row["source"], row["places_named"], row["candidates"]
        )
        return view, dict(row["chosen"] or {})


def keep_choices(ctx: Context, proposal_id: int, chosen: dict[str, str]) -> None:
    """Remember what was ticked and edited on one page before showing another."""
    with ctx.uow.write() as tx:
        tx.conn.execute(
            update(proposals).where(proposals.c.id == proposal_id).values(chosen=chosen)
        )


def approve(ctx: Context, proposal_id: int, chosen: dict[int, str], actor: Actor) -> DoneView:
    """Write the chosen candidates (as edited) in one transaction, sourced to the report.
    Nothing is written if any one of them cannot be."""
    now = ctx.clock.now()
    with ctx.uow.write() as tx:
        writes.require_admin(tx, ctx, actor)
        row = (
            tx.conn.execute(select(proposals).where(proposals.c.id == proposal_id))
            .mappings()
            .first()
        )
        if row is None or row["status"] != "open":
            raise NotFound("That proposal is no longer open; read the report again.")
        if not chosen:
            raise Invalid("Nothing was chosen, so nothing was written.")
        conflict = tx.catalog.conflict(row["conflict_id"])
        written: list[str] = []
        # New places first: the claims that name them come after.
        ordered = sorted(
            chosen.items(),
            key=lambda item: (not item[1].lstrip().startswith("/update place"), item[0]),
        )
        answers = {c["number"]: c.get("answers") for c in row["candidates"]}
        recorded: dict[int, int] = {}  # candidate number → the update it became
        for number, line in ordered:
            try:
                command = parse_line(line)
            except ParseError as exc:
                raise ParseError(f"Candidate {number}: {exc.message}", exc.usage) from exc
            answered = recorded.get(answers.get(number) or 0)
            try:
                done = _record(
                    tx, command, row["source"], conflict.name, actor, now, refutes=answered
                )
                written.append(done.headline)
                if done.update_id is not None:
                    recorded[number] = done.update_id
            except (Invalid, NotFound) as exc:
                # Say which candidate could not be written; nothing of the others is kept.
                raise type(exc)(f"Candidate {number}: {exc.message}") from exc
        tx.conn.execute(
            update(proposals).where(proposals.c.id == proposal_id).values(status="approved")
        )
        return DoneView(
            headline=f"Recorded {len(written)} update(s) from {row['source']}.",
            details=tuple(written),
        )


def _record(
    tx: Tx,
    command: cmd.Command,
    source: str,
    conflict: str,
    actor: Actor,
    now: Any,
    refutes: int | None = None,
) -> DoneView:
    """Record one approved candidate; a denial of another candidate approved with
    it refutes that one (the link the report itself draws)."""
    if isinstance(command, cmd.PlaceUpdate):
        return catalog_writes.place_in(
            tx, tx.catalog.conflict(_conflict_id(tx, conflict)), command, actor, now
        )
    if not isinstance(
        command, (cmd.ControlUpdate, cmd.ClaimUpdate, cmd.CeasefireUpdate, cmd.NoteUpdate)
    ):
        raise Invalid(
            "Only claims, control, ceasefire events, notes and places can come from a report."
        )
    common = command.common
    sources = common.sources if source in common.sources else (*common.sources, source)
    links = (
        common.refutes
        if refutes is None or refutes in common.refutes
        else (*common.refutes, refutes)
    )
    command = replace(
        command,
        common=replace(
            common, sources=sources, conflict=common.conflict or conflict, refutes=links
        ),
    )
    return writes.record_in(tx, command, actor, now)


def _conflict_id(tx: Tx, name: str) -> int:
    return pick_conflict(tx, name).id


def cancel(ctx: Context, proposal_id: int) -> None:
    with ctx.uow.write() as tx:
        tx.conn.execute(
            update(proposals)
            .where(proposals.c.id == proposal_id, proposals.c.status == "open")
            .values(status="cancelled")
        )


def ingest_command(ctx: Context, command: cmd.Ingest, actor: Actor) -> ProposalView | DoneView:
    """`/update ingest FILE [approve:…]` in the console: propose, or propose and approve."""
    if command.target is None:
        raise Invalid("Give the report: `/update ingest report.txt` or `/update ingest https://…`.")
    with ctx.uow.read() as tx:
        writes.require_admin(tx, ctx, actor)
    text, source = read_target(ctx, command.target)
    view = propose(ctx, text, command.source_name or source, actor)
    if command.approve is None and not command.approve_all:
        return view
    numbers = (
        [c.number for c in view.candidates] if command.approve_all else list(command.approve or ())
    )
    lines = {c.number: c.line for c in view.candidates}
    unknown = [n for n in numbers if n not in lines]
    if unknown:
        cancel(ctx, view.proposal_id)
        raise Invalid(f"There is no candidate {unknown[0]}; the report gave {len(lines)}.")
    return approve(ctx, view.proposal_id, {n: lines[n] for n in numbers}, actor)
