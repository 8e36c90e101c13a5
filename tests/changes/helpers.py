"""Order edits sent to the customer: an order to edit, the edit, the link in the email."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

from app.changes import actions as edits
from app.events.outbox import deliver_pending
from app.extensions import db
from tests.factories import make_order
from tests.order_pages import reload

STAFF = "staff@example.com"
PUBLIC_URL = "https://shop.example.com"


def shop_order(**overrides):
    """Three shirts (a 6.00 discount) and two pairs of socks, 10 % tax, shipping, paid."""
    return make_order(items=[
        {"title": "Linen shirt", "unit_price": "40.00", "quantity": 3, "tax": ["10"],
         "discounts": ["6.00"]},
        {"title": "Wool socks", "unit_price": "12.50", "quantity": 2, "tax": ["10"]},
    ], shipping=[{"name": "Standard", "amount": "5.00", "tax": ["10"]}],
        captured=["158.40"], **overrides)  # fmt: skip


def propose(order, *, request: bool = True) -> int:
    """Stage one shirt fewer, no socks and a gift wrap, and (``request``) send it to the
    customer; the change's id."""
    change = edits.begin_edit(order, order.lock_version, STAFF)
    shirt, socks = order.items
    edits.update_item(order, order.lock_version, change.id, shirt.id, quantity=2,
                      unit_price=None, actor=STAFF)  # fmt: skip
    edits.remove_item(order, order.lock_version, change.id, socks.id, actor=STAFF)
    edits.add_custom_item(order, order.lock_version, change.id, title="Gift wrap",
                          unit_price=Decimal("3.00"), quantity=1, actor=STAFF)  # fmt: skip
    if request:
        edits.request_confirmation(order, order.lock_version, change.id, STAFF)
    db.session.commit()
    return change.id


def send_again(order_id: int, change_id: int) -> None:
    """Staff send the same change to the customer once more."""
    order = reload(order_id)
    edits.request_confirmation(order, order.lock_version, change_id, STAFF)
    db.session.commit()


def link_path(message) -> str:
    """The path of the link in an email's plain-text part, as the customer would follow it."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    [url] = re.findall(r"https?://\S+/c/order-edits/\S+", text)
    return urlsplit(url).path


def deliver() -> None:
    """What the outbox worker does: deliver every event that is due, outside any request."""
    deliver_pending()
    db.session.expire_all()
