"""Order changes, step by step: begin, stage actions, request the customer's confirmation,
confirm, decline, cancel; and settling the difference a confirmed change leaves.

Each public function is one action against the order's lock version (``bump_lock_version``):
guards, change, timeline event and outbox event; the caller commits once or rolls back. The
order itself is touched only by ``confirm_change``, which writes what the preview showed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app.catalog.calculations import PERCENTAGE, AppliedPromotion
from app.catalog.models import ProductVariant, ShippingOption
from app.changes.calculations import (
    ITEM_ADD,
    ITEM_REMOVE,
    ITEM_UPDATE,
    SHIPPING_ADD,
    SHIPPING_REMOVE,
    ChangeProblem,
    LineChange,
    OrderState,
    Pricing,
    StagedAction,
    apply_actions,
    compare_lines,
    compare_shipping,
)
from app.changes.models import (
    OPEN_STATUSES,
    ActionType,
    ChangeStatus,
    ChangeType,
    LinkPurpose,
    OrderChange,
    OrderChangeAction,
    OrderChangeLink,
    OrderVersion,
)
from app.changes.snapshots import order_state, snapshot
from app.db_types import utcnow
from app.draft_orders.pricing import sync_rows
from app.extensions import db
from app.inventory.actions import release_units, reserve_units
from app.money import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    MoneyError,
    check_amount,
    check_line,
    check_order_total,
    format_money,
)
from app.orders.actions import OrderActionError, bump_lock_version, record_event, refresh_derived
from app.orders.models import (
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    OrderStatus,
    ShippingMethod,
    ShippingMethodAdjustment,
    ShippingMethodTaxLine,
)

#: Who a customer's step through their emailed link is recorded as.
CUSTOMER_VIA_LINK = "customer via link"


class ChangeError(OrderActionError):
    """An order change the order or the change's state does not allow."""


