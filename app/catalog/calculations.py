"""Promotion rules and tax rate choice, as pure functions over plain values.

No Flask, no SQLAlchemy: the models hand their values over as ``PromotionTerms`` or as any
objects with the attributes a function reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol, TypeVar

from app.money import ZERO, format_money, minor_unit, round_money

PERCENTAGE = "percentage"
FIXED = "fixed"
ITEMS = "items"
SHIPPING = "shipping"


@dataclass(frozen=True)
class PromotionTerms:
    """A promotion's values, as ``app.catalog.models.Promotion.terms`` gives them."""

    code: str
    #: ``percentage`` or ``fixed``.
    type: str
    #: A percent for ``percentage``, an amount in ``currency_code`` for ``fixed``.
    value: Decimal
    #: ``None`` only for a percentage that applies in every currency.
    currency_code: str | None
    #: ``items`` or ``shipping``.
    target: str
    #: In ``currency_code``; compared with the item subtotal (before discounts, without tax).
    min_subtotal: Decimal | None
    starts_at: datetime
    #: Exclusive.
    ends_at: datetime | None
    usage_limit: int | None
    usage_count: int
    is_active: bool


def _day(moment: datetime) -> str:
    return f"{moment:%b} {moment.day}, {moment.year}"


def promotion_problem(
    terms: PromotionTerms, now: datetime, subtotal: Decimal, currency: str
) -> str | None:
    """Why the code cannot be used on an order in ``currency`` whose item subtotal (before
    discounts, without tax) is ``subtotal``, at ``now``; ``None`` when it can.

    An unknown code is the caller's to report: there are no terms to read.
    """
    code = terms.code
    if not terms.is_active:
        return f"Code {code} is not active."
    if now < terms.starts_at:
        return f"Code {code} cannot be used before {_day(terms.starts_at)}."
    if terms.ends_at is not None and now >= terms.ends_at:
        return f"Code {code} expired on {_day(terms.ends_at)}."
    if terms.usage_limit is not None and terms.usage_count >= terms.usage_limit:
        return f"Code {code} has been used up (all {terms.usage_limit} uses taken)."
    if terms.currency_code is not None and terms.currency_code != currency:
        return f"Code {code} is for orders in {terms.currency_code}, not {currency}."
    if terms.min_subtotal is not None and subtotal < terms.min_subtotal:
        minimum = format_money(terms.min_subtotal, currency)
        return (
            f"Code {code} needs an item subtotal of at least {minimum}; "
            f"this order has {format_money(subtotal, currency)}."
        )
    return None


def _cap(subtotal: Decimal, currency: str) -> Decimal:
    """The most a discount may take off a line: its subtotal in whole minor units, never more
    (an inclusive line's subtotal has more decimals than the currency)."""
    if subtotal <= ZERO:
        return ZERO
    rounded = round_money(subtotal, currency)
    return rounded if rounded <= subtotal else rounded - minor_unit(currency)


@dataclass(frozen=True)
class PromotionSplit:
    """What a promotion takes off each line: one amount per item and per shipping method, in
    the order given; zero on the lines it does not target."""

    items: list[Decimal]
    shipping: list[Decimal]


def promotion_adjustments(
    terms: PromotionTerms,
    item_subtotals: Sequence[Decimal],
    shipping_subtotals: Sequence[Decimal],
    currency: str,
) -> PromotionSplit:
    """The adjustment amounts of a promotion on an order's items and shipping methods, given
    their subtotals (before discounts, without tax).

    Only the target's lines (``items`` or ``shipping``) are discounted. A percentage is taken
    off each line and rounded half up there. A fixed amount is shared in proportion to the
    subtotals and the parts add up to it exactly: the rounding remainder goes on the largest
    line, or, where that line cannot take it all, on the next largest. No line is discounted
    below zero or beyond its subtotal; lines worth less than a fixed amount go down to zero.
    """
    nothing = round_money(ZERO, currency)
    if terms.target == SHIPPING:
        return PromotionSplit(
            items=[nothing for _ in item_subtotals],
            shipping=_line_amounts(terms, shipping_subtotals, currency),
        )
    return PromotionSplit(
        items=_line_amounts(terms, item_subtotals, currency),
        shipping=[nothing for _ in shipping_subtotals],
    )


