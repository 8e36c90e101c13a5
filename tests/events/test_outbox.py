"""Events go to the outbox with the change that caused them and reach their subscribers after
the commit: the customer's refund and shipment emails arrive at a real SMTP server."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.events.outbox import OutboxEvent, deliver_pending
from app.extensions import db
from app.orders.actions import record_event
from app.orders.models import Order
from tests.factories import make_order
from tests.order_pages import reload


def outbox() -> list[OutboxEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def refund(client, order, amount="15.00", version=None):
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    return client.post(
        f"/orders/{order.id}/payments/{order.payments[0].id}/refund",
        data={"lock_version": order.lock_version if version is None else version, "amount": amount,
              "reason": "damaged", "note": ""},
    )  # fmt: skip


@pytest.fixture
def paid_order(app):
    return make_order(email="grace@example.com", items=[{"title": "Kettle", "unit_price": "60"}],
                      captured=["60.00"])  # fmt: skip


def test_a_refund_emails_the_customer_after_the_commit(staff_client, paid_order, smtp_inbox):
    assert refund(staff_client, paid_order).status_code == 302
    [row] = outbox()
    assert (row.event_type, row.subscriber, row.order_id) == (
        "order.refund_created", "customer-email", paid_order.id)
    assert row.delivered_at is not None and row.attempts == 0
    [mail] = smtp_inbox
    assert mail["To"] == "grace@example.com"
    assert mail["Subject"] == f"Refund for your order #{paid_order.display_id}"
    assert "We have refunded $15.00" in mail.get_content()


def test_no_email_when_the_order_asks_for_none(staff_client, paid_order, smtp_inbox):
    paid_order.no_notification = True
    db.session.commit()
    refund(staff_client, paid_order)
    [row] = outbox()
    assert row.delivered_at is not None
    assert smtp_inbox == []


def test_a_refused_change_writes_no_event(staff_client, paid_order, smtp_inbox):
    assert refund(staff_client, paid_order, amount="60.01").status_code == 422
    assert outbox() == [] and smtp_inbox == []


def test_a_failed_delivery_is_kept_and_retried_until_it_gets_through(
    staff_client, paid_order, smtp_inbox, app
):
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = 1  # nothing listens there: the SMTP connection is refused
    assert refund(staff_client, paid_order).status_code == 302
    [row] = outbox()
    assert row.delivered_at is None and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert deliver_pending() == 0  # not due yet: it waits before trying again

    app.config["SMTP_PORT"] = port
    assert deliver_pending(now=utcnow() + timedelta(seconds=5)) == 1
    [row] = outbox()
    assert row.delivered_at is not None and row.attempts == 1
    assert [m["Subject"] for m in smtp_inbox] == [f"Refund for your order #{paid_order.display_id}"]


def test_the_worker_delivers_when_delivery_is_not_inline(staff_client, paid_order, smtp_inbox, app):
    app.config["OUTBOX_DELIVERY"] = "worker"
    try:
        refund(staff_client, paid_order)
        [row] = outbox()
        assert row.delivered_at is None and smtp_inbox == []
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
        assert result.exit_code == 0 and "Delivered 1 event(s)." in result.output
    finally:
        app.config["OUTBOX_DELIVERY"] = "inline"
    assert outbox()[0].delivered_at is not None
    assert len(smtp_inbox) == 1


def test_a_shipment_email_names_the_carrier_and_tracking_numbers(app, paid_order, smtp_inbox):
    record_event(paid_order, "order.shipment_created", "staff@orderdesk.test", "Shipped",
                 {"carrier": "DHL", "tracking_numbers": ["JD0123", "JD0124"]})  # fmt: skip
    db.session.commit()
    assert deliver_pending() == 1
    [mail] = smtp_inbox
    assert mail["Subject"] == f"Your order #{paid_order.display_id} is on its way"
    assert "shipped with DHL" in mail.get_content()
    assert "Tracking: JD0123, JD0124" in mail.get_content()


def test_events_nobody_subscribes_to_and_notes_write_nothing(staff_client, paid_order):
    staff_client.post(f"/orders/{paid_order.id}/notes", data={"text": "Called the customer"})
    staff_client.post(f"/orders/{paid_order.id}/status/complete",
                      data={"lock_version": reload(paid_order.id).lock_version})
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