class LinkError(ChangeError):
    """A customer's link that no longer works: ``status`` is the page's HTTP status."""

    def __init__(self, message: str, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


#: Orders whose lines may still change.
_EDITABLE = (OrderStatus.PENDING, OrderStatus.COMPLETED, OrderStatus.REQUIRES_ACTION)


def edit_problem(order: Order) -> str | None:
    """Why the order cannot be edited now, or ``None``: the order page and the actions ask."""
    if order.status not in _EDITABLE:
        return f"A {order.status.value} order cannot be edited."
    return None


def open_change(order_id: int) -> OrderChange | None:
    """The order's open change (pending or requested), if it has one."""
    return db.session.scalar(select(OrderChange).where(
        OrderChange.order_id == order_id,
        OrderChange.status.in_(OPEN_STATUSES)))  # fmt: skip


def _change(order: Order, change_id: int) -> OrderChange:
    change = db.session.get(OrderChange, change_id)
    if change is None or change.order_id != order.id:
        raise ChangeError("That change is not on this order.")
    return change


def _open(change: OrderChange, *statuses: ChangeStatus) -> None:
    allowed = statuses or OPEN_STATUSES
    if change.status not in allowed:
        raise ChangeError(f"This edit is {change.status.value}; it can no longer change.")


def begin_edit(order: Order, expected: int, actor: str, internal_note: str = "") -> OrderChange:
    """Open an edit of the order; refused while another change is open."""
    bump_lock_version(order, expected)
    problem = edit_problem(order)
    if problem:
        raise ChangeError(problem)
    existing = open_change(order.id)
    if existing is not None:
        raise ChangeError(
            f"This order already has an open {existing.change_type.value} "
            f"({existing.status.value}); finish or cancel it first."
        )
    change = OrderChange(order_id=order.id, change_type=ChangeType.EDIT, created_by=actor,
                         internal_note=internal_note.strip())  # fmt: skip
    db.session.add(change)
    db.session.flush()
    record_event(order, "order-edit.created", actor, "Edit started",
                 {"change_id": change.id})  # fmt: skip
    return change


def _pricing(order: Order) -> Pricing:
    region = order.region
    return Pricing(
        is_tax_inclusive=bool(region and region.is_tax_inclusive),
        tax_rates=tuple(region.tax_rates) if region else (),
        # A percentage code of the order takes its share off new lines too; a fixed amount was
        # spent on the lines it was applied to.
        promotions=tuple(AppliedPromotion(p.code, p.promotion_id, p.promotion.terms)
                         for p in order.promotions
                         if p.promotion.terms.type == PERCENTAGE),
    )  # fmt: skip


def staged(change: OrderChange) -> list[StagedAction]:
    """The change's actions as plain values, in their order."""
    return [StagedAction(
        action=ActionType(a.action).value, id=a.id, item_id=a.item_id,
        shipping_method_id=a.shipping_method_id, variant_id=a.variant_id, sku=a.sku,
        title=a.title, subtitle=a.subtitle, product_type=a.product_type, thumbnail=a.thumbnail,
        quantity=a.quantity, unit_price=a.unit_price, shipping_option_id=a.shipping_option_id,
    ) for a in change.actions]  # fmt: skip


@dataclass(frozen=True)
class Preview:
    """The order now and as the change would leave it, line by line, and what is left to
    settle: positive, to collect; negative, to refund."""

    current: OrderState
    proposed: OrderState
    lines: list[LineChange]

    @property
    def difference(self) -> Decimal:
        return self.proposed.totals.outstanding_amount


def preview(order: Order, change: OrderChange) -> Preview:
    """The change applied to a copy of the order; ``ChangeError`` when it no longer can be (a
    fulfillment since made a removal impossible)."""
    return preview_actions(order, staged(change))


def preview_actions(order: Order, actions: list[StagedAction],
                    promotions: bool = True) -> Preview:  # fmt: skip
    """``actions`` applied to a copy of the order, new lines priced by its region (and its
    percentage promotions, unless ``promotions`` is false); ``ChangeError`` when they cannot
    be."""
    pricing = _pricing(order)
    if not promotions:
        pricing = replace(pricing, promotions=())
    current = order_state(order)
    try:
        proposed = apply_actions(current, actions, pricing)
    except ChangeProblem as problem:
        raise ChangeError(str(problem)) from None
    return Preview(current, proposed, compare_lines(current.items, proposed.items))


def _checked_price(amount: Decimal, currency: str) -> Decimal:
    try:
        return check_amount(amount, currency, maximum=MAX_AMOUNT)
    except MoneyError as error:
        raise ChangeError(str(error)) from None


def _checked_quantity(quantity: int, low: int) -> int:
    if not low <= quantity <= MAX_QUANTITY:
        raise ChangeError(f"The quantity must be between {low} and {MAX_QUANTITY:,}.")
    return quantity


def _stage(order: Order, expected: int, change_id: int, actor: str,
           edit) -> OrderChange:  # fmt: skip
    """Lock the order, find the pending change, let ``edit`` change its actions, and check
    the change still applies; a refusal leaves the actions as they were (rollback)."""
    bump_lock_version(order, expected)
    change = _change(order, change_id)
    if change.status == ChangeStatus.REQUESTED:
        raise ChangeError("This edit was sent to the customer; cancel it to change it.")
    _open(change, ChangeStatus.PENDING)
    problem = edit_problem(order)
    if problem:
        raise ChangeError(problem)
    edit(change)
    db.session.flush()
    check_proposed(preview(order, change).proposed)
    return change


def check_proposed(proposed: OrderState) -> None:
    """Refuse an order a change would leave with a line or a total too large to keep."""
    try:
        for line in proposed.items:
            check_line(line.unit_price, line.quantity)
        check_order_total(proposed.totals.total)
    except MoneyError as error:
        raise ChangeError(str(error)) from None


def _append(change: OrderChange, actor: str, **values) -> OrderChangeAction:
    # Orderings only grow: a dropped step leaves a gap, never a renumbering.
    last = max((a.ordering for a in change.actions), default=0)
    action = OrderChangeAction(ordering=last + 1, created_by=actor, **values)
    change.actions.append(action)
    return action


def record_actions(change: OrderChange, actions: Sequence[StagedAction], actor: str) -> None:
    """Keep ``actions`` as the change's steps, in their order (a change confirmed at once: a
    return's, an exchange's, a claim's)."""
    for action in actions:
        values = {f.name: getattr(action, f.name) for f in fields(action) if f.name != "id"}
        _append(change, actor, **values)


def add_variant(order: Order, expected: int, change_id: int, variant_id: int, quantity: int,
                actor: str) -> OrderChange:  # fmt: skip
    """Stage a catalogue variant at its price in the order's currency."""
    step = variant_step(order, db.session.get(ProductVariant, variant_id), quantity)

    def edit(change: OrderChange) -> None:
        existing = next((a for a in change.actions if a.action == ITEM_ADD
                         and a.variant_id == step.variant_id and a.unit_price == step.unit_price),
                        None)  # fmt: skip
        if existing is not None:
            existing.quantity += step.quantity
            return
        record_actions(change, [step], actor)

    return _stage(order, expected, change_id, actor, edit)


def variant_step(order: Order, variant: ProductVariant | None, quantity: int) -> StagedAction:
    """Adding ``quantity`` of a catalogue variant at its price in the order's currency."""
    if variant is None:
        raise ChangeError("That product is no longer in the catalogue.")
    price = variant.price_in(order.currency_code)
    if price is None:
        raise ChangeError(f"{variant.full_title} has no price in {order.currency_code}.")
    product = variant.product
    return StagedAction(ITEM_ADD, variant_id=variant.id, sku=variant.sku or "",
                        title=product.title, subtitle=variant.title,
                        product_type=product.product_type, thumbnail=product.thumbnail,
                        quantity=_checked_quantity(quantity, 1), unit_price=price)  # fmt: skip


def custom_step(order: Order, title: str, unit_price: Decimal, quantity: int) -> StagedAction:
    """Adding an item that is not in the catalogue, at the price staff give."""
    title = title.strip()
    if not title:
        raise ChangeError("Give the item a title.")
    return StagedAction(ITEM_ADD, title=title[:300], quantity=_checked_quantity(quantity, 1),
                        unit_price=_checked_price(unit_price, order.currency_code))  # fmt: skip


def add_custom_item(order: Order, expected: int, change_id: int, *, title: str,
                    unit_price: Decimal, quantity: int, actor: str) -> OrderChange:  # fmt: skip
    """Stage an item that is not in the catalogue, at the price staff give."""
    step = custom_step(order, title, unit_price, quantity)
    return _stage(order, expected, change_id, actor,
                  lambda change: record_actions(change, [step], actor))


def update_item(order: Order, expected: int, change_id: int, item_id: int, *,
                quantity: int | None, unit_price: Decimal | None,
                actor: str) -> OrderChange:  # fmt: skip
    """Stage a new quantity and/or unit price for a line of the order (0 units removes it; a
    price of 0 is a price). One action per line: a later one replaces the earlier."""
    if quantity is None and unit_price is None:
        raise ChangeError("Give a quantity or a unit price.")
    if quantity is not None:
        _checked_quantity(quantity, 0)
    price = None if unit_price is None else _checked_price(unit_price, order.currency_code)

    def edit(change: OrderChange) -> None:
        _drop_line_actions(change, item_id)
        _append(change, actor, action=ITEM_UPDATE, item_id=item_id, quantity=quantity,
                unit_price=price)  # fmt: skip

    return _stage(order, expected, change_id, actor, edit)


def remove_item(order: Order, expected: int, change_id: int, item_id: int,
                actor: str) -> OrderChange:  # fmt: skip
    """Stage taking a line off the order."""
    def edit(change: OrderChange) -> None:
        _drop_line_actions(change, item_id)
        _append(change, actor, action=ITEM_REMOVE, item_id=item_id)

    return _stage(order, expected, change_id, actor, edit)


def _drop_line_actions(change: OrderChange, item_id: int) -> None:
    for action in [a for a in change.actions if a.item_id == item_id]:
        change.actions.remove(action)
    # Deleted now: the step that replaces the last one takes its ordering, and the flush would
    # insert it before deleting the old one, which (change_id, ordering) refuses.
    db.session.flush()


def update_added(order: Order, expected: int, change_id: int, action_id: int, *,
                 quantity: int, unit_price: Decimal | None, actor: str) -> OrderChange:  # fmt: skip
    """Change the quantity (or price) of a line the change adds; 0 units drops it."""
    _checked_quantity(quantity, 0)
    price = None if unit_price is None else _checked_price(unit_price, order.currency_code)

    def edit(change: OrderChange) -> None:
        action = _added(change, action_id)
        if quantity == 0:
            change.actions.remove(action)
            return
        action.quantity = quantity
        if price is not None:
            action.unit_price = price

    return _stage(order, expected, change_id, actor, edit)


def drop_action(order: Order, expected: int, change_id: int, action_id: int,
                actor: str) -> OrderChange:  # fmt: skip
    """Undo one staged action: an added line or shipping method, an update, a removal."""
    return _stage(order, expected, change_id, actor,
                  lambda change: change.actions.remove(_added(change, action_id, any_kind=True)))


def _added(change: OrderChange, action_id: int, any_kind: bool = False) -> OrderChangeAction:
    action = next((a for a in change.actions if a.id == action_id
                   and (any_kind or a.action == ITEM_ADD)), None)  # fmt: skip
    if action is None:
        raise ChangeError("That step is no longer part of this edit.")
    return action


def add_shipping(order: Order, expected: int, change_id: int, *, actor: str,
                 option_id: int | None = None, name: str = "",
                 amount: Decimal | None = None) -> OrderChange:  # fmt: skip
    """Stage a shipping method: one of the region's options, or a name and an amount."""
    step = shipping_step(order, option_id=option_id, name=name, amount=amount)
    return _stage(order, expected, change_id, actor,
                  lambda change: record_actions(change, [step], actor))


def shipping_step(order: Order, *, option_id: int | None = None, name: str = "",
                  amount: Decimal | None = None) -> StagedAction:  # fmt: skip
    """Adding a shipping method: one of the region's options, or a name and an amount."""
    if option_id is not None:
        option = db.session.get(ShippingOption, option_id)
        if option is None or not option.is_active or option.region_id != order.region_id:
            raise ChangeError("That shipping option is not offered in this order's region.")
        name, amount = option.name, option.amount
    name = name.strip()
    if not name or amount is None:
        raise ChangeError("Give the shipping method a name and an amount.")
    return StagedAction(SHIPPING_ADD, title=name[:300], shipping_option_id=option_id,
                        unit_price=_checked_price(amount, order.currency_code))  # fmt: skip


def remove_shipping(order: Order, expected: int, change_id: int, shipping_method_id: int,
                    actor: str) -> OrderChange:  # fmt: skip
    """Stage taking a shipping method off the order."""
    def edit(change: OrderChange) -> None:
        if any(a.shipping_method_id == shipping_method_id for a in change.actions):
            raise ChangeError("That shipping method is already being removed.")
        _append(change, actor, action=SHIPPING_REMOVE, shipping_method_id=shipping_method_id)

    return _stage(order, expected, change_id, actor, edit)


def set_note(order: Order, expected: int, change_id: int, note: str, actor: str) -> None:
    """The change's internal note, for staff only."""
    bump_lock_version(order, expected)
    change = _change(order, change_id)
    _open(change)
    change.internal_note = note.strip()


def _link_days() -> int:
    return int(current_app.config["ORDER_EDIT_LINK_DAYS"])


def _void_links(change: OrderChange, now: datetime) -> None:
    for link in db.session.scalars(select(OrderChangeLink).where(
            OrderChangeLink.change_id == change.id, OrderChangeLink.voided_at.is_(None),
            OrderChangeLink.used_at.is_(None))):  # fmt: skip
        link.voided_at = now


def _summary(preview_: Preview, currency: str) -> dict:
    return {"total": str(preview_.proposed.totals.total),
            "pending_difference": str(preview_.difference),
            "difference_text": difference_text(preview_.difference, currency)}  # fmt: skip


def difference_text(difference: Decimal, currency: str) -> str:
    """What the difference means for the customer, in words."""
    if difference > 0:
        return f"{format_money(difference, currency)} to pay"
    if difference < 0:
        return f"{format_money(-difference, currency)} to be refunded"
    return "nothing to pay or refund"


def request_confirmation(order: Order, expected: int, change_id: int, actor: str) -> OrderChange:
    """Send the change to the customer: the outbox emails them a link (unless the order says
    ``no_notification``); any older link stops working."""
    bump_lock_version(order, expected)
    change = _change(order, change_id)
    _open(change)
    if not change.actions:
        raise ChangeError("Stage at least one change before asking the customer.")
    if not order.email:
        raise ChangeError("The order has no email to send the request to.")
    summary = _summary(preview(order, change), order.currency_code)
    now = utcnow()
    _void_links(change, now)
    change.status = ChangeStatus.REQUESTED
    change.requested_by, change.requested_at = actor, now
    record_event(order, "order-edit.requested", actor,
                 f"Edit sent to {order.email} to confirm", {"change_id": change.id,
                 "requested_at": now.isoformat(), **summary})  # fmt: skip
    return change


def issue_link(change: OrderChange, requested_at: str) -> str | None:
    """A new link for the customer, when the request it is for is still the change's latest
    and open (the email of an older request gets none): the token, which only the email
    carries."""
    if change.status != ChangeStatus.REQUESTED or change.requested_at is None:
        return None
    if change.requested_at.isoformat() != requested_at:
        return None
    expires = utcnow() + timedelta(days=_link_days())
    link, token = OrderChangeLink.issue(LinkPurpose.ORDER_EDIT, change.order_id, expires,
                                        change=change)
    db.session.add(link)
    return token


def link_for(token: str) -> OrderChangeLink:
    """The link a customer opened; ``LinkError`` (404) for one that never existed."""
    link = OrderChangeLink.find(token)
    if link is None:
        raise LinkError("This link is not valid. Check that it was copied whole.", 404)
    return link


#: What a customer's unused link says once the change was closed without it (staff confirmed
#: or declined it on the customer's word, or withdrew it).
_CLOSED_LINK = {
    ChangeStatus.CONFIRMED: "This change was already confirmed, and your order updated.",
    ChangeStatus.DECLINED: "This change was already declined; your order stays as it was.",
    ChangeStatus.CANCELED: "The store withdrew this proposal; your order stays as it was.",
}


def link_problem(link: OrderChangeLink, now: datetime | None = None) -> LinkError | None:
    """Why the link cannot confirm or decline any more; ``None`` while it can."""
    now = now or utcnow()
    if link.used_at is not None:
        return LinkError("You have already answered this proposal.")
    status = link.change.status
    if status != ChangeStatus.REQUESTED:
        return LinkError(_CLOSED_LINK[status])
    if link.voided_at is not None:
        return LinkError("The store replaced this proposal with a newer one: use the link in "
                         "its latest email.")  # fmt: skip
    if now >= link.expires_at:
        return LinkError("This link has expired. Ask the store to send the proposal again.")
    return None


def _taxes(line) -> list[dict]:
    return [{"code": t.code, "name": t.name, "rate": t.rate} for t in line.tax_lines]


def _discounts(line) -> list[dict]:
    return [{"code": a.code, "amount": a.amount, "description": a.description,
             "promotion_id": a.promotion_id} for a in line.adjustments]  # fmt: skip


def _answerable(order: Order, expected: int, change_id: int,
                link: OrderChangeLink | None) -> OrderChange:  # fmt: skip
    """Lock the order and find the change to confirm or decline; through a customer's link,
    only while the link still works."""
    bump_lock_version(order, expected)
    change = _change(order, change_id)
    if link is not None:
        problem = link_problem(link)
        if problem:
            raise problem
    return change


def confirm_change(order: Order, expected: int, change_id: int, actor: str,
                   link: OrderChangeLink | None = None) -> OrderChange:  # fmt: skip
    """Apply the change: the lines, tax lines and discounts the preview shows, stock held or
    given back, the next order version with its snapshot. Refused, with nothing applied, when
    the change no longer fits the order or the stock is short."""
    change = _answerable(order, expected, change_id, link)
    _open(change)
    problem = edit_problem(order)
    if problem:
        raise ChangeError(problem)
    result = preview(order, change)
    if not change.actions:
        raise ChangeError("This edit changes nothing yet.")
    now = apply_change(order, change, actor, lambda: write_preview(order, result))
    change.difference = result.difference
    if link is not None:
        link.used_at = now
    _void_links(change, now)
    record_event(order, "order-edit.confirmed", actor, f"Edit confirmed: version {order.version}",
                 {"change_id": change.id, "version": order.version,
                  **_summary(result, order.currency_code)})  # fmt: skip
    return change


def apply_change(order: Order, change: OrderChange, actor: str,
                 write: Callable[[], None]) -> datetime:  # fmt: skip
    """Make the order's next version out of ``change``, confirmed by ``actor``: the current
    version's snapshot is kept (when missing), ``write`` changes the order's rows, then the
    derived figures, the new version and its snapshot. Edits, returns, exchanges and claims
    all end here. Returns the moment of confirmation."""
    _keep_version(order, order_state(order), None)
    write()
    # The new lines' ids, which the snapshot keeps to match lines across versions.
    db.session.flush()
    order.version += 1
    refresh_derived(order)
    now = utcnow()
    change.status = ChangeStatus.CONFIRMED
    change.confirmed_by, change.confirmed_at = actor, now
    change.confirmed_version = order.version
    _keep_version(order, order_state(order), change.id)
    return now


def _keep_version(order: Order, state: OrderState, change_id: int | None) -> None:
    """Store the snapshot of the order's current version, unless it is kept already (orders
    placed before versions were kept have none for version 1)."""
    kept = db.session.scalar(select(OrderVersion.id).where(
        OrderVersion.order_id == order.id, OrderVersion.version == order.version))  # fmt: skip
    if kept is None:
        db.session.add(OrderVersion(order_id=order.id, version=order.version,
                                    change_id=change_id, snapshot=snapshot(state)))  # fmt: skip


def write_preview(order: Order, result: Preview) -> None:
    """Make the order's lines what the preview proposes; hold and release stock to match."""
    items = {i.id: i for i in order.items}
    for pair in result.lines:
        before, after = pair.before, pair.after
        if pair.kind == "unchanged":
            continue
        if after is None:
            item = items[before.id]
            release_units(order, item, item.quantity - item.fulfilled_quantity)
            order.items.remove(item)
            continue
        if before is None:
            item = LineItem(
                title=after.title, subtitle=after.subtitle, sku=after.sku,
                variant_id=after.variant_id, product_type=after.product_type,
                thumbnail=after.thumbnail, unit_price=after.unit_price, quantity=after.quantity,
                is_tax_inclusive=after.is_tax_inclusive, is_custom_price=after.is_custom_price,
            )  # fmt: skip
            order.items.append(item)
            old_quantity = 0
        else:
            item = items[before.id]
            old_quantity = item.quantity
            item.quantity, item.unit_price = after.quantity, after.unit_price
            item.is_custom_price = after.is_custom_price
            item.return_requested_quantity = after.return_requested_quantity
        sync_rows(item.tax_lines, _taxes(after), LineItemTaxLine)
        sync_rows(item.adjustments, _discounts(after), LineItemAdjustment)
        if after.quantity > old_quantity:
            reserve_units(order, item, after.quantity - old_quantity)
        elif after.quantity < old_quantity:
            release_units(order, item, old_quantity - after.quantity)
    methods = {m.id: m for m in order.shipping_methods}
    for pair in compare_shipping(result.current.shipping_methods,
                                 result.proposed.shipping_methods):  # fmt: skip
        added = pair.after
        if pair.kind == "removed":
            order.shipping_methods.remove(methods[pair.before.id])
        elif pair.kind == "added":
            method = ShippingMethod(name=added.name, amount=added.amount,
                                    shipping_option_id=added.shipping_option_id,
                                    is_tax_inclusive=added.is_tax_inclusive)  # fmt: skip
            sync_rows(method.tax_lines, _taxes(added), ShippingMethodTaxLine)
            sync_rows(method.adjustments, _discounts(added), ShippingMethodAdjustment)
            order.shipping_methods.append(method)
    order.forget_totals()


def decline_change(order: Order, expected: int, change_id: int, reason: str, actor: str,
                   link: OrderChangeLink | None = None) -> OrderChange:  # fmt: skip
    """The customer (or staff on their word) turns the change down; the order stays as it was."""
    change = _answerable(order, expected, change_id, link)
    _open(change, ChangeStatus.REQUESTED)
    now = utcnow()
    change.status = ChangeStatus.DECLINED
    change.declined_by, change.declined_at = actor, now
    change.declined_reason = reason.strip()[:2000]
    if link is not None:
        link.used_at = now
    _void_links(change, now)
    record_event(order, "order-edit.declined", actor,
                 "Edit declined" + (f": {change.declined_reason}" if change.declined_reason
                                    else ""), {"change_id": change.id})  # fmt: skip
    return change


def cancel_change(order: Order, expected: int, change_id: int, actor: str) -> OrderChange:
    """Staff call the change off; its links stop working and the order stays as it was."""
    bump_lock_version(order, expected)
    change = _change(order, change_id)
    _open(change)
    was_requested = change.status == ChangeStatus.REQUESTED
    now = utcnow()
    change.status = ChangeStatus.CANCELED
    change.canceled_by, change.canceled_at = actor, now
    _void_links(change, now)
    record_event(order, "order-edit.canceled", actor, "Edit canceled",
                 {"change_id": change.id, "was_requested": was_requested})  # fmt: skip
    return change
