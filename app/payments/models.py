"""Payments of an order, with the captures and refunds made against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.money import ZERO
from app.payments.calculations import PaymentFigures

if TYPE_CHECKING:
    from app.orders.models import Order


class Payment(db.Model):
    """Money a provider authorized for an order; captures take it, refunds give it back."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    #: The payment provider that holds the money (``manual`` is built in).
    provider_id: Mapped[str] = mapped_column(String(50), default="manual")
    currency_code: Mapped[str] = mapped_column(String(3))
    #: The authorized amount.
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="payments")
    captures: Mapped[list[Capture]] = relationship(
        order_by="Capture.id", cascade="all, delete-orphan", lazy="selectin"
    )
    refunds: Mapped[list[Refund]] = relationship(
        order_by="Refund.id", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def captured_amount(self) -> Decimal:
        return sum((c.amount for c in self.captures), ZERO)

    @property
    def refunded_amount(self) -> Decimal:
        return sum((r.amount for r in self.refunds), ZERO)

    @property
    def figures(self) -> PaymentFigures:
        return PaymentFigures(
            authorized=self.amount,
            captured=self.captured_amount,
            refunded=self.refunded_amount,
            canceled=self.canceled_at is not None,
        )


class Capture(db.Model):
    """An amount taken from an authorized payment."""

    __tablename__ = "capture"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payment.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: Who did it: a staff user's email, ``api:<token name>`` or ``system``.
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Refund(db.Model):
    """An amount given back from what a payment captured."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payment.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(String(50), default="other")
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
