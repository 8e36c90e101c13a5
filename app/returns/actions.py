"""Returns and the return reasons, one action per function, in the caller's transaction: the
view commits once, and a refusal changes nothing.

A return's steps (asked, received, canceled) are order changes of type ``return``, confirmed at
once by staff: each makes the order's next version (``app.changes.actions.apply_change``). The
reasons' changes check what needs the stored reasons (a code taken, the hierarchy's one level
of children, a parent still in use).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.changes.actions import (
    apply_change,
    open_change,
    preview_actions,
    record_actions,
    staged,
    write_preview,
)
from app.changes.calculations import RETURN_ITEM, SHIPPING_ADD, StagedAction
from app.changes.models import ActionType, ChangeType, OrderChange, OrderChangeAction
from app.db_types import utcnow
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.actions import adjust_stock, tracked_skus
from app.money import MAX_AMOUNT, ZERO, MoneyError, check_amount
from app.orders.actions import OrderActionError, bump_lock_version, record_event
from app.orders.calculations import charge_totals
from app.orders.models import LineItem, Order, OrderStatus
from app.payments.actions import refund_exactly
from app.payments.models import Refund
from app.returns.calculations import ReturnLine
from app.returns.models import Return, ReturnItem, ReturnReason, ReturnStatus

_VALUE = re.compile(r"[a-z0-9_]{1,50}")


class ReturnError(OrderActionError):
    """A return step the order or the return does not allow, in words staff understand."""


class ReturnReasonError(OrderActionError):
    """A return reason the settings refuse; ``field`` names the form field it is about, or is
    ``None`` when it is about the reason as a whole."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def reason_value(text: str) -> str:
    """``text`` as a reason's code: without the spaces around it and lower case (as promotion
    codes are upper-cased), or refused when other characters are left."""
    value = text.strip().lower()
    if not _VALUE.fullmatch(value):
        raise ReturnReasonError(
            "Use 1 to 50 lower-case letters, digits and _, such as too_small.", "value"
        )
    return value


@dataclass(frozen=True)
class ReasonValues:
    """What staff enter for a return reason; ``parent_id`` ``None`` for a top-level one."""

    value: str
    label: str
    description: str
    parent_id: int | None


def save_return_reason(reason: ReturnReason | None, values: ReasonValues) -> ReturnReason:
    """Create a return reason (``reason`` is ``None``) or change one."""
    value = reason_value(values.value)
    taken = db.session.scalar(select(ReturnReason).where(ReturnReason.value == value))
    if taken is not None and taken is not reason:
        raise ReturnReasonError(f"The code {value} is taken by “{taken.label}”.", "value")
    parent = _parent(reason, values.parent_id)
    if reason is None:
        reason = ReturnReason()
        db.session.add(reason)
    reason.value = value
    reason.label = values.label.strip()
    reason.description = values.description.strip()
    reason.parent = parent
    db.session.flush()
    return reason


def _parent(reason: ReturnReason | None, parent_id: int | None) -> ReturnReason | None:
    """The parent ``reason`` may have: an active top-level reason (a retired reason may keep
    its retired parent), and none for a reason with children of its own."""
    if parent_id is None:
        return None
    parent = db.session.get(ReturnReason, parent_id)
    if parent is None:
        raise ReturnReasonError("That parent reason no longer exists; reload the page.",
                                "parent_id")  # fmt: skip
    if reason is not None and parent.id == reason.id:
        raise ReturnReasonError("A reason cannot be its own parent.", "parent_id")
    if parent.parent is not None:
        raise ReturnReasonError(
            f"“{parent.label}” is a child of “{parent.parent.label}”: child reasons have no "
            "children. Choose a top-level reason.", "parent_id",
        )  # fmt: skip
    if reason is not None and reason.children:
        raise ReturnReasonError(
            f"“{reason.label}” has child reasons, so it stays a top-level reason.", "parent_id"
        )
    if not parent.is_active and (reason is None or reason.is_active):
        raise ReturnReasonError(f"“{parent.label}” is retired; choose an active reason.",
                                "parent_id")  # fmt: skip
    return parent


def retire_return_reason(reason: ReturnReason) -> None:
    """Stop offering a reason; the returns that used it keep it. A parent goes after its
    active children, so an offered child always has an offered parent."""
    active = reason.active_children
    if active:
        labels = ", ".join(f"“{child.label}”" for child in active)
        raise ReturnReasonError(
            f"“{reason.label}” has active child reasons ({labels}); retire them first."
        )
    reason.is_active = False
    db.session.flush()


