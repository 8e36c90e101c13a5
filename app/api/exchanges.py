"""Exchanges through the JSON API: other systems swap shipped units of an order for new items,
on the exchange engine of ``app.exchanges.actions``.

``POST /api/v1/orders/<id>/exchanges`` takes::

    {"return_items": [{"item_id": 7, "quantity": 1, "reason": "too_small", "note": "..."}],
     "new_items": [{"sku": "MUG-1", "quantity": 1},
                   {"variant_id": 12, "quantity": 1},
                   {"title": "Gift wrap", "unit_price": "3.00", "quantity": 1}],
     "shipping": {"option_id": 3} or {"name": "Courier", "amount": "5.00"},
     "return_shipping": {"name": "Return label", "amount": "7.50", "customer_pays": true},
     "location_id": 1,
     "note": "..."}

(``shipping`` and ``return_shipping`` may be left out) and answers 201 with the exchange
(``exchange_detail``: its return, the order lines its new items became, the order's
``new_total`` once the units arrive and the ``difference`` then left, positive to collect,
negative to refund); 422 with every field error by its path (``new_items[0].unit_price``) and
nothing saved; 409 when the order has another change open (its ``change_id`` in the answer).
``GET /api/v1/exchanges/<id>`` answers the exchange. The units are then received and refunded
through the returns API (``/api/v1/returns/<return id>/...``).

The write locks the order (``locked_order``), so concurrent requests go one at a time, and
commits once or rolls back.
"""

from __future__ import annotations

from flask import jsonify

from app.api.auth import current_actor
from app.api.errors import ApiError
from app.api.exchange_serializers import exchange_detail
from app.api.idempotency import idempotent
from app.api.return_items import (
    MAX_NOTE_LENGTH,
    change_request,
    object_body,
    read_lines,
    read_location,
    read_new_items,
    read_return_shipping,
    read_shipping,
    refuse,
)
from app.api.views import bp
from app.api.writes import all_or_nothing
from app.exchanges import actions as exchanges
from app.exchanges.models import Exchange
from app.extensions import db
from app.orders.actions import OrderActionError
from app.orders.queries import order_with_details

_EXCHANGE_FIELDS = ("return_items", "new_items", "shipping", "return_shipping", "location_id",
                    "note")  # fmt: skip


@bp.post("/orders/<int:order_id>/exchanges")
@idempotent
def create_exchange_view(order_id: int):
    """Exchange shipped units of the order (each with a reason) for new items: the exchange
    and what it leaves to settle, or nothing saved."""
    body = object_body('with "return_items" and "new_items" lists', ("return_items",
                                                                     "new_items"))  # fmt: skip

    def act() -> int:
        order, fields = change_request(order_id, body, _EXCHANGE_FIELDS, "an exchange")
        lines = read_lines(order, fields, "return_items")
        new_items = read_new_items(order, fields, required=True)
        shipping = read_shipping(order, fields.object("shipping"))
        location_id = read_location(fields)
        return_shipping = read_return_shipping(fields.object("return_shipping"),
                                               order.currency_code)  # fmt: skip
        note = fields.text("note", MAX_NOTE_LENGTH)
        refuse(fields.errors)
        try:
            exchange = exchanges.create_exchange(
                order, order.lock_version, lines, new_items, location_id=location_id,
                shipping=shipping, return_shipping_name=return_shipping.name,
                return_shipping_amount=return_shipping.amount,
                customer_pays_return_shipping=return_shipping.customer_pays, note=note,
                actor=current_actor(),
            )  # fmt: skip
        except OrderActionError as error:
            raise ApiError(422, str(error)) from None
        return exchange.id

    return jsonify(_exchange_answer(all_or_nothing(act))), 201


def _exchange_answer(exchange_id: int) -> dict:
    """The exchange as the API shows it, with its order as it is now (after the commit)."""
    exchange = db.session.get(Exchange, exchange_id, populate_existing=True)
    return exchange_detail(exchange, order_with_details(exchange.order_id))


@bp.get("/exchanges/<int:exchange_id>")
def exchange_view(exchange_id: int):
    """An exchange: its return, its new items as order lines, the new total and the
    difference."""
    exchange = db.session.get(Exchange, exchange_id)
    if exchange is None:
        raise ApiError(404, f"No exchange has the id {exchange_id}.")
    return jsonify(_exchange_answer(exchange.id))
