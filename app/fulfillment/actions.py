"""Staff fulfil an order: pack some or all of what is left at a location, ship it with a
carrier and tracking numbers, mark it delivered, or cancel it before it ships.

Each function is one action against the order version the form showed; the caller's request
commits once. The line items keep the running counts (fulfilled, shipped, delivered) from which
the order's ``fulfillment_status`` follows.
"""

from __future__ import annotations

from app.db_types import utcnow
from app.extensions import db
from app.fulfillment.models import Fulfillment, FulfillmentItem, StockLocation
from app.fulfillment.providers import FulfillmentProviderError, provider
from app.inventory.actions import deduct_fulfillment, restock_fulfillment
from app.orders.actions import OrderActionError, bump_lock_version, record_event, refresh_derived
from app.orders.models import Order, OrderStatus
from app.returns.links import follow_delivery


def _open(order: Order, expected_version: int) -> None:
    bump_lock_version(order, expected_version)
    if order.status in (OrderStatus.DRAFT, OrderStatus.CANCELED, OrderStatus.ARCHIVED):
        raise OrderActionError(f"A {order.status.value} order cannot be fulfilled.")


def _fulfillment(order: Order, fulfillment_id: int) -> Fulfillment:
    found = next((f for f in order.fulfillments if f.id == fulfillment_id), None)
    if found is None:
        raise OrderActionError("That fulfillment is not on this order.")
    return found


def _call(what: str, call) -> None:
    try:
        call()
    except FulfillmentProviderError as error:
        raise OrderActionError(f"The fulfillment provider refused to {what}: {error}") from None


def create_fulfillment(
    order: Order, expected_version: int, location_id: int, quantities: dict[int, int], actor: str
) -> Fulfillment:
    """Pack ``quantities`` (line item id → units) at the location; never more of a line than
    is left to fulfil."""
    _open(order, expected_version)
    location = db.session.get(StockLocation, location_id)
    if location is None:
        raise OrderActionError("Choose the location the items leave from.")
    wanted = {item_id: units for item_id, units in quantities.items() if units}
    if not wanted:
        raise OrderActionError("Choose at least one unit to fulfil.")
    lines = {item.id: item for item in order.items}
    for item_id, units in wanted.items():
        item = lines.get(item_id)
        if item is None:
            raise OrderActionError("That line is not on this order.")
        left = item.quantity - item.fulfilled_quantity
        if units < 0 or units > left:
            raise OrderActionError(f"{item.title}: {left} of {item.quantity} left to fulfil.")
    fulfillment = Fulfillment(location=location, created_by=actor, tracking_numbers=[],
                              items=[FulfillmentItem(item=lines[i], quantity=units)
                                     for i, units in wanted.items()])  # fmt: skip
    order.fulfillments.append(fulfillment)
    for item_id, units in wanted.items():
        lines[item_id].fulfilled_quantity += units
    db.session.flush()
    deduct_fulfillment(order, fulfillment)
    _call("pack it", lambda: provider(fulfillment.provider_id).create_fulfillment(
        fulfillment.id, wanted))  # fmt: skip
    refresh_derived(order)
    count = sum(wanted.values())
    data = {"fulfillment_id": fulfillment.id, "items": {str(k): v for k, v in wanted.items()}}
    record_event(order, "order.fulfillment_created", actor,
                 f"{count} unit{'s' if count != 1 else ''} packed at {location.name}", data)
    return fulfillment


def ship_fulfillment(
    order: Order, expected_version: int, fulfillment_id: int, *, carrier: str,
    tracking_numbers: list[str], actor: str,
) -> None:  # fmt: skip
    """Hand a packed fulfillment to a carrier; the customer is emailed (unless the order says
    no notifications)."""
    _open(order, expected_version)
    fulfillment = _fulfillment(order, fulfillment_id)
    if fulfillment.state != "packed":
        raise OrderActionError(f"This fulfillment is {fulfillment.state}; it cannot ship again.")
    _call("ship it", lambda: provider(fulfillment.provider_id).create_shipment(
        fulfillment.id, tracking_numbers))  # fmt: skip
    fulfillment.shipped_at = utcnow()
    fulfillment.carrier = carrier.strip()
    fulfillment.tracking_numbers = tracking_numbers
    for part in fulfillment.items:
        part.item.shipped_quantity += part.quantity
    refresh_derived(order)
    record_event(order, "order.shipment_created", actor,
                 f"Shipped with {fulfillment.carrier or 'a carrier'}"
                 + (f", tracking {', '.join(tracking_numbers)}" if tracking_numbers else ""),
                 {"fulfillment_id": fulfillment.id, "carrier": fulfillment.carrier,
                  "tracking_numbers": tracking_numbers})  # fmt: skip


def deliver_fulfillment(order: Order, expected_version: int, fulfillment_id: int,
                        actor: str) -> None:  # fmt: skip
    """The parcel reached the customer; the return window now runs from today."""
    _open(order, expected_version)
    fulfillment = _fulfillment(order, fulfillment_id)
    if fulfillment.state != "shipped":
        raise OrderActionError(f"Only a shipped fulfillment can be delivered; this one is "
                               f"{fulfillment.state}.")  # fmt: skip
    fulfillment.delivered_at = utcnow()
    for part in fulfillment.items:
        part.item.delivered_quantity += part.quantity
    follow_delivery(fulfillment)
    refresh_derived(order)
    record_event(order, "order.fulfillment_delivered", actor, "Parcel delivered",
                 {"fulfillment_id": fulfillment.id})  # fmt: skip


def cancel_fulfillment(order: Order, expected_version: int, fulfillment_id: int,
                       actor: str) -> None:  # fmt: skip
    """Unpack a fulfillment that has not shipped: its units are left to fulfil again."""
    _open(order, expected_version)
    fulfillment = _fulfillment(order, fulfillment_id)
    if fulfillment.state != "packed":
        raise OrderActionError(f"This fulfillment is {fulfillment.state}; only one that has not "
                               "shipped can be canceled.")  # fmt: skip
    _call("cancel it", lambda: provider(fulfillment.provider_id).cancel_fulfillment(
        fulfillment.id))  # fmt: skip
    fulfillment.canceled_at = utcnow()
    for part in fulfillment.items:
        part.item.fulfilled_quantity -= part.quantity
    restock_fulfillment(order, fulfillment)
    refresh_derived(order)
    record_event(order, "order.fulfillment_canceled", actor, "Fulfillment canceled",
                 {"fulfillment_id": fulfillment.id})  # fmt: skip
