"""What an exchange leaves, worked out by the order-change engine on plain values (issue 11):
Medusa's own figures, and returned units that come off the total only when they arrive."""

from decimal import Decimal

import pytest

from app.changes.calculations import (
    ITEM_ADD,
    RETURN_ITEM,
    SHIPPING_ADD,
    Adjustment,
    ChangeProblem,
    Line,
    OrderState,
    Pricing,
    StagedAction,
    apply_actions,
    credit_requested,
)

D = Decimal


def shipped_order(paid: str = "270") -> OrderState:
    """Medusa's example: 3 units at 20 and one at 210, an order of 270, all shipped."""
    return OrderState("USD", items=(
        Line("T-shirt", D("20"), 3, id=1, fulfilled_quantity=3, shipped_quantity=3),
        Line("Jacket", D("210"), 1, id=2, fulfilled_quantity=1, shipped_quantity=1),
    ), captured=(D(paid),))  # fmt: skip


EXCHANGE = [
    StagedAction(RETURN_ITEM, item_id=1, quantity=1),
    StagedAction(ITEM_ADD, id=10, title="Hoodie", quantity=1, unit_price=D("50")),
    StagedAction(SHIPPING_ADD, id=11, title="Standard", unit_price=D("5")),
    StagedAction(SHIPPING_ADD, id=12, title="Return shipping", unit_price=D("7.5")),
]


def test_medusas_exchange_gives_a_new_total_of_312_50():
    order = shipped_order()
    assert order.totals.total == D("270")

    proposed = apply_actions(order, EXCHANGE, Pricing())
    # Until the unit arrives it still counts: 270 + 50 + 5 + 7.5.
    assert proposed.totals.total == D("332.5")
    assert proposed.items[0].return_requested_quantity == 1

    arrived = credit_requested(proposed, {1: 1})
    assert arrived.totals.total == D("312.5")
    assert arrived.totals.credited_total == D("20")
    assert arrived.totals.outstanding_amount == D("42.5")  # the customer pays the difference
    assert (arrived.items[0].returned_quantity, arrived.items[0].credited_quantity) == (1, 1)


def test_a_cheaper_new_item_leaves_a_refund():
    proposed = apply_actions(shipped_order(), [
        StagedAction(RETURN_ITEM, item_id=2, quantity=1),
        StagedAction(ITEM_ADD, id=10, title="Vest", quantity=1, unit_price=D("150")),
    ], Pricing())  # fmt: skip
    assert credit_requested(proposed, {2: 1}).totals.outstanding_amount == D("-60")


def test_credited_units_take_their_rounded_share_and_the_last_takes_the_rest():
    # 3 pens for 10.00 (a 3.33 price, 0.01 off the line): each 3.33, the last 3.34.
    pens = Line("Pen", D("3.34"), 3, id=1, shipped_quantity=3, return_requested_quantity=3,
                adjustments=(Adjustment("DEAL", D("0.02")),))
    order = OrderState("USD", items=(pens,))
    assert order.totals.total == D("10.00")
    one = credit_requested(order, {1: 1})
    assert one.totals.credited_total == D("3.33")
    three = credit_requested(one, {1: 2})
    assert three.totals.credited_total == D("10.00") and three.totals.total == D("0")


@pytest.mark.parametrize(("actions", "message"), [
    ([StagedAction(RETURN_ITEM, item_id=1, quantity=4)], "T-shirt: 3 can be returned, not 4."),
    ([StagedAction(RETURN_ITEM, item_id=1, quantity=2)] * 2,
     "T-shirt: 1 can be returned, not 2."),
    ([StagedAction(RETURN_ITEM, item_id=9, quantity=1)], "That line is not on this order."),
])  # fmt: skip
def test_no_more_units_come_back_than_were_shipped_and_not_asked_back(actions, message):
    with pytest.raises(ChangeProblem, match=message):
        apply_actions(shipped_order(), actions, Pricing())


def test_units_not_asked_back_cannot_be_credited():
    with pytest.raises(ChangeProblem, match="T-shirt: 0 asked back, not 1."):
        credit_requested(shipped_order(), {1: 1})
