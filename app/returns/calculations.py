"""What returned units refund, as pure functions over plain values: no Flask, no SQLAlchemy.

A line's refund is its share of what the customer pays for the line (``ChargeTotals.total``:
discounts taken off, tax in, whether prices include tax or not), the money engine's ``share``:
the first ``k`` units returned refund ``round(total × k / quantity)``, so returns made one at a
time or all at once refund the same, and returning every unit refunds exactly the line's total
(the last unit takes what rounding left). It is what the order's total loses when the units are
credited, so a refund of it leaves nothing outstanding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app.money import ZERO, round_money
from app.orders.calculations import share


class ReturnProblem(Exception):
    """Units that cannot be returned, in words staff and customers understand."""


@dataclass(frozen=True)
class ReturnLine:
    """A line's units coming back: ``line_total`` is what the customer pays for the whole
    line, ``returned`` the units already returned (or asked to be) before these ``units``."""

    title: str
    line_total: Decimal
    quantity: int
    returned: int
    units: int

    def refund(self, currency: str) -> Decimal:
        if self.units < 0 or self.returned + self.units > self.quantity:
            left = self.quantity - self.returned
            raise ReturnProblem(
                f"{self.title}: {left} of {self.quantity} can still be returned, "
                f"not {self.units}."
            )
        return (share(self.line_total, self.quantity, self.returned + self.units, currency)
                - share(self.line_total, self.quantity, self.returned, currency))  # fmt: skip


def refundable_total(line_total: Decimal, quantity: int, returned: int, currency: str) -> Decimal:
    """What the units of a line not returned yet can still refund."""
    return line_total - share(line_total, quantity, returned, currency)


@dataclass(frozen=True)
class ReturnRefund:
    """What a return refunds: each line's amount, the return shipping kept back, the total."""

    lines: tuple[Decimal, ...]
    return_shipping: Decimal
    total: Decimal


def return_refund(lines: Sequence[ReturnLine], currency: str,
                  return_shipping: Decimal = ZERO) -> ReturnRefund:  # fmt: skip
    """The refund of a return: its lines' shares, less ``return_shipping`` when the customer
    pays for sending the units back (never below nothing: the shipping cannot cost more than
    the units refund)."""
    amounts = tuple(line.refund(currency) for line in lines)
    goods = sum(amounts, ZERO)
    kept = min(round_money(return_shipping, currency), goods)
    return ReturnRefund(amounts, kept, goods - kept)


def return_window_closes(shipped_at: datetime, delivered_at: datetime | None,
                         days: int) -> datetime:  # fmt: skip
    """When a shipment's units can no longer be asked back: ``days`` after delivery, or after
    shipping while the parcel is not known to be delivered."""
    return (delivered_at or shipped_at) + timedelta(days=days)
