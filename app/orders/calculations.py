"""Order totals, as pure functions over plain values (DESIGN.md section 3).

No Flask and no SQLAlchemy here: models hand in ``Charge`` values and get totals back, so the
same arithmetic serves the detail page, the API, the list's stored total and the tests.

Rounding, half up to the currency's precision, happens at named points only: a line's amount
(``unit_price × quantity``, which matters only for prices finer than the currency), each tax
line's amount and each adjustment's amount. Every other figure is a sum or difference of rounded
figures, so what a page shows adds up to the last minor unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.money import ZERO, round_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Charge:
    """A line item or a shipping method as the totals see it (a shipping method has quantity 1).

    ``tax_rates`` are percents (20 = 20 %); ``adjustments`` are discount amounts for the whole
    line, without tax.
    """

    unit_price: Decimal
    quantity: int = 1
    is_tax_inclusive: bool = False
    tax_rates: Sequence[Decimal] = ()
    adjustments: Sequence[Decimal] = ()
    credited_quantity: int = 0
    """Units the customer no longer pays for: returned, exchanged, or written off by a refund
    claim. Their share of the line's total comes off the order's total."""


def share(line_total: Decimal, quantity: int, units: int, currency: str) -> Decimal:
    """What the first ``units`` of a line of ``quantity`` units are worth of ``line_total``.

    Shares are cumulative: units credited one at a time or all at once come to the same, and
    every unit of a line comes to exactly the line's total (the last takes what rounding left).
    """
    if units == quantity:
        return line_total
    return round_money(line_total * units / quantity, currency)


@dataclass(frozen=True)
class ChargeTotals:
    """Totals of one line item or shipping method, all rounded to the currency."""

    subtotal: Decimal
    """Price before discounts, without tax."""
    discount_subtotal: Decimal
    """Sum of the adjustment amounts (adjustments carry no tax)."""
    tax_total: Decimal
    """Tax on ``subtotal − discount_subtotal``."""
    original_tax_total: Decimal
    """Tax on ``subtotal``, as if there were no discount."""
    total: Decimal
    """``subtotal − discount_subtotal + tax_total``: what the customer pays for the line."""
    original_total: Decimal
    """The gross price before discounts."""
    discount_tax_total: Decimal
    """Tax the discount saved: ``original_tax_total − tax_total``."""
    discount_total: Decimal
    """``discount_subtotal + discount_tax_total``: the discount including the tax it saved."""
    raw_discount_total: Decimal
    """``discount_total`` before any rounding."""
    tax_amounts: tuple[Decimal, ...]
    """Amount of each tax line, in the order of ``Charge.tax_rates``."""
    adjustment_amounts: tuple[Decimal, ...]
    """Amount of each adjustment, in the order of ``Charge.adjustments``."""
    credited_total: Decimal = ZERO
    """The credited units' share of ``total`` (``share``)."""


def _exact_taxes(charge: Charge, gross: Decimal, discount: Decimal) -> list[Decimal]:
    """Each tax line's exact, unrounded amount on the line's net price less ``discount``, or
    zero where that is not positive."""
    if not charge.is_tax_inclusive:
        base = max(gross - discount, ZERO)
        return [base * rate / HUNDRED for rate in charge.tax_rates]
    # The net price is gross × 100 / (100 + Σ rates). Dividing only once, last, keeps a tax of
    # exactly half a minor unit exact: working out the net first would cut it to 28 digits, and
    # 1.20 at 5 % + 7 % would give 0.0749999… for the 7 %, rounded down instead of up.
    rate_sum = sum(charge.tax_rates, ZERO)
    numerator = max(gross * HUNDRED - discount * (HUNDRED + rate_sum), ZERO)
    return [numerator * rate / (HUNDRED * (HUNDRED + rate_sum)) for rate in charge.tax_rates]


