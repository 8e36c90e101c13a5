"""Two states of an order side by side, as pure values (``app.changes.comparison``): what the
staff edit page, the customer's page and emails, and the version compare page all read. Lines
and shipping are paired by id (added ones by their action), each row carries each side's
totals as the money engine works them out, and the rows that did not change are kept apart."""

from dataclasses import replace
from decimal import Decimal

from app.changes.calculations import (
    ITEM_ADD,
    ITEM_UPDATE,
    SHIPPING_ADD,
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

D = Decimal
TAX = (TaxLine("TAX", "Tax", D("10")),)
TEN_PERCENT = D("1.10")
SHIRT = Line("Linen shirt", D("40.00"), 3, id=1, tax_lines=TAX,
             adjustments=(Adjustment("SAVE", D("6.00")),))  # fmt: skip
SOCKS = Line("Wool socks", D("12.50"), 2, id=2, tax_lines=TAX)
STANDARD = Shipping("Standard", D("5.00"), id=7, tax_lines=TAX)
PAID = D("158.40")


def version(*items: Line, shipping=(STANDARD,)) -> OrderState:
    return OrderState("USD", items, tuple(shipping), captured=(PAID,))


def test_two_versions_pair_lines_and_shipping_by_id_with_each_sides_totals():
    # given version 2: one shirt fewer (its discount scaled), no socks, the gift wrap and the
    # express shipping the confirmation gave ids to
    older = version(SHIRT, SOCKS)
    newer = version(replace(SHIRT, quantity=2, adjustments=(Adjustment("SAVE", D("4.00")),)),
                    Line("Gift wrap", D("3.00"), 1, id=3),
                    shipping=[Shipping("Express", D("9.90"), id=8)])  # fmt: skip

    # when
    comparison = compare(older, newer)

    # then
    assert [(r.kind, r.shown.title) for r in comparison.lines] == [
        ("changed", "Linen shirt"), ("removed", "Wool socks"), ("added", "Gift wrap")]
    assert [(r.kind, r.shown.name) for r in comparison.shipping] == [
        ("removed", "Standard"), ("added", "Express")]  # fmt: skip
    assert [r.before_totals for r in comparison.lines if r.before] == list(older.totals.items)
    assert [r.after_totals for r in comparison.lines if r.after] == list(newer.totals.items)
    assert [(r.before_total, r.after_total) for r in comparison.lines] == [
        ((D("120.00") - 6) * TEN_PERCENT, (D("80.00") - 4) * TEN_PERCENT),
        (D("25.00") * TEN_PERCENT, None), (None, D("3.00"))]  # fmt: skip
    assert [(r.before_total, r.after_total) for r in comparison.shipping] == [
        (D("5.00") * TEN_PERCENT, None), (None, D("9.90"))]  # fmt: skip
    new_total = (D("80.00") - 4) * TEN_PERCENT + D("3.00") + D("9.90")
    assert comparison.difference == new_total - PAID


def test_unchanged_rows_keep_both_sides_and_are_left_out_of_the_changes():
    older = version(SHIRT, SOCKS)
    newer = version(SHIRT, replace(SOCKS, quantity=1))

    comparison = compare(older, newer)

    shirt = (D("120.00") - 6) * TEN_PERCENT
    assert [(r.kind, r.before_total, r.after_total) for r in comparison.lines] == [
        ("unchanged", shirt, shirt),
        ("changed", D("25.00") * TEN_PERCENT, D("12.50") * TEN_PERCENT)]  # fmt: skip
    assert [r.kind for r in comparison.shipping] == ["unchanged"]
    assert [r.shown for r in comparison.changed_lines] == [replace(SOCKS, quantity=1)]
    assert comparison.changed_shipping == []


def test_a_preview_pairs_what_it_adds_by_the_staged_action():
    # given the order and what staff staged: two custom lines, a new quantity and a shipping
    current = version(SHIRT, SOCKS)
    proposed = apply_actions(current, [
        StagedAction(ITEM_ADD, id=11, title="Gift wrap", quantity=1, unit_price=D("3.00")),
        StagedAction(ITEM_ADD, id=12, title="Card", quantity=2, unit_price=D("1.50")),
        StagedAction(ITEM_UPDATE, id=13, item_id=2, quantity=1),
        StagedAction(SHIPPING_ADD, id=14, title="Express", unit_price=D("9.90")),
    ], Pricing())  # fmt: skip

    # when
    comparison = compare(current, proposed)

    # then: each addition is a row of its own, known by its action, with no side before
    assert [(r.kind, r.shown.title, r.shown.action_id) for r in comparison.lines] == [
        ("unchanged", "Linen shirt", None), ("changed", "Wool socks", None),
        ("added", "Gift wrap", 11), ("added", "Card", 12)]  # fmt: skip
    assert [(r.kind, r.before_totals) for r in comparison.lines[2:]] == [("added", None)] * 2
    assert [r.after_total for r in comparison.lines[2:]] == [D("3.00"), D("3.00")]
    assert [(r.kind, r.shown.name, r.shown.action_id) for r in comparison.shipping] == [
        ("unchanged", "Standard", None), ("added", "Express", 14)]  # fmt: skip
    assert comparison.before.summary.total == current.totals.total
    assert comparison.after.summary.total == proposed.totals.total
