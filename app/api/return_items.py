"""What the API's returns, exchanges and claims read alike from a request: the JSON object of the
body, the order lines asked back (each with a reason) and where they go, the return shipping,
the new items sent out and their shipping, and the field errors they report by path
(``items[1].reason``) all at once; and how a return or a claim refunds what it is owed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.api.auth import current_actor
from app.api.errors import ApiError
from app.api.views import body_amount, json_body
from app.api.writes import locked_order
from app.changes.actions import ChangeError, open_change, shipping_step
from app.exchanges.actions import NewItem, ShippingChoice, new_item_step
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.money import ZERO, to_string
from app.orders.actions import OrderActionError, RecordedFailure
from app.orders.import_payload import FieldError, JsonFields, text_problem
from app.orders.models import LineItem, Order
from app.payments.models import Refund
from app.returns import actions as returns
from app.returns.actions import ReturnRequestLine
from app.returns.models import ReturnReason

#: The most lines one request may name (in each of its lists).
MAX_ITEMS = 500
#: The longest notes, as the return keeps them.
MAX_NOTE_LENGTH = 5000
MAX_ITEM_NOTE_LENGTH = 1000

_ITEM_FIELDS = ("item_id", "quantity", "reason", "note")
_SHIPPING_FIELDS = ("name", "amount", "customer_pays")
_NEW_ITEM_FIELDS = ("sku", "variant_id", "title", "unit_price", "quantity")
_NEW_SHIPPING_FIELDS = ("option_id", "name", "amount")


@dataclass(frozen=True)
class ReturnShipping:
    """The return's shipping: its method's name, its cost, and whether the customer pays it."""

    name: str = ""
    amount: Decimal = ZERO
    customer_pays: bool = False


def object_body(shape: str, lists: tuple[str, ...] = ("items",)) -> dict:
    """The body, a JSON object (400 otherwise; ``shape`` says what it holds), with no more
    than ``MAX_ITEMS`` entries in any of its ``lists`` (413)."""
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, f"The body must be a JSON object {shape}.")
    for key in lists:
        if isinstance(body.get(key), list) and len(body[key]) > MAX_ITEMS:
            raise ApiError(413, f"At most {MAX_ITEMS} {key} per request; this one has "
                           f"{len(body[key]):,}.", max_items=MAX_ITEMS)  # fmt: skip
    return body


def refuse(errors: list[FieldError]) -> None:
    """422 with every field error found, when there is any."""
    if errors:
        raise ApiError(422, "Some fields are not valid; nothing was saved.",
                       errors=[{"field": e.field, "message": e.message} for e in errors])


def only(fields: JsonFields, allowed: tuple[str, ...], what: str) -> None:
    """A field error for each key of ``fields`` that is not one of ``allowed``."""
    for key in fields.data:
        if key not in allowed:
            fields.error(key, f"is not a field of {what}")


def no_open_change(order: Order, before: str = "a return") -> None:
    """409 while the order has an edit (or another change) open: a return step (an exchange,
    a claim) is an order change of its own, and an order has one open at a time."""
    existing = open_change(order.id)
    if existing is not None:
        raise ApiError(
            409, f"This order has an open {existing.change_type.value} "
            f"({existing.status.value}); finish or cancel it before {before}.",
            change_id=existing.id,
        )  # fmt: skip


def change_request(order_id: int, body: dict, allowed: tuple[str, ...],
                   what: str) -> tuple[Order, JsonFields]:  # fmt: skip
    """The order of a new return, exchange or claim (``what``), locked and with no other change
    open, and the request's fields, each one of ``allowed``; the field errors found gather on
    ``fields.errors``, for ``refuse``."""
    order = locked_order(order_id)
    no_open_change(order, what)
    fields = JsonFields(body, "", [])
    only(fields, allowed, what)
    return order, fields


def read_lines(order: Order, fields: JsonFields, key: str = "items") -> list[ReturnRequestLine]:
    """The lines asked back (the list ``key``), each an order line named once, with no more
    units than it has shipped and not yet asked back or returned, and a reason still
    offered."""
    entries = fields.objects(key, required=True)
    items = {item.id: item for item in order.items}
    # Looked up only as text that can be stored: ``entry.text`` says what is wrong with the rest.
    codes = {code for entry in entries if isinstance(code := entry.data.get("reason"), str)
             and not text_problem(code)}  # fmt: skip
    reasons = {r.value: r for r in db.session.scalars(
        select(ReturnReason).where(ReturnReason.value.in_(codes)))} if codes else {}  # fmt: skip
    named: dict[int, str] = {}
    lines = []
    for entry in entries:
        only(entry, _ITEM_FIELDS, "a returned item")
        item_id = entry.identifier("item_id")
        quantity = entry.quantity("quantity")
        code = entry.text("reason", 50, required=True)
        note = entry.text("note", MAX_ITEM_NOTE_LENGTH)
        item = named_line(entry, items, named, item_id, quantity, "asks this line back",
                          "returned")  # fmt: skip
        reason = reasons.get(code)
        if code and reason is None:
            entry.error("reason", f"{code} is not a return reason")
        elif reason is not None and not reason.is_active:
            entry.error("reason", f"“{reason.label}” is retired; pick a reason still offered")
        if item is not None and quantity is not None and reason is not None:
            lines.append(ReturnRequestLine(item.id, quantity, reason.id, note))
    return lines


def named_line(entry: JsonFields, items: dict[int, LineItem], named: dict[int, str],
               item_id: int | None, quantity: int | None, naming: str,
               done: str) -> LineItem | None:  # fmt: skip
    """The order line an entry names by ``item_id``, once in a request (``named``: where each
    was named), with no more than ``quantity`` units left to ask back or claim (``naming``,
    ``done``: "claims this line", "claimed"); its field errors otherwise."""
    item = items.get(item_id)
    if item_id is not None and item is None:
        entry.error("item_id", "is not a line of this order")
    elif item is not None and item_id in named:
        entry.error("item_id", f"{named[item_id]} already {naming}: send one entry per line")
    elif item is not None:
        named[item_id] = entry.at
        left = returns.returnable(item)
        if quantity is not None and quantity > left:
            entry.error("quantity", f"{item.title}: {left} can be {done}, not {quantity}")
    return item


def read_location(fields: JsonFields) -> int | None:
    """The ``location_id`` that receives the units: a stock location."""
    location_id = fields.identifier("location_id")
    if location_id is not None and db.session.get(StockLocation, location_id) is None:
        fields.error("location_id", "is not a stock location")
    return location_id


def read_return_shipping(fields: JsonFields | None, currency: str) -> ReturnShipping:
    """The ``return_shipping`` object (``fields``; ``None`` when there is none)."""
    if fields is None:
        return ReturnShipping()
    only(fields, _SHIPPING_FIELDS, "return_shipping")
    name = fields.text("name", 200)
    amount = fields.amount("amount", currency)
    return ReturnShipping(name, amount if amount is not None else ZERO,
                          fields.boolean("customer_pays"))  # fmt: skip


def read_new_items(order: Order, fields: JsonFields, *, required: bool) -> list[NewItem]:
    """The new items (``new_items``, a list that may be left out unless ``required``): a
    catalogue variant (by ``sku`` or ``variant_id``) priced in the order's currency, or a
    ``title`` and a ``unit_price``; each with a quantity. What the engine refuses of an item
    (a variant it cannot find or price) is that item's field error."""
    found = []
    for entry in fields.objects("new_items", required=required):
        errors_before = len(entry.errors)
        only(entry, _NEW_ITEM_FIELDS, "a new item")
        quantity = entry.quantity("quantity")
        if entry.given("sku") or entry.given("variant_id"):
            for key in ("title", "unit_price"):
                if entry.given(key):
                    entry.error(key, "is for an item not in the catalogue: give it or a sku")
            if entry.given("sku") and entry.given("variant_id"):
                entry.error("variant_id", "give a sku or a variant_id, not both")
            item = NewItem(quantity or 0, variant_id=entry.identifier("variant_id", False),
                           sku=entry.text("sku", 100))  # fmt: skip
            named_by = "variant_id" if item.variant_id is not None else "sku"
        else:
            item = NewItem(quantity or 0, title=entry.text("title", 300, required=True),
                           unit_price=entry.amount("unit_price", order.currency_code))
            named_by = "unit_price"
        if len(entry.errors) > errors_before:
            continue
        try:
            new_item_step(order, item)
        except ChangeError as error:
            entry.error(named_by, str(error))
            continue
        found.append(item)
    return found


