"""Returns through the JSON API: other systems ask an order's shipped units back, receive them,
refund what they are owed and call a return off, on the return engine of
``app.returns.actions``.

``POST /api/v1/orders/<id>/returns`` takes::

    {"items": [{"item_id": 7, "quantity": 2, "reason": "too_small", "note": "..."}],
     "location_id": 1,
     "return_shipping": {"name": "Return label", "amount": "7.50", "customer_pays": true},
     "note": "..."}

and answers 201 with the return (``return_detail``) and its ``refund_preview``; 422 with every
field error by its path (``items[1].reason``) and nothing saved; 409 when the order has another
change open (its ``change_id`` in the answer).

``/api/v1/returns/<id>/receive`` (``{"items": [{"item_id": 7, "quantity": 1,
"damaged_quantity": 1}]}``, ``item_id`` the order line's), ``/refund`` (``{"amount": "..."}``,
exactly the return's ``refund_to_offer``) and ``/cancel`` answer 200 with the return; 409 when
the return's state or the order's open change does not allow the step, 422 with the field and
why when the request does not fit the return.

Every write locks the order (``locked_order``), so concurrent requests go one at a time, and
commits once or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify
from sqlalchemy import select

from app.api.auth import current_actor
from app.api.errors import ApiError
from app.api.idempotency import idempotent
from app.api.return_items import (
    MAX_NOTE_LENGTH,
    change_request,
    no_open_change,
    object_body,
    only,
    read_lines,
    read_location,
    read_return_shipping,
    refund_step,
    refuse,
    with_refunds,
)
from app.api.return_serializers import return_detail
from app.api.views import bp
from app.api.writes import all_or_nothing, locked_order
from app.extensions import db
from app.orders.actions import OrderActionError
from app.orders.import_payload import FieldError, JsonFields
from app.orders.models import Order
from app.orders.queries import order_with_details
from app.payments.models import Refund
from app.returns import actions as returns
from app.returns.models import Return, ReturnStatus

_RETURN_FIELDS = ("items", "location_id", "return_shipping", "note")
_RECEIVE_FIELDS = ("item_id", "quantity", "damaged_quantity")


@bp.post("/orders/<int:order_id>/returns")
@idempotent
def create_return_view(order_id: int):
    """Ask shipped units of the order back, each line with a reason: the return and what its
    units would refund, or nothing saved."""
    body = object_body('with an "items" list')

    def act() -> int:
        order, fields = change_request(order_id, body, _RETURN_FIELDS, "a return")
        lines = read_lines(order, fields)
        location_id = read_location(fields)
        shipping = read_return_shipping(fields.object("return_shipping"), order.currency_code)
        note = fields.text("note", MAX_NOTE_LENGTH)
        refuse(fields.errors)
        try:
            return_ = returns.request_return(
                order, order.lock_version, lines, location_id=location_id, note=note,
                return_shipping_name=shipping.name, return_shipping_amount=shipping.amount,
                deduct_shipping=shipping.customer_pays, actor=current_actor(),
            )  # fmt: skip
        except OrderActionError as error:
            raise ApiError(422, str(error)) from None
        return return_.id

    return jsonify(_return_answer(all_or_nothing(act))), 201


def _return_answer(return_id: int) -> dict:
    """The return as the API shows it, with its order as it is now (after the commit)."""
    return_ = db.session.get(Return, return_id, populate_existing=True)
    return return_detail(return_, order_with_details(return_.order_id))


def _return_or_404(return_id: int) -> Return:
    return_ = db.session.get(Return, return_id)
    if return_ is None:
        raise ApiError(404, f"No return has the id {return_id}.")
    return return_


@bp.get("/returns/<int:return_id>")
def return_view(return_id: int):
    """A return: its lines with their reasons, what became of the units, what they refund."""
    return jsonify(_return_answer(_return_or_404(return_id).id))


@bp.post("/returns/<int:return_id>/receive")
@idempotent
def receive_return_view(return_id: int):
    """Units of the return arrived, per order line: back on the shelf (``quantity``) or
    damaged and written off (``damaged_quantity``)."""
    body = object_body('with an "items" list')

    def receive(order: Order, return_: Return) -> None:
        if return_.status not in (ReturnStatus.REQUESTED, ReturnStatus.PARTIALLY_RECEIVED):
            raise ApiError(409, f"Return #{return_.id} is {return_.status.value}; nothing more "
                           "can be received.")  # fmt: skip
        no_open_change(order)
        errors: list[FieldError] = []
        fields = JsonFields(body, "", errors)
        only(fields, ("items",), "a receipt")
        received = _read_received(return_, fields)
        if not errors and not any(restock or damaged for restock, damaged in received.values()):
            fields.error("items", "say how many units arrived")
        refuse(errors)
        returns.receive_return(order, order.lock_version, return_.id, received, current_actor())

    return jsonify(_return_step(return_id, receive))


def _read_received(return_: Return, fields: JsonFields) -> dict[int, tuple[int, int]]:
    """Per return line, the units restocked and damaged, never more than still expected."""
    parts = {part.item_id: part for part in return_.items}
    received: dict[int, tuple[int, int]] = {}
    named: dict[int, str] = {}
    for entry in fields.objects("items", required=True):
        only(entry, _RECEIVE_FIELDS, "a received item")
        item_id = entry.identifier("item_id")
        restock = entry.quantity("quantity", low=0)
        damaged = entry.quantity("damaged_quantity", low=0, required=False) or 0
        part = parts.get(item_id)
        if item_id is not None and part is None:
            entry.error("item_id", "is not a line of this return")
            continue
        if part is None:
            continue
        if item_id in named:
            entry.error("item_id", f"{named[item_id]} already receives this line: send one "
                        "entry per line")  # fmt: skip
            continue
        named[item_id] = entry.at
        expected = part.quantity - part.received_quantity
        if restock is not None and restock + damaged > expected:
            entry.error("quantity", f"{part.item.title}: {expected} still expected, not "
                        f"{restock + damaged}")  # fmt: skip
        received[part.id] = (restock or 0, damaged)
    return received


@bp.post("/returns/<int:return_id>/refund")
@idempotent
def refund_return_view(return_id: int):
    """Refund exactly what the return's received units are owed (``refund_to_offer``), from the
    captured payments newest first; once."""
    body = object_body('with an "amount"')
    made: list[Refund] = []
    step = refund_step(body, made, "return", returns.refund_to_offer, returns.refund_return)
    return jsonify(with_refunds(_return_step(return_id, step), made))


@bp.post("/returns/<int:return_id>/cancel")
@idempotent
def cancel_return_view(return_id: int):
    """Call the return off before anything arrived; its units are no longer asked back."""

    def cancel(order: Order, return_: Return) -> None:
        if return_.status is not ReturnStatus.REQUESTED:
            raise ApiError(409, f"Return #{return_.id} is {return_.status.value}: only a return "
                           "with nothing received yet can be canceled.")  # fmt: skip
        no_open_change(order)
        returns.cancel_return(order, order.lock_version, return_.id, current_actor())

    return jsonify(_return_step(return_id, cancel))


def _return_step(return_id: int, step: Callable[[Order, Return], None]) -> dict:
    """Lock the return's order, then take ``step``; the return is read once the lock is held,
    so a request committed meanwhile is seen. A refusal of the engine is a 422 with why."""
    order_id = db.session.scalar(select(Return.order_id).where(Return.id == return_id))
    if order_id is None:
        raise ApiError(404, f"No return has the id {return_id}.")

    def act() -> None:
        order = locked_order(order_id)
        return_ = db.session.get(Return, return_id, populate_existing=True)
        try:
            step(order, return_)
        except OrderActionError as error:
            raise ApiError(422, str(error)) from None

    all_or_nothing(act)
    return _return_answer(return_id)