def reactivate_return_reason(reason: ReturnReason) -> None:
    """Offer a retired reason again; a child only once its parent is offered."""
    if reason.parent is not None and not reason.parent.is_active:
        raise ReturnReasonError(
            f"“{reason.parent.label}” is retired; reactivate it before its child reasons."
        )
    reason.is_active = True
    db.session.flush()


# --- Returns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRequestLine:
    """Units of one order line asked to come back, and why."""

    item_id: int
    quantity: int
    reason_id: int | None
    note: str = ""


def returnable(item: LineItem) -> int:
    """Units of a line that can still be asked back or claimed: shipped (or delivered), less
    those already asked back, returned or written off by a claim."""
    return max(item.shipped_quantity - item.return_requested_quantity - item.returned_quantity
               - item.written_off_quantity, 0)  # fmt: skip


def can_return(order: Order) -> str | None:
    """Why no return can be started on the order now, or ``None``; the order page asks too."""
    if order.status in (OrderStatus.DRAFT, OrderStatus.CANCELED, OrderStatus.ARCHIVED):
        return f"A {order.status.value} order takes no returns."
    if not any(returnable(item) for item in order.items):
        return "No units of this order have shipped and are left to return."
    return None


def returning_change(order: Order, change_type: ChangeType, actor: str) -> OrderChange:
    """A return's (an exchange's, a claim's) order change, refused while another change is
    open on the order."""
    existing = open_change(order.id)
    if existing is not None:
        raise ReturnError(
            f"This order has an open {existing.change_type.value} ({existing.status.value}); "
            f"finish or cancel it before {'an' if change_type == ChangeType.EXCHANGE else 'a'} "
            f"{change_type.value}."
        )
    change = OrderChange(order_id=order.id, change_type=change_type, created_by=actor)
    db.session.add(change)
    return change


def request_return(order: Order, expected: int, lines: list[ReturnRequestLine], *,
                   location_id: int, note: str = "", return_shipping_name: str = "",
                   return_shipping_amount: Decimal = ZERO, deduct_shipping: bool = False,
                   actor: str) -> Return:  # fmt: skip
    """Ask for units back: never more of a line than shipped and not yet asked back, returned
    or written off, each with an active reason; the order's next version records the units
    asked back, and the return shipping when the customer pays it."""
    bump_lock_version(order, expected)
    return_ = start_return(order, ChangeType.RETURN, lines, location_id=location_id, note=note,
                           return_shipping_name=return_shipping_name,
                           return_shipping_amount=return_shipping_amount,
                           deduct_shipping=deduct_shipping, actor=actor)  # fmt: skip
    items = {item.id: item for item in order.items}
    record_event(order, "order.return_requested", actor,
                 f"Return #{return_.id} requested: " + ", ".join(
                     f"{part.quantity} × {items[part.item_id].title}" for part in return_.items),
                 {"return_id": return_.id, "version": order.version,
                  "items": [{"item_id": part.item_id, "quantity": part.quantity}
                            for part in return_.items]})  # fmt: skip
    return return_


