"""Returns: units of an order asked back, received and refunded (each step an order change of
type ``return`` on the order-change engine), and the return reasons kept in the settings (as
Medusa's return reasons), with one level of child reasons under a top-level one."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db


class ReturnReason(db.Model):
    """A reason staff and customers pick for a returned line; never deleted, only retired."""

    __tablename__ = "return_reason"
    __table_args__ = (
        # The one rule of the hierarchy the database can hold; that a child has no children
        # is the actions' (``app.returns.actions``).
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A short code that the API and exports use (``too_small``): lower-case letters, digits
    #: and underscores.
    value: Mapped[str] = mapped_column(String(50), unique=True)
    #: What staff and customers read.
    label: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The top-level reason this one details; ``None`` for a top-level reason.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("return_reason.id"), index=True)
    #: Retired reasons stay for the returns that used them but are no longer offered.
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[ReturnReason | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[ReturnReason]] = relationship(
        back_populates="parent", order_by="ReturnReason.label"
    )

    @property
    def active_children(self) -> list[ReturnReason]:
        """The child reasons still offered."""
        return [child for child in self.children if child.is_active]


class ReturnStatus(enum.StrEnum):
    REQUESTED = "requested"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELED = "canceled"


class Return(db.Model):
    """Units of an order coming back: asked for by an order change of type ``return``, received
    (restocked or written off) by later ones, refunded through the payments."""

    __tablename__ = "order_return"
    __table_args__ = (Index("ix_order_return_status_created_at", "status", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    #: The order change that asked for it.
    change_id: Mapped[int] = mapped_column(ForeignKey("order_change.id"))
    status: Mapped[ReturnStatus] = mapped_column(
        Enum(ReturnStatus, name="return_status", native_enum=False, length=30,
             values_callable=lambda e: [m.value for m in e]),
        default=ReturnStatus.REQUESTED,
    )  # fmt: skip
    #: Where the units are received and restocked.
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    return_shipping_name: Mapped[str] = mapped_column(String(200), default="")
    return_shipping_amount: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    #: The customer pays for sending the units back: it is charged on the order (its
    #: ``shipping_method``), so it comes off what the return refunds.
    deduct_shipping: Mapped[bool] = mapped_column(default=False)
    shipping_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipping_method.id", ondelete="SET NULL")
    )
    #: Received units are credited: their share comes off the order's total. A replace
    #: claim's return is not: the replacement is what the customer gets.
    credits_units: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: What the units received so far refund (``app.returns.calculations``), and how much of
    #: it was refunded.
    refund_due: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    refunded: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    canceled_by: Mapped[str | None] = mapped_column(String(254))
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    change = relationship("OrderChange")
    order = relationship("Order")
    items: Mapped[list[ReturnItem]] = relationship(
        back_populates="return_", order_by="ReturnItem.id", cascade="all, delete-orphan",
        lazy="selectin",
    )  # fmt: skip
    location = relationship("StockLocation")
    shipping_method = relationship("ShippingMethod")


class ReturnItem(db.Model):
    """Units of one order line in a return, with why, and what became of them."""

    __tablename__ = "order_return_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("order_return.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("line_item.id"))
    quantity: Mapped[int]
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("return_reason.id"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    #: Back on the shelf at the return's location.
    restocked_quantity: Mapped[int] = mapped_column(default=0)
    #: Received damaged: written off, not restocked.
    damaged_quantity: Mapped[int] = mapped_column(default=0)

    return_: Mapped[Return] = relationship(back_populates="items")
    item = relationship("LineItem", lazy="joined")
    reason: Mapped[ReturnReason | None] = relationship(lazy="joined")

    @property
    def received_quantity(self) -> int:
        return self.restocked_quantity + self.damaged_quantity
