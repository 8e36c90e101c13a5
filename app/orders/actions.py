"""State changes of orders. Each public function is one action: guards, change, timeline
event; the caller's request commits once (or rolls everything back)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.bulk import insert_rows
from app.db_types import utcnow
from app.events.models import OrderEvent
from app.events.outbox import publish, publish_many
from app.extensions import db
from app.fulfillment.calculations import LineQuantities, fulfillment_status
from app.money import MoneyError, check_order_total
from app.orders.calculations import OrderTotals
from app.orders.lifecycle import CANCEL, OUTCOMES, transition_problem
from app.orders.models import Counter, FulfillmentStatus, Order, OrderStatus, PaymentStatus
from app.payments.calculations import PaymentFigures, payment_status
from app.payments.providers import PaymentProviderError, provider

DISPLAY_ID_COUNTER = "order_display_id"


class OrderActionError(Exception):
    """An action that the order's state does not allow, in words staff understand."""


class StaleOrderError(OrderActionError):
    """The form was filled in against an older version of the order."""


class RecordedFailure(OrderActionError):
    """The action failed, but what the failure changed (the order now needs attention) is kept:
    the caller commits instead of rolling back."""


def bump_lock_version(order: Order, expected: int) -> None:
    """Move the order to its next version, or refuse if someone changed it since ``expected``
    (the version the form was filled in against).

    One conditional UPDATE: concurrent requests with the same version queue on the row and
    all but the first find it changed.
    """
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.lock_version == expected)
        .values(lock_version=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleOrderError(
            "Someone else changed this order while you were working on it. "
            "Here is its current state; make your change again if it still applies."
        )
    set_committed_value(order, "lock_version", expected + 1)


def lock_order(order_id: int) -> int | None:
    """Take the order's next version without a form's say: the row stays locked until the
    transaction ends, so a caller that loads the order after this sees every change committed
    before it, and concurrent callers go one at a time. ``None`` when there is no such order."""
    return db.session.execute(
        update(Order).where(Order.id == order_id).values(lock_version=Order.lock_version + 1)
        .returning(Order.lock_version).execution_options(synchronize_session=False)
    ).scalar_one_or_none()  # fmt: skip


def take_display_ids(count: int = 1) -> range:
    """Display ids for ``count`` new orders, in the caller's transaction."""
    return Counter.take(DISPLAY_ID_COUNTER, count)


def refresh_derived(order: Order) -> None:
    """Store what is derived from the order's lines and payments: its total (for sorting) and
    its payment and fulfillment statuses (for filtering). A total too large to store
    (``app.money.MAX_ORDER_TOTAL``) refuses the change that led to it."""
    order.forget_totals()
    derived = derived_columns(
        order.status,
        order.totals,
        [p.figures for p in order.payments],
        [
            # Column defaults fill in at flush; a new line's quantities are still None.
            LineQuantities(
                quantity=i.quantity,
                fulfilled=i.fulfilled_quantity or 0,
                shipped=i.shipped_quantity or 0,
                delivered=i.delivered_quantity or 0,
                returned=i.returned_quantity or 0,
            )
            for i in order.items
        ],
    )
    for name, value in derived.items():
        setattr(order, name, value)


def derived_columns(status: OrderStatus, totals: OrderTotals, payments: Sequence[PaymentFigures],
                    lines: Sequence[LineQuantities]) -> dict[str, Any]:  # fmt: skip
    """The stored columns derived from an order's totals, payments and line quantities
    (``refresh_derived``, and the import's bulk inserts), or the ``OrderActionError``
    that refuses a total too large to store."""
    try:
        check_order_total(totals.total)
    except MoneyError as error:
        raise OrderActionError(str(error)) from None
    return {
        "total": totals.total,
        "payment_status": PaymentStatus(payment_status(totals.total, payments)),
        # A canceled order ships nothing more, whatever its lines once reached.
        "fulfillment_status": FulfillmentStatus.CANCELED if status == OrderStatus.CANCELED
        else FulfillmentStatus(fulfillment_status(lines)),
    }  # fmt: skip


def record_event(
    order: Order,
    event_type: str,
    actor: str,
    message: str = "",
    data: dict[str, Any] | None = None,
    *,
    published: bool = True,
) -> OrderEvent:
    """Append an entry to the order's timeline and, for the events other parts hear about,
    to the outbox, in the same transaction; ``published=False`` for history written after the
    fact (the demo store's past), which nobody is to hear about now."""
    event = OrderEvent(order=order, event_type=event_type, actor=actor, message=message, data=data)
    db.session.add(event)
    if published:
        publish(event_type, order, event_payload(order.display_id, actor, message, data))
    return event


def record_events(orders: Sequence[tuple[int, int]], event_type: str, actor: str,
                  message: str) -> None:  # fmt: skip
    """``record_event(order, event_type, actor, message)`` for many orders at once, each given
    as ``(id, display_id)``: one bulk insert per table, no ORM objects."""
    now = utcnow()
    insert_rows(OrderEvent.__table__, [
        {"order_id": order_id, "event_type": event_type, "actor": actor, "message": message,
         "data": None, "created_at": now}
        for order_id, _ in orders
    ])  # fmt: skip
    publish_many(event_type, [
        (order_id, event_payload(display_id, actor, message, None))
        for order_id, display_id in orders
    ])  # fmt: skip


def event_payload(display_id: int, actor: str, message: str,
                  data: dict[str, Any] | None) -> dict[str, Any]:  # fmt: skip
    """What the outbox carries of a timeline event."""
    return {"display_id": display_id, "actor": actor, "message": message, "data": data or {}}


def add_note(order: Order, text: str, actor: str) -> OrderEvent:
    """Staff leave an internal note on the order; it shows in the timeline only."""
    text = text.strip()
    if not text:
        raise OrderActionError("A note needs some text.")
    return record_event(order, "note", actor, text)


def change_status(order: Order, expected_version: int, action: str, actor: str) -> None:
    """Complete, resolve, archive or cancel the order, as the lifecycle allows. Canceling
    cancels the payments nothing was captured from."""
    bump_lock_version(order, expected_version)
    problem = transition_problem(action, order.status.value, order.payment_status.value,
                                 order.fulfillment_status.value)  # fmt: skip
    if problem:
        raise OrderActionError(problem)
    now = utcnow()
    if action == CANCEL:
        for payment in order.payments:
            if payment.canceled_at is None and not payment.captures:
                try:
                    provider(payment.provider_id).cancel()
                except PaymentProviderError as error:
                    raise OrderActionError(
                        f"The payment provider refused to cancel payment #{payment.id}: {error}"
                    ) from None
                payment.canceled_at = now
        order.canceled_at = now
        # Imported here: inventory builds on the order actions (their errors, their events).
        from app.inventory.actions import release_order

        release_order(order)
    order.status = OrderStatus(OUTCOMES[action])
    refresh_derived(order)
    record_event(order, f"order.{OUTCOMES[action]}", actor, f"Order {OUTCOMES[action]}")
