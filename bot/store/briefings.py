"""Subscriptions, deliveries, bottom lines and notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.schema import bottom_lines, deliveries, notices, subscriptions


@dataclass(frozen=True)
class Subscription:
    id: int
    channel_id: str
    conflict_id: int
    time_of_day: str
    zone: str
    created_at: datetime
    created_by: str
    paused: bool
    paused_reason: str | None


@dataclass(frozen=True)
class Delivery:
    id: int
    channel_id: str
    conflict_id: int
    slot: str
    kind: str
    status: str
    scheduled_for: datetime | None
    window_start: datetime
    window_end: datetime
    claimed_by: str
    lease_until: datetime
    attempts: int
    error: str | None
    message_ts: str | None
    posted_at: datetime | None
    late: bool
    parts_total: int = 0
    parts_done: int = 0


def _subscription(row: RowMapping) -> Subscription:
    return Subscription(
        row["id"],
        row["channel_id"],
        row["conflict_id"],
        row["time_of_day"],
        row["zone"],
        row["created_at"],
        row["created_by"],
        bool(row["paused"]),
        row["paused_reason"],
    )


def _delivery(row: RowMapping) -> Delivery:
    return Delivery(**{k: row[k] for k in Delivery.__dataclass_fields__})


class Briefings:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ---- subscriptions ---------------------------------------------------

    def subscriptions(self, include_paused: bool = True) -> list[Subscription]:
        stmt = select(subscriptions).order_by(subscriptions.c.id)
        if not include_paused:
            stmt = stmt.where(subscriptions.c.paused.is_(False))
        return [_subscription(r) for r in self.conn.execute(stmt).mappings()]

    def subscription(self, channel_id: str, conflict_id: int) -> Subscription | None:
        row = (
            self.conn.execute(
                select(subscriptions).where(
                    subscriptions.c.channel_id == channel_id,
                    subscriptions.c.conflict_id == conflict_id,
                )
            )
            .mappings()
            .first()
        )
        return _subscription(row) if row else None

    def subscribe(
        self,
        channel_id: str,
        conflict_id: int,
        time_of_day: str,
        zone: str,
        who: str,
        now: datetime,
    ) -> tuple[Subscription, bool]:
        """Subscribe, or change the time of an existing subscription; True if new."""
        existing = self.subscription(channel_id, conflict_id)
        if existing:
            self.conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == existing.id)
                .values(
                    time_of_day=time_of_day,
                    zone=zone,
                    updated_at=now,
                    paused=False,
                    paused_reason=None,
                )
            )
            changed = self.subscription(channel_id, conflict_id)
            assert changed is not None
            return changed, False
        self.conn.execute(
            insert(subscriptions).values(
                channel_id=channel_id,
                conflict_id=conflict_id,
                time_of_day=time_of_day,
                zone=zone,
                created_at=now,
                created_by=who,
                updated_at=now,
                paused=False,
            )
        )
        created = self.subscription(channel_id, conflict_id)
        assert created is not None
        return created, True

    def unsubscribe(self, channel_id: str, conflict_id: int) -> bool:
        # Subscriptions are configuration, not the ledger: a pause keeps the row
        # and its delivery history; unsubscribing removes it.
        from sqlalchemy import delete

        return (
            self.conn.execute(
                delete(subscriptions).where(
                    subscriptions.c.channel_id == channel_id,
                    subscriptions.c.conflict_id == conflict_id,
                )
            ).rowcount
            > 0
        )

    def pause(self, subscription_id: int, reason: str, now: datetime) -> None:
        self.conn.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription_id)
            .values(paused=True, paused_reason=reason, updated_at=now)
        )

    # ---- deliveries ------------------------------------------------------

    def delivery(self, delivery_id: int) -> Delivery | None:
        row = (
            self.conn.execute(select(deliveries).where(deliveries.c.id == delivery_id))
            .mappings()
            .first()
        )
        return _delivery(row) if row else None

    def delivery_for(self, channel_id: str, conflict_id: int, slot: str) -> Delivery | None:
        row = (
            self.conn.execute(
                select(deliveries).where(
                    deliveries.c.channel_id == channel_id,
                    deliveries.c.conflict_id == conflict_id,
                    deliveries.c.slot == slot,
                )
            )
            .mappings()
            .first()
        )
        return _delivery(row) if row else None

    def last_posted(self, channel_id: str, conflict_id: int) -> Delivery | None:
        row = (
            self.conn.execute(
                select(deliveries)
                .where(
                    deliveries.c.channel_id == channel_id,
                    deliveries.c.conflict_id == conflict_id,
                    deliveries.c.status == "posted",
                )
                .order_by(deliveries.c.window_end.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return _delivery(row) if row else None

    def claim(self, values: dict[str, object]) -> Delivery | None:
        """Insert a claimed delivery; None when its slot is already taken (the
        unique constraint decides, not a check in Python)."""
        try:
            with self.conn.begin_nested():
                delivery_id = self.conn.execute(
                    insert(deliveries).values(**values)
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            return None
        return self.delivery(int(delivery_id))

    def take_over(self, delivery_id: int, me: str, now: datetime, lease_until: datetime) -> bool:
        """Take a claim whose lease ran out (its holder died or hung) or a failed
        attempt that may be retried; atomic, so only one taker wins."""
        result = self.conn.execute(
            update(deliveries)
            .where(
                deliveries.c.id == delivery_id,
                or_(
                    and_(deliveries.c.status == "claimed", deliveries.c.lease_until < now),
                    deliveries.c.status == "retry",
                ),
            )
            .values(
                status="claimed",
                claimed_by=me,
                lease_until=lease_until,
                attempts=deliveries.c.attempts + 1,
            )
        )
        return result.rowcount == 1

    def confirm(self, delivery_id: int, me: str, ts: str, now: datetime, parts: int = 0) -> bool:
        result = self.conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id, deliveries.c.claimed_by == me)
            .values(status="posted", message_ts=ts, posted_at=now, error=None, parts_total=parts)
        )
        return result.rowcount == 1

    def part_done(self, delivery_id: int, part: int) -> None:
        self.conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id, deliveries.c.parts_done < part)
            .values(parts_done=part)
        )

    def unfinished(self, since: datetime, now: datetime) -> list[Delivery]:
        """Posted briefings whose thread replies are not all out, free to finish."""
        rows = self.conn.execute(
            select(deliveries).where(
                deliveries.c.status == "posted",
                deliveries.c.parts_done < deliveries.c.parts_total,
                deliveries.c.posted_at >= since,
                deliveries.c.lease_until < now,
            )
        ).mappings()
        return [_delivery(r) for r in rows]

    def lease(self, delivery_id: int, me: str, now: datetime, until: datetime) -> bool:
        result = self.conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id, deliveries.c.lease_until < now)
            .values(claimed_by=me, lease_until=until)
        )
        return result.rowcount == 1

    def fail(self, delivery_id: int, me: str, error: str, retry: bool) -> None:
        self.conn.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery_id, deliveries.c.claimed_by == me)
            .values(status="retry" if retry else "failed", error=error[:1000])
        )

    def deliveries_of(self, channel_id: str, conflict_id: int, limit: int = 10) -> list[Delivery]:
        rows = self.conn.execute(
            select(deliveries)
            .where(deliveries.c.channel_id == channel_id, deliveries.c.conflict_id == conflict_id)
            .order_by(deliveries.c.id.desc())
            .limit(limit)
        ).mappings()
        return [_delivery(r) for r in rows]

    def count_posted(self) -> int:
        return int(
            self.conn.execute(
                select(func.count()).select_from(deliveries).where(deliveries.c.status == "posted")
            ).scalar_one()
        )

    # ---- bottom lines ----------------------------------------------------

    def set_bottom_line(
        self, conflict_id: int, text: str, trend: str | None, who: str, now: datetime
    ) -> None:
        self.conn.execute(
            insert(bottom_lines).values(
                conflict_id=conflict_id, text=text, trend=trend, recorded_by=who, recorded_at=now
            )
        )

    def bottom_line(self, conflict_id: int, since: datetime) -> tuple[str, str | None] | None:
        """The bottom line an admin set for the briefing of this window."""
        row = self.conn.execute(
            select(bottom_lines.c.text, bottom_lines.c.trend)
            .where(bottom_lines.c.conflict_id == conflict_id, bottom_lines.c.recorded_at >= since)
            .order_by(bottom_lines.c.recorded_at.desc(), bottom_lines.c.id.desc())
            .limit(1)
        ).first()
        return (row[0], row[1]) if row else None

    # ---- notices ---------------------------------------------------------

    def open_notice(self, kind: str, key: str, text: str, now: datetime) -> bool:
        """Open a notice unless one of this kind and key is open; True if new."""
        existing = self.conn.execute(
            select(notices.c.id).where(
                notices.c.kind == kind, notices.c.key == key, notices.c.resolved_at.is_(None)
            )
        ).first()
        if existing:
            return False
        self.conn.execute(insert(notices).values(kind=kind, key=key, text=text, created_at=now))
        return True

    def open_notices(self, kind: str | None = None) -> list[RowMapping]:
        stmt = select(notices).where(notices.c.resolved_at.is_(None)).order_by(notices.c.id)
        if kind:
            stmt = stmt.where(notices.c.kind == kind)
        return list(self.conn.execute(stmt).mappings())

    def resolve_notices(self, kind: str, now: datetime) -> list[RowMapping]:
        found = self.open_notices(kind)
        if found:
            self.conn.execute(
                update(notices)
                .where(notices.c.kind == kind, notices.c.resolved_at.is_(None))
                .values(resolved_at=now)
            )
        return found
