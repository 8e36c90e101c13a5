"""Claims, one action per function in the caller's transaction: units that arrived missing,
wrong or faulty, refunded or replaced, in order changes of type ``claim``.

A refund claim credits the claimed units (their share comes off the order's total, and is
offered as a refund): at once when they are written off, on arrival when they come back. A
replace claim sends the same units out again, or new items in their place, at no charge and
credits nothing. Written-off units that turn up after all can be reinstated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from app.changes.actions import (
    apply_change,
    preview_actions,
    record_actions,
    shipping_step,
    staged,
    write_preview,
)
from app.changes.calculations import ITEM_ADD, StagedAction
from app.changes.models import ActionType, ChangeType
from app.claims.models import Claim, ClaimItem, ClaimReason, ClaimType
from app.exchanges.actions import NewItem, ShippingChoice, new_item_step
from app.extensions import db
from app.money import ZERO
from app.orders.actions import OrderActionError, bump_lock_version, record_event
from app.orders.calculations import share
from app.orders.models import LineItem, Order
from app.payments.actions import refund_exactly
from app.payments.models import Refund
from app.returns.actions import (
    ReturnRequestLine,
    can_return,
    owed,
    returnable,
    returning_change,
    start_return,
)


class ClaimError(OrderActionError):
    """A claim step the order or the claim does not allow, in words staff understand."""


@dataclass(frozen=True)
class ClaimLine:
    """Units of one order line claimed, and why."""

    item_id: int
    quantity: int
    reason: str
    note: str = ""


def can_claim(order: Order) -> str | None:
    """Why no claim can be made on the order now, or ``None``: when no return could be
    started either (claimed units are shipped ones not yet asked back, returned or written
    off)."""
    problem = can_return(order)
    return problem and problem.replace("returns", "claims").replace("to return", "to claim")


def _checked(order: Order, claim_type: str,
             lines: list[ClaimLine]) -> tuple[ClaimType, list[ClaimLine]]:  # fmt: skip
    try:
        kind = ClaimType(claim_type)
    except ValueError:
        raise ClaimError("A claim is a refund or a replacement.") from None
    problem = can_claim(order)
    if problem:
        raise ClaimError(problem)
    lines = [line for line in lines if line.quantity]
    if not lines:
        raise ClaimError("Pick at least one unit to claim.")
    items = {item.id: item for item in order.items}
    for line in lines:
        item = items.get(line.item_id)
        if item is None:
            raise ClaimError("That line is not on this order.")
        if not 0 < line.quantity <= returnable(item):
            raise ClaimError(f"{item.title}: {returnable(item)} can be claimed, "
                             f"not {line.quantity}.")  # fmt: skip
        if line.reason not in ClaimReason.__members__.values():
            raise ClaimError(f"{item.title}: pick a reason (missing item, wrong item, "
                             "production failure or other).")  # fmt: skip
    return kind, lines


def _replacement(item: LineItem, quantity: int) -> StagedAction:
    """The same units again, at no charge."""
    return StagedAction(ITEM_ADD, variant_id=item.variant_id, sku=item.sku, title=item.title,
                        subtitle=item.subtitle, product_type=item.product_type,
                        thumbnail=item.thumbnail, quantity=quantity,
                        unit_price=ZERO)  # fmt: skip


def _outbound(order: Order, kind: ClaimType, lines: list[ClaimLine], new_items: list[NewItem],
              shipping: ShippingChoice | None) -> list[StagedAction]:  # fmt: skip
    """What a replace claim sends out at no charge: the new items, or else the same units
    again; then its shipping method, if any. A refund claim sends nothing."""
    if kind == ClaimType.REFUND:
        if new_items or shipping is not None:
            raise ClaimError("A refund claim sends nothing out: new items and shipping are for "
                             "a replacement.")  # fmt: skip
        return []
    if new_items:
        steps = [replace(new_item_step(order, item), unit_price=ZERO) for item in new_items]
    else:
        items = {item.id: item for item in order.items}
        steps = [_replacement(items[line.item_id], line.quantity) for line in lines]
    if shipping is not None:
        steps.append(shipping_step(order, option_id=shipping.option_id, name=shipping.name,
                                   amount=shipping.amount))  # fmt: skip
    return steps


def create_claim(order: Order, expected: int, claim_type: str, lines: list[ClaimLine], *,
                 new_items: Sequence[NewItem] = (), return_units: bool = False,
                 location_id: int | None = None, shipping: ShippingChoice | None = None,
                 note: str = "", actor: str) -> Claim:  # fmt: skip
    """Claim units of the order: sent back (a return to ``location_id``) or written off where
    they are; a refund claim credits them, a replace claim sends ``new_items`` (catalogue
    variants or custom items) or else the same units again, at no charge (with ``shipping``,
    if any), stock held, to go out through fulfillment. One order change, the order's next
    version."""
    bump_lock_version(order, expected)
    kind, lines = _checked(order, claim_type, lines)
    new_items = [item for item in new_items if item.quantity]
    items = {item.id: item for item in order.items}
    outbound = _outbound(order, kind, lines, new_items, shipping)
    claim = Claim(order_id=order.id, type=kind, note=note.strip()[:5000], created_by=actor,
                  refund_due=Decimal(0), refunded=Decimal(0),
                  items=[ClaimItem(item_id=line.item_id, quantity=line.quantity,
                                   reason=ClaimReason(line.reason), note=line.note.strip()[:1000],
                                   written_off_quantity=0)
                         for line in lines])  # fmt: skip
    before = len(order.items)
    if return_units:
        if location_id is None:
            raise ClaimError("Pick the location that receives the units.")
        return_ = start_return(
            order, ChangeType.CLAIM,
            [ReturnRequestLine(line.item_id, line.quantity, None, line.note) for line in lines],
            location_id=location_id, note=note, actor=actor, outbound=outbound,
            require_reason=False, credits_units=kind == ClaimType.REFUND,
        )  # fmt: skip
        claim.return_, claim.change = return_, return_.change
    else:
        claim.change = _write_off(order, claim, kind, outbound, actor)
    if not new_items:
        # The same units again: each claimed line's replacement is the line added for it.
        for part, item in zip(claim.items, order.items[before:], strict=False):
            part.replacement = item
    db.session.add(claim)
    db.session.flush()
    sent = [step for step in outbound if step.action == ITEM_ADD]
    record_event(order, "order.claim_created", actor,
                 f"Claim #{claim.id} ({kind.value}): " + ", ".join(
                     f"{part.quantity} × {items[part.item_id].title} ({part.reason.label})"
                     for part in claim.items)
                 + ("; sent back" if return_units else "; written off")
                 + ("; replaced at no charge" if kind == ClaimType.REPLACE else "")
                 + (" by " + ", ".join(f"{step.quantity} × {step.title}" for step in sent)
                    if new_items else ""),
                 {"claim_id": claim.id, "type": kind.value, "version": order.version,
                  "return_id": claim.return_.id if claim.return_ else None,
                  "items": [{"item_id": part.item_id, "quantity": part.quantity,
                             "reason": part.reason.value} for part in claim.items]})  # fmt: skip
    return claim


def _write_off(order: Order, claim: Claim, kind: ClaimType, outbound: list[StagedAction],
               actor: str):  # fmt: skip
    """Write the claimed units off where they are, crediting them for a refund claim, with
    what goes out; the claim's order change."""
    change = returning_change(order, ChangeType.CLAIM, actor)
    record_actions(change, [StagedAction(ActionType.WRITE_OFF_ITEM.value, item_id=part.item_id,
                                         quantity=part.quantity) for part in claim.items]
                   + outbound, actor)  # fmt: skip
    db.session.flush()
    steps = [step for step in staged(change) if step.action != ActionType.WRITE_OFF_ITEM]
    result = preview_actions(order, steps, promotions=False) if steps else None
    items = {item.id: item for item in order.items}
    totals = order.line_totals

    def write() -> None:
        if result is not None:
            write_preview(order, result)
        for part in claim.items:
            item = items[part.item_id]
            item.written_off_quantity += part.quantity
            part.written_off_quantity = part.quantity
            if kind == ClaimType.REFUND:
                claim.refund_due += _credit(item, totals[item.id], part.quantity, order)

    apply_change(order, change, actor, write)
    return change