def read_shipping(order: Order, fields: JsonFields | None) -> ShippingChoice | None:
    """The new items' shipping method: one of the region's options, or a name and an amount;
    ``None`` without one."""
    if fields is None:
        return None
    errors_before = len(fields.errors)
    only(fields, _NEW_SHIPPING_FIELDS, "shipping")
    if fields.given("option_id"):
        for key in ("name", "amount"):
            if fields.given(key):
                fields.error(key, "comes from the shipping option: give it or the option")
        choice = ShippingChoice(option_id=fields.identifier("option_id"))
    else:
        choice = ShippingChoice(name=fields.text("name", 200, required=True),
                                amount=fields.amount("amount", order.currency_code))
    if len(fields.errors) > errors_before:
        return None
    try:
        shipping_step(order, option_id=choice.option_id, name=choice.name, amount=choice.amount)
    except ChangeError as error:
        fields.error("option_id" if choice.option_id is not None else "amount", str(error))
        return None
    return choice


def refund_step(body: dict, made: list[Refund], what: str,
                offer: Callable[[Order, Any], Decimal],
                refund: Callable[..., list[Refund]]) -> Callable[[Order, Any], None]:  # fmt: skip
    """The step of a return's or a claim's (``what``) refund endpoint: 409 when ``offer`` says
    nothing is left to refund, else ``refund`` exactly the body's amount (422 naming
    ``amount`` for any other), the refunds made added to ``made``. A payment call that failed
    is kept (committed) before the 422."""

    def step(order: Order, owed_by) -> None:
        if offer(order, owed_by) <= ZERO:
            raise ApiError(409, f"Nothing is left to refund for {what} #{owed_by.id}.")
        amount = body_amount(body, order.currency_code)
        try:
            made.extend(refund(order, order.lock_version, owed_by.id, amount, current_actor()))
        except RecordedFailure as error:
            db.session.commit()
            raise ApiError(422, str(error)) from None
        except OrderActionError as error:
            raise ApiError(422, str(error),
                           errors=[{"field": "amount", "message": str(error)}]) from None

    return step


def with_refunds(answer: dict, made: list[Refund]) -> dict:
    """A return's or a claim's JSON with the ``refunds`` a request made."""
    currency = answer["currency_code"]
    return answer | {"refunds": [
        {"id": r.id, "payment_id": r.payment_id, "amount": to_string(r.amount, currency)}
        for r in made]}  # fmt: skip
