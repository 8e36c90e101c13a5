"""Order edits through the JSON API: other systems and POS tills propose a change to an order,
send it to the customer, confirm or cancel it, and read the versions confirmed edits leave.

``POST /api/v1/orders/<id>/edits`` takes ``{"actions": [...], "internal_note": "..."}``, each
action one of::

    {"action": "ITEM_ADD", "sku": "TEA-EGR", "quantity": 2}
    {"action": "ITEM_ADD", "title": "Gift wrap", "unit_price": "3.00", "quantity": 1}
    {"action": "ITEM_UPDATE", "item_id": 7, "quantity": 0, "unit_price": "0"}
    {"action": "ITEM_REMOVE", "item_id": 9}
    {"action": "SHIPPING_ADD", "name": "Express", "amount": "9.90"}
    {"action": "SHIPPING_ADD", "shipping_option_id": 3}
    {"action": "SHIPPING_REMOVE", "shipping_method_id": 4}

(``ITEM_UPDATE`` takes ``quantity``, ``unit_price`` or both.) The edit and its actions are
saved together or not at all: 201 with the edit (``change_detail``: its actions, ``preview``,
the order as the edit would make it in the shape ``GET /api/v1/orders/<id>`` answers, and
``pending_difference``, positive to collect, negative to refund); 422 with every field error
by its path (``actions[2].quantity``), or with the first action the order's rules refuse; 409
when the order already has an open change (its ``change_id`` in the answer).

``/api/v1/order-edits/<id>/request`` (the outbox emails the customer a link), ``/confirm`` and
``/cancel`` answer 200 with the edit; 409 when the edit is no longer open, 422 with the reason
when the order refuses the step (stock short, a line fulfilled since, no email to send to).

Every write runs on the engine of ``app.changes.actions``, with the order locked
(``lock_order``) so concurrent requests go one at a time, and commits once or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask import jsonify
from sqlalchemy import select

from app.api.auth import current_actor
from app.api.errors import ApiError
from app.api.idempotency import idempotent
from app.api.serializers import change_detail, version_detail
from app.api.views import bp, json_body
from app.api.writes import all_or_nothing, locked_order, order_not_found
from app.catalog.models import ProductVariant
from app.changes import actions as edits
from app.changes.calculations import (
    ITEM_ADD,
    ITEM_REMOVE,
    ITEM_UPDATE,
    SHIPPING_ADD,
    SHIPPING_REMOVE,
)
from app.changes.models import ChangeType, OrderChange
from app.changes.versions import order_versions
from app.extensions import db
from app.orders.actions import OrderActionError, StaleOrderError
from app.orders.import_payload import FieldError, JsonFields
from app.orders.models import Order, OrderStatus
from app.orders.queries import order_with_details

#: The most actions one request may stage.
MAX_ACTIONS = 100
#: The longest internal note.
MAX_NOTE_LENGTH = 2000

#: The fields each action takes besides ``action``.
ACTION_FIELDS = {
    ITEM_ADD: ("sku", "title", "unit_price", "quantity"),
    ITEM_UPDATE: ("item_id", "quantity", "unit_price"),
    ITEM_REMOVE: ("item_id",),
    SHIPPING_ADD: ("name", "amount", "shipping_option_id"),
    SHIPPING_REMOVE: ("shipping_method_id",),
}


@dataclass(frozen=True)
class _Action:
    """One action of the request, read and checked; ``path`` is where it is (``actions[2]``)."""

    path: str
    action: str
    sku: str = ""
    title: str = ""
    quantity: int | None = None
    unit_price: Decimal | None = None
    item_id: int | None = None
    name: str = ""
    amount: Decimal | None = None
    shipping_option_id: int | None = None
    shipping_method_id: int | None = None

    @property
    def refused_field(self) -> str:
        """The field that a refusal of the order's rules concerns, once the request's fields
        and references have been checked: for a line, its quantity (below what was fulfilled,
        or a line or order total too large) unless only its price changes."""
        if self.action == ITEM_UPDATE and self.quantity is None:
            return "unit_price"
        if self.action == SHIPPING_ADD:
            return "amount" if self.shipping_option_id is None else "shipping_option_id"
        return {ITEM_ADD: "quantity", ITEM_UPDATE: "quantity", ITEM_REMOVE: "item_id",
                SHIPPING_REMOVE: "shipping_method_id"}[self.action]  # fmt: skip


class _Refused(Exception):
    """An action the engine refused: the error names the action's field."""

    def __init__(self, action: _Action, error: OrderActionError) -> None:
        super().__init__(str(error))
        self.action = action


