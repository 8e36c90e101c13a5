"""The order's payment status, derived from its payments: one row per rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.payments.calculations import PaymentFigures, payment_status

D = Decimal


def payment(authorized="0", captured="0", refunded="0", canceled=False) -> PaymentFigures:
    return PaymentFigures(D(authorized), D(captured), D(refunded), canceled)


@pytest.mark.parametrize(
    ("order_total", "payments", "status"),
    [
        pytest.param("100.00", [], "not_paid", id="no payment"),
        pytest.param("100.00", [payment()], "awaiting", id="a payment, nothing authorized"),
        pytest.param("100.00", [payment("100.00")], "authorized", id="authorized"),
        pytest.param("100.00", [payment("40.00")], "authorized", id="part authorized"),
        pytest.param(
            "100.00", [payment("100.00", canceled=True)], "canceled", id="the payment canceled"
        ),
        pytest.param(
            "100.00",
            [payment("100.00", canceled=True), payment("100.00", canceled=True)],
            "canceled",
            id="every payment canceled",
        ),
        pytest.param(
            "100.00",
            [payment("100.00", canceled=True), payment("100.00")],
            "authorized",
            id="one canceled, another authorized",
        ),
        pytest.param(
            "100.00",
            [payment("100.00", canceled=True), payment()],
            "awaiting",
            id="one canceled, another not yet authorized",
        ),
        pytest.param(
            "100.00", [payment("100.00", "40.00")], "partially_captured", id="part captured"
        ),
        pytest.param(
            "100.00", [payment("100.00", "99.99")], "partially_captured", id="a cent short"
        ),
        pytest.param("100.00", [payment("100.00", "100.00")], "captured", id="all captured"),
        pytest.param(
            "100.00",
            [payment("60.00", "60.00"), payment("40.00", "40.00")],
            "captured",
            id="captured over two payments",
        ),
        pytest.param(
            "100.00", [payment("120.00", "120.00")], "captured", id="more captured than owed"
        ),
        pytest.param(
            "100.00",
            [payment("100.00", "100.00"), payment("50.00", canceled=True)],
            "captured",
            id="captured beside a canceled payment",
        ),
        pytest.param(
            "100.00",
            [payment("100.00", "100.00", "30.00")],
            "partially_refunded",
            id="part refunded",
        ),
        pytest.param(
            "100.00", [payment("100.00", "100.00", "100.00")], "refunded", id="all refunded"
        ),
        pytest.param(
            "100.00",
            [payment("60.00", "60.00", "60.00"), payment("40.00", "40.00")],
            "partially_refunded",
            id="one of two payments refunded",
        ),
        pytest.param(
            "100.00",
            [payment("60.00", "60.00", "60.00"), payment("40.00", "40.00", "40.00")],
            "refunded",
            id="both payments refunded",
        ),
        pytest.param(
            "100.00",
            [payment("100.00", "40.00", "40.00")],
            "refunded",
            id="what was captured all refunded",
        ),
        pytest.param("0", [payment("0")], "awaiting", id="nothing owed, nothing authorized"),
        pytest.param("3000", [payment("3000", "3000")], "captured", id="yen"),
        pytest.param(
            "10.125", [payment("10.125", "10.124")], "partially_captured", id="dinars"
        ),
    ],
)
def test_payment_status_follows_the_payments(order_total, payments, status):
    assert payment_status(D(order_total), payments) == status


def test_a_refund_says_more_than_a_later_capture_on_another_payment():
    payments = [payment("50.00", "50.00", "10.00"), payment("50.00", "50.00")]

    assert payment_status(D("100.00"), payments) == "partially_refunded"
