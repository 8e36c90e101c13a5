"""What returned units refund (issue 11): a line's units share what the customer pays for the
line, discounts off and tax in; partial returns add up, and returning every unit refunds the
line's total exactly, the last unit taking what rounding left."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.orders.calculations import Charge, charge_totals, share
from app.returns.calculations import (
    ReturnLine,
    ReturnProblem,
    refundable_total,
    return_refund,
)

D = Decimal


def line_total(unit_price: str, quantity: int, *, tax: str = "0", discount: str = "0",
               inclusive: bool = False, currency: str = "USD") -> Decimal:  # fmt: skip
    charge = Charge(D(unit_price), quantity, inclusive, (D(tax),), (D(discount),))
    return charge_totals(charge, currency).total


@pytest.mark.parametrize(("total", "quantity", "units", "expected"), [
    ("10.00", 3, 1, "3.33"),   # 3.333… rounds down
    ("10.00", 3, 2, "6.67"),   # 6.666… rounds up: the second unit refunds 3.34
    ("10.00", 3, 3, "10.00"),  # every unit: the line's total exactly
    ("0.05", 2, 1, "0.03"),    # 0.025 rounds half up
    ("1000", 3, 1, "333"),     # JPY: whole yen
])  # fmt: skip
def test_the_first_units_share_of_a_line(total, quantity, units, expected):
    currency = "JPY" if "." not in total else "USD"
    assert share(D(total), quantity, units, currency) == D(expected)


def test_a_discounted_taxed_line_refunds_what_was_paid_for_each_unit():
    # 3 × 40.00 less 10.00 = 110.00, 20 % tax 22.00: 132.00 for the line.
    total = line_total("40.00", 3, tax="20", discount="10.00")
    assert total == D("132.00")
    first = ReturnLine("Shirt", total, 3, returned=0, units=1).refund("USD")
    second = ReturnLine("Shirt", total, 3, returned=1, units=1).refund("USD")
    last = ReturnLine("Shirt", total, 3, returned=2, units=1).refund("USD")
    assert (first, second, last) == (D("44.00"), D("44.00"), D("44.00"))


def test_the_last_unit_takes_the_remainder():
    # 30.00 less a 0.01 discount: a third of it is 9.9966…, so the shares cannot all be equal.
    total = line_total("10.00", 3, discount="0.01")
    assert total == D("29.99")
    refunds = [ReturnLine("Pen", total, 3, returned=k, units=1).refund("USD") for k in range(3)]
    assert refunds == [D("10.00"), D("9.99"), D("10.00")]
    assert sum(refunds) == total


def test_a_tax_inclusive_line_refunds_its_gross_price():
    total = line_total("990", 2, tax="10", inclusive=True, currency="JPY")
    assert total == D("1980")
    assert ReturnLine("Soap", total, 2, returned=0, units=1).refund("JPY") == D("990")


def test_returning_more_than_is_left_is_refused():
    with pytest.raises(ReturnProblem, match="Shirt: 1 of 3 can still be returned, not 2"):
        ReturnLine("Shirt", D("30.00"), 3, returned=2, units=2).refund("USD")


def test_refundable_total_is_what_the_units_not_returned_can_refund():
    assert refundable_total(D("10.00"), 3, 0, "USD") == D("10.00")
    assert refundable_total(D("10.00"), 3, 1, "USD") == D("6.67")
    assert refundable_total(D("10.00"), 3, 3, "USD") == D("0.00")


def test_return_shipping_is_kept_back_but_never_beyond_the_goods():
    lines = [ReturnLine("Shirt", D("132.00"), 3, 0, 1), ReturnLine("Socks", D("27.50"), 2, 0, 2)]
    refund = return_refund(lines, "USD", return_shipping=D("7.50"))
    assert (refund.lines, refund.return_shipping, refund.total) == (
        (D("44.00"), D("27.50")), D("7.50"), D("64.00"))  # fmt: skip
    cheap = return_refund([ReturnLine("Pen", D("5.00"), 1, 0, 1)], "USD", D("7.50"))
    assert (cheap.return_shipping, cheap.total) == (D("5.00"), D("0.00"))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 10**7), st.integers(1, 40), st.sampled_from(["USD", "JPY", "KWD"]),
    st.data(),
)  # fmt: skip
def test_any_sequence_of_returns_refunds_the_line_total_exactly(minor_units, quantity,
                                                                  currency, data):  # fmt: skip
    """However the units come back, one by one or in batches, the refunds add up to the
    line's total when all are back, and each batch refunds at least nothing."""
    places = {"USD": 2, "JPY": 0, "KWD": 3}[currency]
    total = D(minor_units).scaleb(-places)
    returned, refunded = 0, D(0)
    while returned < quantity:
        units = data.draw(st.integers(1, quantity - returned))
        amount = ReturnLine("Line", total, quantity, returned, units).refund(currency)
        assert amount >= 0
        assert amount == amount.quantize(D(1).scaleb(-places))
        refunded += amount
        returned += units
        assert refunded + refundable_total(total, quantity, returned, currency) == total
    assert refunded == total
