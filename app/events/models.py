"""The order timeline: an append-only record of what happened, who did it and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.orders.models import Order


class OrderEvent(db.Model):
    """One entry of an order's timeline."""

    __tablename__ = "order_event"
    __table_args__ = (Index("ix_order_event_order_created", "order_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"))
    #: The event name, as in DESIGN.md section 6 (``order.placed``), or ``note`` for staff notes.
    event_type: Mapped[str] = mapped_column(String(60))
    #: Who did it: a staff user's email, ``api:<token name>`` or ``system``.
    actor: Mapped[str] = mapped_column(String(254), default="system")
    #: What a person reads in the timeline (or the note itself).
    message: Mapped[str] = mapped_column(Text, default="")
    #: Before and after values, or anything else worth keeping.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")


def events_about(events: list[OrderEvent], **ids: int | None) -> list[OrderEvent]:
    """The events of a timeline about any of ``ids`` (``return_id=7``, ``claim_id=3``; a
    ``None`` id names nothing): the timeline of one return, exchange or claim."""
    wanted = {(key, value) for key, value in ids.items() if value is not None}
    return [event for event in events if event.data and any(
        event.data.get(key) == value for key, value in wanted)]  # fmt: skip
