"""Emails to the customer about their order: shipped, refunded, a return asked for and
received. None when the order says ``no_notification``, or has no email."""

from __future__ import annotations

from decimal import Decimal

from app.events.outbox import OutboxEvent, subscriber
from app.extensions import db
from app.money import format_money
from app.notifications.mail import send_mail
from app.orders.models import Order


@subscriber("customer-email", "order.shipment_created", "order.refund_created",
            "order.return_requested", "order.return_received")
def email_customer(row: OutboxEvent) -> None:
    order = db.session.get(Order, row.order_id) if row.order_id is not None else None
    if order is None or order.no_notification or not order.email:
        return
    data = row.payload.get("data", {})
    number = f"#{order.display_id}"
    if row.event_type == "order.shipment_created":
        tracking = ", ".join(data.get("tracking_numbers", [])) or "not given"
        carrier = data.get("carrier") or "the carrier"
        send_mail(order.email, f"Your order {number} is on its way",
                  f"Good news: your order {number} has shipped with {carrier}.\n"
                  f"Tracking: {tracking}\n")  # fmt: skip
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
