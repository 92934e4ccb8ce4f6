"""Typed domain errors. Each one carries what the user needs to read; the
entry points (Slack, console) turn them into text in one place."""

from __future__ import annotations

from collections.abc import Sequence


class SitrepError(Exception):
    """Base of every error a user can cause and should be told about."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParseError(SitrepError):
    """The command was not understood. `usage` is the usage of that command."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.usage = usage


class NotFound(SitrepError):
    """A named thing (place, party, ceasefire, update, conflict) does not exist."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.suggestions = tuple(suggestions)


class Ambiguous(SitrepError):
    """A name matches several things equally well; the user must choose."""

    def __init__(self, message: str, options: Sequence[str]) -> None:
        super().__init__(message)
        self.options = tuple(options)


class NotPermitted(SitrepError):
    """The user may not do this (not an admin, a guest, ...)."""


class Invalid(SitrepError):
    """The command was understood but cannot be applied (a rule of the ledger)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ImportFailed(SitrepError):
    """A data file failed validation; nothing was loaded."""
