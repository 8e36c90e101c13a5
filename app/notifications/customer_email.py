"""Emails to the customer about their order: shipped (with the link to start a return),
refunded, a return asked for and received. None when the order says ``no_notification``, or
has no email.

The return link's token exists only in the shipment email: ``issue_return_link`` stores its
hash in this delivery's transaction, so a send that fails leaves no link behind."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template

from app.events.outbox import OutboxEvent, subscriber
from app.extensions import db
from app.fulfillment.models import Fulfillment
from app.money import format_money
from app.notifications.mail import public_url, send_mail
from app.orders.models import Order
from app.returns.links import issue_return_link, window_closes


@subscriber("customer-email", "order.shipment_created", "order.refund_created",
            "order.return_requested", "order.return_received")
def email_customer(row: OutboxEvent) -> None:
    order = db.session.get(Order, row.order_id) if row.order_id is not None else None
    if order is None or order.no_notification or not order.email:
        return
    data = row.payload.get("data", {})
    number = f"#{order.display_id}"
    if row.event_type == "order.shipment_created":
        send_mail(order.email, f"Your order {number} is on its way",
                  render_template("emails/order_shipped.txt", **_shipment(order, data)))
    elif row.event_type in ("order.return_requested", "order.return_received"):
        # The timeline's message says which units, in words staff wrote for people.
        what = row.payload.get("message", "")
        if row.event_type == "order.return_requested":
            send_mail(order.email, f"Your return for order {number}",
                      f"We have registered your return for order {number}.\n{what}\n"
                      "We will let you know when the items arrive.\n")  # fmt: skip
        else:
            send_mail(order.email, f"We received your return for order {number}",
                      f"The items you sent back for order {number} have arrived.\n{what}\n"
                      "Any refund due follows separately.\n")  # fmt: skip
    else:
        amount = format_money(Decimal(data["amount"]), order.currency_code)
        send_mail(order.email, f"Refund for your order {number}",
                  f"We have refunded {amount} for your order {number}. It can take a few days "
                  "to reach your account.\n")  # fmt: skip


def _shipment(order: Order, data: dict) -> dict:
    """The shipment email's carrier and tracking, and the link to start a return (none for an
    order that takes no returns, or a shipment the event does not name)."""
    context = {"order": order, "carrier": data.get("carrier") or "the carrier",
               "tracking": ", ".join(data.get("tracking_numbers", [])) or "not given",
               "url": ""}  # fmt: skip
    fulfillment_id = data.get("fulfillment_id")
    fulfillment = db.session.get(Fulfillment, fulfillment_id) if fulfillment_id else None
    if fulfillment is not None and fulfillment.order_id == order.id:
        token = issue_return_link(order, fulfillment)
        if token is not None:
            context["url"] = public_url("customer.return_request", token=token)
            context["window_closes"] = window_closes(fulfillment)
    return context
