"""The preview of an order change, as pure functions over plain values: no Flask, no
SQLAlchemy.

``apply_actions`` takes the order as it is (``OrderState``, built by ``app.changes.snapshots``)
and the staged actions, and gives the order as it would be: the same figures the confirmation
writes, so what staff and the customer see is what happens. Totals come from the money engine
(``app.orders.calculations.order_totals``) on these values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from app.catalog.calculations import AppliedPromotion, share_promotions, tax_rates_for
from app.money import ZERO, round_money
from app.orders.calculations import Charge, GiftCardUse, OrderTotals, charge_totals, order_totals

ITEM_ADD = "ITEM_ADD"
ITEM_UPDATE = "ITEM_UPDATE"
ITEM_REMOVE = "ITEM_REMOVE"
SHIPPING_ADD = "SHIPPING_ADD"
SHIPPING_REMOVE = "SHIPPING_REMOVE"
RETURN_ITEM = "RETURN_ITEM"


class ChangeProblem(Exception):
    """An action the order cannot take, in words staff (or the customer) understand."""


@dataclass(frozen=True)
class TaxLine:
    code: str
    name: str
    rate: Decimal


@dataclass(frozen=True)
class Adjustment:
    code: str
    amount: Decimal
    description: str = ""
    promotion_id: int | None = None


@dataclass(frozen=True)
class Line:
    """A line item as a change sees it. ``id`` is the order's line; a line the change adds has
    none, and ``action_id`` names its ``ITEM_ADD``."""

    title: str
    unit_price: Decimal
    quantity: int
    id: int | None = None
    action_id: int | None = None
    subtitle: str = ""
    sku: str = ""
    variant_id: int | None = None
    product_type: str = ""
    thumbnail: str = ""
    fulfilled_quantity: int = 0
    shipped_quantity: int = 0
    #: Units asked back by a return and not received yet; received back (restocked or
    #: damaged); written off by a claim without coming back; and credited (no longer paid
    #: for: their share comes off the total). Returns, exchanges and claims change these, and
    #: versions keep them.
    return_requested_quantity: int = 0
    returned_quantity: int = 0
    written_off_quantity: int = 0
    credited_quantity: int = 0
    is_tax_inclusive: bool = False
    is_custom_price: bool = False
    tax_lines: tuple[TaxLine, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def returns(self) -> tuple[int, int, int, int]:
        """Asked back, returned, written off, credited."""
        return (self.return_requested_quantity, self.returned_quantity,
                self.written_off_quantity, self.credited_quantity)

    @property
    def returnable_quantity(self) -> int:
        """Units that can still be asked back or claimed: shipped, less those asked back,
        returned or written off already."""
        return max(self.shipped_quantity - self.return_requested_quantity
                   - self.returned_quantity - self.written_off_quantity, 0)  # fmt: skip

    @property
    def charge(self) -> Charge:
        return Charge(self.unit_price, self.quantity, self.is_tax_inclusive,
                      tuple(t.rate for t in self.tax_lines),
                      tuple(a.amount for a in self.adjustments),
                      self.credited_quantity)  # fmt: skip


@dataclass(frozen=True)
class Shipping:
    """A shipping method as a change sees it; one the change adds has no ``id``."""

    name: str
    amount: Decimal
    id: int | None = None
    action_id: int | None = None
    shipping_option_id: int | None = None
    is_tax_inclusive: bool = False
    tax_lines: tuple[TaxLine, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def charge(self) -> Charge:
        return Charge(self.amount, 1, self.is_tax_inclusive,
                      tuple(t.rate for t in self.tax_lines),
                      tuple(a.amount for a in self.adjustments))  # fmt: skip


@dataclass(frozen=True)
class OrderState:
    """An order's lines and money, as plain values."""

    currency_code: str
    items: tuple[Line, ...]
    shipping_methods: tuple[Shipping, ...] = ()
    gift_cards: tuple[GiftCardUse, ...] = ()
    credit_lines: tuple[Decimal, ...] = ()
    captured: tuple[Decimal, ...] = ()
    refunded: tuple[Decimal, ...] = ()
    authorized: tuple[Decimal, ...] = ()

    @property
    def totals(self) -> OrderTotals:
        return order_totals(
            self.currency_code, [i.charge for i in self.items],
            [s.charge for s in self.shipping_methods], self.gift_cards, self.credit_lines,
            self.captured, self.refunded, self.authorized,
        )  # fmt: skip


@dataclass(frozen=True)
class Pricing:
    """How lines a change adds are taxed and discounted: the region's rates (objects with
    ``code``, ``name``, ``rate``, ``product_type``, ``is_default``), whether its prices
    include tax, and the order's promotions that also apply to new lines."""

    is_tax_inclusive: bool = False
    tax_rates: Sequence = ()
    promotions: Sequence[AppliedPromotion] = field(default_factory=tuple)


