"""The totals panel's figures over random orders: the rows a merchant reads always add up to
the engine's totals, to the last minor unit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.money import ZERO
from app.orders.calculations import order_totals
from app.orders.summary import summarize_totals
from tests.orders.test_totals_properties import PROPERTY_SETTINGS, OrderInput, money, orders


@PROPERTY_SETTINGS
@given(order=orders(), data=st.data())
def test_the_panels_rows_add_up_to_the_engines_totals(order: OrderInput, data):
    # given an order whose payments authorized what they captured, and one more not captured
    authorized = [*order.captured, money(data.draw, order.currency, 0, 10**6)]
    totals = order_totals(
        order.currency, order.items, order.shipping_methods, order.gift_cards,
        order.credit_lines, order.captured, order.refunded, authorized,
    )  # fmt: skip
    # when
    s = summarize_totals(totals, order.items, order.shipping_methods)
    # then the rows above the total add up to it, the tax named under it is not counted twice
    assert (s.items - s.discounts + s.shipping + s.added_tax - s.credited - s.gift_cards
            - s.credit_lines) == totals.total  # fmt: skip
    assert s.added_tax + s.included_tax == totals.item_tax_total + totals.shipping_tax_total
    # and the rows under it account for the engine's outstanding amount, each at most what
    # can explain it
    assert s.outstanding + s.refunded_without_return - s.refund_due == totals.outstanding_amount
    assert totals.total - (s.paid - s.refunded) == totals.outstanding_amount
    assert ZERO <= s.to_capture <= s.outstanding
    assert s.to_capture <= max(totals.authorized_total - totals.paid_total, ZERO)
    assert ZERO <= s.refunded_without_return <= s.refunded
    assert min(s.outstanding, s.refund_due) == ZERO
