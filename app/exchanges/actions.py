"""Exchanges, one action per function in the caller's transaction: units asked back and new
items sent in their place, in one confirmed order change of type ``exchange``.

The new items and their shipping go on the order at once (stock held, fulfilled through the
fulfillment panel); the returned units come off its total when they arrive, as any return's do.
What the exchange leaves to settle is worked out on the order as it will be then.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.catalog.models import ProductVariant
from app.changes.actions import (
    ChangeError,
    check_proposed,
    custom_step,
    difference_text,
    preview_actions,
    shipping_step,
    variant_step,
)
from app.changes.calculations import (
    RETURN_ITEM,
    ChangeProblem,
    OrderState,
    StagedAction,
    credit_requested,
)
from app.changes.models import ChangeType
from app.changes.snapshots import order_state
from app.exchanges.models import Exchange
from app.extensions import db
from app.money import ZERO
from app.orders.actions import OrderActionError, bump_lock_version, record_event
from app.orders.models import Order
from app.returns.actions import ReturnRequestLine, start_return


class ExchangeError(OrderActionError):
    """An exchange the order does not allow, in words staff understand."""


@dataclass(frozen=True)
class NewItem:
    """A new item going out: a catalogue variant (by id or SKU), or a title and a unit
    price."""

    quantity: int
    variant_id: int | None = None
    sku: str = ""
    title: str = ""
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class ShippingChoice:
    """A shipping method: one of the region's options, or a name and an amount."""

    option_id: int | None = None
    name: str = ""
    amount: Decimal | None = None


@dataclass(frozen=True)
class ExchangeOutcome:
    """The order once the exchange's returned units arrive: its total, and what is then left
    to settle (positive, the customer pays; negative, a refund)."""

    new_total: Decimal
    difference: Decimal
    difference_text: str


def new_item_step(order: Order, item: NewItem) -> StagedAction:
    """Adding a new item: a catalogue variant at its price, or a custom item."""
    if item.variant_id is not None or item.sku:
        variant = (db.session.get(ProductVariant, item.variant_id) if item.variant_id is not None
                   else db.session.scalar(select(ProductVariant).where(
                       ProductVariant.sku == item.sku.strip())))  # fmt: skip
        return variant_step(order, variant, item.quantity)
    if item.unit_price is None:
        raise ChangeError("Give the new item a SKU, or a title and a unit price.")
    return custom_step(order, item.title, item.unit_price, item.quantity)


def outbound_steps(order: Order, new_items: list[NewItem],
                   shipping: ShippingChoice | None) -> list[StagedAction]:  # fmt: skip
    """What goes out: the new items, then their shipping method."""
    steps = [new_item_step(order, item) for item in new_items if item.quantity]
    if not steps:
        raise ExchangeError("Add at least one new item to send in exchange.")
    if shipping is not None:
        steps.append(shipping_step(order, option_id=shipping.option_id, name=shipping.name,
                                   amount=shipping.amount))  # fmt: skip
    return steps


def outcome(state: OrderState, returned: dict[int, int]) -> ExchangeOutcome:
    """``state`` once the ``returned`` units (per line id, asked back) arrive and are
    credited."""
    try:
        totals = credit_requested(state, returned).totals
    except ChangeProblem as problem:
        raise ExchangeError(str(problem)) from None
    return ExchangeOutcome(totals.total, totals.outstanding_amount,
                           difference_text(totals.outstanding_amount, state.currency_code))


def preview_exchange(order: Order, lines: list[ReturnRequestLine], new_items: list[NewItem],
                     shipping: ShippingChoice | None, return_shipping: Decimal = ZERO,
                     customer_pays_return_shipping: bool = False) -> ExchangeOutcome:  # fmt: skip
    """What an exchange would leave, without changing anything (the form's live figure)."""
    actions = [StagedAction(RETURN_ITEM, item_id=line.item_id, quantity=line.quantity)
               for line in lines if line.quantity]  # fmt: skip
    actions += outbound_steps(order, new_items, shipping)
    if customer_pays_return_shipping and return_shipping > ZERO:
        actions.append(shipping_step(order, name="Return shipping", amount=return_shipping))
    proposed = preview_actions(order, actions, promotions=False).proposed
    check_proposed(proposed)
    return outcome(proposed, {line.item_id: line.quantity for line in lines if line.quantity})


def create_exchange(order: Order, expected: int, lines: list[ReturnRequestLine],
                    new_items: list[NewItem], *, location_id: int,
                    shipping: ShippingChoice | None = None, return_shipping_name: str = "",
                    return_shipping_amount: Decimal = ZERO,
                    customer_pays_return_shipping: bool = False, note: str = "",
                    actor: str) -> Exchange:  # fmt: skip
    """Exchange units of the order for new items: the units are asked back (a return, credited
    on arrival), the new items (catalogue prices in the order's currency, the region's taxes)
    and their shipping go on the order with their stock held, all in the order's next
    version; the return shipping is charged on the order when the customer pays it."""
    bump_lock_version(order, expected)
    outbound = outbound_steps(order, new_items, shipping)
    return_ = start_return(
        order, ChangeType.EXCHANGE, lines, location_id=location_id, note=note,
        return_shipping_name=return_shipping_name, return_shipping_amount=return_shipping_amount,
        deduct_shipping=customer_pays_return_shipping, actor=actor, outbound=outbound,
    )  # fmt: skip
    check_proposed(order_state(order))
    result = outcome(order_state(order), {part.item_id: part.quantity for part in return_.items})
    change = return_.change
    change.difference = result.difference
    exchange = Exchange(order_id=order.id, change=change, return_=return_, note=note.strip(),
                        new_total=result.new_total, difference=result.difference,
                        created_by=actor)  # fmt: skip
    db.session.add(exchange)
    db.session.flush()
    items = {item.id: item for item in order.items}
    record_event(order, "order.exchange_created", actor,
                 f"Exchange #{exchange.id}: " + ", ".join(
                     f"{part.quantity} × {items[part.item_id].title}" for part in return_.items)
                 + " for " + ", ".join(f"{step.quantity} × {step.title}" for step in outbound
                                       if step.quantity)
                 + f"; {result.difference_text} once the return arrives",
                 {"exchange_id": exchange.id, "return_id": return_.id, "version": order.version,
                  "new_total": str(result.new_total),
                  "difference": str(result.difference)})  # fmt: skip
    return exchange
