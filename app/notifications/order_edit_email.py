"""Emails to the customer about an edit of their order: the proposal, with the link to confirm
or decline it (``order-edit.requested``), and what came of it: updated, declined, or withdrawn
after they were asked. None when the order says ``no_notification``, or has no email.

The link's token exists only in the email: ``issue_link`` stores its hash in this delivery's
transaction, so a send that fails (rolled back, tried again later) leaves no link behind. The
email of a request that a newer one replaced, or of a change closed meanwhile, gets no link and
is not sent.
"""

from __future__ import annotations

from decimal import Decimal

from flask import render_template

from app.changes.actions import ChangeError, issue_link, preview
from app.changes.comparison import compare
from app.changes.models import OrderChange, OrderChangeLink
from app.events.outbox import OutboxEvent, subscriber
from app.extensions import db
from app.notifications.mail import public_url, send_mail
from app.orders.models import Order

SUBJECTS = {
    "requested": "Please confirm a change to your order #{number}",
    "confirmed": "Your order #{number} was updated",
    "declined": "You declined the change to your order #{number}",
    "canceled": "The proposed change to your order #{number} was withdrawn",
}


@subscriber("order-edit-email", "order-edit.requested", "order-edit.confirmed",
            "order-edit.declined", "order-edit.canceled")  # fmt: skip
def email_order_edit(row: OutboxEvent) -> None:
    """Email the customer the proposed edit with its link, or what came of it."""
    order = db.session.get(Order, row.order_id) if row.order_id is not None else None
    if order is None or order.no_notification or not order.email:
        return
    data = row.payload.get("data", {})
    step = row.event_type.removeprefix("order-edit.")
    context = {"order": order, "data": data}
    if "total" in data:
        context["total"] = Decimal(data["total"])
    if step == "requested":
        change = db.session.get(OrderChange, data["change_id"])
        token = issue_link(change, data["requested_at"])
        if token is None:
            return
        context.update(_proposal(order, change))
        context["url"] = public_url("customer.order_edit", token=token)
        context["expires_at"] = OrderChangeLink.find(token).expires_at
    elif step == "canceled" and not data.get("was_requested"):
        return  # the customer never heard of it
    send_mail(order.email, SUBJECTS[step].format(number=order.display_id),
              render_template(f"emails/order_edit_{step}.txt", **context),
              render_template(f"emails/order_edit_{step}.html", **context))  # fmt: skip


def _proposal(order: Order, change: OrderChange) -> dict:
    """What the change adds, removes and changes. When it no longer fits the order (a line
    was fulfilled since), the email says so instead: the customer can still decline."""
    try:
        result = preview(order, change)
    except ChangeError as problem:
        return {"lines": [], "shipping": [], "problem": str(problem)}
    comparison = compare(result.current, result.proposed)
    return {"lines": comparison.changed_lines, "shipping": comparison.changed_shipping,
            "problem": ""}  # fmt: skip
