"""Keep a draft's tax lines and promotion adjustments in step with its lines, region and codes.

Every change to a draft's contents ends with ``reprice``: the region's rates (with their
product-type overrides) tax each line, and the applied promotions are worked out again on the
new subtotals, so the totals panel is always right. Rows are only replaced where a figure
actually changed, which keeps a change to one line a handful of statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from app.catalog.calculations import promotion_adjustments, promotion_problem, tax_rates_for
from app.catalog.models import Promotion
from app.db_types import utcnow
from app.money import ZERO
from app.orders.actions import refresh_derived
from app.orders.models import (
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    ShippingMethodAdjustment,
    ShippingMethodTaxLine,
)


def reprice(draft: Order) -> None:
    """Tax every line by the region's rates and share out every applied promotion again, then
    store the derived total and statuses."""
    rates = list(draft.region.tax_rates) if draft.region else []
    for item in draft.items:
        _sync_tax_lines(item, tax_rates_for(rates, item.product_type), LineItemTaxLine)
    for method in draft.shipping_methods:
        _sync_tax_lines(method, tax_rates_for(rates, None), ShippingMethodTaxLine)
    _share_promotions(draft)
    refresh_derived(draft)


def _sync_tax_lines(line, rates: Sequence, factory: Callable) -> None:
    _sync(line.tax_lines, [{"code": r.code, "name": r.name, "rate": r.rate} for r in rates],
          factory)  # fmt: skip


def _sync(rows: list, wanted: list[dict], factory: Callable) -> None:
    """Make ``rows`` hold ``wanted`` (their values, in order), changing rows in place where
    they are already there: most changes move an amount, and an UPDATE is cheaper than a
    DELETE and an INSERT."""
    for row, values in zip(rows, wanted, strict=False):
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    del rows[len(wanted):]
    rows.extend(factory(**values) for values in wanted[len(rows):])


def _share_promotions(draft: Order) -> None:
    """Each promotion in the order applied, on what the earlier ones left of each line, so two
    codes together never take a line below zero."""
    draft.forget_totals()
    totals = draft.totals
    items_left = [t.subtotal for t in totals.items]
    shipping_left = [t.subtotal for t in totals.shipping_methods]
    item_adjustments: list[list[tuple]] = [[] for _ in draft.items]
    shipping_adjustments: list[list[tuple]] = [[] for _ in draft.shipping_methods]
    for applied in draft.promotions:
        if promotion_problem_now(draft, applied.promotion) is not None:
            # Kept on the draft, shown with its problem, and taking nothing off until it holds.
            continue
        split = promotion_adjustments(
            applied.promotion.terms, items_left, shipping_left, draft.currency_code
        )
        for index, amount in enumerate(split.items):
            if amount > ZERO:
                item_adjustments[index].append((applied.code, amount, applied.promotion.id))
                items_left[index] -= amount
        for index, amount in enumerate(split.shipping):
            if amount > ZERO:
                shipping_adjustments[index].append((applied.code, amount, applied.promotion.id))
                shipping_left[index] -= amount
    for item, wanted in zip(draft.items, item_adjustments, strict=True):
        _sync_adjustments(item, wanted, LineItemAdjustment)
    for method, wanted in zip(draft.shipping_methods, shipping_adjustments, strict=True):
        _sync_adjustments(method, wanted, ShippingMethodAdjustment)


def promotion_problem_now(draft: Order, promotion: Promotion) -> str | None:
    """Why ``promotion`` cannot take anything off ``draft`` at this moment, or ``None``."""
    return promotion_problem(
        promotion.terms, utcnow(), draft.totals.item_subtotal, draft.currency_code
    )


def _sync_adjustments(line, wanted: list[tuple[str, Decimal, int]], factory: Callable) -> None:
    _sync(line.adjustments, [
        {"code": code, "amount": amount, "promotion_id": promotion_id,
         "description": f"Promotion {code}"}
        for code, amount, promotion_id in wanted
    ], factory)  # fmt: skip
