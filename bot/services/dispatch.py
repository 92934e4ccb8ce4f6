"""One entry for every command: Slack, the console and the CLI all call `execute`."""

from __future__ import annotations

from bot.domain import commands as cmd
from bot.domain.errors import Ambiguous, NotFound, ParseError, SitrepError
from bot.domain.usage import help_text
from bot.services import catalog_writes, reads, revisions, subscriptions, writes
from bot.services.context import Actor, Context
from bot.services.views import ErrorView, TextView, View


def execute(
    ctx: Context, command: cmd.Command, actor: Actor, request_key: str | None = None
) -> View:
    """Carry out a parsed command. Domain errors propagate: see `error_view`."""
    match command:
        case cmd.Help(topic):
            return TextView("Sitrep help", (help_text(topic),))
        case cmd.Status(place=None):
            return reads.overview(ctx, command.conflict, actor)
        case cmd.Status():
            return reads.place_status(ctx, command, actor)
        case cmd.Claims():
            return reads.list_claims(ctx, command, actor)
        case cmd.CeasefireQuery():
            return reads.ceasefires(ctx, command, actor)
        case cmd.ControlUpdate() | cmd.ClaimUpdate() | cmd.CeasefireUpdate() | cmd.NoteUpdate():
            return writes.record(ctx, command, actor, request_key)
        case cmd.CorrectUpdate():
            return revisions.correct(ctx, command, actor, request_key)
        case cmd.RetractUpdate():
            return revisions.retract(ctx, command, actor, request_key)
        case cmd.ShowUpdate():
            return revisions.show(ctx, command, actor)
        case cmd.PlaceUpdate():
            return catalog_writes.place(ctx, command, actor)
        case cmd.PartyUpdate():
            return catalog_writes.party(ctx, command, actor)
        case cmd.ConflictUpdate():
            return catalog_writes.conflict(ctx, command, actor)
        case cmd.Admins():
            return catalog_writes.admins(ctx, command, actor)
        case cmd.BriefingPreview():
            return subscriptions.preview(ctx, command, actor)
        case cmd.BriefingSubscribe():
            return subscriptions.subscribe(ctx, command, actor)
        case cmd.BriefingUnsubscribe():
            return subscriptions.unsubscribe(ctx, command, actor)
        case cmd.BriefingList():
            return subscriptions.listing(ctx, actor)
        case cmd.BriefingBottomLine():
            return subscriptions.bottom_line(ctx, command, actor)
        case cmd.Ingest():
            from bot.ingest.service import ingest_command

            return ingest_command(ctx, command, actor)
        case cmd.OpenForm():
            return TextView(
                "The update form",
                (
                    "In Slack, `/update` alone opens a form. Here, type the one-line form: "
                    + help_text("update"),
                ),
            )
    return ErrorView(f"{type(command).__name__} is not available yet in this version of Sitrep.")


def error_view(exc: SitrepError) -> ErrorView:
    """The one place where domain errors become what the user reads."""
    if isinstance(exc, ParseError):
        return ErrorView(exc.message, usage=exc.usage)
    if isinstance(exc, Ambiguous):
        return ErrorView(exc.message, options=exc.options, options_label="Which one?")
    if isinstance(exc, NotFound):
        return ErrorView(exc.message, options=exc.suggestions, options_label="Did you mean")
    return ErrorView(exc.message)