@bp.post("/orders/<int:order_id>/edits")
@idempotent
def create_edit_view(order_id: int):
    """Propose an edit of the order: every action staged, or nothing saved."""
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, 'The body must be a JSON object with an "actions" list.')
    if isinstance(body.get("actions"), list) and len(body["actions"]) > MAX_ACTIONS:
        raise ApiError(
            413, f"At most {MAX_ACTIONS} actions per edit; this one has "
            f"{len(body['actions']):,}.", max_actions=MAX_ACTIONS,
        )  # fmt: skip

    def act() -> OrderChange:
        order = locked_order(order_id)
        existing = edits.open_change(order.id)
        if existing is not None:
            raise ApiError(
                409, f"This order already has an open {existing.change_type.value} "
                f"({existing.status.value}); confirm or cancel it first.", change_id=existing.id,
            )  # fmt: skip
        errors: list[FieldError] = []
        note, actions = _read_request(body, order.currency_code, errors)
        variants = _check_references(order, actions, errors)
        if errors:
            raise ApiError(422, "Some actions are not valid; nothing was saved.",
                           errors=[{"field": e.field, "message": e.message} for e in errors])
        actor = current_actor()
        try:
            change = edits.begin_edit(order, order.lock_version, actor, note)
            for action in actions:
                _stage(order, change.id, action, variants, actor)
        except _Refused as refusal:
            path = f"{refusal.action.path}.{refusal.action.refused_field}"
            raise ApiError(422, str(refusal),
                           errors=[{"field": path, "message": str(refusal)}]) from None
        except OrderActionError as error:
            raise ApiError(422, str(error)) from None
        return change

    return jsonify(_edit_answer(all_or_nothing(act))), 201


def _read_request(body: dict, currency: str,
                  errors: list[FieldError]) -> tuple[str, list[_Action]]:  # fmt: skip
    """The internal note and the actions, each field checked; what is wrong goes to
    ``errors`` with its path."""
    fields = JsonFields(body, "", errors)
    note = fields.text("internal_note", MAX_NOTE_LENGTH)
    actions = [_read_action(entry, currency) for entry in fields.objects("actions", required=True)]
    return note, [action for action in actions if action is not None]


def _read_action(fields: JsonFields, currency: str) -> _Action | None:
    kind = fields.choice("action", tuple(ACTION_FIELDS))
    if kind is None:
        return None
    for key in fields.data:
        if key != "action" and key not in ACTION_FIELDS[kind]:
            fields.error(key, f"is not a field of {kind}")
    if kind == ITEM_ADD:
        if fields.given("sku"):
            for key in ("title", "unit_price"):
                if fields.given(key):
                    fields.error(key, "is for an item not in the catalogue: give it or a sku")
            return _Action(fields.at, kind, sku=fields.text("sku", 100, required=True),
                           quantity=fields.quantity("quantity"))  # fmt: skip
        return _Action(fields.at, kind, title=fields.text("title", 300, required=True),
                       unit_price=fields.amount("unit_price", currency),
                       quantity=fields.quantity("quantity"))  # fmt: skip
    if kind == ITEM_UPDATE:
        if not (fields.given("quantity") or fields.given("unit_price")):
            fields.errors.append(FieldError(fields.at, "needs a quantity, a unit_price or both"))
        return _Action(fields.at, kind, item_id=fields.identifier("item_id"),
                       quantity=fields.quantity("quantity", low=0, required=False),
                       unit_price=fields.amount("unit_price", currency, required=False))
    if kind == ITEM_REMOVE:
        return _Action(fields.at, kind, item_id=fields.identifier("item_id"))
    if kind == SHIPPING_ADD:
        if fields.given("shipping_option_id"):
            for key in ("name", "amount"):
                if fields.given(key):
                    fields.error(key, "comes from the shipping option: give it or the option")
            return _Action(fields.at, kind,
                           shipping_option_id=fields.identifier("shipping_option_id"))
        return _Action(fields.at, kind, name=fields.text("name", 200, required=True),
                       amount=fields.amount("amount", currency))  # fmt: skip
    return _Action(fields.at, kind, shipping_method_id=fields.identifier("shipping_method_id"))


def _check_references(order: Order, actions: list[_Action],
                      errors: list[FieldError]) -> dict[str, ProductVariant]:  # fmt: skip
    """What the actions name must exist: the order's lines and shipping methods (each changed
    by one action only: a second would silently replace the first), catalogue SKUs with a
    price in the order's currency. Returns the variants by SKU."""
    known = {"item_id": ({item.id for item in order.items}, "line"),
             "shipping_method_id": ({m.id for m in order.shipping_methods}, "shipping method")}
    changed_by: dict[tuple[str, int], str] = {}
    for action in actions:
        for name, (ids, what) in known.items():
            reference = getattr(action, name)
            if reference is None:
                continue
            path = f"{action.path}.{name}"
            if reference not in ids:
                errors.append(FieldError(path, f"is not a {what} of this order"))
            elif (name, reference) in changed_by:
                errors.append(FieldError(path, f"{changed_by[name, reference]} already changes "
                                         f"this {what}: send one action per {what}"))
            else:
                changed_by[name, reference] = action.path
    skus = {action.sku for action in actions if action.sku}
    variants = {v.sku: v for v in db.session.scalars(
        select(ProductVariant).where(ProductVariant.sku.in_(skus)))} if skus else {}  # fmt: skip
    for action in actions:
        if not action.sku:
            continue
        variant = variants.get(action.sku)
        if variant is None:
            errors.append(FieldError(f"{action.path}.sku", "is not a SKU of the catalogue"))
        elif variant.price_in(order.currency_code) is None:
            errors.append(FieldError(f"{action.path}.sku", f"{variant.full_title} has no price "
                                     f"in {order.currency_code}"))  # fmt: skip
    return variants


