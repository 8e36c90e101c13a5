"""The totals panel's figures: an order's totals as a merchant reads them top to bottom and adds
them up, as pure functions over the money engine's results (no Flask, no database).

Nothing is rounded here: every figure is a sum or difference of the engine's rounded figures,
chosen per line so that the rows add up exactly. A price that excludes tax is shown without
it and the tax added below; a price that includes tax is shown as the customer saw it (as a
German or Japanese receipt does), its discount too, and the tax in it is named under the total
but not added again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.money import ZERO
from app.orders.calculations import Charge, ChargeTotals, OrderTotals


class PriceTax(StrEnum):
    """How a group of prices (the items, the shipping) stands to tax."""

    ADDED = "added"
    """Every price excludes tax: the tax is added on top."""
    INCLUDED = "included"
    """Every price includes tax, as the customer saw it."""
    MIXED = "mixed"
    """Some prices include tax, others do not."""


@dataclass(frozen=True)
class TotalsSummary:
    """What the totals panel shows. The rows add up:
    ``items − discounts + shipping + added_tax − credited − gift_cards − credit_lines = total``
    and
    ``total − (paid − refunded) = outstanding + refunded_without_return − refund_due``.
    """

    items: Decimal
    """Items before discounts, each at its shown price: with tax where the price includes it."""
    items_tax: PriceTax | None
    """How the item prices stand to tax; ``None`` without items."""
    discounts: Decimal
    """Discounts on items and shipping, on the footing of their prices: with the tax they saved
    where the price includes tax."""
    shipping: Decimal
    """Shipping before discounts, each at its shown price."""
    shipping_tax: PriceTax | None
    """How the shipping prices stand to tax; ``None`` without shipping."""
    tax_is_added: bool
    """Some price excludes tax, so a tax row is part of the sum (even when that tax is zero)."""
    added_tax: Decimal
    """Tax added on top of the prices that exclude it."""
    tax_is_included: bool
    """Some price includes tax, so the tax in them is named under the total."""
    included_tax: Decimal
    """Tax inside the prices that include it: named, not added again."""
    credited: Decimal
    """What the units returned, exchanged or claimed for a refund were worth."""
    gift_cards: Decimal
    credit_lines: Decimal
    total: Decimal
    paid: Decimal
    """Captured."""
    refunded: Decimal
    outstanding: Decimal
    """What the customer still owes (zero or more): the engine's ``outstanding_amount`` less
    what refunds without a return account for."""
    to_capture: Decimal
    """The part of ``outstanding`` that authorized payments cover and a capture brings in."""
    refunded_without_return: Decimal
    """What the order total still counts although it was refunded: a refund that neither a
    return nor an edit followed raises the engine's ``outstanding_amount`` by its amount, yet
    nothing is left to collect."""
    refund_due: Decimal
    """What the customer paid beyond the total (zero or more)."""


def _price_tax(charges: Sequence[Charge]) -> PriceTax | None:
    inclusive = {c.is_tax_inclusive for c in charges}
    if not inclusive:
        return None
    if inclusive == {True, False}:
        return PriceTax.MIXED
    return PriceTax.INCLUDED if True in inclusive else PriceTax.ADDED


def _shown_price(charge: Charge, totals: ChargeTotals) -> Decimal:
    return totals.original_total if charge.is_tax_inclusive else totals.subtotal


def _shown_discount(charge: Charge, totals: ChargeTotals) -> Decimal:
    return totals.discount_total if charge.is_tax_inclusive else totals.discount_subtotal


def summarize_totals(
    totals: OrderTotals, items: Sequence[Charge], shipping_methods: Sequence[Charge]
) -> TotalsSummary:
    """The panel's figures from the order's totals and the charges they were worked out from
    (the same lines in the same order)."""
    lines = list(zip(items, totals.items, strict=True))
    shipping = list(zip(shipping_methods, totals.shipping_methods, strict=True))
    every = lines + shipping
    # An inclusive line reads gross − gross discount = total; an exclusive one
    # net − discount + tax = total: both hold exactly for the engine's rounded figures.
    added_tax = sum((t.tax_total for c, t in every if not c.is_tax_inclusive), ZERO)
    included_tax = sum((t.tax_total for c, t in every if c.is_tax_inclusive), ZERO)

    balance = totals.outstanding_amount
    capturable = max(totals.authorized_total - totals.paid_total, ZERO)
    to_capture = min(max(balance, ZERO), capturable)
    # What no authorization covers is first put down to refunds: each one raised the balance
    # by its amount while the total stayed.
    uncovered = max(balance, ZERO) - to_capture
    refunded_without_return = min(uncovered, totals.refunded_total)
    return TotalsSummary(
        items=sum((_shown_price(c, t) for c, t in lines), ZERO),
        items_tax=_price_tax(items),
        discounts=sum((_shown_discount(c, t) for c, t in every), ZERO),
        shipping=sum((_shown_price(c, t) for c, t in shipping), ZERO),
        shipping_tax=_price_tax(shipping_methods),
        tax_is_added=any(not c.is_tax_inclusive for c, _ in every),
        added_tax=added_tax,
        tax_is_included=any(c.is_tax_inclusive for c, _ in every),
        included_tax=included_tax,
        credited=totals.credited_total,
        gift_cards=totals.gift_card_total,
        credit_lines=totals.credit_line_total,
        total=totals.total,
        paid=totals.paid_total,
        refunded=totals.refunded_total,
        outstanding=uncovered - refunded_without_return + to_capture,
        to_capture=to_capture,
        refunded_without_return=refunded_without_return,
        refund_due=max(-balance, ZERO),
    )
