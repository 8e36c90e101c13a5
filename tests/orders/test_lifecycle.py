"""The order lifecycle on the detail page: complete, archive, cancel, resolve; the forbidden
moves refused with their reason, and only the allowed ones offered."""

import re

import pytest

from app.extensions import db
from app.orders.models import FulfillmentStatus, Order, OrderStatus, PaymentStatus
from app.payments import providers
from tests.factories import make_order
from tests.order_pages import DecliningProvider, refusal, reload


def post_action(client, order, action: str):
    return client.post(f"/orders/{order.id}/status/{action}",
                       data={"lock_version": reload(order.id).lock_version})  # fmt: skip




def offered(client, order) -> list[str]:
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    return re.findall(r'action="/orders/\d+/status/(\w+)"', page)


def order_in(status, payment, fulfillment) -> Order:
    """An order whose stored statuses are set as given (as the actions and import leave them)."""
    order = make_order(captured=["40.00"], commit=False)
    order.status = OrderStatus(status)
    order.payment_status = PaymentStatus(payment)
    order.fulfillment_status = FulfillmentStatus(fulfillment)
    db.session.commit()
    return order


FORBIDDEN = [
    ("completed", "captured", "fulfilled", "complete", "This order is already completed."),
    ("requires_action", "authorized", "not_fulfilled", "complete",
     "This order needs attention first; resolve it, then complete it."),
    ("pending", "captured", "not_fulfilled", "resolve", "This order does not need attention."),
    ("pending", "captured", "fulfilled", "archive",
     "Only a completed or fully refunded order can be archived."),
    ("pending", "partially_refunded", "not_fulfilled", "archive",
     "Only a completed or fully refunded order can be archived."),
    ("requires_action", "captured", "not_fulfilled", "archive",
     "Only a completed or fully refunded order can be archived."),
    ("pending", "partially_refunded", "not_fulfilled", "cancel",
     "Money was refunded on this order, so it cannot be canceled."),
    ("pending", "refunded", "canceled", "cancel",
     "Money was refunded on this order, so it cannot be canceled."),
    ("pending", "captured", "partially_fulfilled", "cancel",
     "Cancel its fulfillments first: items have been fulfilled or sent."),
    ("pending", "authorized", "shipped", "cancel",
     "Cancel its fulfillments first: items have been fulfilled or sent."),
    ("completed", "captured", "not_fulfilled", "cancel", "A completed order cannot be canceled."),
    *[("canceled", "canceled", "not_fulfilled", action,
       "This order is canceled; it can no longer change.")
      for action in ("complete", "resolve", "archive", "cancel")],
    *[("archived", "captured", "delivered", action,
       "This order is archived; it can no longer change.")
      for action in ("complete", "resolve", "archive", "cancel")],
    ("pending", "captured", "not_fulfilled", "explode",
     "There is no order action called 'explode'."),
]  # fmt: skip


@pytest.mark.parametrize(("status", "payment", "fulfillment", "action", "message"), FORBIDDEN,
                         ids=[f"{c[3]} {c[0]} {c[1]} {c[2]}" for c in FORBIDDEN])  # fmt: skip
def test_a_forbidden_move_is_refused_with_its_reason_and_changes_nothing(
    staff_client, status, payment, fulfillment, action, message
):
    order = order_in(status, payment, fulfillment)
    version, events = order.lock_version, len(order.events)
    assert action not in offered(staff_client, order)
    response = post_action(staff_client, order, action)
    assert response.status_code == 422
    assert refusal(response) == message
    order = reload(order.id)
    assert (order.status.value, order.lock_version, len(order.events)) == (status, version, events)


def test_an_order_is_completed_then_archived(staff_client, app):
    order = make_order(captured=["40.00"])
    assert offered(staff_client, order) == ["complete", "cancel"]
    response = post_action(staff_client, order, "complete")
    assert response.status_code == 302
    assert "Order completed." in staff_client.get(response.headers["Location"]).get_data(True)
    assert reload(order.id).status == OrderStatus.COMPLETED
    assert offered(staff_client, order) == ["archive"]
    post_action(staff_client, order, "archive")
    order = reload(order.id)
    assert order.status == OrderStatus.ARCHIVED
    assert offered(staff_client, order) == []
    assert [e.event_type for e in order.events][-2:] == ["order.completed", "order.archived"]
    assert order.events[-1].actor == "staff@orderdesk.test"


def test_a_fully_refunded_order_can_be_archived_without_completing_it(staff_client, app):
    order = order_in("pending", "refunded", "not_fulfilled")
    assert "archive" in offered(staff_client, order)
    post_action(staff_client, order, "archive")
    assert reload(order.id).status == OrderStatus.ARCHIVED


def test_canceling_cancels_the_payments_nothing_was_captured_from(staff_client, app):
    order = make_order(authorized=["40.00"])
    response = post_action(staff_client, order, "cancel")
    assert response.status_code == 302
    order = reload(order.id)
    assert order.status == OrderStatus.CANCELED and order.canceled_at is not None
    assert order.payments[0].canceled_at is not None
    assert order.payment_status == PaymentStatus.CANCELED
    assert order.fulfillment_status == FulfillmentStatus.CANCELED
    assert order.events[-1].event_type == "order.canceled"




def test_a_failed_capture_flags_the_order_until_staff_resolve_it(staff_client, app, monkeypatch):
    monkeypatch.setitem(providers.PROVIDERS, DecliningProvider.id, DecliningProvider())
    order = make_order(authorized=["40.00"], commit=False)
    order.payments[0].provider_id = DecliningProvider.id
    db.session.commit()
    response = staff_client.post(f"/orders/{order.id}/payments/{order.payments[0].id}/capture",
                                 data={"lock_version": order.lock_version,
                                       "amount": "40.00"})  # fmt: skip
    assert response.status_code == 422
    assert refusal(response) == (
        "The payment provider refused the capture: card expired. "
        "The order is marked as needing attention."
    )
    order = reload(order.id)
    assert order.status == OrderStatus.REQUIRES_ACTION and order.payments[0].captures == []
    assert order.events[-1].event_type == "order.requires_action"
    assert "card expired" in order.events[-1].message

    listed = staff_client.get("/orders?status=requires_action").get_data(as_text=True)
    assert f"#{order.display_id}" in listed
    pending = staff_client.get("/orders?status=pending").get_data(as_text=True)
    assert f"#{order.display_id}" not in pending

    assert offered(staff_client, order) == ["resolve", "cancel"]
    post_action(staff_client, order, "resolve")
    assert reload(order.id).status == OrderStatus.PENDING