@dataclass(frozen=True)
class StagedAction:
    """An ``OrderChangeAction`` as plain values. For a line: ``title``, ``quantity`` and
    ``unit_price``; for shipping: ``title`` is the method's name, ``unit_price`` its amount."""

    action: str
    id: int | None = None
    item_id: int | None = None
    shipping_method_id: int | None = None
    variant_id: int | None = None
    sku: str = ""
    title: str = ""
    subtitle: str = ""
    product_type: str = ""
    thumbnail: str = ""
    quantity: int | None = None
    unit_price: Decimal | None = None
    shipping_option_id: int | None = None


def _taxed(rates: Sequence, product_type: str | None) -> tuple[TaxLine, ...]:
    return tuple(TaxLine(r.code, r.name, r.rate) for r in tax_rates_for(rates, product_type))


def scale_adjustments(adjustments: Sequence[Adjustment], old_quantity: int,
                      new_quantity: int, currency: str) -> tuple[Adjustment, ...]:  # fmt: skip
    """A line's discounts when its quantity changes: each in proportion, rounded half up as
    adjustments are, so what a removed unit refunds is what was paid for it."""
    if old_quantity == new_quantity:
        return tuple(adjustments)
    return tuple(
        replace(a, amount=round_money(a.amount * new_quantity / old_quantity, currency))
        for a in adjustments
    )


def _line(state: OrderState, items: dict, item_id: int | None) -> Line:
    line = items.get(item_id)
    if line is None:
        raise ChangeProblem("That line is not on this order.")
    return line


def apply_actions(
    state: OrderState, actions: Sequence[StagedAction], pricing: Pricing
) -> OrderState:
    """The order as it would be with ``actions`` applied in turn; ``ChangeProblem`` when one
    cannot be (a quantity below what was fulfilled, a fulfilled line removed, a line twice)."""
    currency = state.currency_code
    items: dict[int | None, Line] = {line.id: line for line in state.items}
    shipping: dict[int | None, Shipping] = {s.id: s for s in state.shipping_methods}
    added: list[Line] = []
    added_shipping: list[Shipping] = []
    for action in actions:
        if action.action == ITEM_ADD:
            added.append(Line(
                title=action.title, unit_price=action.unit_price or ZERO,
                quantity=action.quantity or 0, action_id=action.id, subtitle=action.subtitle,
                sku=action.sku, variant_id=action.variant_id, product_type=action.product_type,
                thumbnail=action.thumbnail, is_tax_inclusive=pricing.is_tax_inclusive,
                is_custom_price=action.variant_id is None,
                tax_lines=_taxed(pricing.tax_rates, action.product_type or None),
            ))  # fmt: skip
        elif action.action == ITEM_UPDATE:
            items[action.item_id] = _updated(_line(state, items, action.item_id), action,
                                             currency)  # fmt: skip
        elif action.action == ITEM_REMOVE:
            line = _line(state, items, action.item_id)
            if line.fulfilled_quantity:
                raise ChangeProblem(
                    f"{line.title}: {line.fulfilled_quantity} already fulfilled; a fulfilled "
                    "line cannot be removed (lower it to the fulfilled quantity instead)."
                )
            del items[action.item_id]
        elif action.action == SHIPPING_ADD:
            added_shipping.append(Shipping(
                name=action.title, amount=action.unit_price or ZERO, action_id=action.id,
                shipping_option_id=action.shipping_option_id,
                is_tax_inclusive=pricing.is_tax_inclusive,
                tax_lines=_taxed(pricing.tax_rates, None),
            ))  # fmt: skip
        elif action.action == RETURN_ITEM:
            line = _line(state, items, action.item_id)
            units = action.quantity or 0
            if not 0 < units <= line.returnable_quantity:
                raise ChangeProblem(f"{line.title}: {line.returnable_quantity} can be returned, "
                                    f"not {units}.")  # fmt: skip
            items[action.item_id] = replace(
                line, return_requested_quantity=line.return_requested_quantity + units)
        elif action.action == SHIPPING_REMOVE:
            if action.shipping_method_id not in shipping or action.shipping_method_id is None:
                raise ChangeProblem("That shipping method is not on this order.")
            del shipping[action.shipping_method_id]
        else:
            raise ChangeProblem(f"Unknown action {action.action}.")
    added, added_shipping = _discounted(added, added_shipping, pricing, currency)
    kept = tuple(line for line in items.values() if line.quantity > 0)
    return replace(state, items=kept + tuple(added),
                   shipping_methods=tuple(shipping.values()) + tuple(added_shipping))  # fmt: skip