def _credit(item: LineItem, line_total: Decimal, units: int, order: Order) -> Decimal:
    """Credit ``units`` more of the line (fewer, when negative): what they are worth."""
    currency = order.currency_code
    before = item.credited_quantity
    item.credited_quantity += units
    return (share(line_total, item.quantity, item.credited_quantity, currency)
            - share(line_total, item.quantity, before, currency))  # fmt: skip


def _claim(order: Order, claim_id: int) -> Claim:
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.order_id != order.id:
        raise ClaimError("That claim is not on this order.")
    return claim


def claim_refund_to_offer(order: Order, claim: Claim) -> Decimal:
    """What a refund claim's written-off units are owed and was not refunded yet (a claim's
    return refunds through the return); no more than the order owes the customer."""
    return owed(order, claim.refund_due - claim.refunded)


def refund_claim(order: Order, expected: int, claim_id: int, amount: Decimal,
                 actor: str) -> list[Refund]:  # fmt: skip
    """Refund exactly what the claim's written-off units are owed, newest payment first;
    once."""
    bump_lock_version(order, expected)
    claim = _claim(order, claim_id)
    refunds = refund_exactly(order, amount, claim_refund_to_offer(order, claim), reason="claim",
                             note=f"Claim #{claim.id}", actor=actor,
                             source=f"claim #{claim.id}")  # fmt: skip
    claim.refunded += amount
    return refunds


def reinstate(order: Order, expected: int, claim_id: int, claim_item_id: int, quantity: int,
              actor: str) -> Claim:  # fmt: skip
    """Written-off units turned up after all (the missing parcel arrived): they are the
    customer's again, and a refund claim's credit for them is taken back. The order's next
    version."""
    bump_lock_version(order, expected)
    claim = _claim(order, claim_id)
    part = next((p for p in claim.items if p.id == claim_item_id), None)
    if part is None:
        raise ClaimError("That line is not part of this claim.")
    if not 0 < quantity <= part.written_off_quantity:
        raise ClaimError(f"{part.item.title}: {part.written_off_quantity} written off can be "
                         f"reinstated, not {quantity}.")  # fmt: skip
    item = part.item
    line_total = order.line_totals[item.id]
    change = returning_change(order, ChangeType.CLAIM, actor)
    record_actions(change, [StagedAction(ActionType.REINSTATE_ITEM.value, item_id=item.id,
                                         quantity=quantity)], actor)  # fmt: skip

    def write() -> None:
        item.written_off_quantity -= quantity
        part.written_off_quantity -= quantity
        if claim.type == ClaimType.REFUND:
            claim.refund_due += _credit(item, line_total, -quantity, order)

    apply_change(order, change, actor, write)
    record_event(order, "order.claim_reinstated", actor,
                 f"Claim #{claim.id}: {quantity} × {item.title} reinstated",
                 {"claim_id": claim.id, "item_id": item.id, "quantity": quantity,
                  "version": order.version})  # fmt: skip
    return claim
