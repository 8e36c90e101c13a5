"""The customer's link to ask units back, carried by each shipment email: the same token rules
as an order edit's link (``OrderChangeLink``: only the token's hash stored, an expiry, used once,
voided by a newer one), made when the email is delivered, so a failed send leaves none.

The link works for the return window of the shipment whose email carried it
(``RETURN_WINDOW_DAYS`` after delivery, after shipping while not delivered): its expiry is the
window's end, and moves with it when the parcel is delivered. A window that ends sooner than
the link said (the setting was shortened) closes the link too. It lists every unit of the order
that can still be asked back; the return it makes uses it up, and the next shipment email
brings a new one.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.changes.actions import CUSTOMER_VIA_LINK, LinkError
from app.changes.models import LinkPurpose, OrderChangeLink
from app.db_types import utcnow
from app.extensions import db
from app.fulfillment.models import Fulfillment, StockLocation
from app.orders.models import Order
from app.returns.actions import ReturnRequestLine, can_return, request_return
from app.returns.calculations import return_window_closes
from app.returns.models import Return
from app.templating import format_when


def _window_days() -> int:
    return int(current_app.config["RETURN_WINDOW_DAYS"])


def window_closes(fulfillment: Fulfillment) -> datetime:
    """When the shipment's return window ends, as the settings say now."""
    return return_window_closes(fulfillment.shipped_at, fulfillment.delivered_at, _window_days())


def _live_links(order_id: int):
    return db.session.scalars(select(OrderChangeLink).where(
        OrderChangeLink.order_id == order_id,
        OrderChangeLink.purpose == LinkPurpose.RETURN_REQUEST,
        OrderChangeLink.used_at.is_(None), OrderChangeLink.voided_at.is_(None)))  # fmt: skip


def issue_return_link(order: Order, fulfillment: Fulfillment) -> str | None:
    """A new link to ask units of the order back, for the shipment's email; any older return
    link of the order stops working. None (no link) for a shipment not shipped, or an order
    that takes no returns."""
    if fulfillment.shipped_at is None or can_return(order) is not None:
        return None
    now = utcnow()
    for older in _live_links(order.id):
        older.voided_at = now
    link, token = OrderChangeLink.issue(LinkPurpose.RETURN_REQUEST, order.id,
                                        window_closes(fulfillment),
                                        fulfillment_id=fulfillment.id)  # fmt: skip
    db.session.add(link)
    return token


def follow_delivery(fulfillment: Fulfillment) -> None:
    """The parcel was delivered: the return window, and with it the links of its email, now
    runs from delivery."""
    for link in _live_links(fulfillment.order_id):
        if link.fulfillment_id == fulfillment.id:
            link.expires_at = window_closes(fulfillment)


def return_link_for(token: str) -> OrderChangeLink:
    """The return link a customer opened; ``LinkError`` (404) for one that never existed (an
    order edit's token included)."""
    link = OrderChangeLink.find(token, LinkPurpose.RETURN_REQUEST)
    if link is None:
        raise LinkError("This link is not valid. Check that it was copied whole.", 404)
    return link


def return_link_problem(link: OrderChangeLink, now: datetime | None = None) -> LinkError | None:
    """Why the link cannot ask for a return any more; ``None`` while it can."""
    now = now or utcnow()
    if link.used_at is not None:
        return LinkError(f"You already asked for a return through this link (Return "
                         f"#{link.return_id}). A new shipment email brings a new link.")
    if link.voided_at is not None:
        return LinkError("A newer shipment email has a newer link to start a return: use the "
                         "link in that email.")  # fmt: skip
    closes = window_closes(db.session.get(Fulfillment, link.fulfillment_id))
    if now >= closes and closes < link.expires_at:
        return LinkError(f"The return window for this order closed on {format_when(closes)} "
                         "(UTC): its items can no longer be returned through this link.")
    if now >= link.expires_at:
        return LinkError(f"This link expired on {format_when(link.expires_at)} (UTC), at the "
                         "end of the return window.")  # fmt: skip
    return None


def receiving_location(link: OrderChangeLink) -> int | None:
    """Where units asked back through the link go: where the shipment left from, or the first
    stock location."""
    fulfillment = db.session.get(Fulfillment, link.fulfillment_id)
    if fulfillment is not None:
        return fulfillment.location_id
    return db.session.scalar(select(StockLocation.id).order_by(StockLocation.id).limit(1))


def request_return_through_link(order: Order, expected: int, link: OrderChangeLink,
                                lines: list[ReturnRequestLine], note: str) -> Return:  # fmt: skip
    """The customer asks units back through their link: a return in ``requested`` that staff
    see in the returns list; the link is used up."""
    problem = return_link_problem(link)
    if problem:
        raise problem
    return_ = request_return(order, expected, lines, location_id=receiving_location(link),
                             note=note, actor=CUSTOMER_VIA_LINK)  # fmt: skip
    link.used_at, link.return_id = utcnow(), return_.id
    return return_