def _updated(line: Line, action: StagedAction, currency: str) -> Line:
    quantity = line.quantity if action.quantity is None else action.quantity
    if quantity < line.fulfilled_quantity:
        raise ChangeProblem(
            f"{line.title}: {line.fulfilled_quantity} already fulfilled; the quantity cannot "
            f"go below that (asked for {quantity})."
        )
    if action.unit_price is not None and action.unit_price != line.unit_price:
        # The price staff type is what a unit costs now: the old discounts do not come on top.
        return replace(line, quantity=quantity, unit_price=action.unit_price,
                       is_custom_price=True, adjustments=())  # fmt: skip
    return replace(line, quantity=quantity, adjustments=scale_adjustments(
        line.adjustments, line.quantity, quantity, currency))  # fmt: skip


def _discounted(added: list[Line], added_shipping: list[Shipping], pricing: Pricing,
                currency: str) -> tuple[list[Line], list[Shipping]]:  # fmt: skip
    """New lines get the order's promotions that apply to them (the builder's sharing)."""
    if not pricing.promotions or not (added or added_shipping):
        return added, added_shipping
    on_items, on_shipping = share_promotions(
        pricing.promotions,
        [charge_totals(line.charge, currency).subtotal for line in added],
        [charge_totals(s.charge, currency).subtotal for s in added_shipping],
        currency,
    )

    def adjusted(amounts):
        return tuple(Adjustment(a.code, a.amount, f"Promotion {a.code}", a.promotion_id)
                     for a in amounts)  # fmt: skip

    return (
        [replace(line, adjustments=adjusted(a)) for line, a in zip(added, on_items, strict=True)],
        [replace(s, adjustments=adjusted(a)) for s, a in zip(added_shipping, on_shipping,
                                                               strict=True)],
    )  # fmt: skip


def credit_requested(state: OrderState, units: dict[int, int]) -> OrderState:
    """The order once returned units arrive and are credited: ``units`` per line id, taken
    from those asked back. What an exchange's difference is worked out on."""
    items = []
    for line in state.items:
        count = units.get(line.id, 0) if line.id is not None else 0
        if count > line.return_requested_quantity:
            raise ChangeProblem(f"{line.title}: {line.return_requested_quantity} asked back, "
                                f"not {count}.")  # fmt: skip
        items.append(replace(
            line, return_requested_quantity=line.return_requested_quantity - count,
            returned_quantity=line.returned_quantity + count,
            credited_quantity=line.credited_quantity + count) if count else line)
    return replace(state, items=tuple(items))


def pending_difference(proposed: OrderState) -> Decimal:
    """What the change leaves to settle: the proposed total less what the customer has paid
    and not been refunded. Positive: to collect; negative: to refund."""
    return proposed.totals.outstanding_amount


def _paired(before: Sequence, after: Sequence) -> list[tuple]:
    """Lines (or shipping methods) of two states side by side: matched by id, and those a
    change adds (no id yet) by their action; in the order of ``before``, the added ones last."""

    def key(part) -> tuple[str, int | None]:
        return ("id", part.id) if part.id is not None else ("action", part.action_id)

    later = {key(part): part for part in after}
    pairs = [(part, later.pop(key(part), None)) for part in before]
    return pairs + [(None, part) for part in later.values()]


def _presence(before, after) -> str:
    """Added, removed, or on both sides (unchanged, unless its figures say otherwise)."""
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "unchanged"


@dataclass(frozen=True)
class LineChange:
    """One line compared across two states: ``before`` or ``after`` is ``None`` when the line
    was added or removed."""

    before: Line | None
    after: Line | None

    @property
    def kind(self) -> str:
        kind = _presence(self.before, self.after)
        if kind == "unchanged" and (
            (self.before.quantity, self.before.unit_price, self.before.adjustments,
             self.before.returns)
            != (self.after.quantity, self.after.unit_price, self.after.adjustments,
                self.after.returns)
        ):
            return "changed"
        return kind


def compare_lines(before: Sequence[Line], after: Sequence[Line]) -> list[LineChange]:
    """Lines of two states side by side: matched by line id (added lines by their action),
    in the order of ``before`` with the added ones last."""
    return [LineChange(old, new) for old, new in _paired(before, after)]


@dataclass(frozen=True)
class ShippingChange:
    """One shipping method compared across two states: ``before`` or ``after`` is ``None``
    when it was added or removed. A change adds and removes methods, never changes one."""

    before: Shipping | None
    after: Shipping | None

    @property
    def kind(self) -> str:
        return _presence(self.before, self.after)


def compare_shipping(before: Sequence[Shipping], after: Sequence[Shipping]) -> list[ShippingChange]:
    """Shipping methods of two states side by side, matched as ``compare_lines`` matches
    lines: by id (added methods by their action), the added ones last."""
    return [ShippingChange(old, new) for old, new in _paired(before, after)]
