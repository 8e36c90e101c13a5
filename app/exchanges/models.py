"""An exchange: the return that brings units back and the order change that added what goes
out instead (``app.exchanges.actions``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db


class Exchange(db.Model):
    """Units of an order swapped for new items: its return credits the units when they arrive;
    the new items and their shipping are on the order from the start."""

    __tablename__ = "order_exchange"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    #: The order change that added the new items and asked the units back.
    change_id: Mapped[int] = mapped_column(ForeignKey("order_change.id"))
    return_id: Mapped[int] = mapped_column(ForeignKey("order_return.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    #: The order's total once the returned units arrive, and what is then left to settle:
    #: positive, the customer pays; negative, a refund (``app.changes.calculations``).
    new_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    difference: Mapped[Decimal] = mapped_column(ExactDecimal)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order = relationship("Order")
    change = relationship("OrderChange")
    return_ = relationship("Return", lazy="joined")
