"""Claims through the JSON API: other systems claim shipped units that arrived missing, wrong or
faulty, refunded or replaced at no charge, refund what written-off units are owed and reinstate
units that turned up after all, on the claim engine of ``app.claims.actions``.

``POST /api/v1/orders/<id>/claims`` takes::

    {"type": "replace",
     "items": [{"item_id": 7, "quantity": 1, "reason": "production_failure", "note": "..."}],
     "new_items": [{"sku": "SOCK-2", "quantity": 1},
                   {"title": "Apology card", "unit_price": "3.00", "quantity": 1}],
     "return": {"location_id": 1},
     "shipping": {"name": "Courier", "amount": "0.00"},
     "note": "..."}

``reason`` is one of ``missing_item``, ``wrong_item``, ``production_failure``, ``other``. A
replace claim sends ``new_items`` (a catalogue variant by ``sku`` or ``variant_id``, or a
``title`` and ``unit_price``) at no charge, or else the same units again, with ``shipping``
when given; a refund claim sends nothing. With ``return`` the units come back to that
location (a return), else they are written off where they are. It answers 201 with the claim
(``claim_detail``); 422 with every field error by its path (``items[0].reason``) and nothing
saved; 409 when the order has another change open (its ``change_id`` in the answer).

``/api/v1/claims/<id>/refund`` (``{"amount": "..."}``, exactly the claim's
``refund_to_offer``) and ``/reinstate`` (``{"claim_item_id": 3, "quantity": 1}``) answer 200
with the claim.

Every write locks the order (``locked_order``), so concurrent requests go one at a time, and
commits once or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify
from sqlalchemy import select

from app.api.auth import current_actor
from app.api.claim_serializers import claim_detail
from app.api.errors import ApiError
from app.api.idempotency import idempotent
from app.api.return_items import (
    MAX_ITEM_NOTE_LENGTH,
    MAX_NOTE_LENGTH,
    change_request,
    named_line,
    no_open_change,
    object_body,
    only,
    read_location,
    read_new_items,
    read_shipping,
    refund_step,
    refuse,
    with_refunds,
)
from app.api.views import bp
from app.api.writes import all_or_nothing, locked_order
from app.claims import actions as claims
from app.claims.actions import ClaimLine
from app.claims.models import Claim, ClaimReason, ClaimType
from app.extensions import db
from app.orders.actions import OrderActionError
from app.orders.import_payload import FieldError, JsonFields
from app.orders.models import Order
from app.orders.queries import order_with_details
from app.payments.models import Refund

_CLAIM_FIELDS = ("type", "items", "new_items", "return", "shipping", "note")
_ITEM_FIELDS = ("item_id", "quantity", "reason", "note")


@bp.post("/orders/<int:order_id>/claims")
@idempotent
def create_claim_view(order_id: int):
    """Claim shipped units of the order, each line with a reason: refunded, or replaced at no
    charge; sent back or written off. The claim, or nothing saved."""
    body = object_body('with a "type" and an "items" list', ("items", "new_items"))

    def act() -> int:
        order, fields = change_request(order_id, body, _CLAIM_FIELDS, "a claim")
        claim_type = fields.choice("type", tuple(ClaimType))
        lines = _read_lines(order, fields)
        new_items = read_new_items(order, fields, required=False)
        location_id = _read_return(fields.object("return"))
        shipping = read_shipping(order, fields.object("shipping"))
        note = fields.text("note", MAX_NOTE_LENGTH)
        refuse(fields.errors)
        try:
            claim = claims.create_claim(
                order, order.lock_version, claim_type, lines, new_items=new_items,
                return_units=location_id is not None, location_id=location_id,
                shipping=shipping, note=note, actor=current_actor(),
            )  # fmt: skip
        except OrderActionError as error:
            raise ApiError(422, str(error)) from None
        return claim.id

    return jsonify(_claim_answer(all_or_nothing(act))), 201


def _read_lines(order: Order, fields: JsonFields) -> list[ClaimLine]:
    """The lines claimed, each an order line named once, with no more units than it has
    shipped and not yet asked back, returned or written off, and a claim reason."""
    items = {item.id: item for item in order.items}
    named: dict[int, str] = {}
    lines = []
    for entry in fields.objects("items", required=True):
        only(entry, _ITEM_FIELDS, "a claimed item")
        item_id = entry.identifier("item_id")
        quantity = entry.quantity("quantity")
        reason = entry.choice("reason", tuple(ClaimReason))
        note = entry.text("note", MAX_ITEM_NOTE_LENGTH)
        item = named_line(entry, items, named, item_id, quantity, "claims this line", "claimed")
        if item is not None and quantity is not None and reason is not None:
            lines.append(ClaimLine(item.id, quantity, reason, note))
    return lines


def _read_return(fields: JsonFields | None) -> int | None:
    """The stock location the units come back to; none when they are written off."""
    if fields is None:
        return None
    only(fields, ("location_id",), "return")
    return read_location(fields)


def _claim_answer(claim_id: int) -> dict:
    """The claim as the API shows it, with its order as it is now (after the commit)."""
    claim = db.session.get(Claim, claim_id, populate_existing=True)
    return claim_detail(claim, order_with_details(claim.order_id))


@bp.get("/claims/<int:claim_id>")
def claim_view(claim_id: int):
    """A claim: its lines with their reasons, the units written off, what it sent out, its
    return, and what its written-off units are owed."""
    if db.session.get(Claim, claim_id) is None:
        raise ApiError(404, f"No claim has the id {claim_id}.")
    return jsonify(_claim_answer(claim_id))


@bp.post("/claims/<int:claim_id>/refund")
@idempotent
def refund_claim_view(claim_id: int):
    """Refund exactly what the claim's written-off units are owed (``refund_to_offer``), from
    the captured payments newest first; once."""
    body = object_body('with an "amount"')
    made: list[Refund] = []
    step = refund_step(body, made, "claim", claims.claim_refund_to_offer, claims.refund_claim)
    return jsonify(with_refunds(_claim_step(claim_id, step), made))


@bp.post("/claims/<int:claim_id>/reinstate")
@idempotent
def reinstate_view(claim_id: int):
    """Written-off units of one claim line turned up after all: they are the customer's again,
    and a refund claim's credit for them is taken back."""
    body = object_body('with a "claim_item_id" and a "quantity"')

    def reinstate(order: Order, claim: Claim) -> None:
        no_open_change(order, "a claim")
        errors: list[FieldError] = []
        fields = JsonFields(body, "", errors)
        only(fields, ("claim_item_id", "quantity"), "a reinstatement")
        part_id = fields.identifier("claim_item_id")
        quantity = fields.quantity("quantity")
        if part_id is not None and all(part.id != part_id for part in claim.items):
            fields.error("claim_item_id", "is not a line of this claim")
        refuse(errors)
        try:
            claims.reinstate(order, order.lock_version, claim.id, part_id, quantity,
                             current_actor())  # fmt: skip
        except OrderActionError as error:
            raise ApiError(422, str(error),
                           errors=[{"field": "quantity", "message": str(error)}]) from None

    return jsonify(_claim_step(claim_id, reinstate))


def _claim_step(claim_id: int, step: Callable[[Order, Claim], None]) -> dict:
    """Lock the claim's order, then take ``step``; the claim is read once the lock is held, so
    a request committed meanwhile is seen."""
    order_id = db.session.scalar(select(Claim.order_id).where(Claim.id == claim_id))
    if order_id is None:
        raise ApiError(404, f"No claim has the id {claim_id}.")

    def act() -> None:
        order = locked_order(order_id)
        step(order, db.session.get(Claim, claim_id, populate_existing=True))

    all_or_nothing(act)
    return _claim_answer(claim_id)