def start_return(order: Order, change_type: ChangeType, lines: list[ReturnRequestLine], *,
                 location_id: int, note: str = "", return_shipping_name: str = "",
                 return_shipping_amount: Decimal = ZERO, deduct_shipping: bool = False,
                 actor: str, outbound: Sequence[StagedAction] = (), require_reason: bool = True,
                 credits_units: bool = True) -> Return:  # fmt: skip
    """The return of a return, an exchange or a claim (``change_type``), in one confirmed
    order change with what goes ``outbound`` (an exchange's new items and their shipping, a
    claim's replacements): the units asked back, the return shipping charged on the order when
    the customer pays it, the order's next version. The caller has locked the order and
    records the timeline event."""
    problem = can_return(order)
    if problem:
        raise ReturnError(problem)
    lines = [line for line in lines if line.quantity]
    if not lines:
        raise ReturnError("Pick at least one unit to return.")
    items = {item.id: item for item in order.items}
    reasons = _active_reasons({line.reason_id for line in lines if line.reason_id is not None})
    for line in lines:
        item = items.get(line.item_id)
        if item is None:
            raise ReturnError("That line is not on this order.")
        if not 0 < line.quantity <= returnable(item):
            raise ReturnError(f"{item.title}: {returnable(item)} can be returned, "
                              f"not {line.quantity}.")  # fmt: skip
        if require_reason and line.reason_id not in reasons:
            raise ReturnError(f"{item.title}: pick a reason for the return.")
    location = db.session.get(StockLocation, location_id)
    if location is None:
        raise ReturnError("Pick the location that receives the units.")
    amount = _checked_shipping(return_shipping_amount, order.currency_code)
    shipping_name = return_shipping_name.strip()[:200] or ("Return shipping" if amount else "")
    charged = deduct_shipping and amount > ZERO
    actions = [StagedAction(RETURN_ITEM, item_id=line.item_id, quantity=line.quantity)
               for line in lines] + list(outbound)  # fmt: skip
    if charged:
        # Last: the shipping method it makes is the order's newest.
        actions.append(StagedAction(SHIPPING_ADD, title=shipping_name, unit_price=amount))
    change = returning_change(order, change_type, actor)
    record_actions(change, actions, actor)
    # The recorded steps, with their ids: what an added line or method is matched by.
    db.session.flush()
    result = preview_actions(order, staged(change), promotions=False)
    apply_change(order, change, actor, lambda: write_preview(order, result))
    return_ = Return(
        order_id=order.id, change=change, location=location, note=note.strip()[:5000],
        return_shipping_name=shipping_name, return_shipping_amount=amount,
        deduct_shipping=charged, credits_units=credits_units,
        shipping_method=order.shipping_methods[-1] if charged else None, created_by=actor,
        items=[ReturnItem(item_id=line.item_id, quantity=line.quantity,
                          reason_id=line.reason_id, note=line.note.strip()[:1000])
               for line in lines],
    )  # fmt: skip
    db.session.add(return_)
    db.session.flush()
    return return_


def _return(order: Order, return_id: int) -> Return:
    found = db.session.get(Return, return_id)
    if found is None or found.order_id != order.id:
        raise ReturnError("That return is not on this order.")
    return found


def receive_return(order: Order, expected: int, return_id: int,
                   received: dict[int, tuple[int, int]], actor: str) -> Return:  # fmt: skip
    """Units of a return arrive: per return line, how many go back on the shelf at the
    return's location and how many came damaged (written off). What they refund is worked out
    now, on what the customer paid for each line; the order's next version records them."""
    bump_lock_version(order, expected)
    return_ = _return(order, return_id)
    if return_.status not in (ReturnStatus.REQUESTED, ReturnStatus.PARTIALLY_RECEIVED):
        raise ReturnError(f"Return #{return_.id} is {return_.status.value}; nothing more can "
                          "be received.")  # fmt: skip
    arriving = []
    for part in return_.items:
        restock, damaged = received.get(part.id, (0, 0))
        expected_units = part.quantity - part.received_quantity
        if restock < 0 or damaged < 0 or restock + damaged > expected_units:
            raise ReturnError(f"{part.item.title}: {expected_units} still expected, not "
                              f"{restock + damaged}.")  # fmt: skip
        if restock or damaged:
            arriving.append((part, restock, damaged))
    if not arriving:
        raise ReturnError("Say how many units arrived.")
    change = returning_change(order, ChangeType.RETURN, actor)
    for part, restock, damaged in arriving:
        for action, units in ((ActionType.RECEIVE_RETURN_ITEM, restock),
                              (ActionType.RECEIVE_DAMAGED_RETURN_ITEM, damaged)):  # fmt: skip
            if units:
                change.actions.append(OrderChangeAction(
                    ordering=len(change.actions) + 1, action=action, item_id=part.item_id,
                    quantity=units, created_by=actor))  # fmt: skip
    currency = order.currency_code
    line_totals = order.line_totals
    tracked = tracked_skus([part.item.sku for part, _, _ in arriving if part.item.sku])

    def write() -> None:
        for part, restock, damaged in arriving:
            item, units = part.item, restock + damaged
            if return_.credits_units:
                return_.refund_due += ReturnLine(
                    item.title, line_totals[item.id], item.quantity, item.credited_quantity,
                    units,
                ).refund(currency)  # fmt: skip
                item.credited_quantity += units
            item.return_requested_quantity -= units
            item.returned_quantity += units
            part.restocked_quantity += restock
            part.damaged_quantity += damaged
            if restock and item.sku in tracked:
                adjust_stock(item.sku, return_.location, restock,
                             f"Return #{return_.id} received", actor)  # fmt: skip

    apply_change(order, change, actor, write)
    complete = all(part.received_quantity == part.quantity for part in return_.items)
    return_.status = ReturnStatus.RECEIVED if complete else ReturnStatus.PARTIALLY_RECEIVED
    if complete:
        return_.received_at = utcnow()
    record_event(order, "order.return_received", actor,
                 f"Return #{return_.id}: " + ", ".join(
                     f"{restock + damaged} × {part.item.title}"
                     + (f" ({damaged} damaged)" if damaged else "")
                     for part, restock, damaged in arriving) + " received",
                 {"return_id": return_.id, "version": order.version,
                  "refund_due": str(refund_to_offer(order, return_))})  # fmt: skip
    return return_