def _stage(order: Order, change_id: int, action: _Action, variants: dict[str, ProductVariant],
           actor: str) -> None:  # fmt: skip
    """Stage one action through the engine; ``_Refused`` when the order's rules refuse it."""
    expected = order.lock_version
    try:
        if action.action == ITEM_ADD and action.sku:
            edits.add_variant(order, expected, change_id, variants[action.sku].id,
                              action.quantity, actor)  # fmt: skip
        elif action.action == ITEM_ADD:
            edits.add_custom_item(order, expected, change_id, title=action.title,
                                  unit_price=action.unit_price, quantity=action.quantity,
                                  actor=actor)  # fmt: skip
        elif action.action == ITEM_UPDATE:
            edits.update_item(order, expected, change_id, action.item_id,
                              quantity=action.quantity, unit_price=action.unit_price,
                              actor=actor)  # fmt: skip
        elif action.action == ITEM_REMOVE:
            edits.remove_item(order, expected, change_id, action.item_id, actor)
        elif action.action == SHIPPING_ADD:
            edits.add_shipping(order, expected, change_id, actor=actor,
                               option_id=action.shipping_option_id, name=action.name,
                               amount=action.amount)  # fmt: skip
        else:
            edits.remove_shipping(order, expected, change_id, action.shipping_method_id, actor)
    except edits.ChangeError as error:
        raise _Refused(action, error) from None


def _edit_answer(change: OrderChange) -> dict:
    """The edit as the API shows it, with the order as it is now (after the commit)."""
    order = order_with_details(change.order_id)
    result, problem = None, None
    if change.is_open:
        try:
            result = edits.preview(order, change)
        except edits.ChangeError as error:
            problem = str(error)
    return change_detail(change, order, result, problem)


def _edit_or_404(change_id: int) -> OrderChange:
    change = db.session.get(OrderChange, change_id)
    if change is None or change.change_type != ChangeType.EDIT:
        raise ApiError(404, f"No order edit has the id {change_id}.")
    return change


@bp.get("/order-edits/<int:change_id>")
def edit_view(change_id: int):
    """An order edit: its actions, who moved it along and when; while it is open, the order as
    it would make it and what it leaves to settle."""
    return jsonify(_edit_answer(_edit_or_404(change_id)))


@bp.post("/order-edits/<int:change_id>/request")
@idempotent
def request_edit_view(change_id: int):
    """Send the edit to the customer: the outbox emails them a link to confirm or decline it
    (none when the order says ``no_notification``); older links stop working."""
    return _step(change_id, edits.request_confirmation)


@bp.post("/order-edits/<int:change_id>/confirm")
@idempotent
def confirm_edit_view(change_id: int):
    """Apply the edit to the order now, as its preview shows it: the order's next version."""
    return _step(change_id, edits.confirm_change)


@bp.post("/order-edits/<int:change_id>/cancel")
@idempotent
def cancel_edit_view(change_id: int):
    """Call the edit off: the order stays as it was and the customer's link stops working."""
    return _step(change_id, edits.cancel_change)


def _step(change_id: int, step: Callable[[Order, int, int, str], object]):
    """Lock the edit's order, then take ``step``; the edit is read only once the lock is held,
    so a customer's answer or another request committed meanwhile is seen."""
    order_id = db.session.scalar(select(OrderChange.order_id).where(
        OrderChange.id == change_id, OrderChange.change_type == ChangeType.EDIT))  # fmt: skip
    if order_id is None:
        raise ApiError(404, f"No order edit has the id {change_id}.")

    def act() -> None:
        order = locked_order(order_id)
        change = db.session.get(OrderChange, change_id)
        try:
            step(order, order.lock_version, change_id, current_actor())
        except OrderActionError as error:
            conflict = isinstance(error, StaleOrderError) or not change.is_open
            raise ApiError(409 if conflict else 422, str(error)) from None

    all_or_nothing(act)
    return jsonify(_edit_answer(db.session.get(OrderChange, change_id)))


@bp.get("/orders/<int:order_id>/versions/<int:number>")
def version_view(order_id: int, number: int):
    """One version of the order: its lines, shipping methods and every total as they were."""
    order = db.session.get(Order, order_id)
    if order is None or order.status is OrderStatus.DRAFT:
        raise order_not_found(order_id)
    version = order_versions(order, [number]).get(number)
    if version is None:
        raise ApiError(404, f"Order {order_id} has no version {number}; its versions go from "
                       f"1 to {order.version}.")  # fmt: skip
    return jsonify(version_detail(order, version))
