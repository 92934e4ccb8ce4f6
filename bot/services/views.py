"""View models: what an answer says, ready to render as mrkdwn, plain text or
blocks. Plain values only; the renderers decide how it looks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.model import CeasefireState, Confidence, EventTime, Stance, Standing
from bot.domain.picture import Duration


@dataclass(frozen=True)
class ClaimView:
    id: int
    parties: tuple[str, ...]
    speaker: str | None
    text: str
    event: EventTime
    recorded_at: datetime
    sources: tuple[str, ...]
    standing: Standing
    stance: Stance | None = None
    stance_holder: str | None = None
    places: tuple[str, ...] = ()
    corroborated_by: tuple[int, ...] = ()
    refuted_by: tuple[int, ...] = ()

    @property
    def claimant(self) -> str:
        who = ", ".join(self.parties)
        return f"{who} ({self.speaker})" if self.speaker else who


@dataclass(frozen=True)
class AssessmentView:
    id: int
    holder: str  # a party's name, "contested" or "unknown"
    confidence: Confidence | None
    event: EventTime
    sources: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class NoteView:
    id: int
    text: str
    event: EventTime
    sources: tuple[str, ...]
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class ViolationView:
    id: int
    event: EventTime
    accuser: str | None
    accused: tuple[str, ...]
    note: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CeasefireView:
    id: int
    ordinal: int
    name: str
    state: CeasefireState | None
    since: EventTime | None
    announced: EventTime | None
    effective: EventTime | None
    ended: EventTime | None
    held: Duration | None
    parties: tuple[str, ...]
    mediators: tuple[str, ...]
    violations: tuple[ViolationView, ...]
    sources: tuple[str, ...]
    update_ids: tuple[int, ...]
    violations_total: int = 0  # all reported; `violations` holds the latest few

    @property
    def in_force(self) -> bool:
        return self.state in (
            CeasefireState.IN_EFFECT,
            CeasefireState.HOLDING,
            CeasefireState.VIOLATED,
        )


@dataclass(frozen=True)
class DisputeView:
    contested: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DisputedPlaceView:
    place: str
    assessment: AssessmentView | None
    claims: tuple[ClaimView, ...]
    dispute: DisputeView


@dataclass(frozen=True)
class StatusView:
    conflict: str
    zone: str
    place: str
    kind: str
    parent: str | None
    as_of: EventTime | None  # None: now
    assessment: AssessmentView | None
    changed_at: EventTime | None
    claims: tuple[ClaimView, ...]
    dispute: DisputeView | None
    ceasefires_in_force: tuple[CeasefireView, ...]
    notes: tuple[NoteView, ...]
    related: tuple[str, ...] = ()
    read_as: str | None = None  # the typed name, when it was matched fuzzily


@dataclass(frozen=True)
class OverviewView:
    conflict: str
    zone: str
    now: datetime
    since: datetime
    since_label: str  # "the last briefing" or "the last 24 hours"
    ceasefires: tuple[CeasefireView, ...]
    disputed: tuple[DisputedPlaceView, ...]
    new_claims: tuple[ClaimView, ...]
    new_claims_total: int
    empty_ledger: bool = False


@dataclass(frozen=True)
class ClaimsView:
    conflict: str
    zone: str
    title: str
    claims: tuple[ClaimView, ...]
    page: int
    pages: int
    total: int
    since: datetime | None = None
    next_command: str | None = None  # the command that shows the next page


@dataclass(frozen=True)
class CeasefiresView:
    conflict: str
    zone: str
    ceasefires: tuple[CeasefireView, ...]
    detail: bool
    now: datetime


@dataclass(frozen=True)
class UpdateLine:
    """One row of an update's history (the update, its corrections, retraction)."""

    id: int
    kind: str
    recorded_at: datetime
    recorded_by: str
    summary: str
    event: EventTime | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ShowView:
    conflict: str
    zone: str
    id: int
    kind: str
    current: str  # the entry as it stands
    retracted: bool
    history: tuple[UpdateLine, ...]
    standing: Standing | None = None


@dataclass(frozen=True)
class DoneView:
    """A write went through: what was recorded, under which ID."""

    headline: str
    update_id: int | None = None
    details: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextView:
    """Plain information: help, admin lists, short answers."""

    title: str
    lines: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ErrorView:
    message: str
    usage: str = ""
    options: tuple[str, ...] = ()  # "did you mean" or "which one"
    options_label: str = ""


@dataclass(frozen=True)
class ChangeView:
    place: str
    before: str
    after: AssessmentView


@dataclass(frozen=True)
class PartyClaims:
    party: str
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True)
class BriefingView:
    conflict: str
    zone: str
    as_of: datetime
    window_start: datetime
    window_end: datetime
    bottom_line: str
    trend: str | None
    bottom_line_set: bool  # by an admin, rather than written from the changes
    ceasefires: tuple[CeasefireView, ...]
    ceasefire_record: str | None
    violations: tuple[ViolationView, ...]
    changed_hands: tuple[ChangeView, ...]
    disputed: tuple[DisputedPlaceView, ...]
    new_claims: tuple[PartyClaims, ...]
    new_claims_total: int
    notes: tuple[NoteView, ...]
    sources: tuple[str, ...]
    next_briefing: datetime | None = None
    late_by: timedelta | None = None
    changed_ceasefire_ids: frozenset[int] = frozenset()

    @property
    def quiet(self) -> bool:
        return not (
            self.new_claims_total
            or self.changed_hands
            or self.notes
            or self.violations
            or self.changed_ceasefire_ids
        )


@dataclass(frozen=True)
class CandidateView:
    number: int
    label: str
    sentence: str
    line: str  # the one-line `/update …` it stands for, editable
    answers: int | None = None


@dataclass(frozen=True)
class ProposalView:
    """What a report proposes: nothing is written until someone approves."""

    proposal_id: int
    conflict: str
    source: str
    places_named: tuple[str, ...]
    candidates: tuple[CandidateView, ...]


View = (
    StatusView
    | OverviewView
    | ClaimsView
    | CeasefiresView
    | ShowView
    | DoneView
    | TextView
    | ErrorView
    | BriefingView
    | ProposalView
)
