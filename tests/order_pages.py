"""What the order tests read back: the order as stored now, the refusal a page shows, and a
payment provider that declines."""

from __future__ import annotations

import html
import re

from app.extensions import db
from app.orders.models import Order
from app.payments.providers import PaymentProviderError, ProviderAnswer


def reload(order_id: int) -> Order:
    """The order as the database has it now (its cached totals dropped too)."""
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    order.forget_totals()  # a cached property: expiring the row leaves it
    return order


def refusal(response) -> str:
    """The error message the detail page shows, as staff read it ("" when none)."""
    found = re.search(r'<p class="flash flash-error" role="alert">([^<]*)</p>',
                      response.get_data(as_text=True))  # fmt: skip
    return html.unescape(found.group(1)) if found else ""


class DecliningProvider:
    """A second payment provider, registered by a test without touching the actions: it
    declines every capture."""

    id = "declining"
    name = "Declining"

    def authorize(self, amount, currency):
        return ProviderAnswer()

    def capture(self, amount, currency):
        raise PaymentProviderError("card expired")

    def refund(self, amount, currency):
        return ProviderAnswer()

    def cancel(self):
        return ProviderAnswer()
