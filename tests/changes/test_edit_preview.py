"""The preview of an order change, on plain values: what each action does to the lines, their
discounts and taxes, and the difference left to settle. Expected figures are worked out here
from the inputs, not copied from the engine."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog.calculations import PERCENTAGE, AppliedPromotion, PromotionTerms
from app.changes.calculations import (
    ITEM_ADD,
    ITEM_REMOVE,
    ITEM_UPDATE,
    SHIPPING_ADD,
    SHIPPING_REMOVE,
    Adjustment,
    ChangeProblem,
    Line,
    OrderState,
    Pricing,
    Shipping,
    StagedAction,
    TaxLine,
    apply_actions,
    compare_lines,
    compare_shipping,
    pending_difference,
    scale_adjustments,
)
from app.db_types import utcnow

D = Decimal
TAX10 = (TaxLine("TAX", "Tax", D("10")),)


@dataclass(frozen=True)
class Rate:
    code: str
    name: str
    rate: Decimal
    product_type: str | None = None
    is_default: bool = True


def state(currency="USD", captured=(), refunded=(), shipping=()) -> OrderState:
    return OrderState(
        currency_code=currency,
        items=(
            Line(id=1, title="Linen shirt", unit_price=D("40.00"), quantity=3, tax_lines=TAX10,
                 adjustments=(Adjustment("SAVE", D("6.00")),)),
            Line(id=2, title="Wool socks", unit_price=D("12.50"), quantity=2, tax_lines=TAX10,
                 fulfilled_quantity=1),
        ),
        shipping_methods=shipping,
        captured=tuple(D(c) for c in captured),
        refunded=tuple(D(r) for r in refunded),
    )  # fmt: skip


def test_no_actions_change_nothing():
    before = state(captured=["152.90"])
    assert apply_actions(before, [], Pricing()) == before
    assert pending_difference(before) == before.totals.total - D("152.90")


@pytest.mark.parametrize(("quantity", "discount"), [
    (3, "6.00"), (2, "4.00"), (1, "2.00"), (0, None),
])  # fmt: skip
def test_a_lower_quantity_scales_the_discount_with_it(quantity, discount):
    after = apply_actions(state(), [StagedAction(ITEM_UPDATE, item_id=1, quantity=quantity)],
                          Pricing())  # fmt: skip
    shirt = next((line for line in after.items if line.id == 1), None)
    if discount is None:
        assert shirt is None  # 0 units: the line goes
        return
    assert (shirt.quantity, shirt.adjustments[0].amount) == (quantity, D(discount))
    net = D("40.00") * quantity - D(discount)
    assert after.totals.items[0].total == net + (net * D("0.10")).quantize(D("0.01"))


@pytest.mark.parametrize(("old", "new", "amount", "expected"), [
    (3, 1, "10.00", "3.33"),   # 3.333… rounds down
    (3, 2, "10.00", "6.67"),   # 6.666… rounds up
    (4, 1, "0.10", "0.03"),    # 0.025 rounds half up
    (2, 5, "3.00", "7.50"),    # more units, more discount
])  # fmt: skip
def test_scaled_discounts_round_half_up_as_adjustments_do(old, new, amount, expected):
    scaled = scale_adjustments([Adjustment("X", D(amount))], old, new, "USD")
    assert scaled[0].amount == D(expected)


def test_jpy_discounts_scale_to_whole_yen():
    scaled = scale_adjustments([Adjustment("X", D("100"))], 3, 1, "JPY")
    assert scaled[0].amount == D("33")


def test_a_new_unit_price_replaces_the_discount():
    after = apply_actions(state(), [StagedAction(ITEM_UPDATE, item_id=1, unit_price=D("0"))],
                          Pricing())  # fmt: skip
    shirt = after.items[0]
    assert (shirt.unit_price, shirt.adjustments, shirt.is_custom_price) == (D("0"), (), True)
    assert after.totals.items[0].total == D("0.00")


def test_fulfilled_units_cannot_be_taken_away():
    with pytest.raises(ChangeProblem, match="1 already fulfilled; the quantity cannot go below"):
        apply_actions(state(), [StagedAction(ITEM_UPDATE, item_id=2, quantity=0)], Pricing())
    with pytest.raises(ChangeProblem, match="a fulfilled line cannot be removed"):
        apply_actions(state(), [StagedAction(ITEM_REMOVE, item_id=2)], Pricing())
    # Down to what was fulfilled is allowed.
    after = apply_actions(state(), [StagedAction(ITEM_UPDATE, item_id=2, quantity=1)], Pricing())
    assert after.items[1].quantity == 1


def test_an_unknown_line_is_refused():
    with pytest.raises(ChangeProblem, match="not on this order"):
        apply_actions(state(), [StagedAction(ITEM_REMOVE, item_id=99)], Pricing())


def test_added_lines_are_taxed_by_the_region_with_product_type_overrides():
    rates = (Rate("VAT", "VAT", D("20")), Rate("BOOKS", "Books", D("5"), "book", False))
    actions = [
        StagedAction(ITEM_ADD, id=10, title="Teapot", unit_price=D("30.00"), quantity=1),
        StagedAction(ITEM_ADD, id=11, title="Atlas", unit_price=D("20.00"), quantity=2,
                     product_type="book"),
        StagedAction(SHIPPING_ADD, id=12, title="Express", unit_price=D("9.90")),
    ]  # fmt: skip
    after = apply_actions(state(), actions, Pricing(tax_rates=rates))
    teapot, atlas = after.items[2:]
    assert [t.rate for t in teapot.tax_lines] == [D("20")]
    assert [t.rate for t in atlas.tax_lines] == [D("5")]
    assert (teapot.id, teapot.action_id, atlas.quantity) == (None, 10, 2)
    totals = after.totals
    assert totals.items[2].total == D("36.00")
    assert totals.items[3].total == D("42.00")
    assert totals.shipping_methods[0].total == D("11.88")


def test_added_lines_in_a_tax_inclusive_region_cost_their_price():
    after = apply_actions(
        state(currency="JPY"),
        [StagedAction(ITEM_ADD, id=1, title="Hinoki soap", unit_price=D("990"), quantity=1)],
        Pricing(is_tax_inclusive=True, tax_rates=(Rate("JCT", "JCT", D("10")),)),
    )  # fmt: skip
    soap = after.totals.items[2]
    assert (soap.total, soap.tax_total) == (D("990"), D("90"))


def test_the_orders_percentage_codes_take_their_share_off_added_lines():
    terms = PromotionTerms(code="TEN", type=PERCENTAGE, value=D("10"), currency_code=None,
                           target="items", min_subtotal=None, starts_at=utcnow(), ends_at=None,
                           usage_limit=None, usage_count=0, is_active=True)  # fmt: skip
    after = apply_actions(
        state(), [StagedAction(ITEM_ADD, id=5, title="Scarf", unit_price=D("25.00"), quantity=1)],
        Pricing(promotions=(AppliedPromotion("TEN", 7, terms),)),
    )  # fmt: skip
    scarf = after.items[-1]
    assert [(a.code, a.amount, a.promotion_id) for a in scarf.adjustments] == [
        ("TEN", D("2.50"), 7)]  # fmt: skip


def test_shipping_can_be_removed_and_added():
    before = state(shipping=(Shipping(id=4, name="Standard", amount=D("5.00"), tax_lines=TAX10),))
    after = apply_actions(before, [
        StagedAction(SHIPPING_REMOVE, shipping_method_id=4),
        StagedAction(SHIPPING_ADD, id=9, title="Pickup", unit_price=D("0")),
    ], Pricing())  # fmt: skip
    assert [(s.id, s.name, s.amount) for s in after.shipping_methods] == [(None, "Pickup", D("0"))]
    with pytest.raises(ChangeProblem, match="shipping method is not on this order"):
        apply_actions(before, [StagedAction(SHIPPING_REMOVE, shipping_method_id=5)], Pricing())


def test_the_lines_compare_added_removed_and_changed():
    after = apply_actions(state(), [
        StagedAction(ITEM_UPDATE, item_id=1, quantity=1),
        StagedAction(ITEM_ADD, id=3, title="Scarf", unit_price=D("25.00"), quantity=1),
    ], Pricing())  # fmt: skip
    pairs = compare_lines(state().items, after.items)
    assert [(p.kind, (p.before or p.after).title) for p in pairs] == [
        ("changed", "Linen shirt"), ("unchanged", "Wool socks"), ("added", "Scarf")]  # fmt: skip


def test_shipping_compares_by_id_and_added_methods_by_their_action():
    standard = Shipping(id=4, name="Standard", amount=D("5.00"), tax_lines=TAX10)
    courier = Shipping(id=5, name="Courier", amount=D("7.00"), tax_lines=TAX10)
    before = state(shipping=(standard, courier))
    after = apply_actions(before, [
        StagedAction(SHIPPING_REMOVE, id=8, shipping_method_id=4),
        StagedAction(SHIPPING_ADD, id=9, title="Pickup", unit_price=D("0")),
        StagedAction(SHIPPING_ADD, id=10, title="Gift box", unit_price=D("2.00")),
    ], Pricing())  # fmt: skip
    pairs = compare_shipping(before.shipping_methods, after.shipping_methods)
    assert [(p.kind, p.before, p.after and p.after.name) for p in pairs] == [
        ("removed", standard, None), ("unchanged", courier, "Courier"),
        ("added", None, "Pickup"), ("added", None, "Gift box")]  # fmt: skip
    assert [p.after.action_id for p in pairs if p.kind == "added"] == [9, 10]


def test_stored_versions_compare_shipping_by_id():
    # A confirmed change gave the method it added an id: the newer version knows it by that.
    standard = Shipping(id=4, name="Standard", amount=D("5.00"))
    express = Shipping(id=6, name="Express", amount=D("9.90"))
    pairs = compare_shipping([standard], [express])
    assert [(p.kind, p.before, p.after) for p in pairs] == [
        ("removed", standard, None), ("added", None, express)]  # fmt: skip
    assert [p.kind for p in compare_shipping([standard], [standard])] == ["unchanged"]


@pytest.mark.parametrize(("captured", "refunded", "quantity"), [
    # Medusa #13068/#13091: partly captured, partly refunded orders edited down and up.
    (["152.90"], ["10.00"], 2),
    (["100.00", "52.90"], [], 1),
    (["100.00"], ["33.33"], 3),
    (["152.90"], ["152.90"], 5),
])  # fmt: skip
def test_the_difference_is_the_new_total_less_what_was_kept(captured, refunded, quantity):
    after = apply_actions(state("USD", captured, refunded),
                          [StagedAction(ITEM_UPDATE, item_id=1, quantity=quantity)], Pricing())
    # A shirt unit: 40.00 less its 2.00 share of the discount, plus 10 % tax = 41.80; the
    # socks line stays 27.50.
    new_total = D("41.80") * quantity + D("27.50")
    kept = sum(map(D, captured), D(0)) - sum(map(D, refunded), D(0))
    assert after.totals.total == new_total
    assert pending_difference(after) == new_total - kept


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 20), st.integers(0, 5_000), st.integers(0, 100)),
             min_size=1, max_size=4),
    st.lists(st.integers(0, 25), min_size=4, max_size=4),
    st.integers(0, 2),
)  # fmt: skip
def test_any_edit_reconciles(lines, new_quantities, currency_index):
    """Whatever the quantities, the proposed totals add up line by line, every discount stays
    within its line, and the difference is the total less what the customer has kept paid."""
    currency = ("USD", "JPY", "KWD")[currency_index]
    scale = {"USD": -2, "JPY": 0, "KWD": -3}[currency]
    items = tuple(
        Line(id=i + 1, title=f"Line {i}", unit_price=D(price).scaleb(scale), quantity=quantity,
             tax_lines=TAX10,
             adjustments=(Adjustment("X", (D(price) * quantity * percent // 100).scaleb(scale)),))
        for i, (quantity, price, percent) in enumerate(lines)
    )  # fmt: skip
    before = OrderState(currency, items, captured=(D(7).scaleb(scale),))
    actions = [StagedAction(ITEM_UPDATE, item_id=line.id, quantity=q)
               for line, q in zip(items, new_quantities, strict=False)]  # fmt: skip
    after = apply_actions(before, actions, Pricing())
    totals = after.totals
    assert totals.total == sum((t.total for t in totals.items), D(0))
    for line, line_totals in zip(after.items, totals.items, strict=True):
        assert 0 <= line_totals.discount_subtotal <= line_totals.subtotal
        assert line_totals.total >= 0
        assert line.quantity > 0
    assert pending_difference(after) == totals.total - D(7).scaleb(scale)