def refund_to_offer(order: Order, return_: Return) -> Decimal:
    """What the return's received units refund and has not been refunded: their shares of the
    lines, less the return shipping charged when the customer pays it; never more than the
    order owes the customer (an exchange's new items may take it all) nor than is left to
    refund."""
    return owed(order, return_.refund_due - return_shipping_charged(return_) - return_.refunded)


def return_shipping_charged(return_: Return) -> Decimal:
    """What the order charges for the return's shipping: its method's total, taxes in."""
    method = return_.shipping_method
    if method is None:
        return ZERO
    return charge_totals(method.charge, return_.order.currency_code).total


def owed(order: Order, amount: Decimal) -> Decimal:
    """``amount``, but no more than the order owes the customer (its outstanding amount below
    zero) and has left to refund; never below nothing."""
    totals = order.totals
    return max(min(amount, -totals.outstanding_amount, totals.refundable_amount), ZERO)


def refund_return(order: Order, expected: int, return_id: int, amount: Decimal,
                  actor: str) -> list[Refund]:  # fmt: skip
    """Refund exactly what the return's received units are owed (``refund_to_offer``), from
    the captured payments newest first; once."""
    bump_lock_version(order, expected)
    return_ = _return(order, return_id)
    due = refund_to_offer(order, return_)
    refunds = refund_exactly(order, amount, due, reason="return", note=f"Return #{return_.id}",
                             actor=actor, source=f"return #{return_.id}")  # fmt: skip
    return_.refunded += amount
    return refunds


def cancel_return(order: Order, expected: int, return_id: int, actor: str) -> Return:
    """Call off a return before anything arrived; the units are no longer asked back."""
    bump_lock_version(order, expected)
    return_ = _return(order, return_id)
    if return_.status != ReturnStatus.REQUESTED:
        raise ReturnError(f"Return #{return_.id} is {return_.status.value}: only a return with "
                          "nothing received yet can be canceled.")  # fmt: skip
    change = returning_change(order, ChangeType.RETURN, actor)
    for part in return_.items:
        change.actions.append(OrderChangeAction(
            ordering=len(change.actions) + 1, action=ActionType.CANCEL_RETURN_ITEM,
            item_id=part.item_id, quantity=part.quantity, created_by=actor))  # fmt: skip
    method = return_.shipping_method
    if method is not None:
        change.actions.append(OrderChangeAction(
            ordering=len(change.actions) + 1, action=ActionType.SHIPPING_REMOVE,
            shipping_method_id=method.id, created_by=actor))  # fmt: skip

    def write() -> None:
        for part in return_.items:
            part.item.return_requested_quantity -= part.quantity
        if method is not None:
            # Nothing comes back, so there is no return shipping to charge.
            order.shipping_methods.remove(method)
            return_.shipping_method = None

    apply_change(order, change, actor, write)
    return_.status = ReturnStatus.CANCELED
    return_.canceled_by, return_.canceled_at = actor, utcnow()
    record_event(order, "order.return_canceled", actor, f"Return #{return_.id} canceled",
                 {"return_id": return_.id, "version": order.version})  # fmt: skip
    return return_


def _active_reasons(ids: set[int]) -> set[int]:
    """Which of ``ids`` are reasons still offered."""
    if not ids:
        return set()
    return set(db.session.scalars(select(ReturnReason.id).where(
        ReturnReason.id.in_(ids), ReturnReason.is_active)))  # fmt: skip


def _checked_shipping(amount: Decimal, currency: str) -> Decimal:
    try:
        return check_amount(amount, currency, maximum=MAX_AMOUNT)
    except MoneyError as error:
        raise ReturnError(f"Return shipping: {error}") from None