def charge_totals(charge: Charge, currency: str) -> ChargeTotals:
    """Totals of a line item or shipping method.

    On a tax-inclusive line the rounded tax is taken out of the gross price, so an undiscounted
    line's ``total`` is exactly the price the customer saw. Tax is worked out on the exact
    (unrounded) net amount and rounded once per tax line.
    """
    gross = round_money(charge.unit_price * charge.quantity, currency)
    raw_adjustments = tuple(charge.adjustments)
    adjustment_amounts = tuple(round_money(a, currency) for a in raw_adjustments)
    discount_subtotal = sum(adjustment_amounts, ZERO)

    exact_original_taxes = _exact_taxes(charge, gross, ZERO)
    original_tax_total = sum((round_money(t, currency) for t in exact_original_taxes), ZERO)
    subtotal = gross - original_tax_total if charge.is_tax_inclusive else gross

    tax_amounts = tuple(
        round_money(t, currency) for t in _exact_taxes(charge, gross, discount_subtotal)
    )
    tax_total = sum(tax_amounts, ZERO)
    discount_tax_total = original_tax_total - tax_total

    if not 0 <= charge.credited_quantity <= max(charge.quantity, 0):
        raise ValueError(f"{charge.credited_quantity} of {charge.quantity} units credited")
    raw_discount_subtotal = sum(raw_adjustments, ZERO)
    raw_discount_tax = sum(exact_original_taxes, ZERO) - sum(
        _exact_taxes(charge, gross, raw_discount_subtotal), ZERO
    )
    total = subtotal - discount_subtotal + tax_total
    return ChargeTotals(
        subtotal=subtotal,
        discount_subtotal=discount_subtotal,
        tax_total=tax_total,
        original_tax_total=original_tax_total,
        total=total,
        original_total=subtotal + original_tax_total,
        discount_tax_total=discount_tax_total,
        discount_total=discount_subtotal + discount_tax_total,
        raw_discount_total=raw_discount_subtotal + raw_discount_tax,
        tax_amounts=tax_amounts,
        adjustment_amounts=adjustment_amounts,
        credited_total=(share(total, charge.quantity, charge.credited_quantity, currency)
                        if charge.credited_quantity else ZERO),
    )


@dataclass(frozen=True)
class GiftCardUse:
    """A gift card applied to an order: the amount it may take off, and the tax rate (percent)
    it was sold with, if any."""

    amount: Decimal
    tax_rate: Decimal | None = None


