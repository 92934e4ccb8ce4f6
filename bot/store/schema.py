"""Tables. `updates` is the ledger: append-only (a trigger refuses UPDATE and
DELETE). Everything else that describes the picture is a projection of it, kept
in the same transaction as the update that changes it, so reads never replay
history: `entries` (each ledger update as corrected, and whether retracted),
`entry_places` (which places it is about, indexed for "latest about X as of T"),
`links` (corroborates / refutes) and `place_latest` (the current slots a dispute
is judged from)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids autoincrement on PostgreSQL; on SQLite an INTEGER PRIMARY KEY is the rowid.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps
    no zone, so values are stored as naive UTC and compare correctly as text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Stamp = UTCDateTime()

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("aliases", JSON, nullable=False, default=list),
    Column("created_at", Stamp, nullable=False),
)

parties = Table(
    "parties",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("side", String(100), nullable=False),
    Column("aliases", JSON, nullable=False, default=list),
)

places = Table(
    "places",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("parent_id", Id, ForeignKey("places.id")),
    Column("aliases", JSON, nullable=False, default=list),
    Column("names_by_side", JSON, nullable=False, default=dict),
)

ceasefires = Table(
    "ceasefires",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("aliases", JSON, nullable=False, default=list),
    Column("parties", JSON, nullable=False, default=list),
    Column("mediators", JSON, nullable=False, default=list),
)

# Every name of every thing, normalised, so an exact lookup is one index probe.
names = Table(
    "names",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("entity", String(16), nullable=False),  # place | party | ceasefire | conflict
    Column("entity_id", Id, nullable=False),
    Column("name", String(200), nullable=False),
    Column("norm", String(200), nullable=False),
    Index("ix_names_lookup", "entity", "norm", "conflict_id"),
    Index("ix_names_entity", "entity", "entity_id"),
)

updates = Table(
    "updates",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("recorded_at", Stamp, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("event_start", Stamp),
    Column("event_end", Stamp),
    Column("precision", String(16)),
    Column("zone", String(64)),
    Column("target_id", Id, ForeignKey("updates.id")),
    Column("body", JSON, nullable=False),
    Column("sources", JSON, nullable=False, default=list),
    # Slack's trigger_id (or another caller key): the same request twice writes once.
    Column("request_key", String(255), unique=True),
    Index("ix_updates_conflict_recorded", "conflict_id", "recorded_at"),
    Index("ix_updates_target", "target_id"),
)

entries = Table(
    "entries",
    metadata,
    Column("update_id", Id, ForeignKey("updates.id"), primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # control | claim | ceasefire | note
    Column("sort_at", Stamp, nullable=False),
    Column("event_start", Stamp, nullable=False),
    Column("event_end", Stamp, nullable=False),
    Column("precision", String(16), nullable=False),
    Column("zone", String(64), nullable=False),
    Column("recorded_at", Stamp, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("place_id", Id, ForeignKey("places.id")),
    Column("holder", String(16)),  # party | contested | unknown (control)
    Column("holder_party_id", Id, ForeignKey("parties.id")),
    Column("confidence", String(16)),
    Column("party_ids", JSON, nullable=False, default=list),
    Column("speaker", String(100)),
    Column("text", Text),
    Column("stance", String(16)),
    Column("ceasefire_id", Id, ForeignKey("ceasefires.id")),
    Column("ceasefire_state", String(16)),
    Column("effective_start", Stamp),
    Column("effective_end", Stamp),
    Column("effective_precision", String(16)),
    Column("accused_ids", JSON, nullable=False, default=list),
    Column("accuser_party_id", Id, ForeignKey("parties.id")),
    Column("note", Text),
    Column("about_ids", JSON, nullable=False, default=list),
    Column("sources", JSON, nullable=False, default=list),
    Column("retracted", Boolean, nullable=False, default=False),
    Column("retraction_id", Id, ForeignKey("updates.id")),
    Column("reason", Text),
    Column("last_correction_id", Id, ForeignKey("updates.id")),
    Index("ix_entries_conflict_kind_recorded", "conflict_id", "kind", "recorded_at"),
    Index("ix_entries_conflict_sort", "conflict_id", "sort_at"),
    # Every "latest X" reads an index in order: sort position, then ID on ties.
    Index("ix_entries_ceasefire_sort", "ceasefire_id", "sort_at", "update_id"),
    Index("ix_entries_ceasefire_state", "ceasefire_id", "ceasefire_state", "sort_at", "update_id"),
)

entry_places = Table(
    "entry_places",
    metadata,
    Column("update_id", Id, ForeignKey("updates.id"), nullable=False),
    Column("place_id", Id, ForeignKey("places.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("party_id", Id, nullable=False),  # the claimant; 0 for the desk's own entries
    Column("stance", String(16)),
    Column("sort_at", Stamp, nullable=False),
    Column("retracted", Boolean, nullable=False, default=False),
    UniqueConstraint("update_id", "place_id", "party_id"),
    Index("ix_entry_places_latest", "place_id", "kind", "party_id", "sort_at", "update_id"),
    Index("ix_entry_places_sort", "place_id", "sort_at"),
    Index("ix_entry_places_update", "update_id"),
)

# Who made each claim, for "/claims Armenia" without reading every claim.
entry_parties = Table(
    "entry_parties",
    metadata,
    Column("update_id", Id, ForeignKey("updates.id"), nullable=False),
    Column("party_id", Id, ForeignKey("parties.id"), nullable=False),
    UniqueConstraint("update_id", "party_id"),
    Index("ix_entry_parties_party", "party_id", "update_id"),
)

links = Table(
    "links",
    metadata,
    Column("from_id", Id, ForeignKey("updates.id"), nullable=False),
    Column("to_id", Id, ForeignKey("updates.id"), nullable=False),
    Column("relation", String(16), nullable=False),  # corroborates | refutes
    UniqueConstraint("from_id", "to_id", "relation"),
    Index("ix_links_to", "to_id"),
)

# The latest assessment (slot 0) and each party's latest stance claim (slot =
# party id) about each place, as of now: what `/status` overview and disputes read.
place_latest = Table(
    "place_latest",
    metadata,
    Column("place_id", Id, ForeignKey("places.id"), primary_key=True),
    Column("slot", Id, primary_key=True),
    Column("update_id", Id, ForeignKey("updates.id"), nullable=False),
)

admins = Table(
    "admins",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("added_by", String(64), nullable=False),
    Column("added_at", Stamp, nullable=False),
)

# ---- briefings ---------------------------------------------------------------

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("channel_id", String(32), nullable=False),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("time_of_day", String(5), nullable=False),  # HH:MM local
    Column("zone", String(64), nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", Stamp, nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("paused_reason", Text),
    UniqueConstraint("channel_id", "conflict_id"),
)

# One row per briefing that should exist: claimed before posting (the unique key
# is what makes a scheduled briefing happen once per channel, conflict and local
# date), then confirmed with Slack's ts, or marked failed or missed.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("channel_id", String(32), nullable=False),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("slot", String(40), nullable=False),  # local date (scheduled) or manual:<ts>
    Column("kind", String(16), nullable=False),  # scheduled | manual
    Column("status", String(16), nullable=False),  # claimed | posted | failed | missed
    Column("scheduled_for", Stamp),
    Column("window_start", Stamp, nullable=False),
    Column("window_end", Stamp, nullable=False),
    Column("claimed_by", String(64), nullable=False),
    Column("lease_until", Stamp, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("message_ts", String(32)),
    Column("posted_at", Stamp),
    Column("late", Boolean, nullable=False, default=False),
    # The details go in thread replies after the main message: how many, and how
    # many are known to be posted, so that a step can finish what another began.
    Column("parts_total", Integer, nullable=False, default=0),
    Column("parts_done", Integer, nullable=False, default=0),
    UniqueConstraint("channel_id", "conflict_id", "slot"),
    Index("ix_deliveries_channel_posted", "channel_id", "conflict_id", "status", "window_end"),
)

bottom_lines = Table(
    "bottom_lines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("trend", String(16)),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", Stamp, nullable=False),
    Index("ix_bottom_lines_conflict", "conflict_id", "recorded_at"),
)

# What admins must hear about: a paused subscription, a dead token.
notices = Table(
    "notices",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("key", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("resolved_at", Stamp),
    Column("told_at", Stamp),
    Index("ix_notices_open", "kind", "resolved_at"),
)

# A report's proposed updates, held between proposing and approving them.
proposals = Table(
    "proposals",
    metadata,
    Column("id", Id, primary_key=True),
    Column("conflict_id", Id, ForeignKey("conflicts.id"), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("source", Text, nullable=False),
    Column("status", String(16), nullable=False),  # open | approved | cancelled
    Column("places_named", JSON, nullable=False, default=list),
    Column("candidates", JSON, nullable=False, default=list),  # [{number, label, sentence, line}]
    Column(
        "chosen", JSON, nullable=False, default=dict
    ),  # number -> edited line, kept across pages
)
