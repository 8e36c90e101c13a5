"""Payment status, derived from payment figures by a pure function."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.money import ZERO


@dataclass(frozen=True)
class PaymentFigures:
    """One payment's amounts: authorized, captured, refunded, and whether it was canceled."""

    authorized: Decimal
    captured: Decimal = ZERO
    refunded: Decimal = ZERO
    canceled: bool = False


def payment_status(order_total: Decimal, payments: Sequence[PaymentFigures]) -> str:
    """The order's ``payment_status`` from its payments.

    Refunds say the most, then captures (measured against the order total), then
    authorizations; an order whose every payment was canceled uncaptured is ``canceled``.
    """
    if not payments:
        return "not_paid"
    captured = sum((p.captured for p in payments), ZERO)
    refunded = sum((p.refunded for p in payments), ZERO)
    if refunded > ZERO:
        return "refunded" if refunded >= captured else "partially_refunded"
    if captured > ZERO:
        return "captured" if captured >= order_total else "partially_captured"
    live = [p for p in payments if not p.canceled]
    if not live:
        return "canceled"
    if sum((p.authorized for p in live), ZERO) > ZERO:
        return "authorized"
    return "awaiting"