def _line_amounts(
    terms: PromotionTerms, subtotals: Sequence[Decimal], currency: str
) -> list[Decimal]:
    caps = [_cap(s, currency) for s in subtotals]
    if terms.type == PERCENTAGE:
        return [
            min(round_money(max(subtotal, ZERO) * terms.value / 100, currency), cap)
            for subtotal, cap in zip(subtotals, caps, strict=True)
        ]
    amount = min(round_money(terms.value, currency), sum(caps, ZERO))
    whole = sum((max(s, ZERO) for s in subtotals), ZERO)
    if amount <= ZERO or whole <= ZERO:
        return [round_money(ZERO, currency) for _ in subtotals]
    parts = [
        min(round_money(amount * max(s, ZERO) / whole, currency), cap)
        for s, cap in zip(subtotals, caps, strict=True)
    ]
    remainder = amount - sum(parts, ZERO)
    largest_first = sorted(range(len(parts)), key=lambda i: (-subtotals[i], i))
    for index in largest_first:
        if remainder.is_zero():
            break
        # Clamped to [0, cap]: a negative remainder (parts rounded up) cannot take a line below
        # zero, a positive one cannot take it past its subtotal.
        moved = max(-parts[index], min(remainder, caps[index] - parts[index]))
        parts[index] += moved
        remainder -= moved
    return parts


@dataclass(frozen=True)
class AppliedPromotion:
    """A promotion applied to an order: its code, its id and its terms."""

    code: str
    promotion_id: int
    terms: PromotionTerms


@dataclass(frozen=True)
class PromotionAmount:
    """What one promotion takes off one line."""

    code: str
    amount: Decimal
    promotion_id: int


def share_promotions(
    applied: Sequence[AppliedPromotion],
    item_subtotals: Sequence[Decimal],
    shipping_subtotals: Sequence[Decimal],
    currency: str,
) -> tuple[list[list[PromotionAmount]], list[list[PromotionAmount]]]:
    """Each promotion in the order applied, on what the earlier ones left of each line, so two
    codes together never take a line below zero: the amounts on each item and each shipping
    method, in the order given. The caller leaves out promotions that cannot apply now."""
    items_left = list(item_subtotals)
    shipping_left = list(shipping_subtotals)
    on_items: list[list[PromotionAmount]] = [[] for _ in item_subtotals]
    on_shipping: list[list[PromotionAmount]] = [[] for _ in shipping_subtotals]
    for promotion in applied:
        split = promotion_adjustments(promotion.terms, items_left, shipping_left, currency)
        for amounts, left, wanted in ((split.items, items_left, on_items),
                                      (split.shipping, shipping_left, on_shipping)):  # fmt: skip
            for index, amount in enumerate(amounts):
                if amount > ZERO:
                    wanted[index].append(
                        PromotionAmount(promotion.code, amount, promotion.promotion_id)
                    )
                    left[index] -= amount
    return on_items, on_shipping


class _Rate(Protocol):
    product_type: str | None
    is_default: bool


Rate = TypeVar("Rate", bound=_Rate)


def tax_rates_for(rates: Sequence[Rate], product_type: str | None) -> list[Rate]:
    """The rates that tax a product of ``product_type`` in a region with ``rates``: those
    overriding that product type when there are any, else the region's default rate(s).

    A rate with a ``product_type`` is an override and never a default for other products.
    """
    if product_type:
        overrides = [r for r in rates if r.product_type == product_type]
        if overrides:
            return overrides
    return [r for r in rates if r.is_default and not r.product_type]
