"""Staff capture and refund an order's payments from its detail page."""

from decimal import Decimal

import pytest

from app.events.models import OrderEvent
from app.extensions import db
from app.orders.models import PaymentStatus
from app.payments import providers
from tests.factories import make_order
from tests.order_pages import DecliningProvider, refusal, reload


def act(client, order, what: str, payment=None, version=None, **data):
    payment = payment or order.payments[0]
    version = reload(order.id).lock_version if version is None else version
    return client.post(f"/orders/{order.id}/payments/{payment.id}/{what}",
                       data={"lock_version": version, **data})  # fmt: skip




@pytest.fixture
def authorized_order(app):
    """$100.00 of goods, authorized and not captured."""
    return make_order(items=[{"title": "Desk lamp", "unit_price": "100.00"}],
                      authorized=["100.00"])  # fmt: skip


def test_capturing_part_then_the_rest_moves_the_payment_status(staff_client, authorized_order):
    response = act(staff_client, authorized_order, "capture", amount="30.00")
    assert response.status_code == 302 and response.headers["Location"].endswith("#payments")
    order = reload(authorized_order.id)
    assert order.payment_status == PaymentStatus.PARTIALLY_CAPTURED
    assert order.totals.paid_total == Decimal("30.00")
    assert order.totals.outstanding_amount == Decimal("70.00")

    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Payment captured." in page and "up to $70.00" in page

    act(staff_client, authorized_order, "capture", amount="70")
    order = reload(authorized_order.id)
    assert order.payment_status == PaymentStatus.CAPTURED
    assert [c.amount for c in order.payments[0].captures] == [Decimal("30.00"), Decimal("70.00")]
    events = [e for e in order.events if e.event_type == "order.payment_captured"]
    assert [e.message for e in events] == [
        f"Captured $30.00 of payment #{order.payments[0].id}",
        f"Captured $70.00 of payment #{order.payments[0].id}",
    ]
    assert {e.actor for e in events} == {"staff@orderdesk.test"}


@pytest.mark.parametrize(("amount", "message"), [
    ("100.01", "Only $100.00 of this payment is left to capture."),
    ("0", "Amount to capture: Must be more than zero."),
    ("-5", "Amount to capture: Must be more than zero."),
    ("10.005", "USD amounts have at most 2 decimals."),
    ("ten", "Amount to capture: Must be a number written with the digits 0-9, like 12.50."),
])  # fmt: skip
def test_a_capture_beyond_the_authorization_or_malformed_is_refused(
    staff_client, authorized_order, amount, message
):
    version = reload(authorized_order.id).lock_version
    response = act(staff_client, authorized_order, "capture", amount=amount)
    assert response.status_code == 422
    assert refusal(response) == message
    order = reload(authorized_order.id)
    assert order.lock_version == version and order.payments[0].captures == []
    assert order.payment_status == PaymentStatus.AUTHORIZED


@pytest.fixture
def paid_order(app):
    """$100.00 captured in full."""
    return make_order(items=[{"title": "Desk lamp", "unit_price": "100.00"}], captured=["100.00"])


def test_refunds_with_a_reason_and_a_note_up_to_what_was_captured(staff_client, paid_order):
    response = act(staff_client, paid_order, "refund", amount="25.50", reason="damaged",
                   note="Shade cracked in transit")  # fmt: skip
    assert response.status_code == 302
    order = reload(paid_order.id)
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert order.totals.refunded_total == Decimal("25.50")
    assert order.totals.refundable_amount == Decimal("74.50")
    page = staff_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Damaged or faulty · Shade cracked in transit" in page
    assert "up to $74.50" in page

    response = act(staff_client, paid_order, "refund", amount="74.51", reason="other")
    assert response.status_code == 422
    assert refusal(response) == "Only $74.50 of this payment can be refunded."

    act(staff_client, paid_order, "refund", amount="74.50", reason="return")
    order = reload(paid_order.id)
    assert order.payment_status == PaymentStatus.REFUNDED
    assert order.totals.refundable_amount == Decimal("0.00")
    assert [e.message for e in order.events if e.event_type == "order.refund_created"] == [
        f"Refunded $25.50 of payment #{order.payments[0].id} (damaged or faulty)",
        f"Refunded $74.50 of payment #{order.payments[0].id} (items returned)",
    ]
    page = staff_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Refund from payment" not in page  # nothing left to give back


def test_nothing_can_be_refunded_before_it_is_captured(staff_client, authorized_order):
    response = act(staff_client, authorized_order, "refund", amount="1.00", reason="other")
    assert response.status_code == 422
    assert refusal(response) == "Only $0.00 of this payment can be refunded."


def test_a_refund_needs_a_reason_from_the_list(staff_client, paid_order):
    response = act(staff_client, paid_order, "refund", amount="1.00", reason="because")
    assert response.status_code == 422
    assert reload(paid_order.id).payments[0].refunds == []


def test_a_form_from_before_someone_elses_change_is_refused(staff_client, paid_order):
    old_version = reload(paid_order.id).lock_version
    assert act(staff_client, paid_order, "refund", amount="10", reason="other").status_code == 302
    response = act(staff_client, paid_order, "refund", version=old_version, amount="10",
                   reason="other")  # fmt: skip
    assert response.status_code == 409
    assert refusal(response).startswith("Someone else changed this order")
    assert reload(paid_order.id).totals.refunded_total == Decimal("10.00")


def test_jpy_amounts_are_whole_yen(staff_client, app):
    order = make_order(currency="JPY", items=[{"title": "Tea set", "unit_price": "4800"}],
                       authorized=["4800"])  # fmt: skip
    response = act(staff_client, order, "capture", amount="100.5")
    assert refusal(response) == "JPY amounts have no decimals."
    assert act(staff_client, order, "capture", amount="4800").status_code == 302
    assert reload(order.id).payment_status == PaymentStatus.CAPTURED




def test_a_second_provider_plugs_in_and_its_refusal_is_shown(
    staff_client, authorized_order, monkeypatch
):
    monkeypatch.setitem(providers.PROVIDERS, DecliningProvider.id, DecliningProvider())
    authorized_order.payments[0].provider_id = DecliningProvider.id
    db.session.commit()
    response = act(staff_client, authorized_order, "capture", amount="10")
    assert response.status_code == 422
    assert refusal(response).startswith("The payment provider refused the capture: card expired")
    order = reload(authorized_order.id)
    assert order.payments[0].captures == []
    assert order.payment_status == PaymentStatus.AUTHORIZED
    events = db.session.query(OrderEvent).filter_by(order_id=order.id).all()
    assert [e.event_type for e in events] == ["order.placed", "order.requires_action"]


def test_payment_actions_need_a_login(client, paid_order):
    response = act(client, paid_order, "refund", amount="10", reason="other")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert reload(paid_order.id).payments[0].refunds == []
