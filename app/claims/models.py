"""A claim: units that arrived missing, wrong or faulty, with what the store does about them
(``app.claims.actions``)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import _enum_column


class ClaimType(enum.StrEnum):
    #: The claimed units' value is refunded.
    REFUND = "refund"
    #: The same units go out again at no charge.
    REPLACE = "replace"


class ClaimReason(enum.StrEnum):
    MISSING_ITEM = "missing_item"
    WRONG_ITEM = "wrong_item"
    PRODUCTION_FAILURE = "production_failure"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Claim(db.Model):
    """A customer's complaint about units they were sent: refunded or replaced, the faulty
    units sent back (a return) or written off where they are."""

    __tablename__ = "order_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    #: The order change that made the claim.
    change_id: Mapped[int] = mapped_column(ForeignKey("order_change.id"))
    type: Mapped[ClaimType] = mapped_column(_enum_column(ClaimType, "claim_type"))
    #: The return bringing the claimed units back; none when they are written off.
    return_id: Mapped[int | None] = mapped_column(ForeignKey("order_return.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    #: What the written-off units of a refund claim are owed, and how much of it was refunded
    #: (a claim's return refunds through the return).
    refund_due: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    refunded: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order = relationship("Order")
    change = relationship("OrderChange")
    return_ = relationship("Return", lazy="joined")
    items: Mapped[list[ClaimItem]] = relationship(
        back_populates="claim", order_by="ClaimItem.id", cascade="all, delete-orphan",
        lazy="selectin",
    )  # fmt: skip


class ClaimItem(db.Model):
    """Units of one order line claimed, why, and what was done with them."""

    __tablename__ = "order_claim_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("order_claim.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("line_item.id"))
    quantity: Mapped[int]
    reason: Mapped[ClaimReason] = mapped_column(_enum_column(ClaimReason, "claim_reason"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    #: Of ``quantity``, the units written off where they are and not reinstated since.
    written_off_quantity: Mapped[int] = mapped_column(default=0)
    #: The line a replace claim sends out at no charge.
    replacement_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("line_item.id", ondelete="SET NULL")
    )

    claim: Mapped[Claim] = relationship(back_populates="items")
    item = relationship("LineItem", foreign_keys=[item_id], lazy="joined")
    replacement = relationship("LineItem", foreign_keys=[replacement_item_id])
