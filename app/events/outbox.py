"""The transactional outbox: events written with the change they announce, delivered after.

``record_event`` (the timeline) calls ``publish`` for the events of DESIGN.md section 6: one
outbox row per interested subscriber, in the same transaction as the change, so an event
exists exactly when its change does. After the commit the rows are delivered, in the request
(``OUTBOX_DELIVERY = "inline"``, the default) or by ``flask --app app worker`` in a process of
its own (``"worker"``). Each row is one delivery to one subscriber, in its own transaction: a
subscriber that fails is retried later with a growing pause, and the others are not repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.bulk import insert_rows
from app.db_types import UTCDateTime, utcnow
from app.extensions import db

log = logging.getLogger(__name__)

#: The events other parts of the system (and other systems) hear about.
PUBLISHED = frozenset({
    "order.placed", "order.updated", "order.canceled", "order.completed", "order.archived",
    "order.payment_captured", "order.refund_created", "order.fulfillment_created",
    "order.fulfillment_canceled", "order.shipment_created", "order.return_requested",
    "order.return_received", "order.exchange_created", "order.claim_created",
    "order-edit.requested", "order-edit.confirmed", "order-edit.declined",
    "order-edit.canceled", "draft-order.created", "draft-order.converted",
})  # fmt: skip

#: The longest pause between two attempts at a failing delivery.
MAX_BACKOFF = timedelta(hours=1)


class OutboxEvent(db.Model):
    """One delivery of one event to one subscriber."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_pending", "delivered_at", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(60))
    subscriber: Mapped[str] = mapped_column(String(100))
    #: No foreign key: the event outlives a deleted draft.
    order_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Sets order_id when the order is flushed, so a new order's events can be written at once.
    order = relationship("Order", primaryjoin="foreign(OutboxEvent.order_id) == Order.id")


@dataclass(frozen=True)
class Subscriber:
    name: str
    event_types: frozenset[str]
    #: Called with the outbox row (event type, order id, payload); it must not commit.
    handle: Callable[[OutboxEvent], None]


SUBSCRIBERS: dict[str, Subscriber] = {}


def subscriber(name: str, *event_types: str):
    """Register ``handle(row)`` for ``event_types``."""

    def register(handle: Callable[[OutboxEvent], None]):
        SUBSCRIBERS[name] = Subscriber(name, frozenset(event_types), handle)
        return handle

    return register


def publish(event_type: str, order, payload: dict[str, Any]) -> None:
    """Write the event for every subscriber that wants it, in the caller's transaction."""
    for name in _subscribers_of(event_type):
        db.session.add(OutboxEvent(event_type=event_type, subscriber=name, order=order,
                                   payload=payload))  # fmt: skip


def publish_many(event_type: str, events: list[tuple[int, dict[str, Any]]]) -> None:
    """``publish`` for many orders already saved, each ``(order id, payload)``: one bulk
    insert, no ORM objects."""
    rows = [
        {"event_type": event_type, "subscriber": name, "order_id": order_id, "payload": payload}
        for name in _subscribers_of(event_type)
        for order_id, payload in events
    ]  # fmt: skip
    if rows:
        insert_rows(OutboxEvent.__table__, rows)
        db.session.info["outbox_written"] = True  # no flush of new rows tells it


def _subscribers_of(event_type: str) -> list[str]:
    if event_type not in PUBLISHED:
        return []
    return [sub.name for sub in SUBSCRIBERS.values() if event_type in sub.event_types]


def deliver_pending(limit: int = 100, now: datetime | None = None) -> int:
    """Deliver the rows that are due, oldest first, each in its own transaction; returns how
    many were delivered. Rows another worker holds are skipped, not waited for."""
    delivered = 0
    for _ in range(limit):
        moment = now or utcnow()
        row = db.session.scalar(
            select(OutboxEvent)
            .where(OutboxEvent.delivered_at.is_(None), OutboxEvent.next_attempt_at <= moment)
            .order_by(OutboxEvent.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if row is None:
            break
        sub = SUBSCRIBERS.get(row.subscriber)
        try:
            if sub is None:
                raise LookupError(f"no subscriber called {row.subscriber!r}")
            sub.handle(row)
        except Exception as error:  # noqa: BLE001  (any failure is retried, never lost)
            db.session.rollback()
            row = db.session.get(OutboxEvent, row.id, with_for_update=True)
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.next_attempt_at = moment + min(timedelta(seconds=2**row.attempts), MAX_BACKOFF)
            log.warning("Delivering %s to %s failed (attempt %d): %s", row.event_type,
                        row.subscriber, row.attempts, error)  # fmt: skip
        else:
            row.delivered_at = moment
            delivered += 1
        db.session.commit()
    return delivered


def _note_new_events(session: Session, flush_context, instances) -> None:
    if any(isinstance(obj, OutboxEvent) for obj in session.new):
        session.info["outbox_written"] = True


def _forget_rolled_back(session: Session) -> None:
    session.info.pop("outbox_written", None)


def install(app) -> None:
    """Deliver after each request that committed events, when delivery is inline."""
    event.listen(Session, "before_flush", _note_new_events)
    event.listen(Session, "after_soft_rollback", lambda s, tx: _forget_rolled_back(s))

    @app.after_request
    def deliver_after_commit(response):
        session = db.session()
        if session.info.pop("outbox_written", False) and app.config["OUTBOX_DELIVERY"] == "inline":
            try:
                deliver_pending()
            except Exception:  # the rows stay due; the worker or the next request takes them
                db.session.rollback()
                log.exception("Delivering the outbox after a request failed")
        return response
