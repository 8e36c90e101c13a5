"""Keep a draft's tax lines and promotion adjustments in step with its lines, region and codes.

Every change to a draft's contents ends with ``reprice``: the region's rates (with their
product-type overrides) tax each line, and the applied promotions are worked out again on the
new subtotals, so the totals panel is always right. Rows are only replaced where a figure
actually changed, which keeps a change to one line a handful of statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.catalog.calculations import (
    AppliedPromotion,
    PromotionAmount,
    promotion_problem,
    share_promotions,
    tax_rates_for,
)
from app.catalog.models import Promotion
from app.db_types import utcnow
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
    sync_rows(line.tax_lines, [{"code": r.code, "name": r.name, "rate": r.rate} for r in rates],
          factory)  # fmt: skip


def sync_rows(rows: list, wanted: list[dict], factory: Callable) -> None:
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
    """The applied promotions that hold now, shared over the lines' subtotals again."""
    draft.forget_totals()
    totals = draft.totals
    on_items, on_shipping = share_promotions(
        [AppliedPromotion(a.code, a.promotion.id, a.promotion.terms) for a in draft.promotions
         # One with a problem is kept on the draft, shown with it, and takes nothing off.
         if promotion_problem_now(draft, a.promotion) is None],
        [t.subtotal for t in totals.items],
        [t.subtotal for t in totals.shipping_methods],
        draft.currency_code,
    )  # fmt: skip
    for item, wanted in zip(draft.items, on_items, strict=True):
        _sync_adjustments(item, wanted, LineItemAdjustment)
    for method, wanted in zip(draft.shipping_methods, on_shipping, strict=True):
        _sync_adjustments(method, wanted, ShippingMethodAdjustment)


def promotion_problem_now(draft: Order, promotion: Promotion) -> str | None:
    """Why ``promotion`` cannot take anything off ``draft`` at this moment, or ``None``."""
    return promotion_problem(
        promotion.terms, utcnow(), draft.totals.item_subtotal, draft.currency_code
    )


def _sync_adjustments(line, wanted: list[PromotionAmount], factory: Callable) -> None:
    sync_rows(line.adjustments, [
        {"code": p.code, "amount": p.amount, "promotion_id": p.promotion_id,
         "description": f"Promotion {p.code}"}
        for p in wanted
    ], factory)  # fmt: skip
