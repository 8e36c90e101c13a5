"""What the customer is shown of a change, as pure values: each line and shipping method with
what it costs before and after, and totals rows that add up to the total on each side."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.changes.calculations import (
    ITEM_ADD,
    ITEM_REMOVE,
    ITEM_UPDATE,
    SHIPPING_ADD,
    SHIPPING_REMOVE,
    Adjustment,
    Line,
    OrderState,
    Pricing,
    Shipping,
    StagedAction,
    TaxLine,
    apply_actions,
)
from app.changes.comparison import compare
from app.orders.calculations import GiftCardUse

TAX = (TaxLine("TAX", "Tax", Decimal("10")),)
#: The region's rate, as ``Pricing`` reads a tax rate row.
RATES = (SimpleNamespace(code="TAX", name="Tax", rate=Decimal("10"), product_type=None,
                         is_default=True),)  # fmt: skip


def order(inclusive: bool = False, **money) -> OrderState:
    return OrderState(
        currency_code="EUR",
        items=(
            Line("Linen shirt", Decimal("40.00"), 3, id=1, is_tax_inclusive=inclusive,
                 tax_lines=TAX, adjustments=(Adjustment("SAVE", Decimal("6.00")),)),
            Line("Wool socks", Decimal("12.50"), 2, id=2, is_tax_inclusive=inclusive,
                 tax_lines=TAX),
        ),
        shipping_methods=(Shipping("Standard", Decimal("5.00"), id=7,
                                   is_tax_inclusive=inclusive, tax_lines=TAX),),
        **money,
    )  # fmt: skip


def quantity(line: Line | None) -> int | None:
    return None if line is None else line.quantity


CHANGE = [
    StagedAction(ITEM_UPDATE, id=1, item_id=1, quantity=2),
    StagedAction(ITEM_REMOVE, id=2, item_id=2),
    StagedAction(ITEM_ADD, id=3, title="Gift wrap", quantity=1, unit_price=Decimal("3.00")),
    StagedAction(SHIPPING_REMOVE, id=4, shipping_method_id=7),
    StagedAction(SHIPPING_ADD, id=5, title="Express", unit_price=Decimal("9.90")),
]


@pytest.mark.parametrize("inclusive", [False, True])
def test_lines_and_shipping_show_what_each_costs_before_and_after(inclusive):
    before = order(inclusive)
    after = apply_actions(before, CHANGE, Pricing(is_tax_inclusive=inclusive, tax_rates=RATES))
    comparison = compare(before, after)
    rows = comparison.lines
    assert [(r.kind, r.shown.title, quantity(r.before), quantity(r.after)) for r in rows] == [
        ("changed", "Linen shirt", 3, 2), ("removed", "Wool socks", 2, None),
        ("added", "Gift wrap", None, 1)]  # fmt: skip
    # Each side's line totals are the money engine's, line by line.
    assert [r.before_total for r in rows if r.before_total is not None] == [
        t.total for t in before.totals.items]
    assert [r.after_total for r in rows if r.after_total is not None] == [
        t.total for t in after.totals.items]
    shipping = comparison.shipping
    assert [(s.kind, s.shown.name) for s in shipping] == [
        ("removed", "Standard"), ("added", "Express")]  # fmt: skip
    assert shipping[0].before_total == before.totals.shipping_total
    assert shipping[1].after_total == after.totals.shipping_total


@pytest.mark.parametrize("inclusive", [False, True])
@pytest.mark.parametrize("money", [
    {},
    {"captured": (Decimal("50.00"),), "refunded": (Decimal("10.00"),)},
    {"gift_cards": (GiftCardUse(Decimal("20.00")),), "credit_lines": (Decimal("2.50"),)},
])  # fmt: skip
def test_the_totals_rows_add_up_to_the_total_on_each_side(inclusive, money):
    before = order(inclusive, **money)
    after = apply_actions(before, CHANGE, Pricing(is_tax_inclusive=inclusive, tax_rates=RATES))
    comparison = compare(before, after)
    rows = {row.label: row for row in comparison.totals_rows}
    for side, state in (("before", before), ("after", after)):
        added = sum((-getattr(r, side) if r.deduction else getattr(r, side)
                     for label, r in rows.items() if label not in ("Total", "Tax included")),
                    Decimal(0))  # fmt: skip
        assert added == getattr(rows["Total"], side) == state.totals.total
    assert ("Tax included" in rows) is inclusive
    assert ("Tax" in rows) is not inclusive
    assert comparison.after.paid == sum(money.get("captured", ()), Decimal(0)) - sum(
        money.get("refunded", ()), Decimal(0))