@dataclass(frozen=True)
class OrderTotals:
    """Every order total of DESIGN.md section 3, rounded to the order's currency."""

    currency_code: str
    items: tuple[ChargeTotals, ...]
    shipping_methods: tuple[ChargeTotals, ...]

    item_subtotal: Decimal
    item_discount_subtotal: Decimal
    """Item adjustments, without the tax they saved: ``item_subtotal − item_discount_subtotal +
    item_tax_total = item_total``, as the totals panel reads."""
    item_discount_total: Decimal
    item_tax_total: Decimal
    item_total: Decimal
    original_item_total: Decimal
    shipping_subtotal: Decimal
    shipping_discount_subtotal: Decimal
    shipping_discount_total: Decimal
    shipping_tax_total: Decimal
    shipping_total: Decimal
    original_shipping_total: Decimal
    subtotal: Decimal
    """Items without taxes or discounts (``item_subtotal``)."""
    discount_subtotal: Decimal
    discount_tax_total: Decimal
    discount_total: Decimal
    """Discount on items and shipping, including the tax it saved."""
    raw_discount_total: Decimal
    gift_card_total: Decimal
    """What gift cards take off, with the tax they carry."""
    gift_card_tax_total: Decimal
    """Tax included in the gift card amounts (it was collected when the card was sold), at most
    ``item_tax_total + shipping_tax_total``."""
    credit_line_total: Decimal
    credited_total: Decimal
    """What the units the customer no longer pays for (returned, exchanged, or written off by
    a refund claim) were worth: their shares of their lines' totals, taxes and discounts in."""
    tax_total: Decimal
    """``item_tax_total + shipping_tax_total − gift_card_tax_total``."""
    original_tax_total: Decimal
    total: Decimal
    """``item_total + shipping_total − credited_total − gift_card_total −
    credit_line_total``: what the customer pays for what they keep."""
    original_total: Decimal
    paid_total: Decimal
    """Captured."""
    refunded_total: Decimal
    refundable_amount: Decimal
    """``paid_total − refunded_total``."""
    outstanding_amount: Decimal
    """``total − (paid_total − refunded_total)``: positive, the customer owes; negative, a
    refund is due."""
    authorized_total: Decimal = field(default=ZERO)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def order_totals(
    currency: str,
    items: Sequence[Charge],
    shipping_methods: Sequence[Charge] = (),
    gift_cards: Sequence[GiftCardUse] = (),
    credit_lines: Sequence[Decimal] = (),
    captured: Sequence[Decimal] = (),
    refunded: Sequence[Decimal] = (),
    authorized: Sequence[Decimal] = (),
) -> OrderTotals:
    """All totals of an order from its charges, gift cards, credit lines and payments.

    Credited units come off first; gift cards then take off at most what is left of items and
    shipping, in the order given, and their tax at most the order's tax; credit lines are taken
    off as they are.
    """
    item_totals = tuple(charge_totals(c, currency) for c in items)
    shipping_totals = tuple(charge_totals(c, currency) for c in shipping_methods)
    every = item_totals + shipping_totals

    item_total = _sum(t.total for t in item_totals)
    shipping_total = _sum(t.total for t in shipping_totals)

    item_tax_total = _sum(t.tax_total for t in item_totals)
    shipping_tax_total = _sum(t.tax_total for t in shipping_totals)

    credited_total = _sum(t.credited_total for t in item_totals)
    room = item_total + shipping_total - credited_total
    gift_card_total = card_tax = ZERO
    for card in gift_cards:
        applied = min(round_money(card.amount, currency), max(room, ZERO))
        room -= applied
        gift_card_total += applied
        if card.tax_rate:
            card_tax += round_money(applied * card.tax_rate / (HUNDRED + card.tax_rate), currency)
    # The tax a card carries stands for tax already collected on what it pays for; it cannot be
    # more than the order's own tax (a card sold with VAT spent on untaxed goods), or the
    # order's tax_total would turn negative.
    gift_card_tax_total = min(card_tax, max(item_tax_total + shipping_tax_total, ZERO))

    credit_line_total = _sum(round_money(c, currency) for c in credit_lines)
    total = item_total + shipping_total - credited_total - gift_card_total - credit_line_total
    paid_total = _sum(round_money(c, currency) for c in captured)
    refunded_total = _sum(round_money(r, currency) for r in refunded)
    return OrderTotals(
        currency_code=currency,
        items=item_totals,
        shipping_methods=shipping_totals,
        item_subtotal=_sum(t.subtotal for t in item_totals),
        item_discount_subtotal=_sum(t.discount_subtotal for t in item_totals),
        item_discount_total=_sum(t.discount_total for t in item_totals),
        item_tax_total=item_tax_total,
        item_total=item_total,
        original_item_total=_sum(t.original_total for t in item_totals),
        shipping_subtotal=_sum(t.subtotal for t in shipping_totals),
        shipping_discount_subtotal=_sum(t.discount_subtotal for t in shipping_totals),
        shipping_discount_total=_sum(t.discount_total for t in shipping_totals),
        shipping_tax_total=shipping_tax_total,
        shipping_total=shipping_total,
        original_shipping_total=_sum(t.original_total for t in shipping_totals),
        subtotal=_sum(t.subtotal for t in item_totals),
        discount_subtotal=_sum(t.discount_subtotal for t in every),
        discount_tax_total=_sum(t.discount_tax_total for t in every),
        discount_total=_sum(t.discount_total for t in every),
        raw_discount_total=_sum(t.raw_discount_total for t in every),
        gift_card_total=gift_card_total,
        gift_card_tax_total=gift_card_tax_total,
        credit_line_total=credit_line_total,
        credited_total=credited_total,
        tax_total=item_tax_total + shipping_tax_total - gift_card_tax_total,
        original_tax_total=_sum(t.original_tax_total for t in every),
        total=total,
        original_total=_sum(t.original_total for t in every),
        paid_total=paid_total,
        refunded_total=refunded_total,
        refundable_amount=paid_total - refunded_total,
        outstanding_amount=total - (paid_total - refunded_total),
        authorized_total=_sum(round_money(a, currency) for a in authorized),
    )
